// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan"
)

// base is a valid event the cases below extend with one more field.
const base = `"connection":{"id":"p-1"},"connector":{"id":"1"},"event_type":"established_connection","timestamp":1763633300000`

// mapped scans and maps payload the way appendLine does.
func mapped(t *testing.T, payload string) (plog.LogRecord, []string, error) {
	t.Helper()
	var e event
	rec := plog.NewLogRecord()
	if err := e.scan(payload); err != nil {
		return rec, nil, err
	}
	_, invalid := e.mapTo(rec, keyCache{})
	return rec, invalid, nil
}

func TestEventStringValues(t *testing.T) {
	for name, tc := range map[string]struct{ json, want string }{
		"plain":               {`"x"`, "x"},
		"escapes":             {`"a\"b\\c\/d\n\t\r\b\f"`, "a\"b\\c/d\n\t\r\b\f"},
		"unicode escape":      {`"caf\u00e9"`, "café"},
		"surrogate pair":      {`"\ud83d\ude00"`, "😀"},
		"lone high surrogate": {`"\ud800x"`, "\uFFFDx"},
		"lone low surrogate":  {`"\udc00"`, "\uFFFD"},
		"raw non-ASCII":       {`"Zürich 東京"`, "Zürich 東京"},
	} {
		t.Run(name, func(t *testing.T) {
			rec, invalid, err := mapped(t, "{"+base+`,"extra":`+tc.json+"}")
			require.NoError(t, err)
			assert.Empty(t, invalid)
			v, ok := rec.Attributes().Get("twingate.extra")
			require.True(t, ok)
			assert.Equal(t, tc.want, v.Str())
		})
	}
}

// TestEventRejectsInvalidJSON: a payload the scanner rejects (jsonscan's
// TestScannerRejects) makes the whole event invalid, wherever in the event
// the fault is.
func TestEventRejectsInvalidJSON(t *testing.T) {
	deep := strings.Repeat("[", jsonscan.MaxNesting+1) + strings.Repeat("]", jsonscan.MaxNesting+1)
	for name, payload := range map[string]string{
		"bad escape":            "{" + base + `,"x":"\x41"}`,
		"short unicode escape":  "{" + base + `,"x":"\u12"}`,
		"raw control byte":      "{" + base + ",\"x\":\"a\x01b\"}",
		"raw newline in string": "{" + base + ",\"x\":\"a\nb\"}",
		"leading zero":          "{" + base + `,"x":01}`,
		"bare minus":            "{" + base + `,"x":-}`,
		"dot without digits":    "{" + base + `,"x":1.}`,
		"exponent without":      "{" + base + `,"x":1e}`,
		"plus sign":             "{" + base + `,"x":+1}`,
		"unquoted key":          "{" + base + `,x:1}`,
		"trailing comma":        "{" + base + `,}`,
		"missing colon":         "{" + base + `,"x" 1}`,
		"unterminated string":   "{" + base + `,"x":"abc}`,
		"bad literal":           "{" + base + `,"x":nul}`,
		"too deep":              "{" + base + `,"x":` + deep + "}",
		"two objects":           "{" + base + "}{}",
		"NUL after the object":  "{" + base + "}\x00",
		"NUL, then garbage":     "{" + base + "}\x00garbage",
		"empty":                 "",
		"array":                 "[1,2]",
		"string":                `"x"`,
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := mapped(t, payload)
			require.Error(t, err)
		})
	}
}

