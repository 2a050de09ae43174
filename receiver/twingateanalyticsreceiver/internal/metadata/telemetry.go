// Written by hand in the shape cmd/mdatagen generates; TestMetadata checks it
// against metadata.yaml.

package metadata // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"

import (
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/metric"
)

func Meter(settings component.TelemetrySettings) metric.Meter {
	return settings.MeterProvider.Meter(ScopeName)
}

// TelemetryBuilder provides the receiver's own instruments.
type TelemetryBuilder struct {
	meter                                      metric.Meter
	ReceiverTwingateanalyticsOtherLines        metric.Int64Counter
	ReceiverTwingateanalyticsMalformedLines    metric.Int64Counter
	ReceiverTwingateanalyticsDroppedLogRecords metric.Int64Counter
	ReceiverTwingateanalyticsS3Errors          metric.Int64Counter
}

// NewTelemetryBuilder creates the receiver's instruments.
func NewTelemetryBuilder(settings component.TelemetrySettings) (*TelemetryBuilder, error) {
	builder := TelemetryBuilder{meter: Meter(settings)}
	var err, errs error
	builder.ReceiverTwingateanalyticsOtherLines, err = builder.meter.Int64Counter(
		"otelcol_receiver_twingateanalytics_other_lines",
		metric.WithDescription("Connector lines that are not ANALYTICS lines, by action (dropped or sent). [Alpha]"),
		metric.WithUnit("{line}"),
	)
	errs = errors.Join(errs, err)
	builder.ReceiverTwingateanalyticsMalformedLines, err = builder.meter.Int64Counter(
		"otelcol_receiver_twingateanalytics_malformed_lines",
		metric.WithDescription("ANALYTICS lines that could not be fully mapped, by error.type and action (sent or dropped). [Alpha]"),
		metric.WithUnit("{line}"),
	)
	errs = errors.Join(errs, err)
	builder.ReceiverTwingateanalyticsDroppedLogRecords, err = builder.meter.Int64Counter(
		"otelcol_receiver_twingateanalytics_dropped_log_records",
		metric.WithDescription("Log records the next consumer refused and the receiver dropped, by reason (permanent_error, retry_disabled, max_elapsed_time or shutdown). [Alpha]"),
		metric.WithUnit("{record}"),
	)
	errs = errors.Join(errs, err)
	builder.ReceiverTwingateanalyticsS3Errors, err = builder.meter.Int64Counter(
		"otelcol_receiver_twingateanalytics_s3_errors",
		metric.WithDescription("Failed S3 requests of the s3 input, by operation (list_objects, get_object or read_object); each is retried, and an object deleted after it was listed is counted here too. [Alpha]"),
		metric.WithUnit("{error}"),
	)
	errs = errors.Join(errs, err)
	return &builder, errs
}
