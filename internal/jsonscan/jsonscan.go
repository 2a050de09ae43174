// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package jsonscan reads JSON from a string in one pass without building a
// generic tree: the mapping of connector lines and the Docker log decoder pull
// the values they know straight out of the text.
package jsonscan // import "github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan"

import (
	"errors"
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxNesting is the deepest JSON nesting accepted, as in encoding/json: a
// deeper line is invalid_json rather than a stack or memory hazard.
const MaxNesting = 10000

var (
	ErrSyntax    = errors.New("invalid JSON")
	ErrNotObject = errors.New("payload is not a JSON object")
	ErrTrailing  = errors.New("unexpected data after the JSON object")
	ErrTooDeep   = errors.New("JSON nested too deeply")
)

// Scanner reads JSON from a string in one pass without building a generic
// tree: the mapping pulls the values it knows straight into a record. String
// values without escapes are substrings of the scanned text, so a line's
// attributes share the one body string instead of each allocating its own.
// The text must be valid UTF-8 (the body already is).
type Scanner struct {
	s     string
	i     int
	depth int
	err   error
}

func (sc *Scanner) fail(err error) {
	if sc.err == nil {
		sc.err = err
	}
	sc.i = len(sc.s) // stop every loop
}

func (sc *Scanner) ws() {
	s, i := sc.s, sc.i // locals: the loop then keeps them in registers
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			sc.i = i
			return
		}
	}
	sc.i = i
}

// Peek returns the next non-space byte, or 0 at the end.
func (sc *Scanner) Peek() byte {
	// Connectors print compact JSON: the next byte is almost never space,
	// and every byte above ' ' is not.
	if sc.i < len(sc.s) && sc.s[sc.i] > ' ' {
		return sc.s[sc.i]
	}
	sc.ws()
	if sc.i < len(sc.s) {
		return sc.s[sc.i]
	}
	return 0
}

// End checks that nothing but whitespace follows. It does not use peek,
// whose 0 at the end cannot be told from a NUL byte in the text.
func (sc *Scanner) End() {
	sc.ws()
	if sc.i < len(sc.s) {
		sc.fail(ErrTrailing)
	}
}

// FirstKey starts the object at the cursor and returns its first key, with
// the cursor on the key's value. It is false for an empty object and on
// errors. Loops read an object as
//
//	for k, ok := sc.FirstKey(); ok; k, ok = sc.NextKey() { /* consume the value */ }
func (sc *Scanner) FirstKey() (string, bool) {
	if sc.Peek() != '{' {
		sc.fail(ErrSyntax)
		return "", false
	}
	sc.i++
	if !sc.enter() {
		return "", false
	}
	if sc.Peek() == '}' {
		sc.i++
		sc.depth--
		return "", false
	}
	return sc.key()
}

// NextKey follows the value of the previous key.
func (sc *Scanner) NextKey() (string, bool) {
	switch sc.Peek() {
	case ',':
		sc.i++
		return sc.key()
	case '}':
		sc.i++
		sc.depth--
	default:
		sc.fail(ErrSyntax)
	}
	return "", false
}

func (sc *Scanner) key() (string, bool) {
	// Compact JSON: `"key":` with no escape and no space, read without the
	// calls of the general path below. A line has ~40 keys.
	if s, i := sc.s, sc.i; i < len(s) && s[i] == '"' && sc.err == nil {
		if j := stringStop(s, i+1); j+1 < len(s) && s[j] == '"' && s[j+1] == ':' {
			sc.i = j + 2
			return s[i+1 : j], true
		}
	}
	if sc.Peek() != '"' {
		sc.fail(ErrSyntax)
		return "", false
	}
	k := sc.Str()
	if sc.Peek() != ':' {
		sc.fail(ErrSyntax)
		return "", false
	}
	sc.i++
	return k, sc.err == nil
}

