// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateencodingextension

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// exportDir holds the translator's S3 sync objects and their records; an
// object passed whole, as awss3receiver passes it, must give the same
// records.
var exportDir = testcorpus.Path("export")

// asExportRecords makes the extension's records comparable with the
// translator's golden ones: the golden test adds the object's key, which a
// payload does not carry, and each component names the scope after itself.
func asExportRecords(logs plog.Logs, key string) plog.Logs {
	out := plog.NewLogs()
	logs.CopyTo(out)
	for _, rl := range out.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			sl.Scope().SetName(receiverScope)
			for _, lr := range sl.LogRecords().All() {
				lr.Attributes().PutStr("aws.s3.key", key)
			}
		}
	}
	return out
}

func newFormatExtension(t *testing.T, format string) *encodingExtension {
	t.Helper()
	ext := newTestExtension(t, nil, nil)
	ext.format = format
	return ext
}

// TestExportGolden: every export object of the translator's goldens, passed
// whole, gives the golden records, with format auto (detected) and
// s3_export. The oversized event is the exception: a payload is in memory
// already, so the extension maps it whole rather than flagging it.
func TestExportGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(exportDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	for _, input := range inputs {
		name := strings.TrimSuffix(filepath.Base(input), ".json")
		content, err := os.ReadFile(input)
		require.NoError(t, err)
		for _, format := range []string{FormatAuto, FormatS3Export} {
			t.Run(name+"/"+format, func(t *testing.T) {
				ext := newFormatExtension(t, format)
				logs, err := ext.UnmarshalLogs(content)
				require.NoError(t, err)
				actual := asExportRecords(logs, filepath.Base(input))
				if name == "framing_oversized" {
					assert.Equal(t, 3, actual.LogRecordCount())
					for _, rl := range actual.ResourceLogs().All() {
						for _, lr := range rl.ScopeLogs().At(0).LogRecords().All() {
							_, flagged := lr.Attributes().Get(twingate.AttrErrorType)
							assert.False(t, flagged, "%v", lr.Attributes().AsRaw())
						}
					}
					return
				}
				expected := logstest.ReadGolden(t, filepath.Join(exportDir, name+"_expected.yaml"))
				logstest.RequireLogsMatch(t, expected, actual)
			})
		}
	}
}

// TestFormatDetection: format auto tells an export object from connector
// output by its first object, whatever else the payload holds.
func TestFormatDetection(t *testing.T) {
	export := `{"event_type":"dns_filtering","event":{"time":"2025-07-25T18:23:37Z","domain":"a.example","status":"blocked"}}`
	connector := `{"connection":{"id":"c1","protocol":"tcp","resource_ip":"10.0.0.1","resource_port":443},"connector":{"id":"1","name":"c"},"event_type":"established_connection","timestamp":1763633300000}`
	for payload, want := range map[string]bool{
		export:                                  true,
		"\ufeff\n  " + export + "\n" + export:   true,
		"[" + export + "," + export + "]":       true,
		"[\n  " + export + "\n]":                true,
		"[]":                                    true,
		`{"event":{},"event_type":"x"}`:         true,
		connector:                               false,
		"ANALYTICS " + connector:                false,
		"[INFO] [libsdwan] relay_conn: up":      false,
		"State: Online\nANALYTICS " + connector: false,
		"":                                      false,
		`["x"]`:                                 false,
	} {
		assert.Equal(t, want, isExport([]byte(payload)), "%q", payload)
	}

	// Connector output decodes as before; an export object as events.
	ext := newFormatExtension(t, FormatAuto)
	logs, err := ext.UnmarshalLogs([]byte("ANALYTICS " + connector + "\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"twingate.connection.established"}, logstest.EventNames(logs))
	logs, err = ext.UnmarshalLogs([]byte(export + "\n" + export))
	require.NoError(t, err)
	assert.Equal(t, []string{"twingate.dns.blocked", "twingate.dns.blocked"}, logstest.EventNames(logs))
}

// TestFormatExplicit: format s3_export reads an object that starts with
// text no detection could see as an export (a garbage line: flagged, the
// events after it kept); format lines reads the connector's lines even when
// they look like an export.
func TestFormatExplicit(t *testing.T) {
	export := `{"event_type":"audit_log","event":{"version":"1","time":"2021-08-15T14:30Z","actor":{"type":"API","id":"k","info":null},"action":"delete","targets":[]}}`
	payload := []byte("-- partial upload --\n" + export + "\n")

	logs, err := newFormatExtension(t, FormatAuto).UnmarshalLogs(payload)
	require.NoError(t, err)
	assert.Zero(t, logs.LogRecordCount(), "auto: connector lines, of which none is an ANALYTICS line")

	logs, err = newFormatExtension(t, FormatS3Export).UnmarshalLogs(payload)
	require.NoError(t, err)
	assert.Equal(t, []string{"", "twingate.audit.delete"}, logstest.EventNames(logs))

	logs, err = newFormatExtension(t, FormatLines).UnmarshalLogs([]byte(export))
	require.NoError(t, err)
	require.Equal(t, 1, logs.LogRecordCount(), "lines: one bare connector event")
	lr := logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	errType, _ := lr.Attributes().Get(twingate.AttrErrorType)
	assert.Equal(t, twingate.ErrorTypeInvalidField, errType.AsString(), "not a connector event")
}

// TestFormatValidate: format is auto by default, and an unknown value fails
// validation naming the key.
func TestFormatValidate(t *testing.T) {
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	assert.Equal(t, FormatAuto, cfg.Format)
	require.NoError(t, confmap.NewFromStringMap(map[string]any{"format": "ndjson"}).Unmarshal(cfg))
	err := confmap.Validate(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "'format'")
	assert.Contains(t, err.Error(), "ndjson")
	for _, format := range []string{FormatAuto, FormatLines, FormatS3Export} {
		cfg := NewFactory().CreateDefaultConfig().(*Config)
		require.NoError(t, confmap.NewFromStringMap(map[string]any{"format": format}).Unmarshal(cfg))
		require.NoError(t, confmap.Validate(cfg), format)
	}
}
