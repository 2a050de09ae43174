// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
)

const analyticsPrefix = "ANALYTICS"

// Values of the error.type attribute on flagged records.
const (
	errorTypeInvalidJSON  = "invalid_json"
	errorTypeInvalidField = "invalid_field"
)

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

// decodeObject decodes payload, which must be exactly one JSON object.
// Numbers stay json.Number so integers never pass through float64.
func decodeObject(payload []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON object")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("payload is not a JSON object")
	}
	return obj, nil
}

// errInvalidField marks a value of the wrong type or out of range.
var errInvalidField = errors.New("invalid field")

// asInt accepts a JSON integer, an integral JSON number ("3.0e2") or a string
// holding one ("443"): connectors and relays in the wild disagree on types.
func asInt(v any) (int64, error) {
	var s string
	switch t := v.(type) {
	case json.Number:
		s = string(t)
	case string:
		s = strings.TrimSpace(t)
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
func asString(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case json.Number:
		return string(t), nil
	default:
		return "", errInvalidField
	}
}
