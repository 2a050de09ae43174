// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"context"
	"errors"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// The outcome attribute of the relay's metrics.
const (
	outcomeRelayed    = "relayed"     // taken by the backend
	outcomeRejected   = "rejected"    // taken, then rejected in a partial success answer
	outcomeHandedOver = "handed_over" // given to the pipeline (refused for good by the backend, or not OTLP)
	outcomeDropped    = "dropped"     // refused for good by the pipeline too: logged
	outcomeMalformed  = "malformed"   // not an OTLP logs request: a flagged record goes to the pipeline
	outcomeEmpty      = "empty"       // an OTLP request without records
	outcomeOK         = "ok"
	outcomeRetried    = "retried"
	outcomeRefused    = "refused"
)

// Metric names, as the collector's own telemetry shows them
// (otelcol_kafka_otlp_relay_..., with _total on Prometheus counters).
const (
	metricRecords  = "otelcol_kafka_otlp_relay_log_records"
	metricMessages = "otelcol_kafka_otlp_relay_messages"
	metricRequests = "otelcol_kafka_otlp_relay_requests"
)

// telemetry counts what the relay did with each record, message and
// request, by outcome: docs/fleet.md lists the metrics.
type telemetry struct {
	recordCounter, messageCounter, requestCounter metric.Int64Counter
}

func newTelemetry(set component.TelemetrySettings) (*telemetry, error) {
	meter := set.MeterProvider.Meter(scopeName)
	var t telemetry
	var errs [3]error
	t.recordCounter, errs[0] = meter.Int64Counter(metricRecords, metric.WithUnit("{record}"),
		metric.WithDescription("Log records of the relayed Kafka messages, by outcome (relayed, rejected, handed_over, dropped)."))
	t.messageCounter, errs[1] = meter.Int64Counter(metricMessages, metric.WithUnit("{message}"),
		metric.WithDescription("Kafka messages, by outcome (relayed, handed_over, malformed, empty)."))
	t.requestCounter, errs[2] = meter.Int64Counter(metricRequests, metric.WithUnit("{request}"),
		metric.WithDescription("OTLP/HTTP requests sent, by outcome (ok, retried, refused)."))
	return &t, errors.Join(errs[:]...)
}

func (t *telemetry) records(ctx context.Context, outcome string, n int) {
	t.recordCounter.Add(ctx, int64(n), metric.WithAttributes(attribute.String("outcome", outcome)))
}

func (t *telemetry) messages(ctx context.Context, outcome string, n int) {
	t.messageCounter.Add(ctx, int64(n), metric.WithAttributes(attribute.String("outcome", outcome)))
}

func (t *telemetry) requests(ctx context.Context, outcome string) {
	t.requestCounter.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", outcome)))
}
