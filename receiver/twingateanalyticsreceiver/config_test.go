// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(metadata.Type, name).String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestLoadConfig(t *testing.T) {
	t.Run("journald_defaults", func(t *testing.T) {
		cfg := loadConfig(t, "journald_defaults")
		require.NoError(t, confmap.Validate(cfg))
		require.True(t, cfg.Journald.HasValue())
		assert.False(t, cfg.File.HasValue())
		j := cfg.Journald.Get()
		assert.Equal(t, []string{DefaultUnit}, j.Units)
		assert.Equal(t, "end", j.StartAt)
		assert.Equal(t, "info", j.Priority)
		assert.Nil(t, cfg.Storage)
		assert.Equal(t, twingate.OtherLinesDrop, cfg.OtherLines)
		assert.Equal(t, twingate.OnErrorSend, cfg.OnError)
		assert.Equal(t, twingate.BodyOriginal, cfg.Body)
		// Retrying is on by default and, with max_elapsed_time 0, lasts until shutdown.
		assert.Equal(t, RetryConfig{Enabled: true, InitialInterval: time.Second, MaxInterval: 30 * time.Second}, cfg.RetryOnFailure)
	})
	t.Run("retry", func(t *testing.T) {
		cfg := loadConfig(t, "retry")
		require.NoError(t, confmap.Validate(cfg))
		assert.Equal(t, RetryConfig{
			Enabled: true, InitialInterval: 100 * time.Millisecond, MaxInterval: 5 * time.Second, MaxElapsedTime: 10 * time.Minute,
		}, cfg.RetryOnFailure)
	})
	t.Run("retry_disabled", func(t *testing.T) {
		// The intervals do not matter when retrying is off.
		cfg := loadConfig(t, "retry_disabled")
		require.NoError(t, confmap.Validate(cfg))
		assert.False(t, cfg.RetryOnFailure.Enabled)
	})
	t.Run("journald_null", func(t *testing.T) {
		// A bare "journald:" key means the journald input with its defaults.
		cfg := loadConfig(t, "journald_null")
		require.NoError(t, confmap.Validate(cfg))
		require.True(t, cfg.Journald.HasValue())
		assert.Equal(t, []string{DefaultUnit}, cfg.Journald.Get().Units)
	})
	t.Run("journald", func(t *testing.T) {
		cfg := loadConfig(t, "journald")
		require.NoError(t, confmap.Validate(cfg))
		j := cfg.Journald.Get()
		require.NotNil(t, j.Directory)
		assert.Equal(t, "/run/log/journal", *j.Directory)
		assert.Equal(t, []string{"twingate-connector", "twingate-connector-2"}, j.Units)
		assert.Equal(t, "beginning", j.StartAt)
		assert.Equal(t, "debug", j.Priority)
		require.NotNil(t, cfg.Storage)
		assert.Equal(t, component.MustNewID("file_storage"), *cfg.Storage)
		assert.Equal(t, twingate.OtherLinesSend, cfg.OtherLines)
		assert.Equal(t, twingate.OnErrorDropQuiet, cfg.OnError)
		assert.Equal(t, twingate.BodyNone, cfg.Body)
	})
	t.Run("s3_defaults", func(t *testing.T) {
		cfg := loadConfig(t, "s3_defaults")
		require.NoError(t, confmap.Validate(cfg))
		require.True(t, cfg.S3.HasValue())
		assert.False(t, cfg.File.HasValue())
		assert.False(t, cfg.Journald.HasValue())
		s := cfg.S3.Get()
		assert.Equal(t, "twingate-events", s.Bucket)
		assert.Equal(t, "us-east-1", s.Region)
		assert.Empty(t, s.Prefix)
		assert.Empty(t, s.Endpoint)
		assert.False(t, s.UsePathStyle)
		assert.Equal(t, s3input.StartAtEnd, s.StartAt)
		assert.Equal(t, time.Minute, s.PollInterval)
		assert.Equal(t, 1000, s.BatchSize)
		assert.EqualValues(t, 1<<20, s.MaxEventSize)
	})
	t.Run("s3", func(t *testing.T) {
		cfg := loadConfig(t, "s3")
		require.NoError(t, confmap.Validate(cfg))
		s := cfg.S3.Get()
		assert.Equal(t, "eu-central-1", s.Region)
		assert.Equal(t, "exports/", s.Prefix)
		assert.Equal(t, "http://127.0.0.1:9000", s.Endpoint)
		assert.True(t, s.UsePathStyle)
		assert.Equal(t, s3input.StartAtBeginning, s.StartAt)
		assert.Equal(t, 30*time.Second, s.PollInterval)
		assert.Equal(t, 500, s.BatchSize)
		assert.EqualValues(t, 2<<20, s.MaxEventSize)
		assert.Equal(t, component.MustNewID("file_storage"), *cfg.Storage)
	})
	t.Run("file", func(t *testing.T) {
		cfg := loadConfig(t, "file")
		require.NoError(t, confmap.Validate(cfg))
		require.True(t, cfg.File.HasValue())
		assert.False(t, cfg.Journald.HasValue())
		f := cfg.File.Get()
		assert.Equal(t, []string{"/var/log/twingate/*.log"}, f.Include)
		assert.Equal(t, []string{"/var/log/twingate/*.gz"}, f.Exclude)
		assert.Equal(t, "beginning", f.StartAt)
		assert.Equal(t, time.Second, f.PollInterval)
		assert.EqualValues(t, 2*1024*1024, f.MaxLogSize)
		assert.EqualValues(t, 2000, f.FingerprintSize)
		assert.False(t, f.IncludeFileName)
		assert.True(t, f.IncludeFilePath)
		assert.Equal(t, container.FormatCRI, f.Format)
		assert.Equal(t, twingate.OnErrorSendQuiet, cfg.OnError)
	})
}

