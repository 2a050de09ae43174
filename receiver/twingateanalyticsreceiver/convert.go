// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// converter hands each line to the translator, the only path from a line to
// a record, and accounts for what became of it: the receiver's counters and,
// for malformed lines, a log message at the level on_error asks for. Files
// and journald share it.
type converter struct {
	translator *twingate.Translator
	onError    string
	logger     *zap.Logger
	telemetry  *metadata.TelemetryBuilder
	otherSent  metric.MeasurementOption
	otherDrop  metric.MeasurementOption
	malformed  map[string]metric.MeasurementOption
}

// newConverter labels its counters with the receiver's ID, as the standard
// receiver metrics are, so two instances of the receiver count apart.
func newConverter(id component.ID, cfg *Config, logger *zap.Logger, tb *metadata.TelemetryBuilder) *converter {
	receiver := receiverAttribute(id)
	action := "sent"
	if cfg.DropsMalformed() {
		action = "dropped"
	}
	malformed := map[string]metric.MeasurementOption{}
	for _, t := range twingate.ErrorTypes {
		malformed[t] = metric.WithAttributeSet(attribute.NewSet(
			receiver, attribute.String(twingate.AttrErrorType, t), attribute.String("action", action)))
	}
	return &converter{
		translator: twingate.NewTranslator(cfg.Config),
		onError:    cfg.OnError,
		logger:     logger,
		telemetry:  tb,
		otherSent:  metric.WithAttributeSet(attribute.NewSet(receiver, attribute.String("action", "sent"))),
		otherDrop:  metric.WithAttributeSet(attribute.NewSet(receiver, attribute.String("action", "dropped"))),
		malformed:  malformed,
	}
}

func receiverAttribute(id component.ID) attribute.KeyValue {
	return attribute.String("receiver", id.String())
}

// appendLine converts one line into at most one record in b.
func (c *converter) appendLine(ctx context.Context, b *twingate.Batch, line []byte, src *twingate.Source, observed pcommon.Timestamp) {
	res := c.translator.AppendLine(b, line, src, observed)
	switch res.Outcome {
	case twingate.OtherSent:
		c.telemetry.ReceiverTwingateanalyticsOtherLines.Add(ctx, 1, c.otherSent)
	case twingate.OtherDropped:
		c.telemetry.ReceiverTwingateanalyticsOtherLines.Add(ctx, 1, c.otherDrop)
	case twingate.Flagged, twingate.MalformedDropped:
		c.telemetry.ReceiverTwingateanalyticsMalformedLines.Add(ctx, 1, c.malformed[res.ErrorType])
		c.logMalformed(res, len(line))
	}
}

// logMalformed says what was wrong with a malformed line, at the level
// on_error asks for: the quiet variants log at debug level only.
func (c *converter) logMalformed(res twingate.Result, lineBytes int) {
	fields := []zap.Field{zap.String(twingate.AttrErrorType, res.ErrorType), zap.Int("line_bytes", lineBytes)}
	if res.Err != nil {
		fields = append(fields, zap.Error(res.Err))
	} else {
		fields = append(fields, zap.Strings("invalid_fields", res.InvalidFields))
	}
	switch c.onError {
	case twingate.OnErrorDrop:
		c.logger.Error("Dropped malformed ANALYTICS line", fields...)
	case twingate.OnErrorDropQuiet:
		c.logger.Debug("Dropped malformed ANALYTICS line", fields...)
	case twingate.OnErrorSend:
		c.logger.Warn("Sending malformed ANALYTICS line as a flagged record", fields...)
	default:
		c.logger.Debug("Sending malformed ANALYTICS line as a flagged record", fields...)
	}
}
