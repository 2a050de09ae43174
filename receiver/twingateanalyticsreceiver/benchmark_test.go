// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-twingate/otelcol-twingate/internal/linegen"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// BenchmarkFileInput is the receiver as the collector runs it: the stanza
// file consumer reads a generated connector log and every batch goes
// through the converter to a consumer that drops it.
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
		count, err := consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
			records.Add(int64(ld.LogRecordCount()))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		rcv, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(metadata.Type), fileConfig(path), count)
		if err != nil {
			b.Fatal(err)
		}
		if err := rcv.Start(context.Background(), componenttest.NewNopHost()); err != nil {
			b.Fatal(err)
		}
		for records.Load() < int64(analytics) {
			time.Sleep(time.Millisecond)
		}
		if err := rcv.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}
