// Written by hand in the shape cmd/mdatagen generates (mdatagen is not served
// here); metadata.yaml is the source of truth and TestMetadata checks this file
// against it.

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
