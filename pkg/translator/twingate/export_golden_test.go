// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
)

// exportDir holds S3 sync objects, <name>.json, and the records each becomes
// with the default settings, <name>_expected.yaml: one object per event type
// (built from the documented examples), and the same three events in every
// framing (framing_*.json).
var exportDir = testcorpus.Path("export")

// goldenMaxEventSize is the scanner's bound in the golden tests:
// framing_oversized.json holds an event beyond it.
const goldenMaxEventSize = 4096

// translateExport reads an export object through ExportScanner and the
// translator, as one batch, with the object's key as a record attribute, as
// an input that reads objects would add it.
func translateExport(tb testing.TB, cfg Config, r io.Reader, key string) plog.Logs {
	tb.Helper()
	tr := NewTranslator(cfg)
	b := NewBatch(goldenScopeName)
	src := &Source{Attributes: map[string]any{"aws.s3.key": key}}
	s := NewExportScanner(r, goldenMaxEventSize)
	for s.Scan() {
		tr.AppendExportScanned(b, s, src, pcommon.Timestamp(1))
	}
	require.NoError(tb, s.Err())
	return b.Logs()
}

func exportInputs(tb testing.TB) []string {
	tb.Helper()
	inputs, err := filepath.Glob(filepath.Join(exportDir, "*.json"))
	require.NoError(tb, err)
	require.NotEmpty(tb, inputs)
	return inputs
}

func TestExportGolden(t *testing.T) {
	for _, input := range exportInputs(t) {
		name := strings.TrimSuffix(filepath.Base(input), ".json")
		t.Run(name, func(t *testing.T) {
			content, err := os.ReadFile(input)
			require.NoError(t, err)
			expectedPath := filepath.Join(exportDir, name+"_expected.yaml")
			actual := translateExport(t, NewDefaultConfig(), strings.NewReader(string(content)), filepath.Base(input))
			if *update {
				require.NoError(t, golden.WriteLogs(t, expectedPath, actual))
			}
			expected := logstest.ReadGolden(t, expectedPath)
			logstest.RequireLogsMatch(t, expected, actual)

			// However the reader hands the object over (a byte at a time,
			// half reads, data with io.EOF), the events are the same.
			for way, r := range map[string]io.Reader{
				"one_byte":  iotest.OneByteReader(strings.NewReader(string(content))),
				"half":      iotest.HalfReader(strings.NewReader(string(content))),
				"data_eof":  iotest.DataErrReader(strings.NewReader(string(content))),
				"tiny_read": &chunkReader{data: content, n: 7},
			} {
				t.Run(way, func(t *testing.T) {
					logstest.RequireLogsMatch(t, expected, translateExport(t, NewDefaultConfig(), r, filepath.Base(input)))
				})
			}
		})
	}
}

// chunkReader returns n bytes a read.
type chunkReader struct {
	data []byte
	n    int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.n)], c.data)
	c.data = c.data[n:]
	return n, nil
}

// TestExportFramingsAgree: the same three events give the same records in
// every framing; only the body (the event's text as written) differs. The
// garbage and truncated framings add flagged records for what is not an
// event, and lose none of the events that are whole.
func TestExportFramingsAgree(t *testing.T) {
	content, err := os.ReadFile(filepath.Join(exportDir, "framing_ndjson.json"))
	require.NoError(t, err)
	cfg := NewDefaultConfig()
	cfg.Body = BodyNone
	want := translateExport(t, cfg, strings.NewReader(string(content)), "x.json")
	require.Equal(t, 3, want.LogRecordCount())
	for _, name := range []string{"framing_concatenated", "framing_pretty", "framing_array", "framing_array_compact", "framing_garbage"} {
		t.Run(name, func(t *testing.T) {
			content, err := os.ReadFile(filepath.Join(exportDir, name+".json"))
			require.NoError(t, err)
			got := translateExport(t, cfg, strings.NewReader(string(content)), "x.json")
			got = withoutFlagged(got)
			logstest.RequireLogsMatch(t, want, got)
		})
	}
}

// withoutFlagged drops the flagged records (and resources left empty).
func withoutFlagged(logs plog.Logs) plog.Logs {
	logs.ResourceLogs().RemoveIf(func(rl plog.ResourceLogs) bool {
		for _, sl := range rl.ScopeLogs().All() {
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				_, flagged := lr.Attributes().Get(AttrErrorType)
				return flagged
			})
		}
		return rl.ScopeLogs().At(0).LogRecords().Len() == 0
	})
	return logs
}

// TestExportBodyNone: with body: none, the golden records without a body.
func TestExportBodyNone(t *testing.T) {
	for _, input := range exportInputs(t) {
		name := strings.TrimSuffix(filepath.Base(input), ".json")
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(input)
			require.NoError(t, err)
			defer f.Close()
			cfg := NewDefaultConfig()
			cfg.Body = BodyNone
			actual := translateExport(t, cfg, f, filepath.Base(input))
			expected := logstest.ReadGolden(t, filepath.Join(exportDir, name+"_expected.yaml"))
			for _, rl := range expected.ResourceLogs().All() {
				for _, sl := range rl.ScopeLogs().All() {
					for _, lr := range sl.LogRecords().All() {
						pcommon.NewValueEmpty().CopyTo(lr.Body())
					}
				}
			}
			logstest.RequireLogsMatch(t, expected, actual)
		})
	}
}

// TestExportOnErrorDrop: with on_error: drop, exactly the flagged records
// are dropped, each reported as MalformedDropped.
func TestExportOnErrorDrop(t *testing.T) {
	for _, input := range exportInputs(t) {
		name := strings.TrimSuffix(filepath.Base(input), ".json")
		t.Run(name, func(t *testing.T) {
			content, err := os.ReadFile(input)
			require.NoError(t, err)
			cfg := NewDefaultConfig()
			cfg.OnError = OnErrorDrop
			tr := NewTranslator(cfg)
			b := NewBatch(goldenScopeName)
			src := &Source{Attributes: map[string]any{"aws.s3.key": filepath.Base(input)}}
			s := NewExportScanner(strings.NewReader(string(content)), goldenMaxEventSize)
			dropped := 0
			for s.Scan() {
				switch res := tr.AppendExportScanned(b, s, src, 1); res.Outcome {
				case MalformedDropped:
					dropped++
				case Mapped:
				default:
					t.Fatalf("outcome %v", res.Outcome)
				}
			}
			expected := logstest.ReadGolden(t, filepath.Join(exportDir, name+"_expected.yaml"))
			flagged := expected.LogRecordCount()
			expected = withoutFlagged(expected)
			assert.Equal(t, flagged-expected.LogRecordCount(), dropped)
			logstest.RequireLogsMatch(t, expected, b.Logs())
		})
	}
}
