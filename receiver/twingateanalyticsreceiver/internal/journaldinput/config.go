// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package journaldinput // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/journaldinput"

import (
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/input/journald"
	"go.opentelemetry.io/collector/component"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"
)

// DefaultUnit is the systemd unit of the Twingate Connector package.
const DefaultUnit = "twingate-connector"

// Config takes every option of stanza's journald input.
type Config struct {
	journald.Config `mapstructure:",squash"`
}

// NewDefaultConfig reads the connector package's unit.
func NewDefaultConfig() Config {
	cfg := journald.NewConfigWithID("journald_input")
	cfg.Units = []string{DefaultUnit}
	return Config{Config: *cfg}
}

// Validate checks the journald input with a trial build (never started):
// stanza checks its options only when it builds an input.
func (cfg *Config) Validate() error {
	_, err := cfg.Build(component.TelemetrySettings{
		Logger:         zap.NewNop(),
		MeterProvider:  noopmetric.NewMeterProvider(),
		TracerProvider: nooptrace.NewTracerProvider(),
	})
	return err
}
