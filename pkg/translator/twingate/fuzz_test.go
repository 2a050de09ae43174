// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
)

// FuzzAppendLine feeds arbitrary lines to Translator.AppendLine, the path
// from a line to a record. `make test` runs the seeds (the hostile corpus,
// the golden inputs of internal/testcorpus and the regressions under
// testdata/fuzz/FuzzAppendLine); `make fuzz` mutates them for FUZZTIME.
// Whatever the line: no panic, exactly one record when every line is sent,
// at most one when malformed lines are dropped, valid UTF-8 everywhere, a
// record OTLP can encode and decode, and invalid_json exactly when
// encoding/json says the text after the prefix is not one JSON object.
func FuzzAppendLine(f *testing.F) {
	for _, line := range logstest.HostileCorpus(f, hostileDir) {
		if len(line) <= 1<<20 { // the 5 MB lines are TestHostileCorpus's
			f.Add(line)
		}
	}
	inputs, err := filepath.Glob(filepath.Join(goldenDir, "*.log"))
	if err != nil {
		f.Fatal(err)
	}
	for _, input := range inputs {
		content, err := os.ReadFile(input)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range bytes.Split(content, []byte("\n")) {
			f.Add(line)
		}
	}

	sendAll := NewDefaultConfig()
	sendAll.OtherLines, sendAll.OnError = OtherLinesSend, OnErrorSend
	dropAll := NewDefaultConfig()
	dropAll.OtherLines, dropAll.OnError = OtherLinesDrop, OnErrorDrop
	sending, dropping := NewTranslator(sendAll), NewTranslator(dropAll)
	src := &Source{Attributes: map[string]any{"log.file.name": "connector.log"}}

	f.Fuzz(func(t *testing.T, line []byte) {
		b := NewBatch(goldenScopeName)
		sending.AppendLine(b, line, src, pcommon.Timestamp(1))
		if n := b.Logs().LogRecordCount(); n != 1 {
			t.Fatalf("%d records for one line with other_lines and on_error send", n)
		}
		checkExportable(t, b.Logs())
		checkInvalidJSON(t, line, b.Logs())

		b = NewBatch(goldenScopeName)
		dropping.AppendLine(b, line, src, pcommon.Timestamp(1))
		if n := b.Logs().LogRecordCount(); n > 1 {
			t.Fatalf("%d records for one line", n)
		}
		checkExportable(t, b.Logs())
	})
}

// checkExportable fails unless every string in logs is valid UTF-8 and the
// logs survive an OTLP protobuf round trip.
func checkExportable(t *testing.T, logs plog.Logs) {
	t.Helper()
	for _, rl := range logs.ResourceLogs().All() {
		checkUTF8(t, "resource", rl.Resource().Attributes().AsRaw())
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				checkUTF8(t, "body", lr.Body().AsRaw())
				checkUTF8(t, "event name", lr.EventName())
				checkUTF8(t, "attributes", lr.Attributes().AsRaw())
			}
		}
	}
	encoded, err := (&plog.ProtoMarshaler{}).MarshalLogs(logs)
	if err != nil {
		t.Fatalf("OTLP encoding: %v", err)
	}
	decoded, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(encoded)
	if err != nil {
		t.Fatalf("OTLP decoding: %v", err)
	}
	if decoded.LogRecordCount() != logs.LogRecordCount() {
		t.Fatalf("OTLP round trip: %d records, want %d", decoded.LogRecordCount(), logs.LogRecordCount())
	}
}

func checkUTF8(t *testing.T, where string, v any) {
	t.Helper()
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			t.Fatalf("invalid UTF-8 in %s: %q", where, x)
		}
	case map[string]any:
		for k, item := range x {
			checkUTF8(t, where, k)
			checkUTF8(t, where+"."+k, item)
		}
	case []any:
		for _, item := range x {
			checkUTF8(t, where, item)
		}
	}
}

// checkInvalidJSON compares the record's invalid_json flag with
// encoding/json's verdict on the text after the prefix (invalid UTF-8
// replaced first, as the receiver does).
func checkInvalidJSON(t *testing.T, line []byte, logs plog.Logs) {
	t.Helper()
	payload, ok := CutAnalytics(line)
	if !ok {
		return
	}
	payload = bytes.ToValidUTF8(payload, []byte("\uFFFD"))
	wantInvalid := !json.Valid(payload) || !bytes.HasPrefix(bytes.TrimLeft(payload, " \t\r\n"), []byte("{"))
	rec := logs.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	errType, flagged := rec.Attributes().Get(AttrErrorType)
	if gotInvalid := flagged && errType.AsString() == ErrorTypeInvalidJSON; gotInvalid != wantInvalid {
		t.Fatalf("invalid_json is %v, encoding/json says invalid: %v, for %q", gotInvalid, wantInvalid, payload)
	}
}
