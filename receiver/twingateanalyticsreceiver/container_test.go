// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
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
	mutate  func(*Config)
	// partialIdle shortens the wait for the rest of a partial line.
	partialIdle time.Duration
}{
	{
		name: "docker", path: dockerLogDir + "/" + containerID + "-json.log",
		include: "var/lib/docker/containers/*/*-json.log",
		mutate:  func(c *Config) { c.OtherLines = twingate.OtherLinesSend },
	},
	{
		name: "cri", path: logstest.PodLogDir + "/0.log", include: "var/log/pods/*/*/*.log",
		mutate: func(c *Config) { c.OtherLines = twingate.OtherLinesSend },
	},
	{name: "cri_rotated", path: logstest.PodLogDir + "/0.log", include: "var/log/pods/*/*/*.log"},
	{
		name: "cri_too_long", path: logstest.PodLogDir + "/1.log", include: "var/log/pods/*/*/*.log",
		mutate: func(c *Config) { c.File.Get().MaxLogSize = 300 },
	},
	{
		name: "cri_unfinished", path: logstest.PodLogDir + "/0.log", include: "var/log/pods/*/*/*.log",
		partialIdle: 300 * time.Millisecond,
	},
}

func TestContainerGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "golden", "container", "*.log"))
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
			sink := startReceiver(t, cfg, nil, func(r *logsReceiver) {
				if tc.partialIdle > 0 {
					r.partialIdle, r.partialCheck = tc.partialIdle, tc.partialIdle/4
				}
			})

			logstest.WriteSteps(t, filepath.Join("testdata", "golden", "container", tc.name+".log"), path, sink.LogRecordCount, waitFor)

			expectedPath := filepath.Join("testdata", "golden", "container", tc.name+"_expected.yaml")
			if *update {
				waitForQuiet(sink)
				require.NoError(t, golden.WriteLogs(t, expectedPath, logstest.WithoutObservedTime(logstest.MergeByResource(sink.AllLogs()))))
			}
			expected := logstest.ReadGolden(t, expectedPath)
			require.Eventually(t, func() bool { return sink.LogRecordCount() >= expected.LogRecordCount() }, waitFor, 10*time.Millisecond)
			time.Sleep(200 * time.Millisecond) // a duplicate or a late record would show up by now
			actual := logstest.MergeByResource(sink.AllLogs())
			require.NoError(t, plogtest.CompareLogs(expected, actual, plogtest.IgnoreObservedTimestamp()))
			assert.Equal(t, logstest.EventNames(expected), logstest.EventNames(actual))
		})
	}
}

// waitForQuiet waits until no record has arrived for a second.
func waitForQuiet(sink *consumertest.LogsSink) {
	for n := -1; n != sink.LogRecordCount(); {
		n = sink.LogRecordCount()
		time.Sleep(time.Second)
	}
}

