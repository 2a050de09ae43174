// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateencodingextension // import "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"

	"github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension/internal/metadata"
)

// NewFactory creates a factory for the twingate_encoding extension.
func NewFactory() extension.Factory {
	return extension.NewFactory(
		metadata.Type,
		createDefaultConfig,
		createExtension,
		metadata.ExtensionStability,
	)
}

func createExtension(_ context.Context, set extension.Settings, cfg component.Config) (extension.Extension, error) {
	return newExtension(set, cfg.(*Config))
}
