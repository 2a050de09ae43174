// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/linegen"
)

// batchSize is the file consumer's batch: it emits up to 100 lines a call.
const batchSize = 100

// BenchmarkConvert measures the line → record path alone (parse and map), on
// realistic lines, in batches as the file consumer hands them over. The
// target is ≥ 600,000 lines/s on one core.
func BenchmarkConvert(b *testing.B) {
	g := linegen.New(1)
	lines := make([][]byte, 10_000)
	bytes := 0
	for i := range lines {
		lines[i] = g.AppendLine(nil)
		bytes += len(lines[i])
	}
	tr := NewTranslator(NewDefaultConfig())
	src := &Source{Attributes: map[string]any{"log.file.name": "connector.log"}}
	b.SetBytes(int64(bytes / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	var bt *Batch
	for i := range b.N {
		if i%batchSize == 0 {
			bt = NewBatch(goldenScopeName)
		}
		tr.AppendLine(bt, lines[i%len(lines)], src, pcommon.Timestamp(1))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkPdataFloor builds records of the same shape as BenchmarkConvert's
// (a 750-byte body, 14 string and 6 int attributes, two relays, a location
// map) from constants, parsing nothing: what pdata alone costs per line, the
// floor under BenchmarkConvert.
func BenchmarkPdataFloor(b *testing.B) {
	body := []byte(strings.Repeat("x", 750))
	strKeys := []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13", "a14"}
	intKeys := []string{"i1", "i2", "i3", "i4", "i5", "i6"}
	b.ReportAllocs()
	var recs plog.LogRecordSlice
	for i := range b.N {
		if i%batchSize == 0 {
			recs = plog.NewLogRecordSlice()
		}
		rec := recs.AppendEmpty()
		s := string(body)
		rec.Body().SetStr(s)
		attrs := rec.Attributes()
		attrs.EnsureCapacity(28)
		for _, k := range strKeys {
			attrs.PutStr(k, s[:10])
		}
		for _, k := range intKeys {
			attrs.PutInt(k, 5)
		}
		relays := attrs.PutEmptySlice("relays")
		for range 2 {
			m := relays.AppendEmpty().SetEmptyMap()
			m.EnsureCapacity(3)
			m.PutStr("ip", s[:5])
			m.PutInt("port", 3)
			m.PutStr("name", s[:5])
		}
		loc := attrs.PutEmptyMap("location")
		loc.EnsureCapacity(3)
		loc.PutStr("city", s[:3])
		loc.PutStr("country", s[:3])
		loc.PutStr("region", s[:3])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