// FirstElem starts the array at the cursor; it is true when the cursor is
// on a first element. Loops read an array as
//
//	for ok := sc.FirstElem(); ok; ok = sc.NextElem() { /* consume the element */ }
func (sc *Scanner) FirstElem() bool {
	if sc.Peek() != '[' {
		sc.fail(ErrSyntax)
		return false
	}
	sc.i++
	if !sc.enter() {
		return false
	}
	if sc.Peek() == ']' {
		sc.i++
		sc.depth--
		return false
	}
	return true
}

// NextElem follows the previous element.
func (sc *Scanner) NextElem() bool {
	switch sc.Peek() {
	case ',':
		sc.i++
		return sc.err == nil
	case ']':
		sc.i++
		sc.depth--
	default:
		sc.fail(ErrSyntax)
	}
	return false
}

func (sc *Scanner) enter() bool {
	sc.depth++
	if sc.depth > MaxNesting {
		sc.fail(ErrTooDeep)
		return false
	}
	return true
}

// stopsString marks the bytes that end the fast scan of a string: its
// closing quote, an escape, and control bytes, which JSON forbids raw.
var stopsString = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// Repeated bytes, to test the eight bytes of a word at once.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// stringStop returns the offset of the first byte from i that stopsString
// marks, or len(s). Most of a line's bytes are inside strings, so it tests
// eight at a time: (x - ones*n) &^ x & highs marks the bytes of x below n;
// n = 0x20 on the word finds control bytes, n = 1 on the word xor '"' (or
// '\\') finds quotes (backslashes). The lowest mark is exact (a borrow only
// reaches bytes above a marked one), so the first stop is the lowest mark
// of the three tests.
func stringStop(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		t := s[i : i+8] // one bounds check; the compiler merges the loads below
		w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		q, b := w^(ones*'"'), w^(ones*'\\')
		if m := ((q-ones)&^q | (b-ones)&^b | (w-ones*0x20)&^w) & highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && !stopsString[s[i]] {
		i++
	}
	return i
}

// Str reads the string at the cursor (which is on its opening quote).
func (sc *Scanner) Str() string {
	s := sc.s // a local: the loop then keeps it in registers
	start := sc.i + 1
	i := stringStop(s, start)
	switch {
	case i == len(s) || s[i] < 0x20:
		sc.fail(ErrSyntax)
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
func (sc *Scanner) unescape(start, from int) string {
	// Checking first finds the end: escapes only shorten the text, so the
	// decoded string takes one allocation of at most the raw length.
	end := sc.stringEnd(from)
	if end < 0 {
		sc.fail(ErrSyntax)
		return ""
	}
	var b strings.Builder
	b.Grow(end - start)
	s, i := sc.s, from
	b.WriteString(s[start:from])
	for i < end {
		if s[i] != '\\' {
			// Byte by byte: escaped strings are JSON in JSON, with runs
			// too short to search faster.
			b.WriteByte(s[i])
			i++
			continue
		}
		i += 2
		switch c := s[i-1]; c {
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, next, _ := sc.unicodeEscape(i) // stringEnd checked the digits
			b.WriteRune(r)
			i = next
		default: // '"', '\\', '/'
			b.WriteByte(c)
		}
	}
	sc.i = end + 1
	return b.String()
}

// stringEnd checks the rest of a string from i, inside its quotes, and
// returns the offset of its closing quote; -1 when the string is invalid:
// unterminated, with a raw control byte, an unknown escape, or a \u
// without four hex digits.
func (sc *Scanner) stringEnd(i int) int {
	s := sc.s
	i = stringStop(s, i) // most strings have no escape: this finds the end
	for {
		switch {
		case i == len(s) || s[i] < 0x20 || i+1 == len(s) && s[i] == '\\':
			return -1
		case s[i] == '"':
			return i
		}
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i += 2
		case 'u':
			if _, ok := sc.hex4(i + 2); !ok {
				return -1
			}
			i += 6
		default:
			return -1
		}
		// Byte by byte after an escape: the runs between escapes are short
		// (JSON in JSON), shorter than stringStop's eight bytes pay for.
		for i < len(s) && !stopsString[s[i]] {
			i++
		}
	}
}

// skipStr passes over the string at the cursor (on its opening quote),
// checking it as Str does, without decoding its escapes.
func (sc *Scanner) skipStr() {
	if end := sc.stringEnd(sc.i + 1); end >= 0 {
		sc.i = end + 1
	} else {
		sc.fail(ErrSyntax)
	}
}

// unicodeEscape decodes the four hex digits of a \u escape at i, and the
// low half that must follow a high surrogate; a lone surrogate becomes
// U+FFFD, as encoding/json does. next is the offset after what it read.
func (sc *Scanner) unicodeEscape(i int) (r rune, next int, ok bool) {
	r, ok = sc.hex4(i)
	if !ok {
		return 0, i, false
	}
	i += 4
	if !utf16.IsSurrogate(r) {
		return r, i, true
	}
	r2, ok2 := rune(-1), false
	if i+6 <= len(sc.s) && sc.s[i] == '\\' && sc.s[i+1] == 'u' {
		r2, ok2 = sc.hex4(i + 2)
	}
	if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
		return dec, i + 6, true
	}
	return utf8.RuneError, i, true
}

