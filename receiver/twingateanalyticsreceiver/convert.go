// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// source is what an input knows about the lines it hands over.
type source struct {
	// resource holds attributes of the origin (host.name from journald), in
	// the order they are added to the resource; set it with setResource.
	resource []keyValue
	// origin identifies resource in a resourceKey. setResource derives it
	// once per resource rather than once per line.
	origin string
	// attributes are record attributes of the input (log.file.* from files).
	attributes map[string]any
	// timestamp is when the input says the line was written (journald, a
	// container runtime); zero when it does not know. ANALYTICS lines carry
	// their own time.
	timestamp pcommon.Timestamp
	// truncated is set when the input kept only the first max_log_size bytes
	// of the line.
	truncated bool
}

type keyValue struct{ key, value string }

func (s *source) setResource(resource []keyValue) {
	s.resource, s.origin = resource, originOf(resource)
}

func originOf(resource []keyValue) string {
	if len(resource) == 0 {
		return ""
	}
	var b strings.Builder
	for _, kv := range resource {
		b.WriteString(kv.key)
		b.WriteByte(0)
		b.WriteString(kv.value)
		b.WriteByte(0)
	}
	return b.String()
}

// batch collects the records of one read into one plog.Logs, with one
// ResourceLogs per connector and origin.
type batch struct {
	logs      plog.Logs
	scopeName string
	resources map[resourceKey]plog.LogRecordSlice
	// scratch is where a record is built before it is known to be kept and
	// which resource it belongs to; MoveTo then hands it over without a copy.
	scratch plog.LogRecord
	// ev and keys are reused from line to line.
	ev   event
	keys keyCache
	// last is the resource of the previous record: lines of one file almost
	// always come from one connector, and comparing beats hashing.
	last     resourceKey
	lastRecs plog.LogRecordSlice
	hasLast  bool
}

func newBatch(scopeName string) *batch {
	return &batch{
		logs:      plog.NewLogs(),
		scopeName: scopeName,
		resources: map[resourceKey]plog.LogRecordSlice{},
		scratch:   plog.NewLogRecord(),
		keys:      keyCache{},
	}
}

func (b *batch) records(key resourceKey, src *source) plog.LogRecordSlice {
	if b.hasLast && key == b.last {
		return b.lastRecs
	}
	recs, ok := b.resources[key]
	if !ok {
		recs = b.newResource(key, src)
		b.resources[key] = recs
	}
	b.last, b.lastRecs, b.hasLast = key, recs, true
	return recs
}

func (b *batch) newResource(key resourceKey, src *source) plog.LogRecordSlice {
	rl := b.logs.ResourceLogs().AppendEmpty()
	attrs := rl.Resource().Attributes()
	attrs.PutStr(attrServiceName, serviceName)
	for _, kv := range []keyValue{
		{attrConnectorID, key.connectorID},
		{attrConnectorName, key.connectorName},
		{attrRemoteNetworkID, key.networkID},
		{attrRemoteNetworkName, key.networkName},
	} {
		if kv.value != "" {
			attrs.PutStr(kv.key, kv.value)
		}
	}
	for _, kv := range src.resource {
		attrs.PutStr(kv.key, kv.value)
	}
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName(b.scopeName)
	return sl.LogRecords()
}

// commit moves the scratch record into the batch.
func (b *batch) commit(key resourceKey, src *source) {
	b.scratch.MoveTo(b.records(key, src).AppendEmpty())
}

// converter turns connector lines into log records and applies other_lines
// and on_error. Files and journald share it: it is the only path from a
// line to a record.
type converter struct {
	sendOther bool
	onError   string
	// drop is on_error drop or drop_quiet: malformed lines are not sent.
	drop      bool
	keepBody  bool
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	otherSent metric.MeasurementOption
	otherDrop metric.MeasurementOption
	malformed map[string]metric.MeasurementOption
}

