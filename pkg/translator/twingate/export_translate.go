// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// AppendExportEvent maps one event of Twingate's S3 sync export
// ({"event_type": T, "event": {...}}, as ExportScanner finds them) into at
// most one record in b; observed is when it was read. The Result means what
// it means for AppendEvent: Mapped, or a malformed event (invalid_json,
// invalid_field, or line_too_long when src.Truncated) flagged or dropped as
// on_error says. other_lines does not apply: every event is an event.
func (t *Translator) AppendExportEvent(b *Batch, event []byte, src *Source, observed pcommon.Timestamp) Result {
	rec := b.scratch
	// As for connector lines, the body is the one string an event
	// allocates: attribute values without escapes are substrings of it.
	body := ValidUTF8(event)
	if t.keepBody {
		rec.Body().SetStr(body)
	}
	// Text that is not an event at all is the tenant's, from the export.
	key := resourceKey{service: ServiceNameTwingate, source: SourceS3Sync}
	res := Result{Outcome: Mapped}
	if err := b.xev.scan(body); err != nil {
		res.ErrorType, res.Err = ErrorTypeInvalidJSON, err
	} else if key, res.InvalidFields = b.xev.mapTo(rec, b.keys); len(res.InvalidFields) > 0 {
		res.ErrorType = ErrorTypeInvalidField
	}
	return t.settle(b, rec, key, res, src, observed)
}

// AppendExportScanned maps the event s found last, as AppendExportEvent
// does, flagging it line_too_long when it was longer than the scanner's
// maxEventSize.
func (t *Translator) AppendExportScanned(b *Batch, s *ExportScanner, src *Source, observed pcommon.Timestamp) Result {
	if s.TooLong() && !src.Truncated {
		truncated := *src
		truncated.Truncated = true
		src = &truncated
	}
	return t.AppendExportEvent(b, s.Event(), src, observed)
}
