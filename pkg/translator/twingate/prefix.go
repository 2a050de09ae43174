// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import "bytes"

const analyticsPrefix = "ANALYTICS"

// CutAnalytics reports whether line is an ANALYTICS line and returns the text
// after the prefix and its separating whitespace. The doc shows one space, real
// connectors print one space, hand-edited or relayed lines may carry tabs, several
// spaces or none; "ANALYTICSfoo" is a different word and not an ANALYTICS line.
// Surrounding whitespace, including a CRLF ending, is not part of the payload.
func CutAnalytics(line []byte) (payload []byte, ok bool) {
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
