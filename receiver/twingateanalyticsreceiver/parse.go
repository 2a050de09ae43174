// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

const analyticsPrefix = "ANALYTICS"

// Values of the error.type attribute on flagged records.
const (
	errorTypeInvalidJSON  = "invalid_json"
	errorTypeInvalidField = "invalid_field"
	errorTypeLineTooLong  = "line_too_long"
)

// maxNesting is the deepest JSON nesting accepted, as in encoding/json: a
// deeper line is invalid_json rather than a stack or memory hazard.
const maxNesting = 10000

// cutAnalytics reports whether line is an ANALYTICS line and returns the text
// after the prefix and its separating whitespace. The doc shows one space, real
// connectors print one space, hand-edited or relayed lines may carry tabs, several
// spaces or none; "ANALYTICSfoo" is a different word and not an ANALYTICS line.
// Surrounding whitespace, including a CRLF ending, is not part of the payload.
func cutAnalytics(line []byte) (payload []byte, ok bool) {
	line = bytes.TrimSpace(line)
	rest, found := bytes.CutPrefix(line, []byte(analyticsPrefix))
	if !found {
		return nil, false
	}
	if len(rest) > 0 && isWordByte(rest[0]) {
		return nil, false
	}
	return bytes.TrimLeft(rest, " \t\v\f"), true
}

func isWordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

var (
	errSyntax    = errors.New("invalid JSON")
	errNotObject = errors.New("payload is not a JSON object")
	errTrailing  = errors.New("unexpected data after the JSON object")
	errTooDeep   = errors.New("JSON nested too deeply")
)

// jsonScanner reads JSON from a string in one pass without building a generic
// tree: the mapping pulls the values it knows straight into a record. String
// values without escapes are substrings of the scanned text, so a line's
// attributes share the one body string instead of each allocating its own.
// The text must be valid UTF-8 (the body already is).
type jsonScanner struct {
	s     string
	i     int
	depth int
	err   error
}

func (sc *jsonScanner) fail(err error) {
	if sc.err == nil {
		sc.err = err
	}
	sc.i = len(sc.s) // stop every loop
}