func TestPathInfo(t *testing.T) {
	k8s := func(ns, pod, uid, container, restarts string) []twingate.KeyValue {
		return []twingate.KeyValue{
			{Key: attrK8sNamespaceName, Value: ns}, {Key: attrK8sPodName, Value: pod}, {Key: attrK8sPodUID, Value: uid},
			{Key: attrK8sContainerName, Value: container}, {Key: attrK8sContainerRestartCnt, Value: restarts},
		}
	}
	const uid = "3f2a6c1e-8b4d-4e2a-9c7f-1a2b3c4d5e6f"
	for _, tc := range []struct {
		path     string
		resource []twingate.KeyValue
		logPath  string
	}{
		{
			"/var/log/pods/twingate_tg-connector-7d9f8b6c5d-x2k4q_" + uid + "/connector/0.log",
			k8s("twingate", "tg-connector-7d9f8b6c5d-x2k4q", uid, "connector", "0"),
			"/var/log/pods/twingate_tg-connector-7d9f8b6c5d-x2k4q_" + uid + "/connector/0.log",
		},
		{
			// contrib's documented example
			"/var/log/pods/some-ns_kube-controller-kind-control-plane_49cc7c1fd3702c40b2686ea7486091d6/kube-controller/1.log",
			k8s("some-ns", "kube-controller-kind-control-plane", "49cc7c1fd3702c40b2686ea7486091d6", "kube-controller", "1"),
			"/var/log/pods/some-ns_kube-controller-kind-control-plane_49cc7c1fd3702c40b2686ea7486091d6/kube-controller/1.log",
		},
		{
			// rotated by the kubelet: belongs to the live 3.log
			"/var/log/pods/twingate_tg-connector-0_" + uid + "/connector/3.log.20251120-101500",
			k8s("twingate", "tg-connector-0", uid, "connector", "3"),
			"/var/log/pods/twingate_tg-connector-0_" + uid + "/connector/3.log",
		},
		{
			"/var/lib/docker/containers/" + containerID + "/" + containerID + "-json.log",
			[]twingate.KeyValue{{Key: attrContainerID, Value: containerID}},
			"/var/lib/docker/containers/" + containerID + "/" + containerID + "-json.log",
		},
		{
			"/var/lib/docker/containers/" + containerID + "/" + containerID + "-json.log.2",
			[]twingate.KeyValue{{Key: attrContainerID, Value: containerID}},
			"/var/lib/docker/containers/" + containerID + "/" + containerID + "-json.log",
		},
		// Not container logs: no resource, the path is the file's own.
		{"/var/lib/docker/containers/" + containerID + "/0123456789ab-json.log", nil,
			"/var/lib/docker/containers/" + containerID + "/0123456789ab-json.log"},
		{"/var/log/pods/twingate_pod_" + uid + "/connector/0.log.gz", nil, "/var/log/pods/twingate_pod_" + uid + "/connector/0.log.gz"},
		{"/var/log/pods/twingate_pod_NOT-HEX/connector/0.log", nil, "/var/log/pods/twingate_pod_NOT-HEX/connector/0.log"},
		{"/var/log/twingate/connector.log", nil, "/var/log/twingate/connector.log"},
		{"", nil, ""},
	} {
		resource, logPath := pathInfo(tc.path)
		assert.Equal(t, tc.resource, resource, tc.path)
		assert.Equal(t, tc.logPath, logPath, tc.path)
	}
}

