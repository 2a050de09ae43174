// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package s3input

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// BenchmarkS3Object50MB reads a 50 MB object from a real S3 API (gofakes3,
// in the same process) through the input: list, GetObject, the export
// scanner, the translator, batches of batch_size. It reports the peak heap
// above the heap before the read (the object's copy in the fake server is
// there before and after, so it is not counted) and, on Linux, the peak RSS
// above the RSS before the read (the kernel's high-water mark, reset first).
// The target is 100 MiB RSS above the idle collector.
func BenchmarkS3Object50MB(b *testing.B) {
	f := newFakeS3(b)
	f.createBucket(b)
	body, n := largeObject(50 << 20)
	f.put(b, objectKey(0), body)
	size := len(body)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var peakHeap, peakRSS uint64
	rssKnown := false
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		// Freed memory goes back to the OS, so the RSS before is the live
		// memory and the read cannot reuse resident free pages unseen.
		debug.FreeOSMemory()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		baseHeap := ms.HeapAlloc
		resetPeakRSS()
		baseRSS := procStatus("VmRSS")
		var maxHeap atomic.Uint64
		stopSampling := sampleHeap(&maxHeap)
		b.StartTimer()

		d := &countingDeliverer{}
		cfg := f.testConfig()
		set := inputtest.Settings(nil)
		in := New(cfg, inputtest.ID, set, inputtest.NewConverter(b, set, twingate.NewDefaultConfig()), inputtest.TelemetryBuilder(b, set))
		stop := inputtest.Start(b, in, nil, d)
		for d.records.Load() < int64(n) {
			time.Sleep(time.Millisecond)
		}
		stop()

		b.StopTimer()
		stopSampling()
		if h := maxHeap.Load(); h > baseHeap {
			peakHeap = max(peakHeap, h-baseHeap)
		}
		if hwm := procStatus("VmHWM"); hwm >= baseRSS && baseRSS > 0 {
			peakRSS = max(peakRSS, hwm-baseRSS)
			rssKnown = true
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MiB")
	if rssKnown {
		b.ReportMetric(float64(peakRSS)/(1<<20), "peak-RSS-MiB")
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
}

// sampleHeap records the largest HeapAlloc seen every millisecond until the
// returned function is called.
func sampleHeap(peak *atomic.Uint64) func() {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var ms runtime.MemStats
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-done:
				return
			case <-ticker.C:
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// resetPeakRSS resets the kernel's RSS high-water mark (VmHWM) of this
// process (Linux; elsewhere nothing).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0o200) }

// procStatus returns a field of /proc/self/status in bytes, 0 if unknown.
func procStatus(field string) uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
