// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateencodingextension // import "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension"

import (
	"fmt"

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

	// Format is what a payload holds: FormatAuto decides per payload,
	// FormatLines and FormatS3Export say it.
	Format string `mapstructure:"format"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

// What a payload holds.
const (
	// FormatAuto: an S3 sync export object when the payload starts with
	// '[', or with a JSON object that has an "event" key; connector
	// lines (or one bare event) otherwise.
	FormatAuto = "auto"
	// FormatLines: connector output, as before the export was known.
	FormatLines = "lines"
	// FormatS3Export: an object of Twingate's S3 sync export, whatever
	// its framing.
	FormatS3Export = "s3_export"
)

// Validate checks format; Mapping validates itself.
func (c *Config) Validate() error {
	switch c.Format {
	case FormatAuto, FormatLines, FormatS3Export:
		return nil
	}
	return fmt.Errorf("'format' must be %q, %q or %q, got %q", FormatAuto, FormatLines, FormatS3Export, c.Format)
}

func createDefaultConfig() component.Config {
	return &Config{Mapping: twingate.NewDefaultConfig(), Format: FormatAuto}
}