func TestValidateErrors(t *testing.T) {
	for name, want := range map[string]string{
		"no_input":                   "exactly one of 'journald', 'file' or 's3' must be set",
		"both_inputs":                "'journald' and 'file' are mutually exclusive",
		"empty_include":              "file: 'include' must list at least one path or glob",
		"bad_other_lines":            `'other_lines' must be "drop" or "send", got "keep"`,
		"bad_on_error":               `'on_error' must be one of "send", "send_quiet", "drop" or "drop_quiet", got "ignore"`,
		"bad_body":                   `'body' must be "original" or "none", got "redacted"`,
		"bad_file_start_at":          "file: invalid start_at location 'middle'",
		"bad_journald_start_at":      "journald: invalid value 'middle' for parameter 'start_at'",
		"bad_max_log_size":           "file: 'max_log_size' must be positive",
		"bad_file_format":            `file: 'format' must be one of "auto", "raw", "docker" or "cri", got "containerd"`,
		"bad_retry_initial_interval": "retry_on_failure: 'initial_interval' must be positive, got 0s",
		"bad_retry_max_interval":     "retry_on_failure: 'max_interval' (1s) must not be less than 'initial_interval' (10s)",
		"bad_retry_max_elapsed_time": "retry_on_failure: 'max_elapsed_time' must not be negative (0 retries until shutdown), got -1s",
		"file_and_s3":                "'file' and 's3' are mutually exclusive",
		"s3_no_bucket":               "s3: 'bucket' must be set",
		"s3_no_region":               "s3: 'region' must be set",
		"s3_bad_start_at":            `s3: 'start_at' must be "end" or "beginning", got "now"`,
		"s3_bad_poll_interval":       "s3: 'poll_interval' must be positive, got 0s",
		"s3_bad_endpoint":            `s3: 'endpoint' must be a URL such as https://s3.example.com:9000, got "minio:9000"`,
		"s3_bad_batch_size":          "s3: 'batch_size' must be positive, got 0",
	} {
		t.Run(name, func(t *testing.T) {
			err := confmap.Validate(loadConfig(t, name))
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestDefaultConfigNeedsAnInput(t *testing.T) {
	cfg := createDefaultConfig()
	require.NoError(t, componenttest.CheckConfigStruct(cfg))
	// The default is deliberately incomplete: where to read from is the user's choice.
	assert.ErrorContains(t, confmap.Validate(cfg), "exactly one of 'journald', 'file' or 's3' must be set")
	assert.Equal(t, container.FormatAuto, cfg.(*Config).File.GetOrInsertDefault().Format)
}
