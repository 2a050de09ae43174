// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/encoding"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/extension/extensiontest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
)

// extensionHost is a host with the given extensions.
type extensionHost map[component.ID]component.Component

func (h extensionHost) GetExtensions() map[component.ID]component.Component { return h }

func twingateEncoding(t *testing.T) (component.ID, encoding.LogsUnmarshalerExtension) {
	t.Helper()
	f := twingateencodingextension.NewFactory()
	ext, err := f.Create(context.Background(), extensiontest.NewNopSettings(f.Type()), f.CreateDefaultConfig())
	require.NoError(t, err)
	require.NoError(t, ext.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, ext.Shutdown(context.Background())) })
	return component.NewID(f.Type()), ext.(encoding.LogsUnmarshalerExtension)
}

// TestRelayEncodingExtension: with encoding set to an encoding extension,
// raw connector lines (many per message, as a shipper batches them) reach
// the backend as the extension maps them; a message it refuses becomes a
// flagged record.
func TestRelayEncodingExtension(t *testing.T) {
	id, ext := twingateEncoding(t)
	lines := testcorpus.ReadFile(t, "golden/events.log")
	k := startKafka(t, 1)
	b := startBackend(t, nil)
	// The lines in two messages, split at a line boundary.
	cut := bytes.IndexByte(lines[len(lines)/2:], '\n') + len(lines)/2 + 1
	k.produce(t, 0, lines[:cut], lines[cut:])
	cfg := testConfig(k, b)
	cfg.Encoding = id.String()
	require.NoError(t, cfg.Validate())
	r, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(Type), cfg, new(consumertest.LogsSink))
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), extensionHost{id: ext}))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	require.Eventually(t, func() bool { return k.lag(t) == 0 }, waitFor, 10*time.Millisecond)

	want := plog.NewLogs()
	for _, part := range [][]byte{lines[:cut], lines[cut:]} {
		logs, err := ext.UnmarshalLogs(part)
		require.NoError(t, err)
		logs.ResourceLogs().MoveAndAppendTo(want.ResourceLogs())
	}
	require.Positive(t, want.LogRecordCount())
	got := plog.NewLogs()
	for _, logs := range b.records() {
		logs.ResourceLogs().MoveAndAppendTo(got.ResourceLogs())
	}
	// Observed timestamps are the time of decoding: compare without them.
	for _, l := range []plog.Logs{want, got} {
		for _, rl := range l.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					lr.SetObservedTimestamp(0)
				}
			}
		}
	}
	assert.Equal(t, want, got)
}

func TestRelayEncodingNotConfigured(t *testing.T) {
	cfg := createDefaultConfig()
	cfg.OTLP.Endpoint = "http://127.0.0.1:1"
	cfg.Encoding = "twingate_encoding"
	require.NoError(t, cfg.Validate())
	r, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(Type), cfg, new(consumertest.LogsSink))
	require.NoError(t, err)
	err = r.Start(context.Background(), componenttest.NewNopHost())
	require.ErrorContains(t, err, `encoding: extension "twingate_encoding" is not configured`)
	require.NoError(t, r.Shutdown(context.Background()))
}
