// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

func TestParseEntries(t *testing.T) {
	ts := func(s string) pcommon.Timestamp {
		tm, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return pcommon.NewTimestampFromTime(tm)
	}
	for _, tc := range []struct {
		token   string
		format  string
		line    Line
		partial bool
	}{
		{
			`2025-11-20T10:00:00.124530911Z stderr F ANALYTICS {"a":1}`, FormatCRI,
			Line{Text: []byte(`ANALYTICS {"a":1}`), Stream: "stderr", Time: ts("2025-11-20T10:00:00.124530911Z")},
			false,
		},
		{
			`2025-11-20T11:00:00+01:00 stdout P part one `, FormatCRI,
			Line{Text: []byte(`part one `), Stream: "stdout", Time: ts("2025-11-20T10:00:00Z")},
			true,
		},
		{
			`2025-11-20T10:00:00Z stdout F`, FormatCRI,
			Line{Text: []byte{}, Stream: "stdout", Time: ts("2025-11-20T10:00:00Z")},
			false,
		},
		{
			`2025-11-20T10:00:00Z stdout P:x more`, FormatCRI,
			Line{Text: []byte(`more`), Stream: "stdout", Time: ts("2025-11-20T10:00:00Z")},
			true,
		},
		{
			`{"log":"ANALYTICS {\"a\":\"\u003c1\u003e\"}\n","stream":"stderr","time":"2025-11-20T10:00:00.5Z"}`, FormatDocker,
			Line{Text: []byte(`ANALYTICS {"a":"<1>"}`), Stream: "stderr", Time: ts("2025-11-20T10:00:00.5Z")},
			false,
		},
		{
			`{"log":"first half","stream":"stdout","time":"2025-11-20T10:00:00Z"}`, FormatDocker,
			Line{Text: []byte(`first half`), Stream: "stdout", Time: ts("2025-11-20T10:00:00Z")},
			true,
		},
		{
			`{"log":"no time\n","stream":"stdout"}`, FormatDocker,
			Line{Text: []byte(`no time`), Stream: "stdout"},
			false,
		},
		// Layouts other than dockerd's own go through encoding/json.
		{
			`{"stream":"stdout","log":"key order\n","time":"2025-11-20T10:00:00Z"}`, FormatDocker,
			Line{Text: []byte(`key order`), Stream: "stdout", Time: ts("2025-11-20T10:00:00Z")},
			false,
		},
		{
			`{"log":"labels\u00e9\n","stream":"stderr","attrs":{"tag":"connector"},"time":"2025-11-20T10:00:00Z"}`, FormatDocker,
			Line{Text: []byte(`labelsé`), Stream: "stderr", Time: ts("2025-11-20T10:00:00Z")},
			false,
		},
		// Neither format: raw connector lines.
		{`ANALYTICS {"a":1}`, FormatRaw, Line{}, false},
		{`State: Online`, FormatRaw, Line{}, false},
		{`{"msg":"a JSON line without log"}`, FormatRaw, Line{}, false},
		{`2025-11-20T10:00:00Z stdin F x`, FormatRaw, Line{}, false},
		{`2025-13-20T10:00:00Z stdout F x`, FormatRaw, Line{}, false},
		{`2025-11-20T10:00:00Z stdout`, FormatRaw, Line{}, false},
	} {
		t.Run(tc.token, func(t *testing.T) {
			require.Equal(t, tc.format, detectFormat([]byte(tc.token)))
			var line Line
			var partial, ok bool
			switch tc.format {
			case FormatCRI:
				line, partial, ok = parseCRI([]byte(tc.token))
			case FormatDocker:
				line, partial, ok = parseDocker([]byte(tc.token))
			default:
				return
			}
			require.True(t, ok)
			assert.Equal(t, string(tc.line.Text), string(line.Text))
			assert.Equal(t, tc.line.Stream, line.Stream)
			assert.Equal(t, tc.line.Time, line.Time)
			assert.Equal(t, tc.partial, partial)
		})
	}
}

// FuzzParseDocker: what parseDocker accepts, it decodes as encoding/json
// does (after the converter's UTF-8 repair, which encoding/json does itself).
func FuzzParseDocker(f *testing.F) {
	for _, seed := range []string{
		`{"log":"ANALYTICS {\"a\":\"\u003c1\u003e \u0026\"}\n","stream":"stderr","time":"2025-11-20T10:00:00.5Z"}`,
		`{"log":"tab\there \\ \/ \b\f\r quote\" done\n","stream":"stdout","time":"2025-11-20T10:00:00Z"}`,
		`{"log":"emoji \ud83d\ude00 lone \ud83d end \ude00 \u00e9 é","stream":"stdout","time":"t"}`,
		"{\"log\":\"invalid \xff\xfe utf-8\",\"stream\":\"stdout\",\"time\":\"t\"}",
		"{\"log\":\"raw\ncontrol\",\"stream\":\"stdout\",\"time\":\"t\"}",
		`{"log":"bad escape \x","stream":"stdout","time":"t"}`,
		`{"log":"short \u12","stream":"stdout","time":"t"}`,
		`{"log":"unterminated`,
		`{"log":"x","stream":"std\"out","time":"t"}`,
		`{"log":"x","stream":"stdout","time":"t"} `,
		`{"stream":"stdout","log":"other order\n","time":"2025-11-20T10:00:00Z"}`,
		`{"log":"with attrs\n","stream":"stdout","attrs":{"tag":"connector"},"time":"2025-11-20T10:00:00Z"}`,
		`{"log":"a","LOG":"b","log":"c","stream":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, token []byte) {
		line, partial, ok := parseDocker(token)
		if !ok {
			return
		}
		// A map, not a struct: encoding/json matches struct fields ignoring case.
		var fields map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(token, &fields), "accepted what encoding/json rejects: %q", token)
		str := func(key string) string {
			var v string
			if raw, ok := fields[key]; ok {
				require.NoError(t, json.Unmarshal(raw, &v), "accepted a %s that is not a string: %q", key, token)
			}
			return v
		}
		require.Contains(t, fields, "log")
		text, complete := strings.CutSuffix(str("log"), "\n")
		assert.Equal(t, text, twingate.ValidUTF8(line.Text))
		assert.Equal(t, !complete, partial)
		assert.Equal(t, str("stream"), twingate.ValidUTF8([]byte(line.Stream)))
		assert.Equal(t, parseTime(str("time")), line.Time)
	})
}
