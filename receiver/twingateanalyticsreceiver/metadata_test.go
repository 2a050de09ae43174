// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-twingate/otelcol-twingate/internal/metadatatest"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// TestMetadata: internal/metadata, documentation.md and the README's status
// table say what metadata.yaml says (written by hand: mdatagen is not served
// here). `go test -run TestMetadata -update` rewrites documentation.md.
func TestMetadata(t *testing.T) {
	assert.Equal(t, component.StabilityLevelAlpha, metadata.LogsStability)
	assert.Equal(t, "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver", metadata.ScopeName)
	metadatatest.Check(t, metadatatest.Component{
		Type:      metadata.Type,
		Class:     "receiver",
		Stability: map[string][]string{"alpha": {"logs"}},
		NewTelemetryBuilder: func(set component.TelemetrySettings) (any, error) {
			return metadata.NewTelemetryBuilder(set)
		},
	}, *update)
}
