// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package journaldinput

import (
	"context"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/otelcol-twingate/otelcol-twingate/internal/linegen"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// journalEntries returns n entries as stanza's journald input makes them
// from journalctl's JSON (__REALTIME_TIMESTAMP already taken out), with
// realistic connector lines as MESSAGE.
func journalEntries(n int) []map[string]any {
	g := linegen.New(1)
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{
			"MESSAGE":               string(g.AppendLine(nil)),
			"PRIORITY":              "6",
			"_BOOT_ID":              "0b5d1f6e2c3a4b7d8e9f0a1b2c3d4e5f",
			"_HOSTNAME":             "connector-host-1",
			"_SYSTEMD_UNIT":         "twingate-connector.service",
			"__MONOTONIC_TIMESTAMP": "100000000",
			"__CURSOR":              "s=65b5077175464a658847e369aed59649;i=186a0;b=0b5d1f6e2c3a4b7d8e9f0a1b2c3d4e5f;m=5f5e100;t=7a0b1c2d3e4f5;x=1a2b3c4d5e6f7a8b",
		}
	}
	return out
}

// BenchmarkJournaldSink: what the receiver adds per journal entry to what
// stanza's journald input does (run journalctl, decode its JSON): set and
// commit the cursor, convert MESSAGE into a record, deliver batches of 100.
// BenchmarkStockJournaldConvert is what the stock journald receiver does
// instead; the difference is what stands between the two collectors.
func BenchmarkJournaldSink(b *testing.B) {
	bodies := journalEntries(10_000)
	set := inputtest.Settings(nil)
	conv := inputtest.NewConverter(b, set, twingate.NewDefaultConfig())
	cursor := newCursorCheckpoint(operator.NewScopedPersister(storageScope, storage.NewNopClient()))
	// Batches are delivered full, never by time.
	sink, err := newJournaldSink(set, conv, nopDeliverer{}, cursor, defaultMaxBatch, 1<<62)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		body := bodies[i%len(bodies)]
		_ = cursor.Set(ctx, "lastReadCursor", []byte(body["__CURSOR"].(string)))
		e := entry.New()
		e.Body = body
		if err := sink.Process(ctx, e); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	sink.stop()
}

// BenchmarkStockJournaldConvert is the stock receiver's part for the same
// entries: its emitter batches 100 entries and converts them to pdata.
func BenchmarkStockJournaldConvert(b *testing.B) {
	bodies := journalEntries(10_000)
	batch := make([]*entry.Entry, 0, defaultMaxBatch)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		e := entry.New()
		e.Body = bodies[i%len(bodies)]
		batch = append(batch, e)
		if len(batch) == defaultMaxBatch {
			_ = adapter.ConvertEntries(batch, adapter.DefaultScopeName, "")
			for _, e := range batch {
				entry.Put(e)
			}
			batch = batch[:0]
		}
	}
}

// nopDeliverer drops every batch, as a consumer that drops them would.
type nopDeliverer struct{}

func (nopDeliverer) Deliver(context.Context, *twingate.Batch) error { return nil }
func (nopDeliverer) InputStopped()                                  {}
