// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// hostileDir holds the mapping's hostile corpus (see logstest.HostileCorpus).
var hostileDir = filepath.Join(mappingTestdata, "hostile")

// TestHostileCorpusThroughFileInput reads the whole corpus, one line per
// kind, through the real file consumer: every line has exactly one outcome.
// A line longer than max_log_size (1 MiB by default) is truncated by stanza
// (the receiver defaults to max_log_size_behavior: truncate), so the 5 MB
// lines become one line_too_long record each, never a string of fragments
// taken for other lines.
func TestHostileCorpusThroughFileInput(t *testing.T) {
	lines := logstest.HostileCorpus(t, hostileDir)
	expected := logstest.HostileExpectations(t, hostileDir)
	truncated := map[string]bool{"line_5mb": true, "unterminated_5mb": true}
	var content bytes.Buffer
	want := map[string]int64{}
	idToKind := map[string]string{}
	for kind, line := range lines {
		id, ok := expected[kind].Attributes[twingate.AttrConnectionID].(string)
		if !ok {
			id = "h-" + kind
		}
		idToKind[id] = kind
		content.Write(line)
		content.WriteByte('\n')
		outcome := expected[kind].Outcome
		if truncated[kind] {
			outcome = logstest.OutcomeFlagged
		}
		want[outcome]++
	}
	path := filepath.Join(t.TempDir(), "connector.log")
	require.NoError(t, os.WriteFile(path, content.Bytes(), 0o600))

	tel := inputtest.NewTelemetry(t)
	sink := startInput(t, fileConfig(path), tel)

	require.Eventually(t, func() bool {
		return int64(sink.LogRecordCount())+inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_other_lines", nil) >= int64(len(lines))
	}, waitFor, 10*time.Millisecond)
	got := map[string]int64{logstest.OutcomeOther: inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_other_lines", nil)}
	for _, lr := range logstest.LogRecords(sink.AllLogs()) {
		if _, flagged := lr.Attributes().Get(twingate.AttrErrorType); flagged {
			got[logstest.OutcomeFlagged]++
			if strings.Contains(lr.Body().Str(), "_5mb") {
				assert.Len(t, lr.Body().Str(), 1<<20-len("ANALYTICS "), "truncated to max_log_size")
				errType, _ := lr.Attributes().Get(twingate.AttrErrorType)
				assert.Equal(t, twingate.ErrorTypeLineTooLong, errType.Str())
			}
			continue
		}
		got[logstest.OutcomeMapped]++
		id, _ := lr.Attributes().Get(twingate.AttrConnectionID)
		kind := idToKind[id.Str()]
		assert.Equal(t, logstest.OutcomeMapped, expected[kind].Outcome, "%s (%s) mapped", kind, id.Str())
	}
	assert.Equal(t, want, got)
}