// newConverter labels its counters with the receiver's ID, as the standard
// receiver metrics are, so two instances of the receiver count apart.
func newConverter(id component.ID, cfg *Config, logger *zap.Logger, tb *metadata.TelemetryBuilder) *converter {
	receiver := receiverAttribute(id)
	drop := cfg.OnError == OnErrorDrop || cfg.OnError == OnErrorDropQuiet
	action := "sent"
	if drop {
		action = "dropped"
	}
	malformed := map[string]metric.MeasurementOption{}
	for _, t := range []string{errorTypeInvalidJSON, errorTypeInvalidField, errorTypeLineTooLong} {
		malformed[t] = metric.WithAttributeSet(attribute.NewSet(
			receiver, attribute.String(attrErrorType, t), attribute.String("action", action)))
	}
	return &converter{
		sendOther: cfg.OtherLines == OtherLinesSend,
		onError:   cfg.OnError,
		drop:      drop,
		keepBody:  cfg.Body != BodyNone,
		logger:    logger,
		telemetry: tb,
		otherSent: metric.WithAttributeSet(attribute.NewSet(receiver, attribute.String("action", "sent"))),
		otherDrop: metric.WithAttributeSet(attribute.NewSet(receiver, attribute.String("action", "dropped"))),
		malformed: malformed,
	}
}

func receiverAttribute(id component.ID) attribute.KeyValue {
	return attribute.String("receiver", id.String())
}

// appendLine converts one line into at most one record in b.
func (c *converter) appendLine(ctx context.Context, b *batch, line []byte, src *source, observed pcommon.Timestamp) {
	rec := b.scratch
	payload, isAnalytics := cutAnalytics(line)
	if !isAnalytics {
		if !c.sendOther {
			c.telemetry.ReceiverTwingateanalyticsOtherLines.Add(ctx, 1, c.otherDrop)
			return
		}
		c.telemetry.ReceiverTwingateanalyticsOtherLines.Add(ctx, 1, c.otherSent)
		rec.Body().SetStr(validUTF8(line))
		rec.SetTimestamp(src.timestamp)
		c.finish(b, rec, resourceKey{origin: src.origin}, src, observed)
		return
	}

	// The body is the one string a line allocates: attribute values without
	// escapes are substrings of it.
	body := validUTF8(payload)
	if c.keepBody {
		rec.Body().SetStr(body)
	}
	var key resourceKey
	var errorType string
	var invalid []string
	err := b.ev.scan(body)
	if err != nil {
		errorType = errorTypeInvalidJSON
	} else if key, invalid = b.ev.mapTo(rec, b.keys); len(invalid) > 0 {
		errorType = errorTypeInvalidField
	}
	if src.truncated {
		errorType = errorTypeLineTooLong // whatever parsed is incomplete
	}
	key.origin = src.origin

	if errorType != "" {
		c.telemetry.ReceiverTwingateanalyticsMalformedLines.Add(ctx, 1, c.malformed[errorType])
		fields := []zap.Field{zap.String(attrErrorType, errorType), zap.Int("line_bytes", len(line))}
		if err != nil {
			fields = append(fields, zap.Error(err))
		} else {
			fields = append(fields, zap.Strings("invalid_fields", invalid))
		}
		switch c.onError {
		case OnErrorDrop:
			c.logger.Error("Dropped malformed ANALYTICS line", fields...)
		case OnErrorDropQuiet:
			c.logger.Debug("Dropped malformed ANALYTICS line", fields...)
		case OnErrorSend:
			c.logger.Warn("Sending malformed ANALYTICS line as a flagged record", fields...)
		default:
			c.logger.Debug("Sending malformed ANALYTICS line as a flagged record", fields...)
		}
		if c.drop {
			plog.NewLogRecord().MoveTo(rec) // reset the scratch record
			return
		}
		rec.Attributes().PutStr(attrErrorType, errorType)
		rec.SetSeverityNumber(plog.SeverityNumberWarn)
		rec.SetSeverityText("WARN")
	}
	c.finish(b, rec, key, src, observed)
}

func (*converter) finish(b *batch, rec plog.LogRecord, key resourceKey, src *source, observed pcommon.Timestamp) {
	rec.SetObservedTimestamp(observed)
	for k, v := range src.attributes {
		// Values from stanza are strings and ints, which FromRaw cannot fail on.
		_ = rec.Attributes().PutEmpty(k).FromRaw(v)
	}
	b.commit(key, src)
}

// validUTF8 returns the text with each byte that is not part of valid UTF-8
// replaced by U+FFFD, as stanza's UTF-8 decoder does: pdata strings must be
// valid UTF-8 to be exported.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}
