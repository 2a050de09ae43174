// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package kafkaotlprelayreceiver relays OTLP logs from Kafka to an OTLP/HTTP
// backend without decoding them: see README.md.
package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"
)

// Type is the receiver's type in a configuration.
var Type = component.MustNewType("kafka_otlp_relay")

// NewFactory creates a factory for the kafka_otlp_relay receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		Type,
		func() component.Config { return createDefaultConfig() },
		receiver.WithLogs(createLogs, component.StabilityLevelAlpha),
	)
}

func createLogs(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Logs) (receiver.Logs, error) {
	return newRelay(set, cfg.(*Config), next)
}
