// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package jsonscan

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// walk reads s as one JSON value into what encoding/json would decode it to
// (numbers as their literal), so the scanner can be compared with it.
func walk(sc *Scanner) any {
	switch sc.Peek() {
	case '{':
		m := map[string]any{}
		for k, ok := sc.FirstKey(); ok; k, ok = sc.NextKey() {
			m[k] = walk(sc)
		}
		return m
	case '[':
		s := []any{}
		for ok := sc.FirstElem(); ok; ok = sc.NextElem() {
			s = append(s, walk(sc))
		}
		return s
	case '"':
		return sc.Str()
	case 't':
		sc.Literal("true")
		return true
	case 'f':
		sc.Literal("false")
		return false
	case 'n':
		sc.Literal("null")
		return nil
	default:
		return json.Number(sc.Number())
	}
}

func TestScannerAgreesWithEncodingJSON(t *testing.T) {
	for _, text := range []string{
		`{"a":"x","b":[1,-2.5e3,true,false,null],"c":{"d":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/"}}`,
		` { "spaces" : [ ] , "empty" : { } } `,
		`"top-level string"`,
		`[{"k":0},{"k":1}]`,
	} {
		sc := New(text)
		got := walk(&sc)
		sc.End()
		require.NoError(t, sc.Err(), text)
		var want any
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&want))
		assert.Equal(t, want, got, text)
	}
}

func TestScannerRejects(t *testing.T) {
	for _, text := range []string{
		`{"a":1,}`, `{"a" 1}`, `{a:1}`, `[1,2`, `"unterminated`, `01`, `1.`, `-`, `nul`,
		"\"raw\ncontrol\"", `"\x"`, `{"a":1}{}`, strings.Repeat("[", MaxNesting+1) + strings.Repeat("]", MaxNesting+1),
	} {
		sc := New(text)
		sc.Skip()
		sc.End()
		assert.Error(t, sc.Err(), "%q", text)
	}
}

// TestScannerSpanAndScalar reads an object value once as a Span (Pos
// brackets it) and once as a Scalar (KindOther, skipped): either way the
// scanner goes on with the next key.
func TestScannerSpanAndScalar(t *testing.T) {
	const text = `{"a":{"b":[1,2]},"c":"d"}`
	for name, read := range map[string]func(t *testing.T, sc *Scanner){
		"span": func(t *testing.T, sc *Scanner) {
			start := sc.Pos()
			assert.Equal(t, `{"b":[1,2]}`, sc.Span())
			assert.JSONEq(t, `{"b":[1,2]}`, text[start:sc.Pos()], "Pos brackets what was read")
		},
		"scalar": func(t *testing.T, sc *Scanner) {
			assert.Equal(t, Value{Kind: KindOther}, sc.Scalar(), "an object is no scalar")
		},
	} {
		t.Run(name, func(t *testing.T) {
			sc := New(text)
			k, ok := sc.FirstKey()
			require.True(t, ok)
			assert.Equal(t, "a", k)
			read(t, &sc)
			k, ok = sc.NextKey()
			require.True(t, ok)
			assert.Equal(t, "c", k)
			assert.Equal(t, Value{Kind: KindString, Text: "d"}, sc.Scalar())
			_, ok = sc.NextKey()
			assert.False(t, ok)
			sc.End()
			assert.NoError(t, sc.Err())
		})
	}
}

// TestScannerStringsAtEveryOffset puts escapes, raw control bytes and bad
// escapes at each offset of strings longer and shorter than the eight bytes
// stringStop tests at once: Str and Skip must agree with encoding/json.
func TestScannerStringsAtEveryOffset(t *testing.T) {
	for _, mid := range []string{`\"`, `\\`, `\/`, `\n`, `\u00e9`, `\ud83d\ude00`, `\ud83d`, "é", "\x01", "\x1f", `\x`, `\u12`, `\`} {
		for before := range 18 {
			for _, after := range []int{0, 3, 9} {
				text := `"` + strings.Repeat("a", before) + mid + strings.Repeat("b", after) + `"`
				var want string
				wantErr := json.Unmarshal([]byte(text), &want)

				sc := New(text)
				got := sc.Str()
				sc.End()
				skip := New(text)
				skip.Skip()
				skip.End()
				if wantErr != nil {
					assert.Error(t, sc.Err(), "Str %q", text)
					assert.Error(t, skip.Err(), "Skip %q", text)
					continue
				}
				assert.NoError(t, sc.Err(), "Str %q", text)
				assert.NoError(t, skip.Err(), "Skip %q", text)
				assert.Equal(t, want, got, "%q", text)
			}
		}
	}
}
