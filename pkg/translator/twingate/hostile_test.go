// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"runtime"
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

// hostileDir holds the hostile corpus (see logstest.HostileCorpus).
var hostileDir = testcorpus.Path("hostile")

// hostileConversion is what translating one line produced.
type hostileConversion struct {
	records plog.LogRecordSlice
	result  Result
}

// translateLine runs one line through Translator.AppendLine, the only path
// from a line to a record.
func translateLine(cfg Config, line []byte) hostileConversion {
	b := NewBatch(goldenScopeName)
	out := hostileConversion{records: plog.NewLogRecordSlice()}
	out.result = NewTranslator(cfg).AppendLine(b, line, &Source{}, pcommon.Timestamp(1))
	for _, rl := range b.Logs().ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			sl.LogRecords().MoveAndAppendTo(out.records)
		}
	}
	return out
}

// dropped is 1 when the line's outcome was a drop, counted by the caller.
func (c hostileConversion) dropped() int {
	if c.result.Outcome == MalformedDropped || c.result.Outcome == OtherDropped {
		return 1
	}
	return 0
}

func TestHostileCorpus(t *testing.T) {
	lines := logstest.HostileCorpus(t, hostileDir)
	expected := logstest.HostileExpectations(t, hostileDir)
	kinds := make([]string, 0, len(lines))
	for kind := range lines {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	assert.GreaterOrEqual(t, len(kinds), 40, "the corpus holds at least 40 kinds of lines")
	for kind := range expected {
		assert.Contains(t, lines, kind, "expected.yaml names a kind without a line")
	}

	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			want, ok := expected[kind]
			require.True(t, ok, "no expectation for %s in expected.yaml", kind)
			line := lines[kind]

			// on_error: send, other_lines: drop (the defaults).
			cfg := NewDefaultConfig()
			got := translateLine(cfg, line)
			assert.Equal(t, 1, got.records.Len()+got.dropped(), "exactly one outcome per line")
			switch want.Outcome {
			case logstest.OutcomeMapped, logstest.OutcomeFlagged:
				require.Equal(t, 1, got.records.Len())
				checkHostileRecord(t, want, got.records.At(0))
			case logstest.OutcomeOther:
				assert.Zero(t, got.records.Len())
				assert.Equal(t, OtherDropped, got.result.Outcome)
			default:
				t.Fatalf("unknown outcome %q", want.Outcome)
			}

			// on_error: drop, other_lines: send.
			cfg.OnError, cfg.OtherLines = OnErrorDrop, OtherLinesSend
			got = translateLine(cfg, line)
			assert.Equal(t, 1, got.records.Len()+got.dropped(), "exactly one outcome per line")
			switch want.Outcome {
			case logstest.OutcomeMapped:
				assert.Equal(t, 1, got.records.Len())
			case logstest.OutcomeFlagged:
				assert.Zero(t, got.records.Len())
				assert.Equal(t, MalformedDropped, got.result.Outcome)
			case logstest.OutcomeOther:
				require.Equal(t, 1, got.records.Len())
				rec := got.records.At(0)
				assert.Equal(t, strings.ToValidUTF8(string(line), "\uFFFD"), rec.Body().Str())
				assert.Zero(t, rec.Attributes().Len())
			}
		})
	}
}

func checkHostileRecord(t *testing.T, want logstest.HostileExpectation, rec plog.LogRecord) {
	t.Helper()
	errType, flagged := rec.Attributes().Get(AttrErrorType)
	if want.Outcome == logstest.OutcomeFlagged {
		require.True(t, flagged, "not flagged: %v", rec.Attributes().AsRaw())
		assert.Equal(t, want.ErrorType, errType.Str())
		assert.Equal(t, plog.SeverityNumberWarn, rec.SeverityNumber())
	} else {
		require.False(t, flagged, "flagged: %v", rec.Attributes().AsRaw())
	}
	if want.Event != "" {
		assert.Equal(t, want.Event, rec.EventName())
	}
	if want.Timestamp != 0 {
		assert.Equal(t, pcommon.Timestamp(want.Timestamp*int64(time.Millisecond)), rec.Timestamp())
	}
	for key, value := range want.Attributes {
		got, ok := rec.Attributes().Get(key)
		if assert.True(t, ok, "attribute %s missing from %v", key, rec.Attributes().AsRaw()) {
			want := pcommon.NewValueEmpty()
			require.NoError(t, want.FromRaw(value))
			assert.Equal(t, want.AsRaw(), got.AsRaw(), "attribute %s", key)
		}
	}
	for _, key := range want.Absent {
		_, ok := rec.Attributes().Get(key)
		assert.False(t, ok, "attribute %s must be absent", key)
	}
	for _, s := range []string{rec.Body().Str(), rec.EventName()} {
		assert.Equal(t, strings.ToValidUTF8(s, ""), s, "invalid UTF-8 in the record")
	}
	rec.Attributes().Range(func(k string, v pcommon.Value) bool {
		assert.Equal(t, strings.ToValidUTF8(k+v.AsString(), ""), k+v.AsString(), "invalid UTF-8 in attribute %s", k)
		return true
	})
}

// TestHostileMemoryBounded: converting a 5 MB line or a 10,000-deep value
// allocates a bounded multiple of the line's size.
func TestHostileMemoryBounded(t *testing.T) {
	cfg := NewDefaultConfig()
	for _, kind := range []string{"line_5mb", "unterminated_5mb", "nested_depth_10000", "nested_depth_100000"} {
		t.Run(kind, func(t *testing.T) {
			line := logstest.HostileGenerated[kind]()
			translateLine(cfg, line) // warm up
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			translateLine(cfg, line)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: %d bytes line, %d bytes allocated (%.1fx)", kind, len(line), allocated, float64(allocated)/float64(len(line)))
			assert.Less(t, allocated, uint64(max(32*len(line), 16<<20)), "allocations out of proportion to the line")
		})
	}
}
