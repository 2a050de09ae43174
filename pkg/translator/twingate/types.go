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
func asString(v jsonscan.Value) (string, error) {
	switch v.Kind {
	case jsonscan.KindString, jsonscan.KindNumber:
		return v.Text, nil
	default:
		return "", errInvalidField
	}
}
