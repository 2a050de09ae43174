// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"context"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.uber.org/zap"
)

// The error.type of a flagged record: its Kafka message cannot be decoded.
const errorTypeMalformed = "undecodable_message"

// scopeName is the instrumentation scope of the records the relay makes
// itself (flagged records).
const scopeName = "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

// handOver gives logs, decoded from or standing for the Kafka message rec,
// to the pipeline. A refusal for now is retried as retry_on_failure says
// (the message stays uncommitted meanwhile); a refusal for good is counted
// and logged, as the kafka receiver's on_permanent_error does. It reports
// false only when the relay stops first.
func (r *relay) handOver(ctx context.Context, logs plog.Logs, rec *kgo.Record) bool {
	n := logs.LogRecordCount()
	waits := newBackoff(r.cfg.RetryOnFailure)
	for {
		err := r.next.ConsumeLogs(ctx, logs)
		if err == nil {
			r.tel.records(ctx, outcomeHandedOver, n)
			return true
		}
		if consumererror.IsPermanent(err) {
			r.tel.records(ctx, outcomeDropped, n)
			r.set.Logger.Error("The pipeline refused a Kafka message's records for good; they are dropped",
				zap.String("topic", rec.Topic), zap.Int32("partition", rec.Partition), zap.Int64("offset", rec.Offset),
				zap.Int("log_records", n), zap.Error(err))
			return true
		}
		r.set.Logger.Warn("The pipeline refused a Kafka message's records for now; retrying",
			zap.String("topic", rec.Topic), zap.Int32("partition", rec.Partition), zap.Int64("offset", rec.Offset), zap.Error(err))
		if !sleep(ctx, r.stop, waits.next()) {
			return false
		}
	}
}

// decodeOrFlag decodes rec's message for the pipeline, or flags it.
func (r *relay) decodeOrFlag(rec *kgo.Record) plog.Logs {
	logs, err := r.decode(rec.Value)
	if err != nil {
		return r.flaggedLogs(rec, err)
	}
	return logs
}

// flaggedLogs is the one record that stands for a message that cannot be
// decoded: its bytes as the body, so nothing is lost, where it came from,
// and why it was not relayed.
func (r *relay) flaggedLogs(rec *kgo.Record, why error) plog.Logs {
	logs := plog.NewLogs()
	sl := logs.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	sl.Scope().SetName(scopeName)
	lr := sl.LogRecords().AppendEmpty()
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(time.Now()))
	if !rec.Timestamp.IsZero() {
		lr.SetTimestamp(pcommon.NewTimestampFromTime(rec.Timestamp))
	}
	lr.SetSeverityNumber(plog.SeverityNumberWarn)
	lr.SetSeverityText("WARN")
	lr.Body().SetEmptyBytes().FromRaw(rec.Value)
	attrs := lr.Attributes()
	attrs.PutStr(string(semconv.ErrorTypeKey), errorTypeMalformed)
	what := "not an OTLP logs request (ExportLogsServiceRequest)"
	if r.cfg.Encoding != encodingOTLPProto {
		what = "not decoded by encoding " + r.cfg.Encoding
	}
	attrs.PutStr("error.message", what+": "+why.Error())
	attrs.PutStr(string(semconv.MessagingSystemKey), semconv.MessagingSystemKafka.Value.AsString())
	attrs.PutStr(string(semconv.MessagingDestinationNameKey), rec.Topic)
	attrs.PutStr(string(semconv.MessagingDestinationPartitionIDKey), strconv.FormatInt(int64(rec.Partition), 10))
	attrs.PutInt(string(semconv.MessagingKafkaOffsetKey), rec.Offset)
	return logs
}
