// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

const waitFor = 10 * time.Second

// mappingTestdata holds the golden files and the hostile corpus of the line ->
// record mapping, which the receiver's inputs must deliver unchanged.
var mappingTestdata = testcorpus.Path()

// update rewrites the receiver's golden files (container logs, journald)
// from the current output; review the diff.
var update = flag.Bool("update", false, "rewrite testdata/*_expected.yaml from the current output")

func fileConfig(include ...string) *Config {
	cfg := createDefaultConfig().(*Config)
	f := cfg.File.GetOrInsertDefault()
	f.Include = include
	f.StartAt = "beginning"
	f.PollInterval = 10 * time.Millisecond
	return cfg
}

func newReceiver(t *testing.T, cfg *Config, next consumer.Logs, tel *componenttest.Telemetry) receiver.Logs {
	t.Helper()
	require.NoError(t, cfg.Validate())
	set := receivertest.NewNopSettings(metadata.Type)
	set.ID = component.NewID(metadata.Type)
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
	}
	rcv, err := NewFactory().CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	return rcv
}

// startReceiver starts a receiver on cfg delivering to a new sink, after
// setup (which may adjust the receiver), and shuts it down when the test ends.
func startReceiver(t *testing.T, cfg *Config, tel *componenttest.Telemetry, setup ...func(*logsReceiver)) *consumertest.LogsSink {
	t.Helper()
	sink := new(consumertest.LogsSink)
	rcv := newReceiver(t, cfg, sink, tel)
	for _, f := range setup {
		f(rcv.(*logsReceiver))
	}
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, rcv.Shutdown(context.Background())) })
	return sink
}

// newTelemetry collects what a receiver reports until the test ends.
func newTelemetry(t *testing.T) *componenttest.Telemetry {
	t.Helper()
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	return tel
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
		require.ErrorContains(t, err, "storage extension 'file_storage' not found")
		require.NoError(t, rcv.Shutdown(context.Background()))
	})
}

// TestFileInput reads a golden input through the real stanza file consumer and
// expects what the golden test expects, plus stanza's log.file.name.
func TestFileInput(t *testing.T) {
	content, err := os.ReadFile(filepath.Join(mappingTestdata, "golden", "events.log"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "events.log")
	require.NoError(t, os.WriteFile(path, content, 0o600))

	sink := startReceiver(t, fileConfig(path), nil)

	expected, err := golden.ReadLogs(filepath.Join(mappingTestdata, "golden", "events_expected.yaml"))
	require.NoError(t, err)
	require.Eventually(t, func() bool { return sink.LogRecordCount() == expected.LogRecordCount() }, waitFor, 10*time.Millisecond)
	actual := logstest.MergeByResource(sink.AllLogs())
	logstest.RequireLogsMatch(t, expected, actual)
}

// TestFileInputReplacesInvalidUTF8: the file input reads UTF-8 raw (see
// rawUTF8), so the converter alone makes bodies and attributes valid UTF-8.
func TestFileInputReplacesInvalidUTF8(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connector.log")
	lines := "ANALYTICS {\"connection\":{\"id\":\"u-1\"},\"connector\":{\"id\":\"1\",\"name\":\"caf\xe9\"}," +
		"\"event_type\":\"established_connection\",\"timestamp\":1763633300000}\n" +
		"State: \xff\xfe online\n"
	require.NoError(t, os.WriteFile(path, []byte(lines), 0o600))
	cfg := fileConfig(path)
	cfg.OtherLines = twingate.OtherLinesSend
	sink := new(consumertest.LogsSink)
	rcv := newReceiver(t, cfg, sink, nil)
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, rcv.Shutdown(context.Background())) })
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 2 }, waitFor, 10*time.Millisecond)

	var bodies, names []string
	for _, rl := range logstest.MergeByResource(sink.AllLogs()).ResourceLogs().All() {
		if name, ok := rl.Resource().Attributes().Get(twingate.AttrConnectorName); ok {
			names = append(names, name.Str())
		}
		for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
			bodies = append(bodies, lr.Body().Str())
		}
	}
	assert.Equal(t, []string{"caf\uFFFD"}, names)
	assert.ElementsMatch(t, []string{
		"{\"connection\":{\"id\":\"u-1\"},\"connector\":{\"id\":\"1\",\"name\":\"caf\uFFFD\"},\"event_type\":\"established_connection\",\"timestamp\":1763633300000}",
		"State: \uFFFD\uFFFD online",
	}, bodies)
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
			tel := newTelemetry(t)
			sink := startReceiver(t, cfg, tel)

			require.Eventually(t, func() bool {
				return sumOf(t, tel, "otelcol_receiver_accepted_log_records", nil) == tc.accepted
			}, waitFor, 10*time.Millisecond)
			assert.EqualValues(t, tc.accepted, sink.LogRecordCount())
			assert.EqualValues(t, 1, sumOf(t, tel, "otelcol_receiver_twingateanalytics_malformed_lines",
				map[string]string{"receiver": "twingateanalytics", "error.type": "invalid_json", "action": tc.malformedAction}))
			assert.EqualValues(t, 1, sumOf(t, tel, "otelcol_receiver_twingateanalytics_malformed_lines",
				map[string]string{"receiver": "twingateanalytics", "error.type": "invalid_field", "action": tc.malformedAction}))
			assert.EqualValues(t, 3, sumOf(t, tel, "otelcol_receiver_twingateanalytics_other_lines",
				map[string]string{"receiver": "twingateanalytics", "action": tc.otherAction}))
		})
	}
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

// sumOf adds up the int sum data points of a metric whose attributes include want.
func sumOf(t *testing.T, tel *componenttest.Telemetry, name string, want map[string]string) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is not an int sum", name)
	var total int64
	for _, dp := range sum.DataPoints {
		matches := true
		for k, v := range want {
			got, ok := dp.Attributes.Value(attribute.Key(k))
			matches = matches && ok && got.AsString() == v
		}
		if matches {
			total += dp.Value
		}
	}
	return total
}
