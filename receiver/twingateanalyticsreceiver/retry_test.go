// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/fileinput"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// gatedConsumer refuses or accepts each ConsumeLogs call as its decide
// function says and keeps what it accepted.
type gatedConsumer struct {
	*consumertest.LogsSink
	attempts atomic.Int64
	decide   func(attempt int64, ld plog.Logs) error
}

func newGatedConsumer(decide func(attempt int64, ld plog.Logs) error) *gatedConsumer {
	return &gatedConsumer{LogsSink: new(consumertest.LogsSink), decide: decide}
}

func (c *gatedConsumer) ConsumeLogs(ctx context.Context, ld plog.Logs) error {
	if err := c.decide(c.attempts.Add(1), ld); err != nil {
		return err
	}
	return c.LogsSink.ConsumeLogs(ctx, ld)
}

var errPipelineFull = errors.New("data refused due to high memory usage")

func fastRetry(cfg *Config) *Config {
	cfg.RetryOnFailure.InitialInterval = 5 * time.Millisecond
	cfg.RetryOnFailure.MaxInterval = 20 * time.Millisecond
	return cfg
}

// runReceiver starts a receiver delivering to next on host, and returns what
// shuts it down, once (also when the test ends).
func runReceiver(t *testing.T, cfg *Config, next consumer.Logs, tel *componenttest.Telemetry, host component.Host) func() {
	t.Helper()
	rcv := newReceiver(t, cfg, next, tel)
	require.NoError(t, rcv.Start(context.Background(), host))
	var once sync.Once
	stop := func() { once.Do(func() { require.NoError(t, rcv.Shutdown(context.Background())) }) }
	t.Cleanup(stop)
	return stop
}

// TestRetryUntilAccepted: the stanza file consumer would log a refused batch
// and move on; the receiver retries it until the next consumer accepts it,
// and reading does not advance meanwhile.
func TestRetryUntilAccepted(t *testing.T) {
	const n = 250
	path := filepath.Join(t.TempDir(), "connector.log")
	require.NoError(t, os.WriteFile(path, []byte(logstest.ConnectionLines(0, n)), 0o600))
	next := newGatedConsumer(func(attempt int64, _ plog.Logs) error {
		if attempt <= 5 {
			return errPipelineFull
		}
		return nil
	})
	tel := inputtest.NewTelemetry(t)
	runReceiver(t, fastRetry(fileConfig(path)), next, tel, componenttest.NewNopHost())

	require.Eventually(t, func() bool { return next.LogRecordCount() >= n }, waitFor, 10*time.Millisecond)
	d := logstest.CheckDelivery(logstest.CountRecords(next.AllLogs()), 0, n)
	assert.Empty(t, d.Lost, d)
	assert.Empty(t, d.Duplicated, d)
	assert.GreaterOrEqual(t, next.attempts.Load(), int64(6))
	assert.EqualValues(t, n, inputtest.Sum(t, tel, "otelcol_receiver_accepted_log_records", nil))
	assert.Zero(t, inputtest.Sum(t, tel, "otelcol_receiver_refused_log_records", nil))
	assert.Zero(t, inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_dropped_log_records", nil))
}

// TestDroppedRecordsAreCounted: a batch the receiver gives up on is counted
// with its reason and refused, and the lines after it are still delivered.
func TestDroppedRecordsAreCounted(t *testing.T) {
	for _, tc := range []struct {
		reason string
		err    error
		cfg    func(*RetryConfig)
	}{
		{dropReasonPermanent, consumererror.NewPermanent(errors.New("invalid record")), nil},
		{dropReasonRetry, errPipelineFull, func(c *RetryConfig) { c.Enabled = false }},
		{dropReasonTimeout, errPipelineFull, func(c *RetryConfig) { c.MaxElapsedTime = 100 * time.Millisecond }},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "connector.log")
			require.NoError(t, os.WriteFile(path, []byte(logstest.ConnectionLines(0, 3)), 0o600))
			refusing := atomic.Bool{}
			refusing.Store(true)
			next := newGatedConsumer(func(_ int64, _ plog.Logs) error {
				if refusing.Load() {
					return tc.err
				}
				return nil
			})
			tel := inputtest.NewTelemetry(t)
			cfg := fastRetry(fileConfig(path))
			if tc.cfg != nil {
				tc.cfg(&cfg.RetryOnFailure)
			}
			runReceiver(t, cfg, next, tel, componenttest.NewNopHost())

			want := map[string]string{"receiver": "twingateanalytics", "reason": tc.reason}
			require.Eventually(t, func() bool {
				return inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_dropped_log_records", want) == 3
			}, waitFor, 10*time.Millisecond)
			assert.EqualValues(t, 3, inputtest.Sum(t, tel, "otelcol_receiver_refused_log_records", nil))

			refusing.Store(false)
			appendLines(t, path, logstest.ConnectionLines(3, 5))
			require.Eventually(t, func() bool { return next.LogRecordCount() == 2 }, waitFor, 10*time.Millisecond)
			d := logstest.CheckDelivery(logstest.CountRecords(next.AllLogs()), 3, 5)
			assert.Empty(t, d.Lost, d)
			assert.Empty(t, d.Duplicated, d)
			assert.Empty(t, d.Unexpected, d)
			assert.EqualValues(t, 3, inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_dropped_log_records", nil))
		})
	}
}

func withStorage(cfg *Config) *Config {
	id := storagetest.NewStorageID("file_storage")
	cfg.Storage = &id
	return cfg
}

func storageHost(t *testing.T) component.Host {
	return storagetest.NewStorageHost().WithFileBackedStorageExtension("file_storage", t.TempDir())
}

