// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package s3input is the receiver's s3 input: it reads the objects
// Twingate's S3 sync writes to a bucket (network, DNS filtering and audit
// events), in key order, which is time order, and hands their events in
// batches to the receiver's delivery path.
package s3input // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/cenkalti/backoff/v4"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// How failed S3 requests are retried: the wait grows from the first to the
// most, and retrying goes on until the request succeeds or the collector
// stops. Later keys wait meanwhile: an object is never skipped because it
// could not be read (except one deleted after it was listed, see readObject).
const (
	defaultRetryInitial = time.Second
	defaultRetryMax     = 5 * time.Minute
)

// Input reads Twingate S3 sync objects from a bucket.
type Input struct {
	cfg  *Config
	set  component.TelemetrySettings
	conv *input.Converter

	errs    metric.Int64Counter
	errsOpt map[string]metric.MeasurementOption

	retryInitial, retryMax time.Duration
	// trigger, when set, replaces the poll_interval ticker (tests).
	trigger <-chan time.Time

	client    *s3.Client
	deliverer input.Deliverer
	ckpt      checkpoint
	// pos is how far the input read; only the run goroutine uses it.
	pos    position
	cancel context.CancelFunc
	done   chan struct{}
}

// Option adjusts an Input (tests shorten its waits).
type Option func(*Input)

// WithRetryIntervals sets the first and the longest wait between retries of
// a failed S3 request.
func WithRetryIntervals(initial, most time.Duration) Option {
	return func(in *Input) { in.retryInitial, in.retryMax = initial, most }
}

// WithPollTrigger polls the bucket whenever trigger fires instead of every
// poll_interval, so a test can count what one poll costs.
func WithPollTrigger(trigger <-chan time.Time) Option {
	return func(in *Input) { in.trigger = trigger }
}

// New returns an s3 input for a valid cfg, counting S3 errors on tb with
// the receiver's id.
func New(cfg *Config, id component.ID, set component.TelemetrySettings, conv *input.Converter, tb *metadata.TelemetryBuilder, opts ...Option) *Input {
	recv := input.ReceiverAttribute(id)
	errsOpt := map[string]metric.MeasurementOption{}
	for _, op := range []string{opListObjects, opGetObject, opReadObject} {
		errsOpt[op] = metric.WithAttributeSet(attribute.NewSet(recv, attribute.String("operation", op)))
	}
	in := &Input{
		cfg:          cfg,
		set:          set,
		conv:         conv,
		errs:         tb.ReceiverTwingateanalyticsS3Errors,
		errsOpt:      errsOpt,
		retryInitial: defaultRetryInitial,
		retryMax:     defaultRetryMax,
	}
	for _, o := range opts {
		o(in)
	}
	return in
}

// Start builds the S3 client and starts polling. It makes no request: a
// bucket that cannot be read is reported (and retried) by the poll loop, not
// by failing the collector's start.
func (in *Input) Start(_ context.Context, client storage.Client, d input.Deliverer) error {
	s3Client, err := newClient(context.Background(), in.cfg, in.set.Logger)
	if err != nil {
		return err
	}
	in.client, in.deliverer = s3Client, d
	in.ckpt = checkpoint{client: client, logger: in.set.Logger}
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel, in.done = cancel, make(chan struct{})
	go in.run(ctx)
	return nil
}

// Shutdown stops polling and waits for the poll in progress: a delivery it
// is in was interrupted by the receiver's shutdown, and is not checkpointed.
func (in *Input) Shutdown(context.Context) error {
	if in.cancel == nil {
		return nil
	}
	in.cancel()
	<-in.done
	in.cancel = nil
	return nil
}

func (in *Input) run(ctx context.Context) {
	defer close(in.done)
	pollNow := in.position(ctx)
	if ctx.Err() != nil {
		return
	}
	trigger := in.trigger
	if trigger == nil {
		ticker := time.NewTicker(in.cfg.PollInterval)
		defer ticker.Stop()
		trigger = ticker.C
	}
	for {
		if pollNow {
			if err := in.poll(ctx); err != nil {
				return // shutdown
			}
		}
		pollNow = true
		select {
		case <-ctx.Done():
			return
		case <-trigger:
		}
	}
}

// position sets where reading starts: the stored position, else start_at.
// It tells whether to poll at once; with start_at end, the listing that
// found the newest key was this interval's poll.
func (in *Input) position(ctx context.Context) bool {
	if p, ok := in.ckpt.load(ctx, in.cfg.Bucket, in.cfg.Prefix); ok {
		in.pos = p
		in.set.Logger.Info("Resuming the S3 bucket after the last object delivered",
			zap.String("bucket", in.cfg.Bucket), zap.String("key", p.Key), zap.String("partial_key", p.Partial), zap.Int64("partial_events", p.Events))
		return true
	}
	in.pos = position{Bucket: in.cfg.Bucket, Prefix: in.cfg.Prefix}
	if in.cfg.StartAt == StartAtBeginning {
		return true
	}
	newest, err := in.newestKey(ctx)
	if err != nil {
		return false // shutdown
	}
	in.pos.Key = newest
	// Stored at once: a restart must not take a later newest key as its
	// start, which would skip what was written in between.
	in.ckpt.store(in.pos)
	in.set.Logger.Info("Reading S3 objects written from now on (start_at: end)",
		zap.String("bucket", in.cfg.Bucket), zap.String("after_key", newest))
	return false
}

