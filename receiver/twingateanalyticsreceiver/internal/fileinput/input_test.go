// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// TestFileInput reads a golden input through the real stanza file consumer and
// expects what the golden test expects, plus stanza's log.file.name.
func TestFileInput(t *testing.T) {
	content, err := os.ReadFile(filepath.Join(mappingTestdata, "golden", "events.log"))
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "events.log")
	require.NoError(t, os.WriteFile(path, content, 0o600))

	sink := startInput(t, fileConfig(path), nil)

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
	sink := startInput(t, cfg, nil)
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
