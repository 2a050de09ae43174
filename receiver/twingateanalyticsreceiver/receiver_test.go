// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

const waitFor = 10 * time.Second

// update rewrites documentation.md from metadata.yaml; review the diff.
var update = flag.Bool("update", false, "rewrite documentation.md from metadata.yaml")

func fileConfig(include ...string) *Config {
	cfg := createDefaultConfig().(*Config)
	f := cfg.File.GetOrInsertDefault()
	f.Include = include
	f.StartAt = "beginning"
	f.PollInterval = 10 * time.Millisecond
	return cfg
}

// newReceiver builds a receiver on cfg as the factory does, with the
// inputs' options opts (tests shorten the inputs' timers).
func newReceiver(t *testing.T, cfg *Config, next consumer.Logs, tel *componenttest.Telemetry, opts ...inputOptions) *logsReceiver {
	t.Helper()
	require.NoError(t, cfg.Validate())
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
	}
	var o inputOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	rcv, err := newLogsReceiver(set, cfg, next, o)
	require.NoError(t, err)
	return rcv
}

// startReceiver starts a receiver on cfg delivering to a new sink and shuts
// it down when the test ends.
func startReceiver(t *testing.T, cfg *Config, tel *componenttest.Telemetry) *consumertest.LogsSink {
	t.Helper()
	sink := new(consumertest.LogsSink)
	rcv := newReceiver(t, cfg, sink, tel)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, rcv.Shutdown(context.Background())) })
	return sink
}

// TestFactory: the factory builds the receiver the tests build.
func TestFactory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connector.log")
	rcv, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), fileConfig(path), consumertest.NewNop())
	require.NoError(t, err)
	require.NoError(t, rcv.Shutdown(context.Background()))
}

func TestLifecycle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connector.log")
	require.NoError(t, os.WriteFile(path, nil, 0o600))

	t.Run("start and shutdown, twice", func(t *testing.T) {
		rcv := newReceiver(t, fileConfig(path), consumertest.NewNop(), nil)
		require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
		require.NoError(t, rcv.Shutdown(context.Background()))
		require.NoError(t, rcv.Shutdown(context.Background()))
	})
	t.Run("shutdown without start", func(t *testing.T) {
		rcv := newReceiver(t, fileConfig(path), consumertest.NewNop(), nil)
		require.NoError(t, rcv.Shutdown(context.Background()))
	})
	t.Run("missing storage extension", func(t *testing.T) {
		cfg := fileConfig(path)
		id := component.MustNewID("file_storage")
		cfg.Storage = &id
		rcv := newReceiver(t, cfg, consumertest.NewNop(), nil)
		err := rcv.Start(context.Background(), componenttest.NewNopHost())
		require.ErrorContains(t, err, "get the storage client: storage extension 'file_storage' not found")
		require.NoError(t, rcv.Shutdown(context.Background()))
	})
}

// TestTelemetry checks the standard receiver metrics and the receiver's own
// counters on a file holding valid, malformed and noise lines.
func TestTelemetry(t *testing.T) {
	lines := []string{
		"[INFO] connector starting",
		`ANALYTICS {"connection":{"id":"t-1"},"connector":{"id":"1"},"event_type":"established_connection","timestamp":1763633300000}`,
		`ANALYTICS {"connection":{"id":"t-2"`,
		`ANALYTICS {"connection":{"id":"t-3"},"connector":{"id":"1"},"event_type":"closed_connection","timestamp":"soon"}`,
		"State: Online",
		"State: Online",
	}
	for _, tc := range []struct {
		onError, otherLines string
		accepted            int64
		malformedAction     string
		otherAction         string
	}{
		{twingate.OnErrorSend, twingate.OtherLinesDrop, 3, "sent", "dropped"},
		{twingate.OnErrorDropQuiet, twingate.OtherLinesSend, 4, "dropped", "sent"},
	} {
		t.Run(tc.onError+"/"+tc.otherLines, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "connector.log")
			require.NoError(t, os.WriteFile(path, []byte(joinLines(lines)), 0o600))
			cfg := fileConfig(path)
			cfg.OnError, cfg.OtherLines = tc.onError, tc.otherLines
			tel := inputtest.NewTelemetry(t)
			sink := startReceiver(t, cfg, tel)

			require.Eventually(t, func() bool {
				return inputtest.Sum(t, tel, "otelcol_receiver_accepted_log_records", nil) == tc.accepted
			}, waitFor, 10*time.Millisecond)
			assert.EqualValues(t, tc.accepted, sink.LogRecordCount())
			assert.EqualValues(t, 1, inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_malformed_lines",
				map[string]string{"receiver": "twingateanalytics", "error.type": "invalid_json", "action": tc.malformedAction}))
			assert.EqualValues(t, 1, inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_malformed_lines",
				map[string]string{"receiver": "twingateanalytics", "error.type": "invalid_field", "action": tc.malformedAction}))
			assert.EqualValues(t, 3, inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_other_lines",
				map[string]string{"receiver": "twingateanalytics", "action": tc.otherAction}))
		})
	}
}

func joinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}
