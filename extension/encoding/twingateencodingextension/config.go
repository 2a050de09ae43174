// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateencodingextension // import "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension"

import (
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// Config of the twingate_encoding extension: how lines become records, with
// the keys and defaults of the twingateanalytics receiver (other_lines,
// on_error, body), since both map lines through the same translator.
// Validation is twingate.Config's own, which names the key at fault; the
// collector calls it on the field (a named field rather than an embedded
// one, whose promoted Validate the collector would call a second time).
type Config struct {
	Mapping twingate.Config `mapstructure:",squash"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

func createDefaultConfig() component.Config {
	return &Config{Mapping: twingate.NewDefaultConfig()}
}
