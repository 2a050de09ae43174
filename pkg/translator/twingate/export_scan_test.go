// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scanned is one event as ExportScanner found it.
type scanned struct {
	text    string
	tooLong bool
}

func scanAll(t *testing.T, r io.Reader, maxEventSize int) ([]scanned, error) {
	t.Helper()
	s := NewExportScanner(r, maxEventSize)
	var out []scanned
	for s.Scan() {
		out = append(out, scanned{string(s.Event()), s.TooLong()})
		require.LessOrEqual(t, len(s.Event()), maxEventSize)
	}
	assert.Equal(t, int64(len(out)), s.Events())
	return out, s.Err()
}

func TestExportScanner(t *testing.T) {
	ev := func(texts ...string) []scanned {
		out := make([]scanned, len(texts))
		for i, text := range texts {
			out[i] = scanned{text: text}
		}
		return out
	}
	for name, tc := range map[string]struct {
		in   string
		want []scanned
	}{
		"empty":                 {"", nil},
		"whitespace":            {" \n\r\n\t ", nil},
		"one":                   {`{"a":1}`, ev(`{"a":1}`)},
		"ndjson":                {"{\"a\":1}\n{\"a\":2}\n", ev(`{"a":1}`, `{"a":2}`)},
		"ndjson_crlf":           {"{\"a\":1}\r\n{\"a\":2}\r\n", ev(`{"a":1}`, `{"a":2}`)},
		"back_to_back":          {`{"a":1}{"a":2}{}`, ev(`{"a":1}`, `{"a":2}`, `{}`)},
		"spaced":                {` {"a":1}   {"a":2} `, ev(`{"a":1}`, `{"a":2}`)},
		"pretty":                {"{\n  \"a\": {\n    \"b\": [1, 2]\n  }\n}\n{\n  \"c\": 3\n}", ev("{\n  \"a\": {\n    \"b\": [1, 2]\n  }\n}", "{\n  \"c\": 3\n}")},
		"array":                 {"[\n  {\"a\":1},\n  {\"a\":2}\n]\n", ev(`{"a":1}`, `{"a":2}`)},
		"array_compact":         {`[{"a":1},{"a":2}]`, ev(`{"a":1}`, `{"a":2}`)},
		"array_empty":           {"[ ]", nil},
		"bom":                   {"\xef\xbb\xbf{\"a\":1}", ev(`{"a":1}`)},
		"braces_in_strings":     {`{"a":"}{]["}{"b":"{"}`, ev(`{"a":"}{]["}`, `{"b":"{"}`)},
		"escaped_quote":         {`{"a":"x\"}"}{"b":1}`, ev(`{"a":"x\"}"}`, `{"b":1}`)},
		"escaped_backslash":     {`{"a":"x\\"}{"b":1}`, ev(`{"a":"x\\"}`, `{"b":1}`)},
		"unindented_pretty":     {"{\n\"relays\": [\n{\n\"ip\": 1\n},\n{\n\"ip\": 2\n}\n],\n\"x\": {\n\"y\": 1\n}\n}\n", ev("{\n\"relays\": [\n{\n\"ip\": 1\n},\n{\n\"ip\": 2\n}\n],\n\"x\": {\n\"y\": 1\n}\n}")},
		"garbage_only":          {"hello world\n", ev("hello world")},
		"garbage_between":       {"{\"a\":1}\n-- cut --\r\n{\"a\":2}", ev(`{"a":1}`, "-- cut --", `{"a":2}`)},
		"garbage_before_brace":  {`xyz{"a":1}`, ev("xyz", `{"a":1}`)},
		"garbage_at_end":        {"{\"a\":1}\ntrailing", ev(`{"a":1}`, "trailing")},
		"array_of_non_objects":  {`[1, "x", {"a":1}]`, ev(`1, "x",`, `{"a":1}`)},
		"truncated_at_end":      {"{\"a\":1}\n{\"a\":{\"b\":", ev(`{"a":1}`, `{"a":{"b":`)},
		"truncated_in_string":   {"{\"a\":\"abc\n{\"a\":2}\n", ev(`{"a":"abc`, `{"a":2}`)},
		"truncated_ndjson_line": {"{\"a\":{\"b\":1,\n{\"a\":2}\n", ev(`{"a":{"b":1,`, `{"a":2}`)},
		"truncated_pretty":      {"{\n  \"a\": {\n    \"b\": 1\n{\"a\":2}\n", ev("{\n  \"a\": {\n    \"b\": 1", `{"a":2}`)},
		"stray_close":           {`}{"a":1}`, ev("}", `{"a":1}`)},
		"close_mismatch":        {`{"a":1]{"b":2}`, ev(`{"a":1]`, `{"b":2}`)},
		"raw_control_in_string": {"{\"a\":\"\x01\"}", ev("{\"a\":\"\x01\"}")},
	} {
		t.Run(name, func(t *testing.T) {
			for way, r := range map[string]io.Reader{
				"whole":    strings.NewReader(tc.in),
				"one_byte": iotest.OneByteReader(strings.NewReader(tc.in)),
			} {
				got, err := scanAll(t, r, 1<<10)
				require.NoError(t, err, way)
				assert.Equal(t, tc.want, got, way)
			}
		})
	}
}

