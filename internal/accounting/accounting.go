// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package accounting accounts for what became of each connector line, the
// same way wherever lines are translated (the receiver, the encoding
// extension): a counter per outcome, and for a malformed line a log message
// at the level on_error asks for. A dropped line is never silent.
package accounting // import "github.com/otelcol-twingate/otelcol-twingate/internal/accounting"

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// Accountant counts and logs the outcomes of lines.
type Accountant struct {
	otherLines, malformedLines metric.Int64Counter
	otherSent, otherDrop       metric.MeasurementOption
	malformed                  map[string]metric.MeasurementOption
	onError                    string
	logger                     *zap.Logger
}

// New counts other lines on otherLines (by action) and malformed lines on
// malformedLines (by error.type and action); every count carries component,
// the ID of the component counting, so two instances count apart. The
// attribute sets are built once here, not per line.
func New(component attribute.KeyValue, cfg twingate.Config, logger *zap.Logger, otherLines, malformedLines metric.Int64Counter) *Accountant {
	action := "sent"
	if cfg.DropsMalformed() {
		action = "dropped"
	}
	malformed := map[string]metric.MeasurementOption{}
	for _, t := range twingate.ErrorTypes {
		malformed[t] = metric.WithAttributeSet(attribute.NewSet(
			component, attribute.String(twingate.AttrErrorType, t), attribute.String("action", action)))
	}
	return &Accountant{
		otherLines:     otherLines,
		malformedLines: malformedLines,
		otherSent:      metric.WithAttributeSet(attribute.NewSet(component, attribute.String("action", "sent"))),
		otherDrop:      metric.WithAttributeSet(attribute.NewSet(component, attribute.String("action", "dropped"))),
		malformed:      malformed,
		onError:        cfg.OnError,
		logger:         logger,
	}
}

// Account counts the outcome of one line of lineBytes bytes.
func (a *Accountant) Account(ctx context.Context, res twingate.Result, lineBytes int) {
	switch res.Outcome {
	case twingate.OtherSent:
		a.otherLines.Add(ctx, 1, a.otherSent)
	case twingate.OtherDropped:
		a.otherLines.Add(ctx, 1, a.otherDrop)
	case twingate.Flagged, twingate.MalformedDropped:
		a.malformedLines.Add(ctx, 1, a.malformed[res.ErrorType])
		a.logMalformed(res, lineBytes)
	}
}

// logMalformed says what was wrong with a malformed line, at the level
// on_error asks for: the quiet variants log at debug level only.
func (a *Accountant) logMalformed(res twingate.Result, lineBytes int) {
	fields := []zap.Field{zap.String(twingate.AttrErrorType, res.ErrorType), zap.Int("line_bytes", lineBytes)}
	if res.Err != nil {
		fields = append(fields, zap.Error(res.Err))
	} else {
		fields = append(fields, zap.Strings("invalid_fields", res.InvalidFields))
	}
	switch a.onError {
	case twingate.OnErrorDrop:
		a.logger.Error("Dropped malformed ANALYTICS line", fields...)
	case twingate.OnErrorDropQuiet:
		a.logger.Debug("Dropped malformed ANALYTICS line", fields...)
	case twingate.OnErrorSend:
		a.logger.Warn("Sending malformed ANALYTICS line as a flagged record", fields...)
	default:
		a.logger.Debug("Sending malformed ANALYTICS line as a flagged record", fields...)
	}
}
