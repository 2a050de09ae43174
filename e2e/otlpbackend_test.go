// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
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
	running []component.Component
}

func newOTLPBackend(t *testing.T) *otlpBackend {
	b := &otlpBackend{addr: freeAddr(t), logs: new(consumertest.LogsSink), metrics: new(consumertest.MetricsSink)}
	t.Cleanup(func() { b.stop(t) })
	return b
}

func (b *otlpBackend) endpoint() string { return "http://" + b.addr }

func (b *otlpBackend) start(t *testing.T) {
	t.Helper()
	factory := otlpreceiver.NewFactory()
	cfg := factory.CreateDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"protocols": map[string]any{"grpc": map[string]any{"enabled": false}, "http": map[string]any{"endpoint": b.addr}},
	}).Unmarshal(cfg))
	set := receivertest.NewNopSettings(factory.Type())
	// The factory shares one receiver, one HTTP server, between the signals
	// created from the same config.
	logsRcv, err := factory.CreateLogs(context.Background(), set, cfg, b.logs)
	require.NoError(t, err)
	metricsRcv, err := factory.CreateMetrics(context.Background(), set, cfg, b.metrics)
	require.NoError(t, err)
	for _, rcv := range []component.Component{logsRcv, metricsRcv} {
		require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()), "OTLP backend on %s", b.addr)
		b.running = append(b.running, rcv)
	}
}

func (b *otlpBackend) stop(t *testing.T) {
	for _, rcv := range b.running {
		assert.NoError(t, rcv.Shutdown(context.Background()))
	}
	b.running = nil
}