func (sc *Scanner) hex4(i int) (rune, bool) {
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

// Number reads a JSON number and returns its literal text.
func (sc *Scanner) Number() string {
	s, start, i := sc.s, sc.i, sc.i
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if i = digits(s, i); i < 0 {
		sc.fail(ErrSyntax)
		return ""
	}
	if i < len(s) && s[i] == '.' {
		if i = digits(s, i+1); i < 0 {
			sc.fail(ErrSyntax)
			return ""
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i = digits(s, i); i < 0 {
			sc.fail(ErrSyntax)
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

func (sc *Scanner) Literal(word string) {
	if strings.HasPrefix(sc.s[sc.i:], word) {
		sc.i += len(word)
		return
	}
	sc.fail(ErrSyntax)
}

// Kinds of Value the mapping distinguishes.
const (
	KindAbsent = iota // missing, or JSON null
	KindString
	KindNumber
	KindOther // true, false, an object or an array: never a valid scalar field
)

// Value is a field's value as found, converted only when it is mapped, so a
// wrong type flags that field and no other.
type Value struct {
	Kind int
	Text string // the string's value, or the number's literal
}

// Scalar reads any value; objects and arrays are skipped.
func (sc *Scanner) Scalar() Value {
	switch sc.Peek() {
	case '"':
		return Value{KindString, sc.Str()}
	case 'n':
		sc.Literal("null")
		return Value{}
	case '{', '[', 't', 'f':
		sc.Skip()
		return Value{Kind: KindOther}
	default:
		return Value{KindNumber, sc.Number()}
	}
}

// Skip reads and discards the value at the cursor, checking its syntax.
func (sc *Scanner) Skip() {
	switch sc.Peek() {
	case '{':
		for _, ok := sc.FirstKey(); ok; _, ok = sc.NextKey() {
			sc.Skip()
		}
	case '[':
		for ok := sc.FirstElem(); ok; ok = sc.NextElem() {
			sc.Skip()
		}
	case '"':
		sc.skipStr()
	case 't':
		sc.Literal("true")
	case 'f':
		sc.Literal("false")
	case 'n':
		sc.Literal("null")
	default:
		sc.Number()
	}
}

// Span skips the value at the cursor and returns its text.
func (sc *Scanner) Span() string {
	sc.ws()
	start := sc.i
	sc.Skip()
	return sc.s[start:sc.i]
}

// New returns a scanner at the start of s, which must be valid UTF-8.
func New(s string) Scanner { return Scanner{s: s} }

// Err is the first syntax error met, nil while the text is valid so far.
func (sc *Scanner) Err() error { return sc.err }

// Pos is the scanner's offset in the text: text[a:b] between two Pos calls
// is what the scanner read in between.
func (sc *Scanner) Pos() int { return sc.i }
