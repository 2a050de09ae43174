// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeTelemetry: the README's telemetry table names every metric the
// relay records, with exactly the outcomes the code records for it.
func TestReadmeTelemetry(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	want := map[string][]string{
		metricRecords:  {outcomeRelayed, outcomeRejected, outcomeHandedOver, outcomeDropped},
		metricMessages: {outcomeRelayed, outcomeHandedOver, outcomeMalformed, outcomeEmpty},
		metricRequests: {outcomeOK, outcomeRetried, outcomeRefused},
	}
	rows := regexp.MustCompile("(?m)^\\| `(otelcol_[a-z_]+)_total` \\| `outcome`: ([a-z_, ]+) \\|").FindAllSubmatch(readme, -1)
	got := map[string][]string{}
	for _, row := range rows {
		got[string(row[1])] = strings.Split(string(row[2]), ", ")
	}
	assert.Equal(t, want, got)
}
