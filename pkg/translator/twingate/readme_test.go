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

// readmeSection returns the part of README from heading (included) to the
// next heading of the same or a higher level.
func readmeSection(t *testing.T, readme, heading string) string {
	t.Helper()
	start := strings.Index(readme, heading+"\n")
	require.GreaterOrEqual(t, start, 0, "README has the section %q", heading)
	level := heading[:strings.IndexByte(heading, ' ')+1] // "## " or "### "
	section := readme[start+len(heading):]
	for i := range len(section) {
		if i == 0 || section[i-1] == '\n' {
			if rest := section[i:]; strings.HasPrefix(rest, "#") {
				hashes := rest[:strings.IndexByte(rest, ' ')+1]
				if len(hashes) <= len(level) {
					return heading + section[:i]
				}
			}
		}
	}
	return heading + section
}

// TestReadmeExportTables: the S3 sync tables of README say what the code
// does. Each plain field of a type is a row "attribute | path" in that type's
// table, every attribute the mapping names has a row, and every event name
// the code gives is there.
func TestReadmeExportTables(t *testing.T) {
	content, err := os.ReadFile("README.md")
	require.NoError(t, err)
	readme := string(content)
	export := readmeSection(t, readme, "## S3 sync events")
	for _, attr := range []string{AttrServiceName, AttrSource, AttrExportEventType, AttrErrorType} {
		assert.Contains(t, export, "| `"+attr+"` |", "README row of %s", attr)
	}
	assert.Contains(t, export, "`"+ServiceNameTwingate+"`")
	assert.Contains(t, export, "`"+SourceS3Sync+"`")

	tables := map[exportKind]string{
		kindNetwork: readmeSection(t, readme, "### `network_access` (and `network`)"),
		kindDNS:     readmeSection(t, readme, "### `dns_filtering`"),
		kindAudit:   readmeSection(t, readme, "### `audit_log`"),
	}
	for name, kind := range exportKinds {
		if kind != kindOther {
			assert.Contains(t, tables[kind], "`"+name+"`", "README names event_type %s in its table", name)
		}
	}
	for kind, table := range tables {
		fields := map[xfield]bool{}
		for _, f := range exportSchemas[kind].fields {
			fields[f] = true
		}
		for _, p := range exportPlainFields {
			if fields[p.field] {
				assert.Contains(t, table, "| `"+p.attr+"` | `"+p.field.path()+"`", "README row of %s", p.field.path())
			}
		}
		for _, path := range exportSchemas[kind].flatten {
			assert.Contains(t, table, "`twingate."+path+".", "README says %s is flattened", path)
		}
	}
	for _, attr := range []string{
		AttrEventType, AttrClientAddress, AttrClientPort, AttrNetworkTransport,
		AttrServerAddress, AttrRelays, AttrGeoLat, AttrGeoLon, AttrLocation,
	} {
		assert.Contains(t, tables[kindNetwork], "| `"+attr+"` |", "README row of %s", attr)
	}
	for status, name := range eventNames {
		assert.Contains(t, tables[kindNetwork], "`"+status+"` → `"+name+"`")
	}
	assert.Contains(t, tables[kindDNS], "| `"+AttrStatus+"` | `status`")
	assert.Contains(t, tables[kindDNS], "| `"+AttrClientAddress+"` | `connection.client_ip`")
	assert.Contains(t, tables[kindDNS], "`"+dnsEventPrefix+"<status>`")
	assert.Contains(t, tables[kindAudit], "| `"+AttrAction+"` | `action`")
	assert.Contains(t, tables[kindAudit], "`"+auditEventPrefix+"<action>`")
}
