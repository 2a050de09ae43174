// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

const (
	containerID = "4f1c9a7e2b3d5c6a8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d"
)

var dockerLogDir = "var/lib/docker/containers/" + containerID

// containerGoldenCases are read through the real file consumer from a file
// laid out as the runtime lays it out under a temporary root. Lines of an
// input that start with "#!" are steps of the test, not file content:
//
//	#! wait N     wait until N records have arrived (so what is above was read)
//	#! rotate S   rename the file to <path>S, as the kubelet or Docker rotate
//	              it, and write what follows to a new file at <path>
var containerGoldenCases = []struct {
	name    string
	path    string // the file, relative to the root
	include string // the include glob, relative to the root
	mutate  func(*testConfig)
	// partialIdle shortens the wait for the rest of a partial line.
	partialIdle time.Duration
}{
	{
		name: "docker", path: dockerLogDir + "/" + containerID + "-json.log",
		include: "var/lib/docker/containers/*/*-json.log",
		mutate:  func(c *testConfig) { c.OtherLines = twingate.OtherLinesSend },
	},
	{
		name: "cri", path: logstest.PodLogDir + "/0.log", include: "var/log/pods/*/*/*.log",
		mutate: func(c *testConfig) { c.OtherLines = twingate.OtherLinesSend },
	},
	{name: "cri_rotated", path: logstest.PodLogDir + "/0.log", include: "var/log/pods/*/*/*.log"},
	{
		name: "cri_too_long", path: logstest.PodLogDir + "/1.log", include: "var/log/pods/*/*/*.log",
		mutate: func(c *testConfig) { c.file.MaxLogSize = 300 },
	},
	{
		name: "cri_unfinished", path: logstest.PodLogDir + "/0.log", include: "var/log/pods/*/*/*.log",
		partialIdle: 300 * time.Millisecond,
	},
}

func TestContainerGolden(t *testing.T) {
	inputs, err := filepath.Glob(testcorpus.Path("container", "*.log"))
	require.NoError(t, err)
	require.Len(t, inputs, len(containerGoldenCases), "every input needs a containerGoldenCases entry")
	for _, tc := range containerGoldenCases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, tc.path)
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			cfg := fileConfig(filepath.Join(root, tc.include))
			if tc.mutate != nil {
				tc.mutate(cfg)
			}
			var opts []Option
			if tc.partialIdle > 0 {
				opts = append(opts, WithPartialLineTimeouts(tc.partialIdle, tc.partialIdle/4))
			}
			sink := startInput(t, cfg, nil, opts...)

			logstest.WriteSteps(t, testcorpus.Path("container", tc.name+".log"), path, sink.LogRecordCount, waitFor)

			expectedPath := testcorpus.Path("container", tc.name+"_expected.yaml")
			if *update {
				waitForQuiet(sink)
				require.NoError(t, golden.WriteLogs(t, expectedPath, logstest.WithoutObservedTime(logstest.MergeByResource(sink.AllLogs()))))
			}
			expected := logstest.ReadGolden(t, expectedPath)
			require.Eventually(t, func() bool { return sink.LogRecordCount() >= expected.LogRecordCount() }, waitFor, 10*time.Millisecond)
			time.Sleep(200 * time.Millisecond) // a duplicate or a late record would show up by now
			actual := logstest.MergeByResource(sink.AllLogs())
			logstest.RequireLogsMatch(t, expected, actual)
		})
	}
}

// waitForQuiet waits until no record has arrived for a second.
func waitForQuiet(sink *inputtest.Sink) {
	for n := -1; n != sink.LogRecordCount(); {
		n = sink.LogRecordCount()
		time.Sleep(time.Second)
	}
}

// writeContainerLog writes lines to a file at rel under a new temporary root
// and returns the root and the file's path.
func writeContainerLog(t *testing.T, rel string, lines ...string) (root, path string) {
	t.Helper()
	root = t.TempDir()
	path = filepath.Join(root, rel)
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(joinLines(lines)), 0o600))
	return root, path
}

// dockerEntries encodes line as Docker's json-file driver does, in pieces of
// at most 16 KiB.
func dockerEntries(t *testing.T, line, stream string) []string {
	t.Helper()
	const pieceSize = 16 * 1024
	var out []string
	text := line + "\n"
	for len(text) > 0 {
		n := min(pieceSize, len(text))
		entry, err := json.Marshal(map[string]string{"log": text[:n], "stream": stream, "time": "2025-11-20T10:00:00.000000001Z"})
		require.NoError(t, err)
		out = append(out, string(entry))
		text = text[n:]
	}
	return out
}

// longAnalyticsLine is an ANALYTICS line of more than 40 KiB: a connection
// through many relays.
func longAnalyticsLine(t *testing.T) string {
	t.Helper()
	relays := make([]map[string]any, 700)
	for i := range relays {
		relays[i] = map[string]any{"ip": "34.86.100." + strconv.Itoa(i%250), "name": "relay-us-east4-" + strconv.Itoa(i), "port": 30000 + i}
	}
	obj, err := json.Marshal(map[string]any{
		"connection": map[string]any{"id": "long-1", "protocol": "tcp", "resource_ip": "10.0.4.17", "resource_port": 443},
		"connector":  map[string]any{"id": "84014", "name": "nondescript-caterpillar"},
		"event_type": "established_connection",
		"relays":     relays,
		"timestamp":  1763632800123,
	})
	require.NoError(t, err)
	require.Greater(t, len(obj), 40*1024)
	return "ANALYTICS " + string(obj)
}

