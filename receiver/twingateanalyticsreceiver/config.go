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
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
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
	if cfg.Format != container.FormatRaw {
		c.TrimConfig = trim.Config{PreserveLeading: true, PreserveTrailing: true}
	}
	return c.Build(set, emit)
}

// containerSettings are the options container log unwrapping needs.
func (cfg *FileConfig) containerSettings() container.Settings {
	return container.Settings{
		Format:          cfg.Format,
		MaxLogSize:      int(cfg.MaxLogSize),
		Trim:            cfg.TrimConfig.Func(),
		IncludeFilePath: cfg.IncludeFilePath,
	}
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
	return FileConfig{Config: *cfg, Format: container.FormatAuto}
}

func createDefaultConfig() component.Config {
	return &Config{
		Journald:       configoptional.Default(defaultJournaldConfig()),
		File:           configoptional.Default(defaultFileConfig()),
		Config:         twingate.NewDefaultConfig(),
		RetryOnFailure: defaultRetryConfig(),
	}
}

// Validate checks the rule across the inputs; each sub-configuration
// validates itself, and confmap prefixes its errors with its key.
func (cfg *Config) Validate() error {
	switch journaldCfg, fileCfg := cfg.Journald.Get(), cfg.File.Get(); {
	case journaldCfg == nil && fileCfg == nil:
		return errors.New("exactly one of 'journald' or 'file' must be set (use 'journald: {}' for the defaults)")
	case journaldCfg != nil && fileCfg != nil:
		return errors.New("'journald' and 'file' are mutually exclusive: set exactly one")
	}
	return nil
}

// Validate checks the file input. Stanza checks its own options (start_at,
// max_log_size, encoding, ...) only when it builds an input, and has no
// other way to reach those checks, so a trial build (never started) makes
// `otelcol validate` catch those mistakes too; Start builds the input it runs.
func (cfg *FileConfig) Validate() error {
	var errs []error
	if len(cfg.Include) == 0 {
		errs = append(errs, errors.New("'include' must list at least one path or glob"))
	} else if _, err := cfg.buildInput(validationTelemetry(), nopEmit); err != nil {
		errs = append(errs, err)
	}
	switch cfg.Format {
	case container.FormatAuto, container.FormatRaw, container.FormatDocker, container.FormatCRI:
	default:
		errs = append(errs, fmt.Errorf("'format' must be one of %q, %q, %q or %q, got %q",
			container.FormatAuto, container.FormatRaw, container.FormatDocker, container.FormatCRI, cfg.Format))
	}
	return errors.Join(errs...)
}

// Validate checks the journald input with a trial build, as FileConfig does.
func (cfg *JournaldConfig) Validate() error {
	_, err := cfg.Build(validationTelemetry())
	return err
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