func TestEventAcceptsValidJSON(t *testing.T) {
	t.Run("whitespace between tokens", func(t *testing.T) {
		rec, invalid, err := mapped(t, " {\t\"connection\" :\r\n{ \"id\" : \"p-1\" } , \"connector\":{\"id\":\"1\"},"+
			"\"event_type\":\"established_connection\",\"timestamp\" : 1763633300000 } \t")
		require.NoError(t, err)
		assert.Empty(t, invalid)
		v, _ := rec.Attributes().Get(AttrConnectionID)
		assert.Equal(t, "p-1", v.Str())
	})
	t.Run("numbers", func(t *testing.T) {
		rec, invalid, err := mapped(t, "{"+base+`,"a":-0,"b":1.5e-3,"c":2E+2,"d":9223372036854775808,"e":1e400}`)
		require.NoError(t, err)
		assert.Empty(t, invalid)
		assert.Equal(t, map[string]any{
			"twingate.a": int64(0), "twingate.b": 0.0015, "twingate.c": 200.0,
			"twingate.d": "9223372036854775808", "twingate.e": "1e400",
		},
			pick(rec, "twingate.a", "twingate.b", "twingate.c", "twingate.d", "twingate.e"))
	})
	t.Run("repeated object replaces the earlier one", func(t *testing.T) {
		// Also with a null and a number between the two objects.
		for _, between := range []string{"", `"connection":null,"connection":5,`} {
			rec, invalid, err := mapped(t, `{"connection":{"id":"old","extra":"gone","rx":5},`+between+base+`}`)
			require.NoError(t, err)
			assert.Empty(t, invalid)
			attrs := rec.Attributes().AsRaw()
			assert.Equal(t, "p-1", attrs[AttrConnectionID], between)
			assert.NotContains(t, attrs, "twingate.connection.extra", between)
			assert.NotContains(t, attrs, AttrRxBytes, between)
		}
	})
	t.Run("an object replaced by null or a number leaves nothing of it", func(t *testing.T) {
		for _, last := range []string{"null", "5"} {
			rec, _, err := mapped(t, `{`+base+`,"user":{"id":"u1","extra":"gone"},"user":`+last+`}`)
			require.NoError(t, err)
			attrs := rec.Attributes().AsRaw()
			assert.NotContains(t, attrs, AttrUserID, last)
			assert.NotContains(t, attrs, "twingate.user.extra", last)
		}
	})
	t.Run("repeated field: last wins", func(t *testing.T) {
		rec, _, err := mapped(t, "{"+base+`,"x":1,"x":2,"connector":{"id":"1","name":"a","name":"b"}}`)
		require.NoError(t, err)
		assert.Equal(t, map[string]any{"twingate.x": int64(2)}, pick(rec, "twingate.x"))
	})
	t.Run("deep unknown value kept as JSON text below depth 32", func(t *testing.T) {
		n := 10 * maxValueDepth
		rec, invalid, err := mapped(t, "{"+base+`,"deep":`+strings.Repeat(`{"a":`, n)+"1"+strings.Repeat("}", n)+"}")
		require.NoError(t, err)
		assert.Empty(t, invalid)
		v, _ := rec.Attributes().Get("twingate.deep")
		for range maxValueDepth + 1 {
			v, _ = v.Map().Get("a")
		}
		// Maps at depths 0 to 32, the rest as text.
		rest := n - maxValueDepth - 1
		assert.Equal(t, strings.Repeat(`{"a":`, rest)+"1"+strings.Repeat("}", rest), v.Str())
	})
}

func TestTooManyUnknownFields(t *testing.T) {
	var b strings.Builder
	b.WriteString("{" + base)
	for i := range maxUnknownFields + 44 {
		fmt.Fprintf(&b, `,"k%d":%d`, i, i)
	}
	b.WriteString("}")
	rec, invalid, err := mapped(t, b.String())
	require.NoError(t, err)
	assert.Equal(t, []string{"(more than 256 unknown fields)"}, invalid)
	_, kept := rec.Attributes().Get(fmt.Sprintf("twingate.k%d", maxUnknownFields-1))
	_, dropped := rec.Attributes().Get(fmt.Sprintf("twingate.k%d", maxUnknownFields))
	assert.True(t, kept)
	assert.False(t, dropped)
}

func pick(rec plog.LogRecord, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := rec.Attributes().Get(k); ok {
			out[k] = v.AsRaw()
		}
	}
	return out
}