func TestParseEntries(t *testing.T) {
	ts := func(s string) pcommon.Timestamp {
		tm, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return pcommon.NewTimestampFromTime(tm)
	}
	for _, tc := range []struct {
		token   string
		format  string
		line    containerLine
		partial bool
	}{
		{`2025-11-20T10:00:00.124530911Z stderr F ANALYTICS {"a":1}`, FormatCRI,
			containerLine{text: []byte(`ANALYTICS {"a":1}`), stream: "stderr", time: ts("2025-11-20T10:00:00.124530911Z")}, false},
		{`2025-11-20T11:00:00+01:00 stdout P part one `, FormatCRI,
			containerLine{text: []byte(`part one `), stream: "stdout", time: ts("2025-11-20T10:00:00Z")}, true},
		{`2025-11-20T10:00:00Z stdout F`, FormatCRI,
			containerLine{text: []byte{}, stream: "stdout", time: ts("2025-11-20T10:00:00Z")}, false},
		{`2025-11-20T10:00:00Z stdout P:x more`, FormatCRI,
			containerLine{text: []byte(`more`), stream: "stdout", time: ts("2025-11-20T10:00:00Z")}, true},
		{`{"log":"ANALYTICS {\"a\":\"\u003c1\u003e\"}\n","stream":"stderr","time":"2025-11-20T10:00:00.5Z"}`, FormatDocker,
			containerLine{text: []byte(`ANALYTICS {"a":"<1>"}`), stream: "stderr", time: ts("2025-11-20T10:00:00.5Z")}, false},
		{`{"log":"first half","stream":"stdout","time":"2025-11-20T10:00:00Z"}`, FormatDocker,
			containerLine{text: []byte(`first half`), stream: "stdout", time: ts("2025-11-20T10:00:00Z")}, true},
		{`{"log":"no time\n","stream":"stdout"}`, FormatDocker,
			containerLine{text: []byte(`no time`), stream: "stdout"}, false},
		// Layouts other than dockerd's own go through encoding/json.
		{`{"stream":"stdout","log":"key order\n","time":"2025-11-20T10:00:00Z"}`, FormatDocker,
			containerLine{text: []byte(`key order`), stream: "stdout", time: ts("2025-11-20T10:00:00Z")}, false},
		{`{"log":"labels\u00e9\n","stream":"stderr","attrs":{"tag":"connector"},"time":"2025-11-20T10:00:00Z"}`, FormatDocker,
			containerLine{text: []byte(`labelsé`), stream: "stderr", time: ts("2025-11-20T10:00:00Z")}, false},
		// Neither format: raw connector lines.
		{`ANALYTICS {"a":1}`, FormatRaw, containerLine{}, false},
		{`State: Online`, FormatRaw, containerLine{}, false},
		{`{"msg":"a JSON line without log"}`, FormatRaw, containerLine{}, false},
		{`2025-11-20T10:00:00Z stdin F x`, FormatRaw, containerLine{}, false},
		{`2025-13-20T10:00:00Z stdout F x`, FormatRaw, containerLine{}, false},
		{`2025-11-20T10:00:00Z stdout`, FormatRaw, containerLine{}, false},
	} {
		t.Run(tc.token, func(t *testing.T) {
			require.Equal(t, tc.format, detectFormat([]byte(tc.token)))
			var line containerLine
			var partial, ok bool
			switch tc.format {
			case FormatCRI:
				line, partial, ok = parseCRI([]byte(tc.token))
			case FormatDocker:
				line, partial, ok = parseDocker([]byte(tc.token))
			default:
				return
			}
			require.True(t, ok)
			assert.Equal(t, string(tc.line.text), string(line.text))
			assert.Equal(t, tc.line.stream, line.stream)
			assert.Equal(t, tc.line.time, line.time)
			assert.Equal(t, tc.partial, partial)
		})
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
	sink := startReceiver(t, fileConfig(filepath.Join(root, "var/lib/docker/containers/*/*-json.log")), nil)

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
	cfg.File.Get().MaxLogSize = 32 * 1024
	cfg.OnError = twingate.OnErrorDrop
	tel := newTelemetry(t)
	sink := startReceiver(t, cfg, tel)

	require.Eventually(t, func() bool {
		return sumOf(t, tel, "otelcol_receiver_twingateanalytics_malformed_lines",
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
	f := cfg.File.Get()
	f.IncludeFilePath = true
	f.IncludeFileRecordNumber = true
	f.IncludeFileRecordOffset = true
	sink := startReceiver(t, cfg, nil)

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
	sink := new(consumertest.LogsSink)
	rcv := newReceiver(t, cfg, sink, nil)
	rcv.(*logsReceiver).partialIdle = time.Hour
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 1 }, waitFor, 10*time.Millisecond)
	require.NoError(t, rcv.Shutdown(context.Background()))

	require.Equal(t, 2, sink.LogRecordCount())
	rec := sink.AllLogs()[1].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, `{"connection":{"id":"a-1"},`, rec.Body().Str())
	errType, _ := rec.Attributes().Get("error.type")
	assert.Equal(t, "invalid_json", errType.Str())
}

// TestExpireWaitsForStalledPipeline: while a batch has been stuck in the
// pipeline longer than the idle time, files are read late, so no partial
// line is given up on.
func TestExpireWaitsForStalledPipeline(t *testing.T) {
	cfg := fileConfig("unused")
	files := newContainerFiles(cfg.File.Get(), zap.NewNop())
	partial := func(path string) *fileState {
		f, _ := files.open(map[string]any{"log.file.path": path})
		_, ok := files.unwrap(f, []byte(`2025-11-20T10:00:01Z stderr P ANALYTICS {`))
		require.False(t, ok)
		f.mu.Unlock()
		return f
	}
	stuck := partial(logstest.PodLogDir + "/0.log") // its batch is still being delivered
	idle := partial(logstest.PodLogDir + "/1.log")
	files.done(idle)

	later := time.Now().Add(time.Minute)
	assert.Empty(t, files.expire(later, time.Second))
	assert.Len(t, files.files, 2)

	files.done(stuck)
	flushed := files.expire(time.Now().Add(time.Minute), time.Second)
	assert.Len(t, flushed, 2)
	assert.Empty(t, files.files)
	assert.Empty(t, files.byPath)
}

// BenchmarkUnwrap measures taking the connector line out of one entry, per
// format (raw: the line as is).
func BenchmarkUnwrap(b *testing.B) {
	content, err := os.ReadFile(filepath.Join("testdata", "golden", "events.log"))
	require.NoError(b, err)
	line, _, _ := strings.Cut(string(content), "\n")
	docker, err := json.Marshal(map[string]string{"log": line + "\n", "stream": "stderr", "time": "2025-11-20T10:00:00.124530911Z"})
	require.NoError(b, err)
	for _, tc := range []struct{ name, token string }{
		{"raw", line},
		{"docker", string(docker)},
		{"cri", "2025-11-20T10:00:00.124530911Z stderr F " + line},
	} {
		b.Run(tc.name, func(b *testing.B) {
			files := newContainerFiles(fileConfig("unused").File.Get(), zap.NewNop())
			f, _ := files.open(map[string]any{"log.file.path": "/" + logstest.PodLogDir + "/0.log"})
			token := []byte(tc.token)
			b.SetBytes(int64(len(token)))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := files.unwrap(f, token); !ok {
					b.Fatal("no line")
				}
			}
		})
	}
}

