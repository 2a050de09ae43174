// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"context"
	"testing"

	"github.com/otelcol-twingate/otelcol-twingate/internal/metadatatest"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
)

// TestMetadata: internal/metadata, documentation.md and the README's status
// table say what metadata.yaml says (written by hand: mdatagen is not served
// here). `go test -run TestMetadata -update` rewrites documentation.md.
func TestMetadata(t *testing.T) {
	md := metadatatest.Read(t)
	assert.Equal(t, md.Type, metadata.Type.String())
	assert.Equal(t, "receiver", md.Status.Class)
	assert.Equal(t, map[string][]string{"alpha": {"logs"}}, md.Status.Stability)
	assert.Equal(t, component.StabilityLevelAlpha, metadata.LogsStability)
	assert.Equal(t, "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver", metadata.ScopeName)

	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	metadatatest.CheckTelemetry(t, md, tb, tel)
	metadatatest.CheckDocumentation(t, md, *update)
	metadatatest.CheckReadmeStatus(t, md)
}
