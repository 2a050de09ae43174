// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeMappingTable: the mapping table of this package's README says
// what the code does. Each plain field is a row "attribute | path" as plainFields has it,
// and every attribute the mapping writes has a row.
func TestReadmeMappingTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	const section = "## Connector lines (ANALYTICS)\n"
	start := strings.Index(string(readme), section)
	require.GreaterOrEqual(t, start, 0, "README has the section %q", section)
	mapping := string(readme)[start:]
	if end := strings.Index(mapping[1:], "\n## "); end >= 0 {
		mapping = mapping[:end+1]
	}

	for _, p := range plainFields {
		row := "| `" + p.attr + "` | `" + p.field.path() + "`"
		assert.Contains(t, mapping, row, "README row of %s", p.field.path())
	}
	for _, attr := range []string{
		AttrServiceName, AttrConnectorID, AttrConnectorName, AttrRemoteNetworkID, AttrRemoteNetworkName,
		AttrEventType, AttrClientAddress, AttrClientPort, AttrServerAddress, AttrNetworkTransport,
		AttrRelays, AttrLocation, AttrErrorType,
	} {
		assert.Contains(t, mapping, "| `"+attr+"` |", "README row of %s", attr)
	}
	for eventType, name := range eventNames {
		assert.Contains(t, mapping, "`"+eventType+"` → `"+name+"`")
	}
}
