// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
)

// Outcome is what became of one line. Every line has exactly one.
type Outcome uint8

const (
	// Mapped: a connection event record, not flagged.
	Mapped Outcome = iota
	// Flagged: a record with error.type and severity WARN (on_error send or
	// send_quiet).
	Flagged
	// MalformedDropped: no record (on_error drop or drop_quiet).
	MalformedDropped
	// OtherSent: not an ANALYTICS line; a record with the raw text as body
	// (other_lines send).
	OtherSent
	// OtherDropped: not an ANALYTICS line, and no record (other_lines drop).
	OtherDropped
)

// Result tells the caller what became of a line, so that it can count and
// log it.
type Result struct {
	Outcome Outcome
	// ErrorType is the error.type of a malformed line (Flagged or
	// MalformedDropped).
	ErrorType string
	// Err is why the JSON did not scan (invalid_json).
	Err error
	// InvalidFields are the dotted paths of the fields that were present but
	// unusable (invalid_field).
	InvalidFields []string
}

// Malformed tells whether the line was an ANALYTICS line that could not be
// fully mapped.
func (r Result) Malformed() bool { return r.Outcome == Flagged || r.Outcome == MalformedDropped }

// Translator turns connector lines into log records as its Config says. It
// is the only path from a line to a record; it keeps no state between lines
// (the batch does), so one serves every goroutine.
type Translator struct {
	sendOther, drop, keepBody bool
}

// NewTranslator returns a translator for a valid cfg.
func NewTranslator(cfg Config) *Translator {
	return &Translator{
		sendOther: cfg.OtherLines == OtherLinesSend,
		drop:      cfg.DropsMalformed(),
		keepBody:  cfg.Body != BodyNone,
	}
}

// AppendLine converts one line of connector output into at most one record
// in b; observed is when it was read.
func (t *Translator) AppendLine(b *Batch, line []byte, src *Source, observed pcommon.Timestamp) Result {
	payload, isAnalytics := CutAnalytics(line)
	if !isAnalytics {
		return t.appendOther(b, line, src, observed)
	}
	return t.AppendEvent(b, payload, src, observed)
}

// appendOther keeps a line that is not a connection event as it is, or not.
func (t *Translator) appendOther(b *Batch, line []byte, src *Source, observed pcommon.Timestamp) Result {
	if !t.sendOther {
		return Result{Outcome: OtherDropped}
	}
	rec := b.scratch
	rec.Body().SetStr(ValidUTF8(line))
	rec.SetTimestamp(src.Timestamp)
	finish(b, rec, resourceKey{origin: src.origin}, src, observed)
	return Result{Outcome: OtherSent}
}

// AppendEvent converts the JSON text of one connection event, without the
// ANALYTICS prefix, into at most one record in b.
func (t *Translator) AppendEvent(b *Batch, payload []byte, src *Source, observed pcommon.Timestamp) Result {
	rec := b.scratch
	// The body is the one string a line allocates: attribute values without
	// escapes are substrings of it.
	body := ValidUTF8(payload)
	if t.keepBody {
		rec.Body().SetStr(body)
	}
	var key resourceKey
	res := Result{Outcome: Mapped}
	if err := b.ev.scan(body); err != nil {
		res.ErrorType, res.Err = ErrorTypeInvalidJSON, err
	} else if key, res.InvalidFields = b.ev.mapTo(rec, b.keys); len(res.InvalidFields) > 0 {
		res.ErrorType = ErrorTypeInvalidField
	}
	return t.settle(b, rec, key, res, src, observed)
}

// settle flags, drops or keeps the record of one event, as its Result and
// the configuration say.
func (t *Translator) settle(b *Batch, rec plog.LogRecord, key resourceKey, res Result, src *Source, observed pcommon.Timestamp) Result {
	if src.Truncated {
		res.ErrorType = ErrorTypeLineTooLong // whatever parsed is incomplete
	}
	key.origin = src.origin

	if res.ErrorType != "" {
		if t.drop {
			b.discard()
			res.Outcome = MalformedDropped
			return res
		}
		res.Outcome = Flagged
		rec.Attributes().PutStr(AttrErrorType, res.ErrorType)
		rec.SetSeverityNumber(plog.SeverityNumberWarn)
		rec.SetSeverityText("WARN")
	}
	finish(b, rec, key, src, observed)
	return res
}

func finish(b *Batch, rec plog.LogRecord, key resourceKey, src *Source, observed pcommon.Timestamp) {
	rec.SetObservedTimestamp(observed)
	for k, v := range src.Attributes {
		// Values from stanza are strings and ints, which FromRaw cannot fail on.
		_ = rec.Attributes().PutEmpty(k).FromRaw(v)
	}
	b.commit(key, src)
}

// ValidUTF8 returns the text with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as stanza's UTF-8 decoder does: pdata strings must be
// valid UTF-8 to be exported.
func ValidUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}
