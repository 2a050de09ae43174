// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// The ocb-built binary reads connector lines from a file and forwards them
// over OTLP/HTTP to an OTLP receiver running inside the test on 127.0.0.1.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
)

// TestForwardGoldenOverOTLP: every record that reaches the backend carries
// exactly the resource, attributes, body, severity, time and event name of
// the receiver's golden file for the same lines.
func TestForwardGoldenOverOTLP(t *testing.T) {
	goldenDir := mappingTestdata("golden")
	input := filepath.Join(t.TempDir(), "events.log")
	copyFile(t, filepath.Join(goldenDir, "events.log"), input)
	endpoint, sink := startOTLPBackend(t)
	col := runCollector(t, fileToOTLPConfig(input, endpoint, freeAddr(t)))

	expected := logstest.ReadGolden(t, filepath.Join(goldenDir, "events_expected.yaml"))
	require.Eventually(t, func() bool { return sink.LogRecordCount() >= expected.LogRecordCount() }, waitForCollector, 20*time.Millisecond,
		"records never arrived; collector output:\n%s", col)
	logstest.RequireLogsMatch(t, expected, logstest.MergeByResource(sink.AllLogs()), plogtest.IgnoreScopeLogsVersion())
}

// TestForwardSampleLog: the sample connector log of `make run` yields one
// record per ANALYTICS line and none for the connector's other output.
func TestForwardSampleLog(t *testing.T) {
	sample := filepath.Join(repoRoot, "testdata", "connector.log")
	content, err := os.ReadFile(sample)
	require.NoError(t, err)
	want, other := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(content)), "\n") {
		if strings.HasPrefix(line, "ANALYTICS ") {
			want++
		} else {
			other++
		}
	}
	require.Positive(t, want)
	require.Positive(t, other)
	input := filepath.Join(t.TempDir(), "connector.log")
	copyFile(t, sample, input)
	endpoint, sink := startOTLPBackend(t)
	metricsAddr := freeAddr(t)
	col := runCollector(t, fileToOTLPConfig(input, endpoint, metricsAddr))

	require.Eventually(t, func() bool { return sink.LogRecordCount() >= want }, waitForCollector, 20*time.Millisecond,
		"records never arrived; collector output:\n%s", col)
	// Let a late duplicate or a stray noise record show up before counting.
	time.Sleep(500 * time.Millisecond)
	require.Equal(t, want, sink.LogRecordCount())
	for _, logs := range sink.AllLogs() {
		for _, rl := range logs.ResourceLogs().All() {
			name, ok := rl.Resource().Attributes().Get("service.name")
			require.True(t, ok)
			assert.Equal(t, "twingate-connector", name.Str())
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					assert.True(t, strings.HasPrefix(lr.EventName(), "twingate.connection."), lr.EventName())
					assert.NotZero(t, lr.Timestamp())
					_, flagged := lr.Attributes().Get("error.type")
					assert.False(t, flagged, "sample line flagged as malformed: %s", lr.Body().Str())
				}
			}
		}
	}

	// The collector's own metrics endpoint accounts for every line.
	metrics := scrape(t, metricsAddr)
	assert.Contains(t, metrics, fmt.Sprintf(`otelcol_receiver_accepted_log_records{receiver="twingateanalytics",transport="file"} %d`, want))
	assert.Contains(t, metrics, fmt.Sprintf(`otelcol_receiver_twingateanalytics_other_lines{action="dropped",receiver="twingateanalytics"} %d`, other))
	assert.NotContains(t, metrics, "otelcol_receiver_twingateanalytics_malformed_lines{")
}
