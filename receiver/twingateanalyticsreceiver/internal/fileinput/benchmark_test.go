// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelcol-twingate/otelcol-twingate/internal/linegen"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// BenchmarkFileInput is the input as the collector runs it: the stanza
// file consumer reads a generated connector log and every batch goes
// through the converter to a delivery path that drops it.
func BenchmarkFileInput(b *testing.B) {
	const lines = 100_000
	path := filepath.Join(b.TempDir(), "connector.log")
	var content []byte
	g := linegen.New(1)
	analytics := 0
	for range lines {
		start := len(content)
		content = g.AppendLine(content)
		if !linegen.IsNoise(content[start:]) {
			analytics++
		}
		content = append(content, '\n')
	}
	if err := os.WriteFile(path, content, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		var records atomic.Int64
		count := &countingDeliverer{records: &records}
		cfg := fileConfig(path)
		set := inputtest.Settings(nil)
		in := New(&cfg.file, set, inputtest.NewConverter(b, set, cfg.Config))
		if err := in.Start(context.Background(), nil, count); err != nil {
			b.Fatal(err)
		}
		for records.Load() < int64(analytics) {
			time.Sleep(time.Millisecond)
		}
		if err := in.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// countingDeliverer counts the records it is handed and drops them.
type countingDeliverer struct{ records *atomic.Int64 }

func (d *countingDeliverer) Deliver(_ context.Context, b *twingate.Batch) error {
	d.records.Add(int64(b.Logs().LogRecordCount()))
	return nil
}

func (*countingDeliverer) InputStopped() {}