// newestKey lists the whole prefix and returns its last key ("" if empty).
func (in *Input) newestKey(ctx context.Context) (string, error) {
	var newest string
	err := in.list(ctx, "", func(keys []string) error {
		newest = keys[len(keys)-1]
		return nil
	})
	return newest, err
}

// poll reads every object after the position, in key order. It returns an
// error only when shutdown stopped it.
func (in *Input) poll(ctx context.Context) error {
	return in.list(ctx, in.pos.Key, func(keys []string) error {
		for _, key := range keys {
			if err := in.readObject(ctx, key); err != nil {
				return err
			}
		}
		return nil
	})
}

// list hands each page of the keys after startAfter to page, retrying a
// failed page request. One request for an unchanged bucket.
func (in *Input) list(ctx context.Context, startAfter string, page func(keys []string) error) error {
	req := &s3.ListObjectsV2Input{Bucket: aws.String(in.cfg.Bucket)}
	if in.cfg.Prefix != "" {
		req.Prefix = aws.String(in.cfg.Prefix)
	}
	if startAfter != "" {
		req.StartAfter = aws.String(startAfter)
	}
	for {
		var out *s3.ListObjectsV2Output
		err := in.retry(ctx, "", func() (string, error) {
			var err error
			out, err = in.client.ListObjectsV2(ctx, req)
			return opListObjects, err
		})
		if err != nil {
			return err
		}
		keys := make([]string, 0, len(out.Contents))
		for _, obj := range out.Contents {
			// Folder markers hold no events.
			if k := aws.ToString(obj.Key); k != "" && k[len(k)-1] != '/' {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			if err := page(keys); err != nil {
				return err
			}
		}
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) == "" {
			return nil
		}
		req.ContinuationToken = out.NextContinuationToken
	}
}

// retry runs call until it succeeds, waiting longer after each failure, and
// counts and logs each failure with the bucket, the key and the operation
// call says failed. It returns an error only when shutdown stopped it
// (ctx done, or a delivery interrupted: errShutdown).
func (in *Input) retry(ctx context.Context, key string, call func() (op string, err error)) error {
	var bo *backoff.ExponentialBackOff
	for attempt := 1; ; attempt++ {
		op, err := call()
		if err == nil {
			return nil
		}
		if errors.Is(err, errShutdown) {
			return err
		}
		if ctx.Err() != nil {
			return wrapShutdown(ctx.Err())
		}
		if bo == nil {
			bo = in.newBackOff()
		}
		wait := bo.NextBackOff()
		in.failed(ctx, op, key, attempt, wait, err)
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return wrapShutdown(ctx.Err())
		case <-timer.C:
		}
	}
}

// failed counts an S3 error and logs it, loudly the first time and every
// tenth, with what to fix when the error says.
func (in *Input) failed(ctx context.Context, op, key string, attempt int, wait time.Duration, err error) {
	in.errs.Add(ctx, 1, in.errsOpt[op])
	level := zap.DebugLevel
	if attempt == 1 || attempt%10 == 0 {
		level = zap.ErrorLevel
	}
	fields := []zap.Field{
		zap.String("bucket", in.cfg.Bucket), zap.String("operation", op),
		zap.Int("attempt", attempt), zap.Duration("retry_in", wait),
		zap.Error(&s3Error{op: op, bucket: in.cfg.Bucket, key: key, err: err}),
	}
	if key != "" {
		fields = append(fields, zap.String("key", key))
	}
	in.set.Logger.Log(level, "S3 request failed; retrying (later objects wait)", fields...)
}

func (in *Input) newBackOff() *backoff.ExponentialBackOff {
	b := &backoff.ExponentialBackOff{
		InitialInterval:     in.retryInitial,
		RandomizationFactor: backoff.DefaultRandomizationFactor,
		Multiplier:          2,
		MaxInterval:         in.retryMax,
		MaxElapsedTime:      0,
		Stop:                backoff.Stop,
		Clock:               backoff.SystemClock,
	}
	b.Reset()
	return b
}

// errShutdown is returned when shutdown interrupted reading.
var errShutdown = errors.New("s3 input stopped")

func wrapShutdown(err error) error { return fmt.Errorf("%w: %w", errShutdown, err) }
