// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
)

// startOTLPBackend runs the collector's own OTLP receiver (HTTP only) on a
// free loopback port and returns its endpoint and the logs it receives.
func startOTLPBackend(t *testing.T) (string, *consumertest.LogsSink) {
	t.Helper()
	b := newOTLPBackend(t)
	b.start(t)
	return b.endpoint(), b.logs
}

// startOTLPLogsAndMetricsBackend is startOTLPBackend that also receives
// metrics on the same endpoint.
func startOTLPLogsAndMetricsBackend(t *testing.T) (string, *consumertest.LogsSink, *consumertest.MetricsSink) {
	t.Helper()
	b := newOTLPBackend(t)
	b.start(t)
	return b.endpoint(), b.logs, b.metrics
}

// otlpBackend is an OTLP/HTTP receiver of logs and metrics on a fixed
// loopback address that can be stopped and started again, to play a backend
// outage; what it receives across restarts goes to the same sinks.
type otlpBackend struct {
	addr    string
	logs    *consumertest.LogsSink
	metrics *consumertest.MetricsSink
	// counted, when set, takes the logs in place of the logs sink: it keeps
	// only their record count (newCountingOTLPBackend).
	counted *atomic.Int64
	running []component.Component
}

func newOTLPBackend(tb testing.TB) *otlpBackend {
	b := &otlpBackend{addr: freeAddr(tb), logs: new(consumertest.LogsSink), metrics: new(consumertest.MetricsSink)}
	tb.Cleanup(func() { b.stop(tb) })
	return b
}

// newCountingOTLPBackend is an otlpBackend that only counts the log records
// it receives, for runs of millions of records that a sink would hold in
// memory.
func newCountingOTLPBackend(tb testing.TB) *otlpBackend {
	b := newOTLPBackend(tb)
	b.counted = new(atomic.Int64)
	return b
}

func (b *otlpBackend) endpoint() string { return "http://" + b.addr }

func (b *otlpBackend) start(tb testing.TB) {
	tb.Helper()
	factory := otlpreceiver.NewFactory()
	cfg := factory.CreateDefaultConfig()
	require.NoError(tb, confmap.NewFromStringMap(map[string]any{
		"protocols": map[string]any{"grpc": map[string]any{"enabled": false}, "http": map[string]any{"endpoint": b.addr}},
	}).Unmarshal(cfg))
	set := receivertest.NewNopSettings(factory.Type())
	// The factory shares one receiver, one HTTP server, between the signals
	// created from the same config.
	var logs consumer.Logs = b.logs
	if b.counted != nil {
		logs, _ = consumer.NewLogs(func(_ context.Context, ld plog.Logs) error {
			b.counted.Add(int64(ld.LogRecordCount()))
			return nil
		})
	}
	logsRcv, err := factory.CreateLogs(context.Background(), set, cfg, logs)
	require.NoError(tb, err)
	metricsRcv, err := factory.CreateMetrics(context.Background(), set, cfg, b.metrics)
	require.NoError(tb, err)
	for _, rcv := range []component.Component{logsRcv, metricsRcv} {
		require.NoError(tb, rcv.Start(context.Background(), componenttest.NewNopHost()), "OTLP backend on %s", b.addr)
		b.running = append(b.running, rcv)
	}
}

func (b *otlpBackend) stop(tb testing.TB) {
	for _, rcv := range b.running {
		assert.NoError(tb, rcv.Shutdown(context.Background()))
	}
	b.running = nil
}