func appendLines(t *testing.T, path, lines string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	require.NoError(t, err)
	_, err = f.WriteString(lines)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// TestShutdownDuringRetryKeepsBatch: a batch still being retried when the
// collector shuts down is not checkpointed (stanza's reader keeps its offset
// when the emit callback returns with its context cancelled), so the next
// run delivers it: nothing lost, nothing twice.
func TestShutdownDuringRetryKeepsBatch(t *testing.T) {
	const n = 250 // the file consumer emits batches of 100 lines
	path := filepath.Join(t.TempDir(), "connector.log")
	require.NoError(t, os.WriteFile(path, []byte(logstest.ConnectionLines(0, n)), 0o600))
	host := storageHost(t)

	// First run: the first batch is accepted, everything after it refused.
	var accepted atomic.Int64
	first := newGatedConsumer(func(_ int64, ld plog.Logs) error {
		if accepted.Load() == 0 {
			accepted.Add(int64(ld.LogRecordCount()))
			return nil
		}
		return errPipelineFull
	})
	stop := runReceiver(t, fastRetry(withStorage(fileConfig(path))), first, nil, host)
	require.Eventually(t, func() bool { return first.attempts.Load() >= 3 }, waitFor, 5*time.Millisecond)
	require.Less(t, accepted.Load(), int64(n))
	start := time.Now()
	stop()
	assert.Less(t, time.Since(start), shutdownGrace, "shutdown must not wait for a batch being retried")

	// Second run: everything is accepted; a last line marks the end.
	second := newGatedConsumer(func(int64, plog.Logs) error { return nil })
	runReceiver(t, withStorage(fileConfig(path)), second, nil, host)
	appendLines(t, path, logstest.ConnectionLines(n, n+1))
	require.Eventually(t, func() bool {
		return logstest.CountRecords(second.AllLogs())[fmt.Sprintf("rel-%07d twingate.connection.closed", n)] > 0
	},
		waitFor, 10*time.Millisecond)
	d := logstest.CheckDelivery(logstest.CountRecords(append(first.AllLogs(), second.AllLogs()...)), 0, n+1)
	t.Logf("first run accepted %d, second run %d: %s", accepted.Load(), second.LogRecordCount(), d)
	assert.Empty(t, d.Lost, d)
	assert.Empty(t, d.Duplicated, d)
}

// TestShutdownWaitsForDeliveryInProgress: a batch the next consumer is still
// busy with when shutdown starts is waited for and, once accepted,
// checkpointed: the next run does not deliver it again.
func TestShutdownWaitsForDeliveryInProgress(t *testing.T) {
	const n = 20
	path := filepath.Join(t.TempDir(), "connector.log")
	require.NoError(t, os.WriteFile(path, []byte(logstest.ConnectionLines(0, n)), 0o600))
	host := storageHost(t)

	entered, release := make(chan struct{}), make(chan struct{})
	first := newGatedConsumer(func(attempt int64, _ plog.Logs) error {
		if attempt == 1 {
			close(entered)
			<-release
		}
		return nil
	})
	stop := runReceiver(t, withStorage(fileConfig(path)), first, nil, host)
	<-entered
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("shutdown did not wait for the delivery in progress")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	<-stopped
	require.Equal(t, n, first.LogRecordCount())

	second := newGatedConsumer(func(int64, plog.Logs) error { return nil })
	runReceiver(t, withStorage(fileConfig(path)), second, nil, host)
	appendLines(t, path, logstest.ConnectionLines(n, n+1))
	require.Eventually(t, func() bool { return second.LogRecordCount() > 0 }, waitFor, 10*time.Millisecond)
	d := logstest.CheckDelivery(logstest.CountRecords(append(first.AllLogs(), second.AllLogs()...)), 0, n+1)
	assert.Empty(t, d.Lost, d)
	assert.Empty(t, d.Duplicated, d)
}

// TestLastDeliveryAtShutdown: lines the input held back and hands over only
// once it has stopped (a CRI partial line) cannot be read again, so they are
// retried for the grace period and then dropped and counted, not waited for
// forever.
func TestLastDeliveryAtShutdown(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, logstest.PodLogDir, "0.log")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(
		"2025-11-20T10:00:01Z stderr P ANALYTICS {\"connection\":{\"id\":\"a-1\"},\n"+
			"2025-11-20T10:00:02Z stdout F "+logstest.ConnectionLine(1)+"\n"), 0o600))
	cfg := fastRetry(fileConfig(filepath.Join(root, "var/log/pods/*/*/*.log")))
	// The complete line is accepted, the partial one flushed at shutdown is not.
	next := newGatedConsumer(func(attempt int64, _ plog.Logs) error {
		if attempt == 1 {
			return nil
		}
		return errPipelineFull
	})
	tel := inputtest.NewTelemetry(t)
	rcv := newReceiver(t, cfg, next, tel, inputOptions{
		file: []fileinput.Option{fileinput.WithPartialLineTimeouts(time.Hour, time.Second)},
	})
	rcv.delivery.grace = 200 * time.Millisecond
	require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()))
	// Once the line after it was delivered, the partial line is held.
	require.Eventually(t, func() bool { return next.LogRecordCount() == 1 }, waitFor, 10*time.Millisecond)
	start := time.Now()
	require.NoError(t, rcv.Shutdown(context.Background()))
	assert.Less(t, time.Since(start), shutdownGrace)
	assert.Greater(t, next.attempts.Load(), int64(1))
	assert.EqualValues(t, 1, inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_dropped_log_records",
		map[string]string{"receiver": "twingateanalytics", "reason": dropReasonShutdown}))
}