func (sc *jsonScanner) ws() {
	for sc.i < len(sc.s) {
		switch sc.s[sc.i] {
		case ' ', '\t', '\n', '\r':
			sc.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (sc *jsonScanner) peek() byte {
	sc.ws()
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

// end checks that nothing but whitespace follows. It does not use peek,
// whose 0 at the end cannot be told from a NUL byte in the text.
func (sc *jsonScanner) end() {
	sc.ws()
	if sc.i < len(sc.s) {
		sc.fail(errTrailing)
	}
}

// firstKey starts the object at the cursor and returns its first key, with
// the cursor on the key's value. It is false for an empty object and on
// errors. Loops read an object as
//
//	for k, ok := sc.firstKey(); ok; k, ok = sc.nextKey() { /* consume the value */ }
func (sc *jsonScanner) firstKey() (string, bool) {
	if sc.peek() != '{' {
		sc.fail(errSyntax)
		return "", false
	}
	sc.i++
	if !sc.enter() {
		return "", false
	}
	if sc.peek() == '}' {
		sc.i++
		sc.depth--
		return "", false
	}
	return sc.key()
}

// nextKey follows the value of the previous key.
func (sc *jsonScanner) nextKey() (string, bool) {
	switch sc.peek() {
	case ',':
		sc.i++
		return sc.key()
	case '}':
		sc.i++
		sc.depth--
	default:
		sc.fail(errSyntax)
	}
	return "", false
}

func (sc *jsonScanner) key() (string, bool) {
	if sc.peek() != '"' {
		sc.fail(errSyntax)
		return "", false
	}
	k := sc.str()
	if sc.peek() != ':' {
		sc.fail(errSyntax)
		return "", false
	}
	sc.i++
	return k, sc.err == nil
}

// firstElem starts the array at the cursor; it is true when the cursor is
// on a first element. Loops read an array as
//
//	for ok := sc.firstElem(); ok; ok = sc.nextElem() { /* consume the element */ }
func (sc *jsonScanner) firstElem() bool {
	if sc.peek() != '[' {
		sc.fail(errSyntax)
		return false
	}
	sc.i++
	if !sc.enter() {
		return false
	}
	if sc.peek() == ']' {
		sc.i++
		sc.depth--
		return false
	}
	return true
}

// nextElem follows the previous element.
func (sc *jsonScanner) nextElem() bool {
	switch sc.peek() {
	case ',':
		sc.i++
		return sc.err == nil
	case ']':
		sc.i++
		sc.depth--
	default:
		sc.fail(errSyntax)
	}
	return false
}

func (sc *jsonScanner) enter() bool {
	sc.depth++
	if sc.depth > maxNesting {
		sc.fail(errTooDeep)
		return false
	}
	return true
}

// stopsString marks the bytes that end the fast scan of a string: its
// closing quote, an escape, and control bytes, which JSON forbids raw.
var stopsString = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// str reads the string at the cursor (which is on its opening quote).
func (sc *jsonScanner) str() string {
	s := sc.s // a local: the loop then keeps it in registers
	start := sc.i + 1
	i := start
	for i < len(s) && !stopsString[s[i]] {
		i++
	}
	switch {
	case i == len(s) || s[i] < 0x20:
		sc.fail(errSyntax)
		return ""
	case s[i] == '\\':
		return sc.unescape(start, i)
	}
	sc.i = i + 1
	return s[start:i]
}

// unescape decodes a string with escapes, from start (after the quote);
// from is the first backslash. Invalid surrogates become U+FFFD, as in
// encoding/json.
func (sc *jsonScanner) unescape(start, from int) string {
	b := make([]byte, 0, from-start+16)
	b = append(b, sc.s[start:from]...)
	i := from
	for i < len(sc.s) {
		c := sc.s[i]
		switch {
		case c == '"':
			sc.i = i + 1
			return string(b)
		case c < 0x20:
			sc.fail(errSyntax)
			return ""
		case c != '\\':
			b = append(b, c)
			i++
			continue
		}
		if i+1 >= len(sc.s) {
			break
		}
		i += 2
		switch sc.s[i-1] {
		case '"', '\\', '/':
			b = append(b, sc.s[i-1])
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := sc.hex4(i)
			if !ok {
				sc.fail(errSyntax)
				return ""
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(-1), false
				if i+6 <= len(sc.s) && sc.s[i] == '\\' && sc.s[i+1] == 'u' {
					r2, ok2 = sc.hex4(i + 2)
				}
				if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			sc.fail(errSyntax)
			return ""
		}
	}
	sc.fail(errSyntax)
	return ""
}

func (sc *jsonScanner) hex4(i int) (rune, bool) {
	if i+4 > len(sc.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(sc.s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a JSON number and returns its literal text.
func (sc *jsonScanner) number() string {
	s, start, i := sc.s, sc.i, sc.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if i = digits(s, i); i < 0 {
		sc.fail(errSyntax)
		return ""
	}
	if i < len(s) && s[i] == '.' {
		if i = digits(s, i+1); i < 0 {
			sc.fail(errSyntax)
			return ""
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i = digits(s, i); i < 0 {
			sc.fail(errSyntax)
			return ""
		}
	}
	sc.i = i
	return s[start:i]
}

// digits skips one or more decimal digits from i; -1 when there is none.
func digits(s string, i int) int {
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

func (sc *jsonScanner) literal(word string) {
	if strings.HasPrefix(sc.s[sc.i:], word) {
		sc.i += len(word)
		return
	}
	sc.fail(errSyntax)
}

// Kinds of scalar the mapping distinguishes.
const (
	kindAbsent = iota // missing, or JSON null
	kindString
	kindNumber
	kindOther // true, false, an object or an array: never a valid scalar field
)

// scalar is a field's value as found, converted only when it is mapped, so a
// wrong type flags that field and no other.
type scalar struct {
	kind int
	text string // the string's value, or the number's literal
}

// scalar reads any value; objects and arrays are skipped.
func (sc *jsonScanner) scalar() scalar {
	switch sc.peek() {
	case '"':
		return scalar{kindString, sc.str()}
	case 'n':
		sc.literal("null")
		return scalar{}
	case '{', '[', 't', 'f':
		sc.skip()
		return scalar{kind: kindOther}
	default:
		return scalar{kindNumber, sc.number()}
	}
}

// skip reads and discards the value at the cursor, checking its syntax.
func (sc *jsonScanner) skip() {
	switch sc.peek() {
	case '{':
		for _, ok := sc.firstKey(); ok; _, ok = sc.nextKey() {
			sc.skip()
		}
	case '[':
		for ok := sc.firstElem(); ok; ok = sc.nextElem() {
			sc.skip()
		}
	case '"':
		sc.str()
	case 't':
		sc.literal("true")
	case 'f':
		sc.literal("false")
	case 'n':
		sc.literal("null")
	default:
		sc.number()
	}
}

// span skips the value at the cursor and returns its text.
func (sc *jsonScanner) span() string {
	sc.ws()
	start := sc.i
	sc.skip()
	return sc.s[start:sc.i]
}

// errInvalidField marks a value of the wrong type or out of range.
var errInvalidField = errors.New("invalid field")

// asInt accepts a JSON integer, an integral JSON number ("3.0e2") or a string
// holding one ("443"): connectors and relays in the wild disagree on types.
func asInt(v scalar) (int64, error) {
	s := v.text
	switch v.kind {
	case kindNumber:
	case kindString:
		s = strings.TrimSpace(s)
	default:
		return 0, errInvalidField
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, errInvalidField
	}
	return int64(f), nil
}

// asString accepts a JSON string, or a number where an identifier is expected
// (ids are strings in the doc, but a numeric id is still the same id).
func asString(v scalar) (string, error) {
	switch v.kind {
	case kindString, kindNumber:
		return v.text, nil
	default:
		return "", errInvalidField
	}
}
