// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package inputtest runs the receiver's inputs in tests without the
// receiver: a delivery path that keeps what it is handed, a converter, and
// the receiver's telemetry.
package inputtest // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// ID is the receiver ID the inputs' metrics carry in tests.
var ID = component.NewID(metadata.Type)

// Sink is an input.Deliverer that keeps what it accepts. Decide, when set,
// accepts (nil) or refuses each attempt; a refused batch is returned to the
// input as not delivered, as the receiver returns a batch shutdown
// interrupted.
type Sink struct {
	*consumertest.LogsSink
	Attempts atomic.Int64
	Decide   func(attempt int64, ld plog.Logs) error
	// Stopped is set once the input said it stopped reading.
	Stopped atomic.Bool
}

// NewSink returns a Sink that accepts everything.
func NewSink() *Sink { return &Sink{LogsSink: new(consumertest.LogsSink)} }

// Deliver hands a non-empty batch to Decide, then keeps it.
func (s *Sink) Deliver(ctx context.Context, b *twingate.Batch) error {
	ld := b.Logs()
	if ld.LogRecordCount() == 0 {
		return nil
	}
	attempt := s.Attempts.Add(1)
	if s.Decide != nil {
		if err := s.Decide(attempt, ld); err != nil {
			return err
		}
	}
	return s.ConsumeLogs(ctx, ld)
}

// InputStopped records that the input stopped reading.
func (s *Sink) InputStopped() { s.Stopped.Store(true) }

// Settings returns telemetry settings that report to tel (nil: nowhere)
// and log nowhere.
func Settings(tel *componenttest.Telemetry) component.TelemetrySettings {
	if tel != nil {
		return tel.NewTelemetrySettings()
	}
	return componenttest.NewNopTelemetrySettings()
}

// TelemetryBuilder returns the receiver's instruments on set.
func TelemetryBuilder(tb testing.TB, set component.TelemetrySettings) *metadata.TelemetryBuilder {
	builder, err := metadata.NewTelemetryBuilder(set)
	require.NoError(tb, err)
	return builder
}

// NewConverter returns the converter the receiver would build for cfg.
func NewConverter(tb testing.TB, set component.TelemetrySettings, cfg twingate.Config) *input.Converter {
	return input.NewConverter(ID, cfg, set.Logger, TelemetryBuilder(tb, set))
}

// Start starts in delivering to d with client (nil: no storage) and returns
// what stops it, once (also when the test ends).
func Start(tb testing.TB, in input.Input, client storage.Client, d input.Deliverer) func() {
	tb.Helper()
	require.NoError(tb, in.Start(context.Background(), client, d))
	var once sync.Once
	stop := func() { once.Do(func() { require.NoError(tb, in.Shutdown(context.Background())) }) }
	tb.Cleanup(stop)
	return stop
}

// NewTelemetry collects what is reported until the test ends.
func NewTelemetry(tb testing.TB) *componenttest.Telemetry {
	tb.Helper()
	tel := componenttest.NewTelemetry()
	tb.Cleanup(func() { require.NoError(tb, tel.Shutdown(context.Background())) })
	return tel
}

// Sum adds up the int sum data points of a metric whose attributes include
// want; 0 when the metric was never recorded.
func Sum(tb testing.TB, tel *componenttest.Telemetry, name string, want map[string]string) int64 {
	tb.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	sum, ok := m.Data.(metricdata.Sum[int64])
	require.True(tb, ok, "%s is not an int sum", name)
	var total int64
	for _, dp := range sum.DataPoints {
		matches := true
		for k, v := range want {
			got, ok := dp.Attributes.Value(attribute.Key(k))
			matches = matches && ok && got.AsString() == v
		}
		if matches {
			total += dp.Value
		}
	}
	return total
}