// TestExportScannerTooLong: an event or a garbage run longer than
// maxEventSize yields its first maxEventSize bytes, marked too long, and
// scanning goes on with the next event, wherever the read boundaries fall.
func TestExportScannerTooLong(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", 100) + `"}`
	in := `{"a":1}` + "\n" + big + "\n" + strings.Repeat("g", 50) + "\n" + `{"a":2}`
	want := []scanned{{`{"a":1}`, false}, {big[:32], true}, {strings.Repeat("g", 32), true}, {`{"a":2}`, false}}
	for way, r := range map[string]io.Reader{
		"whole":    strings.NewReader(in),
		"one_byte": iotest.OneByteReader(strings.NewReader(in)),
		"half":     iotest.HalfReader(strings.NewReader(in)),
	} {
		got, err := scanAll(t, r, 32)
		require.NoError(t, err, way)
		assert.Equal(t, want, got, way)
	}
}

// TestExportScannerIOError: an I/O error ends the scan with Err, after the
// events read whole; the event it cut short is not returned, since its text
// is not what was written.
func TestExportScannerIOError(t *testing.T) {
	failure := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("{\"a\":1}\n{\"a\":"), iotest.ErrReader(failure))
	got, err := scanAll(t, r, 1<<10)
	assert.ErrorIs(t, err, failure)
	assert.Equal(t, []scanned{{text: `{"a":1}`}}, got)

	got, err = scanAll(t, &zeroReader{}, 1<<10)
	assert.ErrorIs(t, err, errNoProgress)
	assert.Empty(t, got)
}

// zeroReader returns nothing, forever, and no error.
type zeroReader struct{}

func (*zeroReader) Read([]byte) (int, error) { return 0, nil }

// generatedObject streams size bytes of NDJSON events without holding them;
// with one set, the whole object is one event that never ends.
type generatedObject struct {
	size, done int
	one        bool
	pending    []byte
}

const generatedEvent = `{"event_type":"network_access","event":{"version":1,"time":"2025-07-25T18:19:41.236597+00:00","status":"closed_connection","connection":{"client_ip":"1.2.3.4","protocol":"tcp","bytes_received":338,"bytes_transferred":404},"connector":{"id":"123456","name":"faithful-pigeon"}}}` + "\n"

// The generator's pieces, allocated once: the test measures the scanner's
// allocations, not the generator's.
var (
	generatedEventBytes = []byte(generatedEvent)
	endlessStart        = []byte(`{"event_type":"x","event":{"blob":"`)
	endlessRest         = []byte(strings.Repeat("x", 4096))
)

func (g *generatedObject) Read(p []byte) (int, error) {
	if g.done >= g.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && g.done < g.size {
		if len(g.pending) == 0 {
			switch {
			case g.one && g.done == 0:
				g.pending = endlessStart
			case g.one:
				g.pending = endlessRest
			default:
				g.pending = generatedEventBytes
			}
		}
		c := copy(p[n:min(len(p), n+g.size-g.done)], g.pending)
		g.pending = g.pending[c:]
		n += c
		g.done += c
	}
	return n, nil
}

// TestExportScannerMemoryBounded: a 50 MB object is scanned in memory
// bounded by the read buffer and maxEventSize, whether it holds 200,000
// events or one event that never ends.
func TestExportScannerMemoryBounded(t *testing.T) {
	const size = 50 << 20
	for name, one := range map[string]bool{"many_events": false, "one_endless_event": true} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			s := NewExportScanner(&generatedObject{size: size, one: one}, 1<<20)
			events, longest := 0, 0
			for s.Scan() {
				events++
				longest = max(longest, len(s.Event()))
			}
			runtime.ReadMemStats(&after)
			require.NoError(t, s.Err())
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%d events, longest %d bytes, %d bytes allocated for a %d-byte object", events, longest, allocated, size)
			if one {
				assert.Equal(t, 1, events)
				assert.Equal(t, 1<<20, longest)
			} else {
				assert.Equal(t, size/len(generatedEvent)+1, events) // the last one cut short
			}
			assert.Less(t, allocated, uint64(4<<20), "memory grows with the object")
		})
	}
}

// TestStringSpecial: the eight-bytes-at-a-time search finds what a plain
// loop finds, wherever the byte is and whatever surrounds it.
func TestStringSpecial(t *testing.T) {
	plain := func(b []byte, i int) int {
		for ; i < len(b); i++ {
			if b[i] == '"' || b[i] == '\\' || b[i] == '\n' {
				return i
			}
		}
		return i
	}
	fill := []byte("a\x00\x7f\x80\xff!#[\x01\x0b\x21\x5b\x5d")
	for n := range 40 {
		for pos := 0; pos <= n; pos++ {
			for _, special := range []byte{'"', '\\', '\n'} {
				b := make([]byte, n)
				for k := range b {
					b[k] = fill[(k*7+n)%len(fill)]
				}
				if pos < n {
					b[pos] = special
				}
				for from := 0; from <= n; from++ {
					require.Equal(t, plain(b, from), stringSpecial(b, from), "%q from %d", b, from)
				}
			}
		}
	}
}
