// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"context"
	"fmt"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kversion"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
	"github.com/twmb/franz-go/plugin/kzap"
	"go.uber.org/zap"
)

// kafkaOptions are the franz-go options of the relay's consumer. The client
// settings are read as contrib's kafka receiver reads them
// (internal/kafka/franz_client.go, commonOpts), which is not importable.
//
// The consumer commits nothing by itself (DisableAutoCommit) and holds
// rebalances back while a poll is being relayed (BlockRebalanceOnPoll): the
// relay commits a poll's offsets once the backend took its records, then
// allows the rebalance. A partition therefore changes owner only between
// two cycles, and a new owner starts after the last record relayed.
func kafkaOptions(ctx context.Context, cfg *Config, logger *zap.Logger) ([]kgo.Opt, error) {
	reset := kgo.NewOffset().AtStart()
	if cfg.InitialOffset == configkafka.LatestOffset {
		reset = kgo.NewOffset().AtEnd()
	}
	opts := []kgo.Opt{
		kgo.WithLogger(kzap.New(logger.Named("franz"))),
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.DisableClientMetrics(),
		kgo.ConsumerGroup(cfg.GroupID),
		kgo.ConsumeTopics(cfg.Topic),
		kgo.ConsumeResetOffset(reset),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(cfg.SessionTimeout),
		kgo.HeartbeatInterval(cfg.HeartbeatInterval),
		kgo.FetchMinBytes(cfg.Fetch.MinBytes),
		kgo.FetchMaxBytes(cfg.Fetch.MaxBytes),
		kgo.FetchMaxPartitionBytes(cfg.Fetch.MaxPartitionBytes),
		kgo.FetchMaxWait(cfg.Fetch.MaxWait),
		kgo.RequestRetries(cfg.Metadata.Retry.Max),
		kgo.ConnIdleTimeout(cfg.ConnIdleTimeout),
		kgo.DialTimeout(cfg.DialTimeout),
	}
	if cfg.ClientID != "" {
		opts = append(opts, kgo.ClientID(cfg.ClientID))
	}
	if cfg.RackID != "" {
		opts = append(opts, kgo.Rack(cfg.RackID))
	}
	if cfg.Metadata.RefreshInterval > 0 {
		opts = append(opts, kgo.MetadataMaxAge(cfg.Metadata.RefreshInterval))
	}
	if cfg.ProtocolVersion != "" {
		v := kversion.FromString(cfg.ProtocolVersion)
		opts = append(opts, kgo.MinVersions(v), kgo.MaxVersions(v))
	}
	if cfg.TLS != nil {
		tlsCfg, err := cfg.TLS.LoadTLSConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		if tlsCfg != nil {
			opts = append(opts, kgo.DialTLSConfig(tlsCfg))
		}
	}
	if s := cfg.Authentication.SASL; s != nil {
		switch s.Mechanism {
		case "PLAIN":
			opts = append(opts, kgo.SASL(plain.Auth{User: s.Username, Pass: s.Password}.AsMechanism()))
		case "SCRAM-SHA-256":
			opts = append(opts, kgo.SASL(scram.Auth{User: s.Username, Pass: s.Password}.AsSha256Mechanism()))
		case "SCRAM-SHA-512":
			opts = append(opts, kgo.SASL(scram.Auth{User: s.Username, Pass: s.Password}.AsSha512Mechanism()))
		default: // Config.Validate refuses it
			return nil, fmt.Errorf("auth::sasl::mechanism: %q is not supported", s.Mechanism)
		}
	}
	return opts, nil
}
