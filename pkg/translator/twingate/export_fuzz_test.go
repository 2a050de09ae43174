// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// FuzzExport feeds arbitrary objects to ExportScanner and every event it
// finds to Translator.AppendExportEvent, the path from an S3 sync object to
// records. `make test` runs the seeds (the export goldens, the export
// hostile corpus, and the regressions under testdata/fuzz/FuzzExport);
// `make fuzz` mutates them. Whatever the object: no panic, no event longer
// than maxEventSize, events that add up to no more than the object, exactly
// one record per event when every event is sent and at most one when
// malformed ones are dropped, records OTLP can encode, and invalid_json
// exactly when encoding/json says an event is not one JSON object.
func FuzzExport(f *testing.F) {
	for _, input := range exportInputs(f) {
		content, err := os.ReadFile(input)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(content)
	}
	for _, event := range exportHostileCorpus(f) {
		f.Add(event)
	}
	f.Add([]byte("[\n{\"event_type\":\"audit_log\"},\n\"x\", {]"))

	const maxEventSize = 512
	sendAll := NewDefaultConfig()
	dropAll := NewDefaultConfig()
	dropAll.OnError = OnErrorDrop
	sending, dropping := NewTranslator(sendAll), NewTranslator(dropAll)
	src := &Source{Attributes: map[string]any{"aws.s3.key": "2025-07-25T18:20:00+00:00.json"}}

	f.Fuzz(func(t *testing.T, object []byte) {
		sent, kept := NewBatch(goldenScopeName), NewBatch(goldenScopeName)
		s := NewExportScanner(bytes.NewReader(object), maxEventSize)
		events, total := 0, 0
		for s.Scan() {
			event := s.Event()
			events++
			total += len(event)
			if len(event) > maxEventSize {
				t.Fatalf("a %d-byte event beyond maxEventSize", len(event))
			}
			res := sending.AppendExportScanned(sent, s, src, pcommon.Timestamp(1))
			if s.TooLong() != (res.ErrorType == ErrorTypeLineTooLong) {
				t.Fatalf("too long %v, error.type %q", s.TooLong(), res.ErrorType)
			}
			if !s.TooLong() {
				valid := bytes.ToValidUTF8(event, []byte("\uFFFD"))
				wantInvalid := !json.Valid(valid) || !bytes.HasPrefix(bytes.TrimLeft(valid, " \t\r\n"), []byte("{"))
				if gotInvalid := res.ErrorType == ErrorTypeInvalidJSON; gotInvalid != wantInvalid {
					t.Fatalf("invalid_json is %v, encoding/json says invalid: %v, for %q", gotInvalid, wantInvalid, event)
				}
			}
			dropping.AppendExportScanned(kept, s, src, pcommon.Timestamp(1))
		}
		if err := s.Err(); err != nil {
			t.Fatalf("an I/O error from a bytes.Reader: %v", err)
		}
		if total > len(object) {
			t.Fatalf("events of %d bytes from a %d-byte object", total, len(object))
		}
		if n := sent.Logs().LogRecordCount(); n != events {
			t.Fatalf("%d records for %d events with on_error send", n, events)
		}
		if n := kept.Logs().LogRecordCount(); n > events {
			t.Fatalf("%d records for %d events", n, events)
		}
		checkExportable(t, sent.Logs())
		checkExportable(t, kept.Logs())
	})
}
