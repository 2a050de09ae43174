// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import "github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan" // Whether a known object was found.
const (
	objectAbsent  = iota // missing, or JSON null
	objectPresent        // an object
	objectInvalid        // anything else
)

// maxUnknownFields bounds the fields of one line kept as twingate.*
// attributes; real lines have a handful.
const maxUnknownFields = 256

// unknownField is a field the mapping does not name; its value is kept as
// JSON text until the record is built, since the line may still turn out
// malformed further on.
type unknownField struct {
	path, key, value string
}

// event holds one ANALYTICS object as scanned. It is reused line after
// line within a batch.
type event struct {
	values           [numFields]jsonscan.Value
	objects          [numObjects]int // objectAbsent, objectPresent or objectInvalid
	relays, location string          // JSON text, "" when missing
	// locationText is location decoded, when it is a JSON string (as
	// connectors print it): decoded as it is scanned, not scanned twice.
	locationText string
	// relayParts are the relays as scanned, so that mapRelays need not
	// read them again (see relayPart).
	relayParts []relayPart
	unknown    []unknownField
	tooMany    bool

	// invalid lists the dotted paths of fields that were present but unusable.
	invalid []string
	warn    bool
}

// scan reads body, which must be exactly one JSON object, into e. Only
// syntax is checked here; types and ranges are checked when mapping, so a
// bad field flags itself and nothing else.
func (e *event) scan(body string) error {
	// invalid starts anew: the caller may keep the previous line's list.
	*e = event{unknown: e.unknown[:0], relayParts: e.relayParts[:0]}
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
	for key, ok := sc.FirstKey(); ok; key, ok = sc.NextKey() {
		switch key {
		case "timestamp":
			e.values[fieldTimestamp] = sc.Scalar()
		case "event_type":
			e.values[fieldEventType] = sc.Scalar()
		case "relays":
			e.relays = e.scanRelays(&sc, body)
		case "location":
			e.location, e.locationText = scanLocation(&sc, body)
		default:
			if obj := objectIndex(key); obj >= 0 {
				e.objects[obj] = e.knownObject(&sc, obj)
			} else {
				e.addUnknown("", key, sc.Span())
			}
		}
	}
	sc.End()
	return sc.Err()
}

// relayPart is, in turn, each element of the relays array (key "" and
// value.Kind partObject or partNotObject) and each member of an element
// that is an object: its key and its value, a string or number as scanned,
// any other value as its JSON text (value.Kind jsonscan.KindOther).
type relayPart struct {
	key   string
	value jsonscan.Value
}

// Kinds of the relayPart that starts an element.
const (
	partObject    = -1
	partNotObject = -2
)

// scanRelays reads the value of relays into e.relayParts and returns its
// JSON text. Relays are the one structure of every line that is mapped
// member by member; keeping what the scan found saves reading them twice.
func (e *event) scanRelays(sc *jsonscan.Scanner, body string) string {
	e.relayParts = e.relayParts[:0] // a repeated key replaces the earlier relays
	if sc.Peek() != '[' {
		return sc.Span()
	}
	start := sc.Pos()
	for ok := sc.FirstElem(); ok; ok = sc.NextElem() {
		if sc.Peek() != '{' {
			sc.Skip()
			e.relayParts = append(e.relayParts, relayPart{value: jsonscan.Value{Kind: partNotObject}})
			continue
		}
		e.relayParts = append(e.relayParts, relayPart{value: jsonscan.Value{Kind: partObject}})
		for k, ok := sc.FirstKey(); ok; k, ok = sc.NextKey() {
			var v jsonscan.Value
			switch c := sc.Peek(); {
			case c == '"':
				v = jsonscan.Value{Kind: jsonscan.KindString, Text: sc.Str()}
			case c == '-' || c >= '0' && c <= '9':
				v = jsonscan.Value{Kind: jsonscan.KindNumber, Text: sc.Number()}
			default:
				v = jsonscan.Value{Kind: jsonscan.KindOther, Text: sc.Span()}
			}
			e.relayParts = append(e.relayParts, relayPart{k, v})
		}
	}
	return body[start:sc.Pos()]
}

// scanLocation reads the value of location: its JSON text, and its decoded
// text when it is a string.
func scanLocation(sc *jsonscan.Scanner, body string) (raw, text string) {
	if sc.Peek() != '"' {
		return sc.Span(), ""
	}
	start := sc.Pos()
	text = sc.Str()
	return body[start:sc.Pos()], text
}

// knownObject reads the value of a known object key into the object's
// fields; a key the mapping does not name is kept as unknown. A repeated
// object replaces what the earlier one set, as with any JSON decoder.
func (e *event) knownObject(sc *jsonscan.Scanner, obj int) int {
	path := objects[obj].name
	if e.objects[obj] == objectPresent {
		// Only an earlier object set fields to forget: scan cleared them.
		clear(e.values[objects[obj].first:objects[obj].end])
		e.dropUnknown(path)
	}
	switch sc.Peek() {
	case '{':
		for k, ok := sc.FirstKey(); ok; k, ok = sc.NextKey() {
			if f, known := fieldIn(obj, k); known {
				e.values[f] = sc.Scalar()
			} else {
				e.addUnknown(path, k, sc.Span())
			}
		}
		return objectPresent
	case 'n':
		sc.Literal("null")
		return objectAbsent
	default:
		sc.Skip()
		return objectInvalid
	}
}

// addUnknown remembers a field the mapping does not name. Past
// maxUnknownFields the line is flagged instead: attributes are looked up
// linearly, so a line with 100,000 keys must not cost 10^10 comparisons.
// The body still holds every field.
func (e *event) addUnknown(path, key, value string) {
	if len(e.unknown) >= maxUnknownFields {
		e.tooMany = true
		return
	}
	e.unknown = append(e.unknown, unknownField{path, key, value})
}

// dropUnknown forgets the unknown fields of an object that a repeated key
// replaces.
func (e *event) dropUnknown(path string) {
	kept := e.unknown[:0]
	for _, u := range e.unknown {
		if u.path != path {
			kept = append(kept, u)
		}
	}
	e.unknown = kept
}

func (e *event) fail(path string) { e.invalid = append(e.invalid, path) }
