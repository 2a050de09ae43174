// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// RetryConfig is how the receiver retries a batch the next consumer refuses
// with a non-permanent error (memory_limiter, a full exporter queue, an
// exporter without a queue whose backend is down). It has the keys of
// stanza's retry_on_failure, but is on by default and, with
// max_elapsed_time 0, retries until the collector shuts down: stanza's
// inputs log and forget a batch whose delivery failed and checkpoint past it,
// so a batch the receiver gives up on is lost.
type RetryConfig struct {
	// Enabled turns retrying on. Without it a refused batch is dropped and counted.
	Enabled bool `mapstructure:"enabled"`
	// InitialInterval is the wait after the first refusal.
	InitialInterval time.Duration `mapstructure:"initial_interval"`
	// MaxInterval caps the exponentially growing wait between attempts.
	MaxInterval time.Duration `mapstructure:"max_interval"`
	// MaxElapsedTime is how long one batch is retried before it is dropped
	// and counted; 0 retries until shutdown.
	MaxElapsedTime time.Duration `mapstructure:"max_elapsed_time"`

	// prevent unkeyed literal initialization
	_ struct{}
}

func defaultRetryConfig() RetryConfig {
	return RetryConfig{
		Enabled:         true,
		InitialInterval: time.Second,
		MaxInterval:     30 * time.Second,
		MaxElapsedTime:  0,
	}
}

// Validate checks the intervals of an enabled retry.
func (cfg *RetryConfig) Validate() error {
	if !cfg.Enabled {
		return nil
	}
	var errs []error
	if cfg.InitialInterval <= 0 {
		errs = append(errs, fmt.Errorf("'initial_interval' must be positive, got %s", cfg.InitialInterval))
	}
	if cfg.MaxInterval < cfg.InitialInterval {
		errs = append(errs, fmt.Errorf("'max_interval' (%s) must not be less than 'initial_interval' (%s)",
			cfg.MaxInterval, cfg.InitialInterval))
	}
	if cfg.MaxElapsedTime < 0 {
		errs = append(errs, fmt.Errorf("'max_elapsed_time' must not be negative (0 retries until shutdown), got %s", cfg.MaxElapsedTime))
	}
	return errors.Join(errs...)
}

// Why a batch was dropped, the reason attribute of the dropped-records counter.
const (
	dropReasonPermanent = "permanent_error"
	dropReasonRetry     = "retry_disabled"
	dropReasonTimeout   = "max_elapsed_time"
	dropReasonShutdown  = "shutdown"
)

// dropError is returned for a batch that was dropped and counted: the input
// may checkpoint past it.
type dropError struct{ err error }

func (e dropError) Error() string { return "dropped: " + e.err.Error() }
func (e dropError) Unwrap() error { return e.err }

func isDropped(err error) bool {
	var d dropError
	return errors.As(err, &d)
}

// errInterrupted is returned when shutdown stopped the delivery of a batch.
// Its lines must not be checkpointed: they are read again after a restart.
var errInterrupted = errors.New("delivery interrupted by shutdown; the batch will be read again after a restart")

// shutdownGrace bounds how long Shutdown waits for a delivery attempt that
// is already in the next consumer before it cancels it.
const shutdownGrace = 5 * time.Second

// deliverer hands batches to the next consumer, retrying refusals, and lets
// Shutdown stop it without losing or repeating a batch: Shutdown first waits
// for attempts in progress, so a batch the consumer accepted is checkpointed,
// and only then cancels the input, so a batch that was not accepted is not.
type deliverer struct {
	cfg     RetryConfig
	next    consumer.Logs
	logger  *zap.Logger
	dropped metric.Int64Counter
	reasons map[string]metric.MeasurementOption
	// grace bounds the wait for deliveries at shutdown (shutdownGrace).
	grace time.Duration

	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	// inputStopped is set once the input has stopped reading: what is
	// delivered after that (lines it held back) cannot be read again.
	inputStopped bool
	// abort cancels the attempts still in progress when the grace period ends.
	abort       context.Context
	abortCancel context.CancelFunc
	inflight    sync.WaitGroup
}

func newDeliverer(cfg RetryConfig, next consumer.Logs, logger *zap.Logger, tb *metadata.TelemetryBuilder, receiver attribute.KeyValue) *deliverer {
	reasons := map[string]metric.MeasurementOption{}
	for _, r := range []string{dropReasonPermanent, dropReasonRetry, dropReasonTimeout, dropReasonShutdown} {
		reasons[r] = metric.WithAttributeSet(attribute.NewSet(receiver, attribute.String("reason", r)))
	}
	abort, cancel := context.WithCancel(context.Background())
	return &deliverer{
		cfg:         cfg,
		next:        next,
		logger:      logger,
		dropped:     tb.ReceiverTwingateanalyticsDroppedLogRecords,
		reasons:     reasons,
		grace:       shutdownGrace,
		closing:     make(chan struct{}),
		abort:       abort,
		abortCancel: cancel,
	}
}

