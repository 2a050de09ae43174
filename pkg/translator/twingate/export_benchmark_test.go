// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-twingate/otelcol-twingate/internal/linegen"
)

// exportPairs returns n connection events twice: as the JSON of connector
// lines (without the ANALYTICS prefix) and as export network events with the
// same content, every field in the export's place (timestamp → time,
// event_type → status, rx/tx → bytes_received/bytes_transferred,
// resource_ip/resource_port → resource.ip/port) and every other field kept.
func exportPairs(tb testing.TB, n int) (lines, events [][]byte) {
	tb.Helper()
	g := linegen.New(1)
	for len(lines) < n {
		line := g.AppendLine(nil)
		payload, ok := CutAnalytics(line)
		if !ok {
			continue // the connector's other lines have no export counterpart
		}
		var ev map[string]any
		if err := json.Unmarshal(payload, &ev); err != nil {
			tb.Fatal(err)
		}
		conn, _ := ev["connection"].(map[string]any)
		res, _ := ev["resource"].(map[string]any)
		if res == nil {
			res = map[string]any{}
		}
		res["ip"], res["port"] = conn["resource_ip"], conn["resource_port"]
		delete(conn, "resource_ip")
		delete(conn, "resource_port")
		if rx, ok := conn["rx"]; ok {
			conn["bytes_received"] = rx
			delete(conn, "rx")
		}
		if tx, ok := conn["tx"]; ok {
			conn["bytes_transferred"] = tx
			delete(conn, "tx")
		}
		ms := int64(ev["timestamp"].(float64))
		ev["time"] = time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000000-07:00")
		ev["status"] = ev["event_type"]
		ev["version"] = 1
		ev["resource"] = res
		delete(ev, "timestamp")
		delete(ev, "event_type")
		body, err := json.Marshal(ev)
		if err != nil {
			tb.Fatal(err)
		}
		lines = append(lines, payload)
		events = append(events, []byte(`{"event_type":"network_access","event":`+string(body)+`}`))
	}
	return lines, events
}

// BenchmarkConnectorEvent and BenchmarkExportEvent map the same connection
// events, as connector lines' JSON and as export events, in batches as an
// input hands them over. Their ratio is the export's cost per event against
// a connector line's; the target is at most 1.5.
func BenchmarkConnectorEvent(b *testing.B) {
	lines, _ := exportPairs(b, 10_000)
	benchmarkEvents(b, lines, func(tr *Translator, bt *Batch, ev []byte, src *Source) Result {
		return tr.AppendEvent(bt, ev, src, 1)
	})
}

func BenchmarkExportEvent(b *testing.B) {
	_, events := exportPairs(b, 10_000)
	benchmarkEvents(b, events, func(tr *Translator, bt *Batch, ev []byte, src *Source) Result {
		return tr.AppendExportEvent(bt, ev, src, 1)
	})
}

func benchmarkEvents(b *testing.B, events [][]byte, appendEvent func(*Translator, *Batch, []byte, *Source) Result) {
	tr := NewTranslator(NewDefaultConfig())
	src := &Source{}
	size := 0
	for _, ev := range events {
		size += len(ev)
	}
	b.SetBytes(int64(size / len(events)))
	b.ReportAllocs()
	b.ResetTimer()
	var bt *Batch
	for i := range b.N {
		if i%batchSize == 0 {
			bt = NewBatch(goldenScopeName)
		}
		if res := appendEvent(tr, bt, events[i%len(events)], src); res.Outcome != Mapped {
			b.Fatalf("%v: %s", res, events[i%len(events)])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// exportObject builds a realistic S3 sync object of n events in NDJSON:
// mostly network events (with the content of connector lines), a DNS
// filtering event in every eight, an audit log in every fifty.
func exportObject(tb testing.TB, n int) []byte {
	tb.Helper()
	_, network := exportPairs(tb, n)
	var obj bytes.Buffer
	for i := range n {
		t := time.Date(2025, 7, 25, 18, 20, 0, 0, time.UTC).Add(time.Duration(i) * 30 * time.Millisecond)
		switch {
		case i%50 == 49:
			fmt.Fprintf(&obj, `{"event_type":"audit_log","event":{"version":"1","time":%q,"actor":{"type":"User","id":"VXNlcjoxMjM=","info":{"email":"admin@twindemo.com","name":"Ada Admin"}},"action":"edit","targets":[{"type":"resource","id":"UmVzb3VyY2U6%d","name":"argocd","address":{"type":"DNS","value":"argocd.eks.twindemo.int"}}]}}`+"\n",
				t.Format("2006-01-02T15:04Z"), i)
		case i%8 == 7:
			fmt.Fprintf(&obj, `{"event_type":"dns_filtering","event":{"version":1,"time":%q,"domain":"host%d.docs.aws.a2z.com","root":"a2z.com","device":{"id":"RGV2aABCDEFGHIJKL=","name":"Jane's MacBook Pro","model":{"hostname":"jd-mbpro.local","local_name":"MacBook Pro (16-inch, M1 Pro, Late 2021)","serial_number":"XYZABC1"}},"connection":{"client_ip":"12.34.56.78","protocol":"DNS-over-HTTPS"},"user":{"id":"890123","email":"janedoe@twindemo.com"},"status":"blocked","reasons":[{"id":"category:social-networks","name":"Social Networks"}]}}`+"\n",
				t.Format("2006-01-02T15:04:05.000000-07:00"), i)
		default:
			obj.Write(network[i])
			obj.WriteByte('\n')
		}
	}
	return obj.Bytes()
}

// BenchmarkExportObject reads a 10,000-event object (see exportObject)
// through ExportScanner and the translator, in batches of 100 events, as
// the s3 input does: the decode-and-map cost per event of the S3 sync. The
// target is ≥ 100,000 events/s on one core (-cpu 1).
func BenchmarkExportObject(b *testing.B) {
	const events = 10_000
	obj := exportObject(b, events)
	tr := NewTranslator(NewDefaultConfig())
	src := &Source{Attributes: map[string]any{"aws.s3.key": "2025-07-25T18:20:00+00:00.json"}}
	b.SetBytes(int64(len(obj)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s := NewExportScanner(bytes.NewReader(obj), 1<<20)
		var bt *Batch
		n := 0
		for s.Scan() {
			if n%batchSize == 0 {
				bt = NewBatch(goldenScopeName)
			}
			if res := tr.AppendExportScanned(bt, s, src, pcommon.Timestamp(1)); res.Outcome != Mapped {
				b.Fatalf("%+v: %s", res, s.Event())
			}
			n++
		}
		if n != events {
			b.Fatalf("%d events, want %d", n, events)
		}
	}
	b.ReportMetric(float64(b.N*events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkExportScan is ExportScanner alone over the same object: the
// framing's share of BenchmarkExportObject.
func BenchmarkExportScan(b *testing.B) {
	const events = 10_000
	obj := exportObject(b, events)
	b.SetBytes(int64(len(obj)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s := NewExportScanner(bytes.NewReader(obj), 1<<20)
		n := 0
		for s.Scan() {
			n++
		}
		if n != events {
			b.Fatalf("%d events, want %d", n, events)
		}
	}
	b.ReportMetric(float64(b.N*events)/b.Elapsed().Seconds(), "events/s")
}
