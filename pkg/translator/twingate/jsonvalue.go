// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan"
)

// putJSON stores the JSON value at the scanner's cursor with its JSON type:
// objects become maps, arrays slices, integers ints. Values a pdata type
// cannot hold exactly (integers beyond int64, 1e400) and subtrees deeper than
// maxValueDepth are kept as their JSON text. The text was checked already.
func putJSON(dst pcommon.Value, sc *jsonscan.Scanner, depth int) {
	switch sc.Peek() {
	case '{':
		if depth > maxValueDepth {
			dst.SetStr(sc.Span())
			return
		}
		m := dst.SetEmptyMap()
		// The objects connectors add (location, client_geo) have two to
		// four keys: one allocation instead of growing 1, 2, 4.
		m.EnsureCapacity(4)
		for k, ok := sc.FirstKey(); ok; k, ok = sc.NextKey() {
			putMember(m, k, sc, depth+1)
		}
	case '[':
		if depth > maxValueDepth {
			dst.SetStr(sc.Span())
			return
		}
		s := dst.SetEmptySlice()
		for ok := sc.FirstElem(); ok; ok = sc.NextElem() {
			putJSON(s.AppendEmpty(), sc, depth+1)
		}
	case '"':
		dst.SetStr(sc.Str())
	case 't':
		sc.Literal("true")
		dst.SetBool(true)
	case 'f':
		sc.Literal("false")
		dst.SetBool(false)
	case 'n':
		sc.Literal("null") // leaves dst empty: the JSON null of a nested value
	default:
		putNumber(dst, sc.Number())
	}
}

// putMember stores the JSON value at the scanner's cursor under key k of m,
// as putJSON does. Most values are strings: one pdata call, not two.
func putMember(m pcommon.Map, k string, sc *jsonscan.Scanner, depth int) {
	if sc.Peek() == '"' {
		m.PutStr(k, sc.Str())
		return
	}
	putJSON(m.PutEmpty(k), sc, depth)
}

func putNumber(dst pcommon.Value, lit string) {
	if i, ok := parseInt(lit); ok {
		dst.SetInt(i)
	} else if f, err := strconv.ParseFloat(lit, 64); err == nil && !strings.ContainsAny(lit, ".eE") {
		dst.SetStr(lit) // an integer too large for int64: keep every digit
	} else if err == nil {
		dst.SetDouble(f)
	} else {
		dst.SetStr(lit)
	}
}