// consume delivers logs and returns nil once they were accepted, or a
// dropError once they were dropped and counted (a permanent error, retrying
// disabled or timed out). It returns
// errInterrupted, only after ctx is done, when shutdown stopped it first: the
// inputs checkpoint a batch unless their context is done when emitting returns.
func (d *deliverer) consume(ctx context.Context, logs plog.Logs) error {
	if !d.enter() {
		if d.afterInput() {
			return d.consumeLast(ctx, logs)
		}
		<-ctx.Done()
		return errInterrupted
	}
	err := d.retry(ctx, logs)
	d.inflight.Done()
	if errors.Is(err, errInterrupted) {
		<-ctx.Done()
	}
	return err
}

func (d *deliverer) enter() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.inflight.Add(1)
	return true
}

func (d *deliverer) afterInput() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inputStopped
}

// stopInput marks the input as stopped: from then on deliveries are of lines
// the input held back and cannot read again.
func (d *deliverer) stopInput() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.inputStopped = true
}

// consumeLast delivers, during shutdown, lines that will not be read again:
// it retries for at most the grace period, then drops and counts them.
func (d *deliverer) consumeLast(ctx context.Context, logs plog.Logs) error {
	ctx, cancel := context.WithTimeout(ctx, d.grace)
	defer cancel()
	err := d.retry(ctx, logs)
	if errors.Is(err, errInterrupted) {
		n := logs.LogRecordCount()
		d.drop(ctx, dropReasonShutdown, n, "Next consumer did not accept the last records before shutdown; dropping them", err)
		return dropError{err}
	}
	return err
}

func (d *deliverer) retry(ctx context.Context, logs plog.Logs) error {
	expBackoff := backoff.ExponentialBackOff{
		InitialInterval:     d.cfg.InitialInterval,
		RandomizationFactor: backoff.DefaultRandomizationFactor,
		Multiplier:          backoff.DefaultMultiplier,
		MaxInterval:         d.cfg.MaxInterval,
		MaxElapsedTime:      d.cfg.MaxElapsedTime,
		Stop:                backoff.Stop,
		Clock:               backoff.SystemClock,
	}
	expBackoff.Reset()
	for attempt := 1; ; attempt++ {
		err := d.attempt(ctx, logs)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil || errors.Is(err, errInterrupted) {
			return errInterrupted
		}
		n := logs.LogRecordCount()
		if consumererror.IsPermanent(err) {
			d.drop(ctx, dropReasonPermanent, n, "Next consumer refused the records with a permanent error; dropping them", err)
			return dropError{err}
		}
		if !d.cfg.Enabled {
			d.drop(ctx, dropReasonRetry, n, "Next consumer refused the records and retry_on_failure is disabled; dropping them", err)
			return dropError{err}
		}
		var partial consumererror.Logs
		if errors.As(err, &partial) {
			logs = partial.Data()
		}
		wait := expBackoff.NextBackOff()
		if wait == backoff.Stop {
			d.drop(ctx, dropReasonTimeout, n, "Next consumer kept refusing the records for retry_on_failure.max_elapsed_time; dropping them", err)
			return dropError{err}
		}
		level := zap.DebugLevel
		if attempt == 1 || attempt%10 == 0 {
			level = zap.WarnLevel
		}
		d.logger.Log(level, "Next consumer refused the records; retrying",
			zap.Error(err), zap.Int("records", n), zap.Int("attempt", attempt), zap.Duration("interval", wait))
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return errInterrupted
		case <-d.closingUnlessLast():
			timer.Stop()
			return errInterrupted
		}
	}
}

// closingUnlessLast is closed when shutdown starts, except for the last
// deliveries, which retry until their own deadline.
func (d *deliverer) closingUnlessLast() <-chan struct{} {
	if d.afterInput() {
		return nil
	}
	return d.closing
}

// attempt calls the next consumer with a context that shutdown cancels once
// the grace period is over.
func (d *deliverer) attempt(ctx context.Context, logs plog.Logs) error {
	attemptCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !d.afterInput() {
		stop := context.AfterFunc(d.abort, cancel)
		defer stop()
	}
	err := d.next.ConsumeLogs(attemptCtx, logs)
	if err != nil && attemptCtx.Err() != nil && ctx.Err() == nil {
		// Cancelled by the grace period: treat like a cancelled input.
		return fmt.Errorf("%w: %w", errInterrupted, err)
	}
	return err
}

func (d *deliverer) drop(ctx context.Context, reason string, n int, msg string, err error) {
	d.dropped.Add(ctx, int64(n), d.reasons[reason])
	d.logger.Error(msg, zap.Error(err), zap.Int("dropped_records", n), zap.String("reason", reason))
}

// shutdown stops new deliveries and retries and waits for attempts in
// progress, at most shutdownGrace or until ctx is done; then it cancels them.
func (d *deliverer) shutdown(ctx context.Context) {
	d.mu.Lock()
	if !d.closed {
		d.closed = true
		close(d.closing)
	}
	d.mu.Unlock()
	done := make(chan struct{})
	go func() { d.inflight.Wait(); close(done) }()
	timer := time.NewTimer(d.grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
	case <-ctx.Done():
	}
	d.abortCancel()
	<-done
}
