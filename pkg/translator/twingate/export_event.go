// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import "github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan"

// exportEvent holds one export event ({"event_type": T, "event": {...}}) as
// scanned. It is reused event after event within a batch.
type exportEvent struct {
	kind      exportKind
	eventType jsonscan.Value // the wrapper's event_type
	// event is objectAbsent, objectPresent or objectInvalid.
	event  int
	values [numXFields]jsonscan.Value
	// common holds what export events share with connector lines' events:
	// the relays, the unknown fields, the invalid paths and the warning.
	common event
}

// scan reads body, which must be exactly one JSON object, into x. As for
// connector lines, only syntax is checked here; types and ranges when
// mapping, so that a bad field flags itself and nothing else.
func (x *exportEvent) scan(body string) error {
	x.common = event{unknown: x.common.unknown[:0], relayParts: x.common.relayParts[:0]} // invalid starts anew: the caller may keep the last list
	x.kind, x.eventType, x.event = kindOther, jsonscan.Value{}, objectAbsent
	clear(x.values[:])
	sc := jsonscan.New(body)
	if sc.Peek() != '{' {
		if sc.Peek() == 0 {
			return jsonscan.ErrSyntax
		}
		sc.Skip()
		if sc.Err() != nil {
			return sc.Err()
		}
		return jsonscan.ErrNotObject
	}
	// The event is mapped by its type: when "event" comes before
	// "event_type" it is scanned again once the type is known.
	typed, deferred := false, ""
	for key, ok := sc.FirstKey(); ok; key, ok = sc.NextKey() {
		switch key {
		case "event_type":
			x.eventType = sc.Scalar()
			if kind, known := exportKinds[x.eventType.Text]; known && x.eventType.Kind == jsonscan.KindString {
				x.kind = kind
			}
			typed = true
		case "event", "event:": // "event:" is a typo of the audit log docs
			switch sc.Peek() {
			case '{':
				x.event = objectPresent
				if typed {
					x.scanObject(&sc, body, 0)
				} else {
					deferred = sc.Span()
				}
			case 'n':
				sc.Literal("null")
			default:
				x.event = objectInvalid
				x.common.addUnknown("", key, sc.Span())
			}
		default:
			x.common.addUnknown("", key, sc.Span())
		}
	}
	sc.End()
	if err := sc.Err(); err != nil {
		return err
	}
	if deferred != "" {
		sc = jsonscan.New(deferred)
		x.scanObject(&sc, deferred, 0)
	}
	return nil
}

// scanObject reads the object at the cursor, the kind's known object obj:
// its fields into values, its known objects in turn, and every other key as
// an unknown field under the object's path. src is the text sc reads.
func (x *exportEvent) scanObject(sc *jsonscan.Scanner, src string, obj int) {
	o := &exportObjects[x.kind][obj]
	for k, ok := sc.FirstKey(); ok; k, ok = sc.NextKey() {
		e, known := exportEntry(o, k)
		switch {
		case !known:
			x.common.addUnknown(o.path, k, sc.Span())
		case e.field >= 0:
			x.values[e.field] = sc.Scalar()
		case e.relays:
			x.common.relays = x.common.scanRelays(sc, src)
		default:
			switch sc.Peek() {
			case '{':
				x.scanObject(sc, src, e.child)
			case 'n':
				sc.Literal("null")
			case '"':
				if exportObjects[x.kind][e.child].path == "location" {
					// A location as connectors print it, a JSON-encoded
					// string: mapped as on connector lines.
					x.common.location, x.common.locationText = scanLocation(sc, src)
					continue
				}
				fallthrough
			default:
				// Not an object where one is documented: flagged, and kept.
				x.common.fail(exportObjects[x.kind][e.child].path)
				x.common.addUnknown(o.path, k, sc.Span())
			}
		}
	}
}

// IsExportEvent tells whether text is an event of the S3 sync export rather
// than a connector's event: a JSON object with an "event" key, which
// connector events do not have. Only the keys of the object are read, and
// only until one decides; a syntax error before that is a no.
func IsExportEvent(text []byte) bool {
	sc := jsonscan.New(ValidUTF8(text))
	if sc.Peek() != '{' {
		return false
	}
	for key, ok := sc.FirstKey(); ok; key, ok = sc.NextKey() {
		if key == "event" || key == "event:" {
			return true
		}
		sc.Skip()
	}
	return false
}
