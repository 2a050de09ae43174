// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan"
)

// errInvalidField marks a value of the wrong type or out of range.
var errInvalidField = errors.New("invalid field")

// asInt accepts a JSON integer, an integral JSON number ("3.0e2") or a string
// holding one ("443"): connectors and relays in the wild disagree on types.
func asInt(v jsonscan.Value) (int64, error) {
	s := v.Text
	switch v.Kind {
	case jsonscan.KindNumber:
	case jsonscan.KindString:
		s = strings.TrimSpace(s)
	default:
		return 0, errInvalidField
	}
	if i, ok := parseInt(s); ok {
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
func asString(v jsonscan.Value) (string, error) {
	switch v.Kind {
	case jsonscan.KindString, jsonscan.KindNumber:
		return v.Text, nil
	default:
		return "", errInvalidField
	}
}

// parseInt is strconv.ParseInt(s, 10, 64) with a fast path for what lines
// are full of: short decimal integers (ports, byte counts, epoch
// milliseconds). strconv's generality costs ~240 instructions a call.
func parseInt(s string) (int64, bool) {
	if i, ok := shortDecimal(s); ok {
		return i, true
	}
	i, err := strconv.ParseInt(s, 10, 64)
	return i, err == nil
}

// shortDecimal reads an optional '-' and 1 to 17 digits, which cannot
// overflow an int64; anything else is left to strconv.
func shortDecimal(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 17 {
		return 0, false
	}
	var i int64
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int64(c-'0')
	}
	if neg {
		i = -i
	}
	return i, true
}
