// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateencodingextension

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension/internal/metadata"
	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// goldenDir holds the receiver's golden inputs and records, which the
// translator's own tests check; the extension must give the same records.
var goldenDir = testcorpus.Path("golden")

// testID is the extension's ID in the tests: its counters carry it.
var testID = component.MustNewIDWithName("twingate_encoding", "raw")

// receiverScope is the scope of the golden records: the receiver's.
const receiverScope = "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

func newTestExtension(t *testing.T, tel *componenttest.Telemetry, mutate func(*twingate.Config)) *encodingExtension {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if mutate != nil {
		mutate(&cfg.Mapping)
	}
	require.NoError(t, confmap.Validate(cfg))
	set := extensiontest.NewNopSettings(metadata.Type)
	set.ID = testID
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
	}
	ext, err := NewFactory().Create(context.Background(), set, cfg)
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return ext.(*encodingExtension)
}

// asReceiverRecords makes the extension's records comparable with the
// receiver's golden ones: the file input adds log.file.name, which a payload
// has no file to take from, and each component names the scope after itself.
// Nothing else may differ.
func asReceiverRecords(logs plog.Logs, fileName string) plog.Logs {
	out := plog.NewLogs()
	logs.CopyTo(out)
	for _, rl := range out.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			sl.Scope().SetName(receiverScope)
			for _, lr := range sl.LogRecords().All() {
				lr.Attributes().PutStr("log.file.name", fileName)
			}
		}
	}
	return out
}

// goldenLines returns the lines of a golden input, as the translator's
// golden test splits them: at '\n', each with its '\r' if it has one.
func goldenLines(t *testing.T, name string) [][]byte {
	t.Helper()
	content, err := os.ReadFile(filepath.Join(goldenDir, name+".log"))
	require.NoError(t, err)
	return bytes.Split(bytes.TrimSuffix(content, []byte("\n")), []byte("\n"))
}

// TestGolden: every golden input gives the golden records, whether it comes
// as one payload of all its lines, one payload per line, or payloads of a
// few lines; blank lines between payload lines change nothing but the
// count of other lines.
func TestGolden(t *testing.T) {
	settings := logstest.GoldenSettings(t, goldenDir)
	require.NotEmpty(t, settings)
	for name, conf := range settings {
		mutate := func(c *twingate.Config) { require.NoError(t, conf.Unmarshal(c)) }
		expected := logstest.ReadGolden(t, filepath.Join(goldenDir, name+"_expected.yaml"))
		lines := goldenLines(t, name)
		payloads := map[string][][]byte{
			"whole_file":       {bytes.Join(lines, []byte("\n"))},
			"newline_at_end":   {append(bytes.Join(lines, []byte("\n")), '\n')},
			"one_line_each":    lines,
			"batches_of_three": nil,
		}
		for i := 0; i < len(lines); i += 3 {
			batch := bytes.Join(lines[i:min(i+3, len(lines))], []byte("\n"))
			payloads["batches_of_three"] = append(payloads["batches_of_three"], batch)
		}
		for way, parts := range payloads {
			t.Run(name+"/"+way, func(t *testing.T) {
				ext := newTestExtension(t, nil, mutate)
				var all []plog.Logs
				for _, p := range parts {
					logs, err := ext.UnmarshalLogs(p)
					require.NoError(t, err)
					all = append(all, logs)
				}
				actual := asReceiverRecords(logstest.MergeByResource(all), name+".log")
				logstest.RequireLogsMatch(t, expected, actual)
			})
		}
	}
}

// TestBareEvent: the JSON event of an ANALYTICS line, without the prefix,
// maps to the same record as the line, whether compact on one line, with a
// CRLF, or pretty-printed over several lines (the body is the JSON text
// given, so it is compared apart).
func TestBareEvent(t *testing.T) {
	ext := newTestExtension(t, nil, nil)
	for i, line := range goldenLines(t, "events") {
		payload, ok := twingate.CutAnalytics(line)
		require.True(t, ok, "events.log line %d", i+1)
		want, err := ext.UnmarshalLogs(line)
		require.NoError(t, err)
		require.Equal(t, 1, want.LogRecordCount())

		for way, bare := range map[string][]byte{
			"compact": payload,
			"crlf":    append(append([]byte{}, payload...), '\r', '\n'),
			"spaced":  append(append([]byte("\n  "), payload...), "\n\n"...),
		} {
			t.Run(fmt.Sprintf("line%d/%s", i+1, way), func(t *testing.T) {
				got, err := ext.UnmarshalLogs(bare)
				require.NoError(t, err)
				logstest.RequireLogsMatch(t, want, got)
			})
		}
	}
	pretty := []byte("{\n  \"connection\": {\"id\": \"pretty-1\", \"protocol\": \"tcp\", \"resource_ip\": \"10.0.0.5\", \"resource_port\": 80},\n" +
		"  \"connector\": {\"id\": \"84014\", \"name\": \"nondescript-caterpillar\"},\n  \"event_type\": \"established_connection\",\n" +
		"  \"remote_network\": {\"id\": \"6938\", \"name\": \"AWS Network\"},\n  \"timestamp\": 1763633300000\n}\n")
	got, err := ext.UnmarshalLogs(pretty)
	require.NoError(t, err)
	require.Equal(t, 1, got.LogRecordCount())
	lr := got.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, "twingate.connection.established", lr.EventName())
	_, flagged := lr.Attributes().Get(twingate.AttrErrorType)
	assert.False(t, flagged, "a pretty-printed event is flagged: %v", lr.Attributes().AsRaw())
	id, _ := lr.Attributes().Get("twingate.connection.id")
	assert.Equal(t, "pretty-1", id.AsString())
}