// FuzzParseDocker: what parseDocker accepts, it decodes as encoding/json
// does (after the converter's UTF-8 repair, which encoding/json does itself).
func FuzzParseDocker(f *testing.F) {
	for _, seed := range []string{
		`{"log":"ANALYTICS {\"a\":\"\u003c1\u003e \u0026\"}\n","stream":"stderr","time":"2025-11-20T10:00:00.5Z"}`,
		`{"log":"tab\there \\ \/ \b\f\r quote\" done\n","stream":"stdout","time":"2025-11-20T10:00:00Z"}`,
		`{"log":"emoji \ud83d\ude00 lone \ud83d end \ude00 \u00e9 é","stream":"stdout","time":"t"}`,
		"{\"log\":\"invalid \xff\xfe utf-8\",\"stream\":\"stdout\",\"time\":\"t\"}",
		"{\"log\":\"raw\ncontrol\",\"stream\":\"stdout\",\"time\":\"t\"}",
		`{"log":"bad escape \x","stream":"stdout","time":"t"}`,
		`{"log":"short \u12","stream":"stdout","time":"t"}`,
		`{"log":"unterminated`,
		`{"log":"x","stream":"std\"out","time":"t"}`,
		`{"log":"x","stream":"stdout","time":"t"} `,
		`{"stream":"stdout","log":"other order\n","time":"2025-11-20T10:00:00Z"}`,
		`{"log":"with attrs\n","stream":"stdout","attrs":{"tag":"connector"},"time":"2025-11-20T10:00:00Z"}`,
		`{"log":"a","LOG":"b","log":"c","stream":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, token []byte) {
		line, partial, ok := parseDocker(token)
		if !ok {
			return
		}
		// A map, not a struct: encoding/json matches struct fields ignoring case.
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(token, &fields), "accepted what encoding/json rejects: %q", token)
		str := func(key string) string {
			var v string
			if raw, ok := fields[key]; ok {
				require.NoError(t, json.Unmarshal(raw, &v), "accepted a %s that is not a string: %q", key, token)
			}
			return v
		}
		require.Contains(t, fields, "log")
		text, complete := strings.CutSuffix(str("log"), "\n")
		assert.Equal(t, text, twingate.ValidUTF8(line.text))
		assert.Equal(t, !complete, partial)
		assert.Equal(t, str("stream"), twingate.ValidUTF8([]byte(line.stream)))
		assert.Equal(t, parseTime(str("time")), line.time)
	})
}