// TestLocation: location is mapped in the pass that checks it, so a text
// that starts as an object and then fails must still end as the string.
func TestLocation(t *testing.T) {
	for name, tc := range map[string]struct{ json, want string }{
		"encoded object":       {`"{\"city\":\"Ashburn\",\"lat\":39.04,\"tags\":[1,{\"a\":null}]}"`, `{"city":"Ashburn","lat":39.04,"tags":[1,{"a":null}]}`},
		"encoded, spaces":      {`" {\"city\":\"Ashburn\"} "`, `{"city":"Ashburn"}`},
		"object":               {`{"city":"Ashburn"}`, `{"city":"Ashburn"}`},
		"not json":             {`"{not json"`, `"{not json"`},
		"object then trailing": {`"{\"city\":\"Ashburn\"} x"`, `"{\"city\":\"Ashburn\"} x"`},
		"object then another":  {`"{\"a\":1}{\"b\":2}"`, `"{\"a\":1}{\"b\":2}"`},
		"unterminated object":  {`"{\"a\":{\"b\":1}"`, `"{\"a\":{\"b\":1}"`},
		"encoded array":        {`"[1,2]"`, `"[1,2]"`},
		"plain text":           {`"Ashburn, VA"`, `"Ashburn, VA"`},
	} {
		t.Run(name, func(t *testing.T) {
			rec, invalid, err := mapped(t, "{"+base+`,"location":`+tc.json+"}")
			require.NoError(t, err)
			assert.Empty(t, invalid)
			v, ok := rec.Attributes().Get(AttrLocation)
			require.True(t, ok)
			got, err := json.Marshal(v.AsRaw())
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}

// TestParseInt: the fast path agrees with strconv.ParseInt.
func TestParseInt(t *testing.T) {
	for _, s := range []string{
		"0", "-0", "7", "-7", "+7", "443", "00443", "1795161600000", "99999999999999999", "-99999999999999999",
		"999999999999999999", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "", "-", "+", "1.5", "1e3", "1_000", " 1", "1 ", "0x10", "١٢",
	} {
		want, err := strconv.ParseInt(s, 10, 64)
		got, ok := parseInt(s)
		assert.Equal(t, err == nil, ok, "%q", s)
		if ok {
			assert.Equal(t, want, got, "%q", s)
		}
	}
}

// TestRelays: relays are mapped from what the scan kept of them; each odd
// shape maps as it did when mapRelays read the JSON text again.
func TestRelays(t *testing.T) {
	for name, tc := range map[string]struct {
		json, want string // want: the attribute as JSON, "" for none
		invalid    []string
	}{
		"two relays": {
			`[{"ip":"1.2.3.4","port":30003,"name":"r1"}, {"ip":"5.6.7.8","port":"30001 ","name":"r2"}]`,
			`[{"ip":"1.2.3.4","port":30003,"name":"r1"},{"ip":"5.6.7.8","port":30001,"name":"r2"}]`, nil,
		},
		"odd members": {
			`[{"port":null,"x":{"a":[1,true]},"y":-2.5,"z":false,"w":null,"v":"a\"b"}]`,
			`[{"port":null,"x":{"a":[1,true]},"y":-2.5,"z":false,"w":null,"v":"a\"b"}]`,
			[]string{"relays[0].port"},
		},
		"bad ports": {
			`[{"port":70000},{"port":"x"},{"port":true},{"port":[1]},{"port":1.5}]`,
			`[{"port":70000},{"port":"x"},{"port":true},{"port":[1]},{"port":1.5}]`,
			[]string{"relays[0].port", "relays[1].port", "relays[2].port", "relays[3].port", "relays[4].port"},
		},
		"not objects":     {`[1,{"ip":"a"},"x",{}]`, `[{"ip":"a"},{}]`, []string{"relays[0]", "relays[2]"}},
		"only not object": {`[null]`, ``, []string{"relays[0]"}},
		"empty, spaced":   {`[ ]`, ``, nil},
		"not an array":    {`{"ip":"a"}`, ``, []string{"relays"}},
		"repeated key":    {`[{"ip":"old"}],"relays":[{"ip":"new"}]`, `[{"ip":"new"}]`, nil},
		"array then null": {`[{"ip":"old"}],"relays":null`, ``, nil},
	} {
		t.Run(name, func(t *testing.T) {
			rec, invalid, err := mapped(t, "{"+base+`,"relays":`+tc.json+"}")
			require.NoError(t, err)
			assert.Equal(t, tc.invalid, invalid)
			v, ok := rec.Attributes().Get(AttrRelays)
			if tc.want == "" {
				assert.False(t, ok)
				return
			}
			require.True(t, ok)
			got, err := json.Marshal(v.AsRaw())
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(got))
		})
	}
}
