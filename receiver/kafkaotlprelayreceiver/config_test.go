// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver

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
)

func loadConfig(t *testing.T, name string) *Config {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(component.NewIDWithName(Type, name).String())
	require.NoError(t, err)
	cfg := createDefaultConfig()
	require.NoError(t, sub.Unmarshal(cfg))
	return cfg
}

func TestConfig(t *testing.T) {
	require.NoError(t, componenttest.CheckConfigStruct(createDefaultConfig()))
	cfg := loadConfig(t, "")
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, []string{"kafka-1:9092", "kafka-2:9092"}, cfg.Brokers)
	assert.Equal(t, "twingate_otlp_logs", cfg.Topic)
	assert.Equal(t, encodingOTLPProto, cfg.Encoding)
	assert.Equal(t, "earliest", cfg.InitialOffset)
	assert.Equal(t, 500, cfg.MaxPollRecords)
	assert.Equal(t, int32(65536), cfg.Fetch.MinBytes)
	assert.Equal(t, time.Second, cfg.Fetch.MaxWait)
	assert.Equal(t, int32(4<<20), cfg.Fetch.MaxPartitionBytes, "defaults stay where the file is silent")
	assert.Equal(t, 2097152, cfg.Request.MaxBytes)
	assert.Equal(t, "https://otlp.example.com:4318/v1/logs", cfg.logsURL())
	assert.Equal(t, "snappy", string(cfg.OTLP.Compression))
	assert.Equal(t, 10*time.Minute, cfg.RetryOnFailure.MaxElapsedTime)
}

// TestConfigMistakes: every mistake is reported, each naming its key.
func TestConfigMistakes(t *testing.T) {
	err := confmap.Validate(loadConfig(t, "mistakes"))
	require.Error(t, err)
	for _, want := range []string{
		"brokers must be specified",
		"topic: must not be empty",
		`encoding: "not an id!" is neither otlp_proto nor an extension id`,
		`initial_offset: "newest"`,
		"heartbeat_interval: 20s must be positive and shorter than session_timeout (10s)",
		"max_poll_records: 0 must be at least 1",
		"fetch::min_bytes: 0 must be at least 1",
		"request::max_bytes: 10 must be at least 1024",
		`otlp::endpoint: "otlp.example.com:4318" is not an http:// or https:// URL`,
		`auth::sasl::mechanism: "AWS_MSK_IAM_OAUTHBEARER" is not supported by kafka_otlp_relay`,
	} {
		assert.ErrorContains(t, err, want)
	}
}

func TestConfigEndpointRequired(t *testing.T) {
	err := confmap.Validate(createDefaultConfig())
	require.ErrorContains(t, err, "otlp::endpoint: must be set")
}
