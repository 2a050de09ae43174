// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/kafka/configkafka"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configretry"
)

// Config of the kafka_otlp_relay receiver. The Kafka client settings are the
// kafka receiver's (brokers, client_id, tls, auth, metadata, ...); the
// consumer settings are the ones the relay honors; otlp is an OTLP/HTTP
// client, as in the otlp_http exporter.
type Config struct {
	configkafka.ClientConfig `mapstructure:",squash"`

	// Topic holds the messages to relay.
	Topic string `mapstructure:"topic"`
	// Encoding of the messages: otlp_proto (the default; the kafka
	// exporter's ExportLogsServiceRequest messages), relayed without being
	// decoded, or the id of an encoding extension (such as
	// twingate_encoding), which decodes each message into records that are
	// then encoded as OTLP and relayed.
	Encoding string `mapstructure:"encoding"`
	// GroupID is the consumer group: every relay of a fleet uses the same,
	// and they share the topic's partitions.
	GroupID string `mapstructure:"group_id"`
	// InitialOffset is where a group without committed offsets starts:
	// earliest (the default, so that a new group relays what is waiting) or
	// latest.
	InitialOffset     string        `mapstructure:"initial_offset"`
	SessionTimeout    time.Duration `mapstructure:"session_timeout"`
	HeartbeatInterval time.Duration `mapstructure:"heartbeat_interval"`

	Fetch FetchConfig `mapstructure:"fetch"`

	// MaxPollRecords caps the messages of one cycle: poll, relay, commit.
	// A relay killed mid-cycle has committed none of them, so the next owner
	// of the partitions relays them again: at most this many messages are
	// repeated.
	MaxPollRecords int `mapstructure:"max_poll_records"`

	Request RequestConfig `mapstructure:"request"`

	// OTLP is where the records go: endpoint is the OTLP/HTTP base URL
	// (/v1/logs is appended, as the otlp_http exporter does), with its
	// compression, headers, TLS and timeout.
	OTLP confighttp.ClientConfig `mapstructure:"otlp"`

	// RetryOnFailure retries a request the backend refused for now (429,
	// 502, 503, 504, no answer). max_elapsed_time 0, the default, retries
	// until the backend takes it or the relay stops; a request still
	// refused after max_elapsed_time is handed to the pipeline instead.
	RetryOnFailure configretry.BackOffConfig `mapstructure:"retry_on_failure"`
}

// FetchConfig sizes the Kafka fetches. A broker answers a fetch once it has
// min_bytes or max_wait has passed: with many small messages (agents
// flushing once a second) the relay then gets fewer, larger polls. The sizes
// are of what Kafka stores (compressed by the producer): what the relay holds
// in memory is that times the compression ratio, about 5-10 for zstd.
type FetchConfig struct {
	MinBytes          int32         `mapstructure:"min_bytes"`
	MaxBytes          int32         `mapstructure:"max_bytes"`
	MaxPartitionBytes int32         `mapstructure:"max_partition_bytes"`
	MaxWait           time.Duration `mapstructure:"max_wait"`
}

// RequestConfig sizes the OTLP/HTTP requests: the messages of one partition
// are concatenated (protobuf merges them into one request) up to max_bytes,
// before compression.
type RequestConfig struct {
	MaxBytes int `mapstructure:"max_bytes"`
}

// encodingOTLPProto is the encoding relayed without decoding.
const encodingOTLPProto = "otlp_proto"

func createDefaultConfig() *Config {
	client := configkafka.NewDefaultClientConfig()
	client.ClientID = "otelcol-kafka-otlp-relay"
	retry := configretry.NewDefaultBackOffConfig()
	retry.MaxElapsedTime = 0
	httpClient := confighttp.NewDefaultClientConfig()
	httpClient.Compression = "zstd"
	httpClient.Timeout = 30 * time.Second
	return &Config{
		ClientConfig:      client,
		Topic:             "otlp_logs",
		Encoding:          encodingOTLPProto,
		GroupID:           "otelcol-kafka-otlp-relay",
		InitialOffset:     configkafka.EarliestOffset,
		SessionTimeout:    10 * time.Second,
		HeartbeatInterval: 3 * time.Second,
		Fetch: FetchConfig{
			MinBytes:          1 << 20,
			MaxBytes:          16 << 20,
			MaxPartitionBytes: 4 << 20,
			MaxWait:           500 * time.Millisecond,
		},
		MaxPollRecords: 500,
		Request:        RequestConfig{MaxBytes: 4 << 20},
		OTLP:           httpClient,
		RetryOnFailure: retry,
	}
}

