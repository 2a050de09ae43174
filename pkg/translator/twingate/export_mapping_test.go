// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParseExportTime: the times the export writes, the variants accepted
// and what is refused, against time.Parse where it applies.
func TestParseExportTime(t *testing.T) {
	for in, want := range map[string]string{
		"2025-07-25T18:19:41.236597+00:00":  "2025-07-25T18:19:41.236597Z",
		"2021-08-15T14:30Z":                 "2021-08-15T14:30:00Z",
		"2024-02-29T00:00:00Z":              "2024-02-29T00:00:00Z",
		"2000-02-29T00:00:00Z":              "2000-02-29T00:00:00Z",
		"2025-12-31T23:59:59.999999999Z":    "2025-12-31T23:59:59.999999999Z",
		"2025-07-25T20:19:41+02:00":         "2025-07-25T18:19:41Z",
		"2025-07-25T13:19:41-0500":          "2025-07-25T18:19:41Z",
		"2025-07-25T18:19:41":               "2025-07-25T18:19:41Z",
		"2025-07-25 18:19:41,5Z":            "2025-07-25T18:19:41.5Z",
		"2025-02-29T00:00:00Z":              "",
		"1900-02-29T00:00:00Z":              "",
		"2025-04-31T00:00:00Z":              "",
		"2025-07-25T18:19:4Z":               "",
		"2025-07-25T18:19:41+2:00":          "",
		"2025-07-25T18:19:41+24:00":         "",
		"2025-07-25":                        "",
		"":                                  "",
		"2025-07-25T18:19:41.236597+00:00 ": "",
	} {
		ns, ok := parseExportTime(in)
		if want == "" {
			assert.False(t, ok, "%q", in)
			continue
		}
		wantTime, err := time.Parse(time.RFC3339Nano, want)
		require.NoError(t, err)
		if assert.True(t, ok, "%q", in) {
			assert.Equal(t, wantTime.UnixNano(), ns, "%q", in)
		}
	}
}
