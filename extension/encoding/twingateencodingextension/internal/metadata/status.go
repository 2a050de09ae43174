// Written by hand in the shape cmd/mdatagen generates (mdatagen is not available
// in this build environment); metadata.yaml is the source of truth.

// Package metadata contains the telemetry and build information for the
// twingate_encoding extension.
package metadata // import "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension/internal/metadata"

import (
	"go.opentelemetry.io/collector/component"
)

var (
	Type      = component.MustNewType("twingate_encoding")
	ScopeName = "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension"
)

const (
	ExtensionStability = component.StabilityLevelAlpha
)