// TestOneResourcePerConnector: a payload mixing connectors gives one
// ResourceLogs per connector, records in line order within each.
func TestOneResourcePerConnector(t *testing.T) {
	ext := newTestExtension(t, nil, nil)
	line := func(connector, id string) string {
		return `ANALYTICS {"connection":{"id":"` + id + `","protocol":"tcp","resource_ip":"10.0.0.1","resource_port":443},"connector":{"id":"` +
			connector + `","name":"c-` + connector + `"},"event_type":"established_connection","remote_network":{"id":"1","name":"n"},"timestamp":1763633300000}`
	}
	payload := strings.Join([]string{line("1", "a"), line("2", "b"), line("1", "c"), "", line("2", "d")}, "\n")
	logs, err := ext.UnmarshalLogs([]byte(payload))
	require.NoError(t, err)
	got := map[string][]string{}
	for _, rl := range logs.ResourceLogs().All() {
		connector, _ := rl.Resource().Attributes().Get("twingate.connector.id")
		for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
			id, _ := lr.Attributes().Get("twingate.connection.id")
			got[connector.AsString()] = append(got[connector.AsString()], id.AsString())
		}
	}
	assert.Equal(t, 2, logs.ResourceLogs().Len())
	assert.Equal(t, map[string][]string{"1": {"a", "c"}, "2": {"b", "d"}}, got)
	assert.Equal(t, metadata.ScopeName, logs.ResourceLogs().At(0).ScopeLogs().At(0).Scope().Name())
}

// TestAccounting: every line has one outcome, and the dropped ones are
// counted: with on_error drop, the malformed golden lines are dropped and
// counted by error.type; other lines and blank lines are counted as dropped.
func TestAccounting(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	ext := newTestExtension(t, tel, func(c *twingate.Config) { c.OnError = twingate.OnErrorDrop })
	lines := goldenLines(t, "malformed")
	payload := bytes.Join(append(lines, []byte(""), []byte("[INFO] State: Online")), []byte("\n"))
	logs, err := ext.UnmarshalLogs(payload)
	require.NoError(t, err)
	expected := logstest.ReadGolden(t, filepath.Join(goldenDir, "malformed_expected.yaml"))
	flagged := 0
	for _, rl := range expected.ResourceLogs().All() {
		for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
			if _, ok := lr.Attributes().Get(twingate.AttrErrorType); ok {
				flagged++
			}
		}
	}
	require.Positive(t, flagged)
	assert.Equal(t, expected.LogRecordCount()-flagged, logs.LogRecordCount(), "only the well-formed records are left")

	sum := func(name string) (total int64, byAttr map[string]int64) {
		m, err := tel.GetMetric(name)
		require.NoError(t, err)
		byAttr = map[string]int64{}
		for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
			total += dp.Value
			action, _ := dp.Attributes.Value("action")
			errorType, _ := dp.Attributes.Value(attribute.Key(twingate.AttrErrorType))
			byAttr[action.AsString()+" "+errorType.AsString()] += dp.Value
			ext, _ := dp.Attributes.Value("extension")
			assert.Equal(t, testID.String(), ext.AsString())
		}
		return total, byAttr
	}
	malformed, byType := sum("otelcol_twingate_encoding_malformed_lines")
	assert.Equal(t, int64(flagged), malformed, "%v", byType)
	for k := range byType {
		assert.True(t, strings.HasPrefix(k, "dropped "), k)
	}
	other, byAction := sum("otelcol_twingate_encoding_other_lines")
	assert.Equal(t, int64(len(lines)+2-expected.LogRecordCount()), other, "%v", byAction)
}

// TestConfigValidate: unknown values fail validation naming the key.
func TestConfigValidate(t *testing.T) {
	for key, value := range map[string]string{"other_lines": "keep", "on_error": "explode", "body": "full"} {
		cfg := NewFactory().CreateDefaultConfig()
		require.NoError(t, confmap.NewFromStringMap(map[string]any{key: value}).Unmarshal(cfg))
		err := confmap.Validate(cfg)
		require.Error(t, err, key)
		assert.Contains(t, err.Error(), "'"+key+"'")
		assert.Contains(t, err.Error(), value)
	}
	cfg := NewFactory().CreateDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(map[string]any{"other_lines": "send", "on_error": "drop_quiet", "body": "none"}).Unmarshal(cfg))
	require.NoError(t, confmap.Validate(cfg))
	assert.Equal(t, twingate.Config{OtherLines: "send", OnError: "drop_quiet", Body: "none"}, cfg.(*Config).Mapping)
}
