// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
)

// exportHostileDir holds one bad or odd export event of each kind,
// <kind>.json, and expected.yaml, what each must become.
var exportHostileDir = testcorpus.Path("export_hostile")

// exportHostileCorpus returns each event of the corpus by kind, without the
// newline that ends its file.
func exportHostileCorpus(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(exportHostileDir, "*.json"))
	require.NoError(tb, err)
	events := map[string][]byte{}
	for _, f := range files {
		content, err := os.ReadFile(f)
		require.NoError(tb, err)
		events[strings.TrimSuffix(filepath.Base(f), ".json")] = bytes.TrimSuffix(content, []byte("\n"))
	}
	return events
}

func TestExportHostileCorpus(t *testing.T) {
	events := exportHostileCorpus(t)
	expected := logstest.HostileExpectations(t, exportHostileDir)
	assert.GreaterOrEqual(t, len(events), 60, "the corpus holds at least 60 kinds of events")
	for kind := range expected {
		assert.Contains(t, events, kind, "expected.yaml names a kind without an event")
	}
	kinds := make([]string, 0, len(events))
	for kind := range events {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			want, ok := expected[kind]
			require.True(t, ok, "no expectation for %s in expected.yaml", kind)
			event := events[kind]

			// The scanner hands the event over whole, as it is.
			s := NewExportScanner(bytes.NewReader(append(slices.Clone(event), '\n')), 1<<20)
			if want.ErrorType != ErrorTypeInvalidJSON {
				require.True(t, s.Scan())
				assert.Equal(t, string(event), string(s.Event()))
			}

			for _, cfg := range []Config{NewDefaultConfig(), {OtherLines: OtherLinesDrop, OnError: OnErrorDrop, Body: BodyOriginal}} {
				b := NewBatch(goldenScopeName)
				res := NewTranslator(cfg).AppendExportEvent(b, event, &Source{}, pcommon.Timestamp(1))
				recs := plog.NewLogRecordSlice()
				for _, rl := range b.Logs().ResourceLogs().All() {
					assert.Equal(t, SourceS3Sync, rl.Resource().Attributes().AsRaw()[AttrSource])
					rl.ScopeLogs().At(0).LogRecords().MoveAndAppendTo(recs)
				}
				switch {
				case want.Outcome == logstest.OutcomeMapped:
					require.Equal(t, Mapped, res.Outcome, "%+v", res)
					require.Equal(t, 1, recs.Len())
				case cfg.OnError == OnErrorDrop:
					require.Equal(t, MalformedDropped, res.Outcome)
					require.Zero(t, recs.Len())
					assert.Equal(t, want.ErrorType, res.ErrorType)
					continue
				default:
					require.Equal(t, Flagged, res.Outcome)
					require.Equal(t, 1, recs.Len())
				}
				rec := recs.At(0)
				ms := want.Timestamp
				want.Timestamp = 0 // checked here: export times have microseconds
				checkHostileRecord(t, want, rec)
				want.Timestamp = ms
				if ms != 0 {
					assert.Equal(t, ms, int64(rec.Timestamp())/int64(time.Millisecond))
				}
			}
		})
	}
}
