// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"errors"
	"io"
)

// exportReadSize is how much of an export object is read at a time. Events
// are a few hundred bytes: most lie whole in the read buffer and are handed
// out without a copy.
const exportReadSize = 64 << 10

// ExportScanner splits a Twingate S3-sync object read from r into events,
// whatever the framing: NDJSON, concatenated or pretty-printed objects, or a
// top-level JSON array of objects. Twingate documents "separate objects in a
// single JSON file" and shows pretty-printed examples; summaries of its docs
// say one object per line; so every one of these is accepted.
//
// It streams: memory is bounded by maxEventSize and the read buffer, never by
// the object. The scanner only finds where each event starts and ends (braces
// and strings); the translator checks the JSON itself, so a broken event is
// flagged there, with its text, like a broken connector line.
//
// What is not an event is an event too, so that it gets flagged rather than
// lost: text between objects (up to the next newline or '{') and an object
// cut short (at the end of the input, or where a new line starts with '{'
// where the cut object could not continue). Scanning resumes after it.
type ExportScanner struct {
	r   io.Reader
	max int
	err error
	eof bool

	buf        []byte
	start, end int // the unread bytes are buf[start:end]

	// tok holds the current event when it does not lie whole in buf (it
	// spans reads); event is what Event returns.
	tok     []byte
	event   []byte
	tooLong bool

	began bool // a byte other than whitespace (or a BOM) was seen
	array bool // the object's first byte was '[': ',' and ']' separate events
	count int64
}

// NewExportScanner reads events from r; an event longer than maxEventSize
// bytes is reported as too long (TooLong), its first maxEventSize bytes as
// its text, and is not read into memory beyond that.
func NewExportScanner(r io.Reader, maxEventSize int) *ExportScanner {
	if maxEventSize <= 0 {
		maxEventSize = 1
	}
	return &ExportScanner{r: r, max: maxEventSize, buf: make([]byte, exportReadSize)}
}

// Event returns the text of the event found by the last Scan, valid until
// the next Scan.
func (s *ExportScanner) Event() []byte { return s.event }

// TooLong tells whether the event found by the last Scan was longer than
// maxEventSize: Event then holds only its first maxEventSize bytes, and the
// translator flags it line_too_long when told so (AppendExportScanned, or
// Source.Truncated).
func (s *ExportScanner) TooLong() bool { return s.tooLong }

// Err returns the error that stopped Scan, nil at the end of the input.
// Framing problems are never errors: they are events that get flagged.
func (s *ExportScanner) Err() error { return s.err }

// Events is the number of events Scan has found so far.
func (s *ExportScanner) Events() int64 { return s.count }

// errNoProgress: a reader that returns nothing, again and again, without
// an error or io.EOF.
var errNoProgress = errors.New("twingate: export reader returned no data 100 times in a row")

// fill reads more input into an empty buffer; false at the end or on an
// error. keepFrom is the start of a pending event in buf (-1 for none): its
// bytes are moved to tok first, since the buffer is overwritten.
func (s *ExportScanner) fill(keepFrom int) bool {
	if keepFrom >= 0 {
		s.keep(s.buf[keepFrom:s.end])
	}
	s.start, s.end = 0, 0
	if s.eof || s.err != nil {
		return false
	}
	for range 100 {
		n, err := s.r.Read(s.buf)
		s.end = n
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
		}
		if n > 0 {
			return true
		}
		if err != nil {
			return false
		}
	}
	s.err = errNoProgress
	return false
}

// keep appends part of an event to tok, up to maxEventSize bytes.
func (s *ExportScanner) keep(part []byte) {
	if room := s.max - len(s.tok); len(part) > room {
		part = part[:max(room, 0)]
		s.tooLong = true
	}
	if need := len(s.tok) + len(part); need > cap(s.tok) {
		// Double, up to maxEventSize: append grows large slices by a
		// quarter, which would allocate five times the longest event.
		grown := make([]byte, len(s.tok), min(max(need, 2*cap(s.tok)), s.max))
		copy(grown, s.tok)
		s.tok = grown
	}
	s.tok = append(s.tok, part...)
}

// finish sets the event to what was kept and buf[from:to], without the
// whitespace that ends it when trim is set.
func (s *ExportScanner) finish(from, to int, trim bool) {
	if len(s.tok) == 0 && !s.tooLong && to-from <= s.max {
		s.event = s.buf[from:to] // whole in the buffer: no copy
	} else {
		s.keep(s.buf[from:to])
		s.event = s.tok
	}
	for trim && len(s.event) > 0 && isSpace(s.event[len(s.event)-1]) {
		s.event = s.event[:len(s.event)-1]
	}
	s.count++
}