// TestDockerLongLine: Docker splits a line longer than 16 KiB into several
// entries; they make one record again.
func TestDockerLongLine(t *testing.T) {
	line := longAnalyticsLine(t)
	entries := dockerEntries(t, line, "stderr")
	require.Len(t, entries, 3)
	root, _ := writeContainerLog(t, dockerLogDir+"/"+containerID+"-json.log", entries...)
	sink := startInput(t, fileConfig(filepath.Join(root, "var/lib/docker/containers/*/*-json.log")), nil)

	require.Eventually(t, func() bool { return sink.LogRecordCount() == 1 }, waitFor, 10*time.Millisecond)
	rec := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, strings.TrimPrefix(line, "ANALYTICS "), rec.Body().Str())
	assert.Equal(t, "twingate.connection.established", rec.EventName())
	relays, ok := rec.Attributes().Get("twingate.relays")
	require.True(t, ok)
	assert.Equal(t, 700, relays.Slice().Len())
	_, flagged := rec.Attributes().Get("error.type")
	assert.False(t, flagged)
}

// TestLineTooLongDropped: with on_error: drop, a line beyond max_log_size is
// counted and dropped, and the lines after it are read as usual.
func TestLineTooLongDropped(t *testing.T) {
	short := `ANALYTICS {"connection":{"id":"short-1"},"connector":{"id":"84014"},"event_type":"established_connection","timestamp":1763632809000}`
	entries := append(dockerEntries(t, longAnalyticsLine(t), "stderr"), dockerEntries(t, short, "stderr")...)
	root, _ := writeContainerLog(t, dockerLogDir+"/"+containerID+"-json.log", entries...)
	cfg := fileConfig(filepath.Join(root, "var/lib/docker/containers/*/*-json.log"))
	cfg.file.MaxLogSize = 32 * 1024
	cfg.OnError = twingate.OnErrorDrop
	tel := inputtest.NewTelemetry(t)
	sink := startInput(t, cfg, tel)

	require.Eventually(t, func() bool {
		return inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_malformed_lines",
			map[string]string{"error.type": "line_too_long", "action": "dropped"}) == 1 && sink.LogRecordCount() == 1
	}, waitFor, 10*time.Millisecond)
	rec := sink.AllLogs()[len(sink.AllLogs())-1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, strings.TrimPrefix(short, "ANALYTICS "), rec.Body().Str())
}

// TestContainerFileAttributes: log.file.path appears on records only when
// include_file_path is set, and log.iostream goes along with stanza's
// per-line attributes.
func TestContainerFileAttributes(t *testing.T) {
	line := `ANALYTICS {"connection":{"id":"a-1"},"connector":{"id":"84014"},"event_type":"established_connection","timestamp":1763632809000}`
	root, path := writeContainerLog(t, logstest.PodLogDir+"/0.log",
		"2025-11-20T10:00:00Z stdout F State: Online",
		"2025-11-20T10:00:01Z stderr F "+line)
	cfg := fileConfig(filepath.Join(root, "var/log/pods/*/*/*.log"))
	cfg.OtherLines = twingate.OtherLinesSend
	f := &cfg.file
	f.IncludeFilePath = true
	f.IncludeFileRecordNumber = true
	f.IncludeFileRecordOffset = true
	sink := startInput(t, cfg, nil)

	require.Eventually(t, func() bool { return sink.LogRecordCount() == 2 }, waitFor, 10*time.Millisecond)
	var got []map[string]any
	for _, logs := range sink.AllLogs() {
		for _, rl := range logs.ResourceLogs().All() {
			for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
				attrs := lr.Attributes().AsRaw()
				delete(attrs, "twingate.event_type")
				delete(attrs, "twingate.connection.id")
				got = append(got, attrs)
			}
		}
	}
	assert.ElementsMatch(t, []map[string]any{
		{"log.file.name": "0.log", "log.file.path": path, "log.iostream": "stdout", "log.file.record_number": int64(1), "log.file.record_offset": int64(0)},
		{"log.file.name": "0.log", "log.file.path": path, "log.iostream": "stderr", "log.file.record_number": int64(2), "log.file.record_offset": int64(44)},
	}, got)
}

// TestPartialLineAtShutdown: a line still partial when the receiver stops is
// sent as read, not lost.
func TestPartialLineAtShutdown(t *testing.T) {
	root, _ := writeContainerLog(t, logstest.PodLogDir+"/0.log",
		"2025-11-20T10:00:00Z stderr F State: Online",
		`2025-11-20T10:00:01Z stderr P ANALYTICS {"connection":{"id":"a-1"},`)
	cfg := fileConfig(filepath.Join(root, "var/log/pods/*/*/*.log"))
	cfg.OtherLines = twingate.OtherLinesSend
	sink := inputtest.NewSink()
	stop := runInput(t, cfg, sink, nil, nil, WithPartialLineTimeouts(time.Hour, time.Second))
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 1 }, waitFor, 10*time.Millisecond)
	stop()
	assert.True(t, sink.Stopped.Load(), "the delivery path was told the input stopped before the held lines")

	require.Equal(t, 2, sink.LogRecordCount())
	rec := sink.AllLogs()[1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, `{"connection":{"id":"a-1"},`, rec.Body().Str())
	errType, _ := rec.Attributes().Get("error.type")
	assert.Equal(t, "invalid_json", errType.Str())
}
