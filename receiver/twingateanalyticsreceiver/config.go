// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/emit"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/input/journald"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/trim"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// DefaultUnit is the systemd unit of the Twingate Connector package.
const DefaultUnit = "twingate-connector"

// Config defines the configuration of the twingateanalytics receiver.
type Config struct {
	// Journald reads the connector's lines from the systemd journal through
	// stanza's journald input (journalctl). Exactly one of Journald and File.
	Journald configoptional.Optional[JournaldConfig] `mapstructure:"journald"`
	// File reads the connector's lines from files through stanza's file consumer.
	File configoptional.Optional[FileConfig] `mapstructure:"file"`
	// Storage is the ID of a storage extension that checkpoints file offsets or
	// the journald cursor, so a restart resumes where it stopped.
	Storage *component.ID `mapstructure:"storage"`
	// Config is other_lines, on_error and body: how lines become records,
	// the same keys as the twingate_encoding extension's.
	twingate.Config `mapstructure:",squash"`
	// RetryOnFailure retries batches the next consumer refuses.
	RetryOnFailure RetryConfig `mapstructure:"retry_on_failure"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// JournaldConfig takes every option of stanza's journald input.
type JournaldConfig struct {
	journald.Config `mapstructure:",squash"`
}

// FileConfig takes every option of stanza's file consumer (include, exclude,
// start_at, poll_interval, max_log_size, fingerprint_size, encoding, ...).
type FileConfig struct {
	fileconsumer.Config `mapstructure:",squash"`
	// Format is how the lines are stored: auto (detected per file from the
	// first line read), raw, docker (json-file) or cri.
	Format string `mapstructure:"format"`
}

// buildInput builds the file consumer the receiver runs. It decodes UTF-8
// raw (see rawUTF8). Files are told apart by their path, so the consumer
// always reports it (records carry it only when include_file_path is set),
// and container entries are read untrimmed (the configured trimming applies
// to the lines they hold).
func (cfg *FileConfig) buildInput(set component.TelemetrySettings, emit emit.Callback) (*fileconsumer.Manager, error) {
	c := cfg.Config
	c.Encoding = rawUTF8(c.Encoding)
	c.IncludeFilePath = true
	if cfg.Format != FormatRaw {
		c.TrimConfig = trim.Config{PreserveLeading: true, PreserveTrailing: true}
	}
	return c.Build(set, emit)
}

func defaultJournaldConfig() JournaldConfig {
	cfg := journald.NewConfigWithID("journald_input")
	cfg.Units = []string{DefaultUnit}
	return JournaldConfig{Config: *cfg}
}

// defaultFileConfig truncates a line longer than max_log_size instead of
// splitting it (stanza's default): the fragments of a split line would each
// count as a line, so one oversized ANALYTICS line would become a flagged
// record plus a string of bogus "other" lines. Truncated, it is one
// line_too_long record, or one other line.
func defaultFileConfig() FileConfig {
	cfg := fileconsumer.NewConfig()
	cfg.MaxLogSizeBehavior = fileconsumer.MaxLogSizeBehaviorTruncate
	return FileConfig{Config: *cfg, Format: FormatAuto}
}

func createDefaultConfig() component.Config {
	return &Config{
		Journald:       configoptional.Default(defaultJournaldConfig()),
		File:           configoptional.Default(defaultFileConfig()),
		Config:         twingate.NewDefaultConfig(),
		RetryOnFailure: defaultRetryConfig(),
	}
}

// Validate checks the configuration. Stanza validates its own options only
// when an input is built, so Validate builds the configured input (without
// starting it) to make `otelcol validate` catch those mistakes too.
func (cfg *Config) Validate() error {
	var errs []error
	journaldCfg, fileCfg := cfg.Journald.Get(), cfg.File.Get()
	switch {
	case journaldCfg == nil && fileCfg == nil:
		errs = append(errs, errors.New("exactly one of 'journald' or 'file' must be set (use 'journald: {}' for the defaults)"))
	case journaldCfg != nil && fileCfg != nil:
		errs = append(errs, errors.New("'journald' and 'file' are mutually exclusive: set exactly one"))
	case fileCfg != nil:
		if len(fileCfg.Include) == 0 {
			errs = append(errs, errors.New("'file.include' must list at least one path or glob"))
		} else if _, err := fileCfg.buildInput(validationTelemetry(), nopEmit); err != nil {
			errs = append(errs, fmt.Errorf("'file': %w", err))
		}
		switch fileCfg.Format {
		case FormatAuto, FormatRaw, FormatDocker, FormatCRI:
		default:
			errs = append(errs, fmt.Errorf("'file.format' must be one of %q, %q, %q or %q, got %q",
				FormatAuto, FormatRaw, FormatDocker, FormatCRI, fileCfg.Format))
		}
	case journaldCfg != nil:
		if _, err := journaldCfg.Build(validationTelemetry()); err != nil {
			errs = append(errs, fmt.Errorf("'journald': %w", err))
		}
	}

	errs = append(errs, cfg.RetryOnFailure.validate()...)
	return errors.Join(errs...)
}

// validationTelemetry is what inputs built only to be validated report to.
func validationTelemetry() component.TelemetrySettings {
	return component.TelemetrySettings{
		Logger:         zap.NewNop(),
		MeterProvider:  noopmetric.NewMeterProvider(),
		TracerProvider: nooptrace.NewTracerProvider(),
	}
}

func nopEmit(context.Context, [][]byte, map[string]any, int64, []int64) error { return nil }