// Scan finds the next event; false at the end of the input or on an I/O
// error (Err). An event the error cut short is not returned: its text is
// not what Twingate wrote.
func (s *ExportScanner) Scan() bool {
	s.tok, s.event, s.tooLong = s.tok[:0], nil, false
	// Separators: whitespace, a leading BOM, and in a top-level array its
	// brackets and commas.
	for {
		if s.start == s.end && !s.fill(-1) {
			return false
		}
		c := s.buf[s.start]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case !s.began && c == 0xEF && s.bom():
			continue
		case !s.began && c == '[':
			s.array = true
		case s.array && (c == ',' || c == ']'):
		case c == '{':
			s.began = true
			return s.object()
		default:
			s.began = true
			return s.garbage()
		}
		s.start++
	}
}

// bom skips a UTF-8 byte order mark at the start of the input.
func (s *ExportScanner) bom() bool {
	for s.end-s.start < 3 && !s.eof && s.err == nil {
		// A BOM split across reads (a reader that returns a byte at a time):
		// read on behind the bytes already there.
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			s.err = err
		}
	}
	if s.end-s.start >= 3 && s.buf[s.start+1] == 0xBB && s.buf[s.start+2] == 0xBF {
		s.start += 3
		return true
	}
	return false
}

// garbage reads text that is not an object, up to the next newline or '{',
// as one event: the translator flags it invalid_json.
func (s *ExportScanner) garbage() bool {
	from := s.start
	for {
		for i := s.start; i < s.end; i++ {
			if c := s.buf[i]; c == '\n' || c == '{' {
				s.start = i
				s.finish(from, i, true)
				return true
			}
		}
		s.start = s.end
		if !s.fill(from) {
			return s.cutShort()
		}
		from = 0
	}
}

// cutShort ends an event that the input ended: at the end of the object it
// is an event (to be flagged); on an I/O error it is not, since the object
// was not read whole (the caller reads it again, or reports it).
func (s *ExportScanner) cutShort() bool {
	if s.err != nil {
		s.tok, s.tooLong = s.tok[:0], false
		return false
	}
	s.finish(0, 0, true)
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// objectScan is where object is in an object's text.
type objectScan struct {
	depth int
	inStr bool
	esc   bool
	// lineStart: the last byte was a newline outside a string.
	lineStart bool
	// newlines counts the newlines inside the object so far; last is its
	// last significant byte before the current line.
	newlines int
	last     byte
}

// object reads one object, from the '{' at the cursor to its matching '}'.
// Only strings and brackets are followed; the translator checks the rest.
// An object is cut short (and later flagged) at the end of the input, or
// where a line starts with '{' and the object could not continue with it:
// its text so far is on one line (an NDJSON line cut off), or its last byte
// is not one a value follows (',', ':', '[').
func (s *ExportScanner) object() bool {
	var st objectScan
	from := s.start
	for {
		buf := s.buf[:s.end]
	bytes:
		for i := s.start; i < len(buf); i++ {
			c := buf[i]
			if st.inStr {
				if st.esc {
					st.esc = false
					if c != '\n' {
						continue
					}
				}
				// The bytes of strings are most of an event: pass the
				// ordinary ones in a tight loop.
				for c != '"' && c != '\\' && c != '\n' {
					if i++; i == len(buf) {
						break bytes
					}
					c = buf[i]
				}
				switch c {
				case '\\':
					st.esc = true
				case '"':
					st.inStr = false
					st.lineStart, st.last = false, '"'
				default: // a raw newline: JSON allows none in a string, so it was cut short
					st.inStr = false
					st.lineStart, st.newlines = true, st.newlines+1
				}
				continue
			}
			switch c {
			case ' ', '\t', '\r':
				continue
			case '\n':
				st.lineStart, st.newlines = true, st.newlines+1
				continue
			case '"':
				st.inStr = true
			case '{', '[':
				if c == '{' && st.lineStart && st.depth > 0 &&
					(st.newlines == 1 || st.last != ',' && st.last != ':' && st.last != '[') {
					// A new event: the one before was cut short.
					s.start = i
					s.finish(from, i, true)
					return true
				}
				st.depth++
			case '}', ']':
				st.depth--
				if st.depth <= 0 {
					s.start = i + 1
					s.finish(from, i+1, false)
					return true
				}
			}
			st.lineStart = false
			st.last = c
		}
		s.start = s.end
		if !s.fill(from) {
			return s.cutShort()
		}
		from = 0
	}
}
