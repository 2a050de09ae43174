// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/configoptional"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/fileinput"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/journaldinput"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"
)

// DefaultUnit is the systemd unit of the Twingate Connector package.
const DefaultUnit = journaldinput.DefaultUnit

// Config defines the configuration of the twingateanalytics receiver.
type Config struct {
	// Journald reads the connector's lines from the systemd journal through
	// stanza's journald input (journalctl). Exactly one of Journald, File and S3.
	Journald configoptional.Optional[journaldinput.Config] `mapstructure:"journald"`
	// File reads the connector's lines from files through stanza's file consumer.
	File configoptional.Optional[fileinput.Config] `mapstructure:"file"`
	// S3 reads the events Twingate's S3 sync writes to a bucket.
	S3 configoptional.Optional[s3input.Config] `mapstructure:"s3"`
	// Storage is the ID of a storage extension that checkpoints file offsets,
	// the journald cursor or the last S3 object read, so a restart resumes
	// where it stopped.
	Storage *component.ID `mapstructure:"storage"`
	// Config is other_lines, on_error and body: how lines become records,
	// the same keys as the twingate_encoding extension's.
	twingate.Config `mapstructure:",squash"`
	// RetryOnFailure retries batches the next consumer refuses.
	RetryOnFailure RetryConfig `mapstructure:"retry_on_failure"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// RetryConfig is how the receiver retries a batch the next consumer refuses
// with a non-permanent error (memory_limiter, a full exporter queue, an
// exporter without a queue whose backend is down). It has the keys of
// stanza's retry_on_failure, but is on by default and, with
// max_elapsed_time 0, retries until the collector shuts down: stanza's
// inputs log and forget a batch whose delivery failed and checkpoint past it,
// so a batch the receiver gives up on is lost.
type RetryConfig struct {
	// Enabled turns retrying on. Without it a refused batch is dropped and counted.
	Enabled bool `mapstructure:"enabled"`
	// InitialInterval is the wait after the first refusal.
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	// MaxInterval caps the exponentially growing wait between attempts.
	MaxInterval time.Duration `mapstructure:"max_interval"`
	// MaxElapsedTime is how long one batch is retried before it is dropped
	// and counted; 0 retries until shutdown.
	MaxElapsedTime time.Duration `mapstructure:"max_elapsed_time"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func defaultRetryConfig() RetryConfig {
	return RetryConfig{
		Enabled:         true,
		InitialInterval: time.Second,
		MaxInterval:     30 * time.Second,
		MaxElapsedTime:  0,
	}
}

// Validate checks the intervals of an enabled retry.
func (cfg *RetryConfig) Validate() error {
	if !cfg.Enabled {
		return nil
	}
	var errs []error
	if cfg.InitialInterval <= 0 {
		errs = append(errs, fmt.Errorf("'initial_interval' must be positive, got %s", cfg.InitialInterval))
	}
	if cfg.MaxInterval < cfg.InitialInterval {
		errs = append(errs, fmt.Errorf("'max_interval' (%s) must not be less than 'initial_interval' (%s)",
			cfg.MaxInterval, cfg.InitialInterval))
	}
	if cfg.MaxElapsedTime < 0 {
		errs = append(errs, fmt.Errorf("'max_elapsed_time' must not be negative (0 retries until shutdown), got %s", cfg.MaxElapsedTime))
	}
	return errors.Join(errs...)
}

func createDefaultConfig() component.Config {
	return &Config{
		Journald:       configoptional.Default(journaldinput.NewDefaultConfig()),
		File:           configoptional.Default(fileinput.NewDefaultConfig()),
		S3:             configoptional.Default(s3input.NewDefaultConfig()),
		Config:         twingate.NewDefaultConfig(),
		RetryOnFailure: defaultRetryConfig(),
	}
}

// Validate checks the rule across the inputs; each sub-configuration
// validates itself, and confmap prefixes its errors with its key.
func (cfg *Config) Validate() error {
	var set []string
	for _, in := range []struct {
		key string
		on  bool
	}{
		{"journald", cfg.Journald.HasValue()},
		{"file", cfg.File.HasValue()},
		{"s3", cfg.S3.HasValue()},
	} {
		if in.on {
			set = append(set, "'"+in.key+"'")
		}
	}
	switch len(set) {
	case 0:
		return errors.New("exactly one of 'journald', 'file' or 's3' must be set (use 'journald: {}' for the defaults)")
	case 1:
		return nil
	default:
		return fmt.Errorf("%s are mutually exclusive: set exactly one", strings.Join(set, " and "))
	}
}
