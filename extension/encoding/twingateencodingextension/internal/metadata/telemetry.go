// Written by hand in the shape cmd/mdatagen generates; TestMetadata checks it
// against metadata.yaml.

package metadata // import "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension/internal/metadata"

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

func Meter(settings component.TelemetrySettings) metric.Meter {
	return settings.MeterProvider.Meter(ScopeName)
}

// TelemetryBuilder provides the extension's own instruments.
type TelemetryBuilder struct {
	meter                          metric.Meter
	TwingateEncodingOtherLines     metric.Int64Counter
	TwingateEncodingMalformedLines metric.Int64Counter
}

// NewTelemetryBuilder creates the extension's instruments.
func NewTelemetryBuilder(settings component.TelemetrySettings) (*TelemetryBuilder, error) {
	builder := TelemetryBuilder{meter: Meter(settings)}
	var err, errs error
	builder.TwingateEncodingOtherLines, err = builder.meter.Int64Counter(
		"otelcol_twingate_encoding_other_lines",
		metric.WithDescription("Connector lines that are not ANALYTICS lines, by action (dropped or sent). [Alpha]"),
		metric.WithUnit("{line}"),
	)
	errs = errors.Join(errs, err)
	builder.TwingateEncodingMalformedLines, err = builder.meter.Int64Counter(
		"otelcol_twingate_encoding_malformed_lines",
		metric.WithDescription("ANALYTICS lines that could not be fully mapped, by error.type and action (sent or dropped). [Alpha]"),
		metric.WithUnit("{line}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
