// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/fileinput"

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/emit"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/trim"
	"go.opentelemetry.io/collector/component"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
)

// Config takes every option of stanza's file consumer (include, exclude,
// start_at, poll_interval, max_log_size, fingerprint_size, encoding, ...).
type Config struct {
	fileconsumer.Config `mapstructure:",squash"`
	// Format is how the lines are stored: auto (detected per file from the
	// first line read), raw, docker (json-file) or cri.
	Format string `mapstructure:"format"`
}

// NewDefaultConfig truncates a line longer than max_log_size instead of
// splitting it (stanza's default): the fragments of a split line would each
// count as a line, so one oversized ANALYTICS line would become a flagged
// record plus a string of bogus "other" lines. Truncated, it is one
// line_too_long record, or one other line.
func NewDefaultConfig() Config {
	cfg := fileconsumer.NewConfig()
	cfg.MaxLogSizeBehavior = fileconsumer.MaxLogSizeBehaviorTruncate
	return Config{Config: *cfg, Format: container.FormatAuto}
}

// buildInput builds the file consumer the input runs. It decodes UTF-8
// raw (see rawUTF8). Files are told apart by their path, so the consumer
// always reports it (records carry it only when include_file_path is set),
// and container entries are read untrimmed (the configured trimming applies
// to the lines they hold).
func (cfg *Config) buildInput(set component.TelemetrySettings, emit emit.Callback) (*fileconsumer.Manager, error) {
	c := cfg.Config
	c.Encoding = rawUTF8(c.Encoding)
	c.IncludeFilePath = true
	if cfg.Format != container.FormatRaw {
		c.TrimConfig = trim.Config{PreserveLeading: true, PreserveTrailing: true}
	}
	return c.Build(set, emit)
}

// rawUTF8 swaps stanza's UTF-8 decoder for its raw variant. The decoder is
// most of the file input's cost, and all it does is replace invalid
// sequences with U+FFFD, which the converter does anyway, and only for the
// rare line that needs it. Other encodings still need their decoder.
func rawUTF8(enc string) string {
	switch strings.ToLower(enc) {
	case "", "utf-8", "utf8", "ascii", "us-ascii":
		return "utf-8-raw"
	}
	return enc
}

// containerSettings are the options container log unwrapping needs.
func (cfg *Config) containerSettings() container.Settings {
	return container.Settings{
		Format:          cfg.Format,
		MaxLogSize:      int(cfg.MaxLogSize),
		Trim:            cfg.TrimConfig.Func(),
		IncludeFilePath: cfg.IncludeFilePath,
	}
}

// Validate checks the file input. Stanza checks its own options (start_at,
// max_log_size, encoding, ...) only when it builds an input, and has no
// other way to reach those checks, so a trial build (never started) makes
// `otelcol validate` catch those mistakes too; Start builds the input it runs.
func (cfg *Config) Validate() error {
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

// validationTelemetry is what inputs built only to be validated report to.
func validationTelemetry() component.TelemetrySettings {
	return component.TelemetrySettings{
		Logger:         zap.NewNop(),
		MeterProvider:  noopmetric.NewMeterProvider(),
		TracerProvider: nooptrace.NewTracerProvider(),
	}
}

func nopEmit(context.Context, [][]byte, map[string]any, int64, []int64) error { return nil }