// Validate names the key of each mistake.
func (c *Config) Validate() error {
	var errs []error
	if c.Topic == "" {
		errs = append(errs, errors.New("topic: must not be empty"))
	}
	if c.Encoding == "" {
		errs = append(errs, fmt.Errorf("encoding: must be %s or the id of an encoding extension", encodingOTLPProto))
	} else if c.Encoding != encodingOTLPProto {
		var id component.ID
		if err := id.UnmarshalText([]byte(c.Encoding)); err != nil {
			errs = append(errs, fmt.Errorf("encoding: %q is neither %s nor an extension id: %w", c.Encoding, encodingOTLPProto, err))
		}
	}
	if c.GroupID == "" {
		errs = append(errs, errors.New("group_id: must not be empty"))
	}
	switch c.InitialOffset {
	case configkafka.EarliestOffset, configkafka.LatestOffset:
	default:
		errs = append(errs, fmt.Errorf("initial_offset: %q is neither %q nor %q", c.InitialOffset, configkafka.EarliestOffset, configkafka.LatestOffset))
	}
	if c.SessionTimeout <= 0 {
		errs = append(errs, fmt.Errorf("session_timeout: %s must be positive", c.SessionTimeout))
	}
	if c.HeartbeatInterval <= 0 || c.HeartbeatInterval >= c.SessionTimeout {
		errs = append(errs, fmt.Errorf("heartbeat_interval: %s must be positive and shorter than session_timeout (%s)", c.HeartbeatInterval, c.SessionTimeout))
	}
	if c.Fetch.MinBytes < 1 {
		errs = append(errs, fmt.Errorf("fetch::min_bytes: %d must be at least 1", c.Fetch.MinBytes))
	}
	if c.Fetch.MaxBytes < c.Fetch.MinBytes {
		errs = append(errs, fmt.Errorf("fetch::max_bytes: %d is less than fetch::min_bytes (%d)", c.Fetch.MaxBytes, c.Fetch.MinBytes))
	}
	if c.Fetch.MaxPartitionBytes < 1 || c.Fetch.MaxPartitionBytes > c.Fetch.MaxBytes {
		errs = append(errs, fmt.Errorf("fetch::max_partition_bytes: %d must be between 1 and fetch::max_bytes (%d)", c.Fetch.MaxPartitionBytes, c.Fetch.MaxBytes))
	}
	if c.Fetch.MaxWait <= 0 {
		errs = append(errs, fmt.Errorf("fetch::max_wait: %s must be positive", c.Fetch.MaxWait))
	}
	if c.MaxPollRecords < 1 {
		errs = append(errs, fmt.Errorf("max_poll_records: %d must be at least 1", c.MaxPollRecords))
	}
	if c.Request.MaxBytes < 1024 {
		errs = append(errs, fmt.Errorf("request::max_bytes: %d must be at least 1024", c.Request.MaxBytes))
	}
	if c.OTLP.Endpoint == "" {
		errs = append(errs, errors.New("otlp::endpoint: must be set (the OTLP/HTTP base URL, such as https://otlp.example.com:4318)"))
	} else if u, err := url.Parse(c.OTLP.Endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("otlp::endpoint: %q is not an http:// or https:// URL", c.OTLP.Endpoint))
	}
	if c.Authentication.Kerberos != nil {
		errs = append(errs, errors.New("auth::kerberos: not supported by kafka_otlp_relay (use the kafka receiver)"))
	}
	if s := c.Authentication.SASL; s != nil {
		switch s.Mechanism {
		case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		default:
			errs = append(errs, fmt.Errorf("auth::sasl::mechanism: %q is not supported by kafka_otlp_relay (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)", s.Mechanism))
		}
	}
	return errors.Join(errs...)
}

// logsURL is where the requests go.
func (c *Config) logsURL() string {
	u, _ := url.JoinPath(c.OTLP.Endpoint, "v1", "logs")
	return u
}
