// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateencodingextension

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension/internal/metadata"
	"github.com/otelcol-twingate/otelcol-twingate/internal/metadatatest"
)

var update = flag.Bool("update", false, "rewrite documentation.md from metadata.yaml")

// TestMetadata: internal/metadata, documentation.md and the README's status
// table say what metadata.yaml says (written by hand: mdatagen is not served
// here). `go test -run TestMetadata -update` rewrites documentation.md.
func TestMetadata(t *testing.T) {
	assert.Equal(t, component.StabilityLevelAlpha, metadata.ExtensionStability)
	assert.Equal(t, "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension", metadata.ScopeName)
	metadatatest.Check(t, metadatatest.Component{
		Type:      metadata.Type,
		Class:     "extension",
		Stability: map[string][]string{"alpha": {"extension"}},
		NewTelemetryBuilder: func(set component.TelemetrySettings) (any, error) {
			return metadata.NewTelemetryBuilder(set)
		},
	}, *update)
}
