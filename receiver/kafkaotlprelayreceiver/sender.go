// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.uber.org/zap"
)

// maxResponseBytes caps what is read of a response: an OTLP response is a
// few bytes, an error page need not be read whole.
const maxResponseBytes = 64 * 1024

// errStopped ends a retry because the relay is stopping.
var errStopped = errors.New("relay stopping")

// sender posts request bodies to the OTLP/HTTP logs endpoint, as the
// otlp_http exporter does: protobuf, the configured compression, and its
// classification of answers.
type sender struct {
	client *http.Client
	url    string
	// zstd, when the compression is zstd, compresses a body in one call into
	// the request's reused buffer. confighttp would compress it too, but
	// into a new buffer grown step by step for every request, which cost
	// about a tenth of the relay's CPU in a profile; it leaves alone a
	// request that has a Content-Encoding already. Other compressions are
	// left to confighttp.
	zstd *zstd.Encoder
}

func newSender(client *http.Client, cfg *Config) (*sender, error) {
	s := &sender{client: client, url: cfg.logsURL()}
	if cfg.OTLP.Compression == configcompression.TypeZstd {
		var err error
		s.zstd, err = zstd.NewWriter(nil,
			zstd.WithEncoderLevel(zstd.EncoderLevelFromZstd(int(cfg.OTLP.CompressionParams.Level))),
			zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
		if err != nil {
			return nil, fmt.Errorf("otlp::compression: %w", err)
		}
	}
	return s, nil
}

// sendError is a refused request: retryable (with the delay the backend
// asked for, if any) or not.
type sendError struct {
	err        error
	retryable  bool
	retryAfter time.Duration
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// send posts q's body once. A 2xx answer whose partial_success rejects records
// is a success with those records counted as rejected: the backend has
// decided, and sending again would not change that.
func (s *sender) send(ctx context.Context, q *request) (rejected int64, err error) {
	body := q.body
	if s.zstd != nil {
		if len(q.compressed) == 0 {
			q.compressed = s.zstd.EncodeAll(q.body, q.compressed[:0])
		}
		body = q.compressed
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return 0, &sendError{err: err}
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	if s.zstd != nil {
		req.Header.Set("Content-Encoding", string(configcompression.TypeZstd))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, &sendError{err: fmt.Errorf("request to %s failed: %w", s.url, err), retryable: true}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		if len(answer) == 0 {
			return 0, nil
		}
		ack := plogotlp.NewExportResponse()
		if err := ack.UnmarshalProto(answer); err != nil {
			return 0, nil // the backend took the request; its answer does not say more
		}
		return ack.PartialSuccess().RejectedLogRecords(), nil
	}
	e := &sendError{
		err: fmt.Errorf("request to %s: HTTP %d: %s", s.url, resp.StatusCode, bytes.TrimSpace(answer[:min(len(answer), 512)])),
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		e.retryable = true
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			e.retryAfter = time.Duration(secs) * time.Second
		}
	}
	return 0, e
}

// sendWithRetry sends body until the backend takes it, refuses it for good,
// retry_on_failure gives up, or the relay stops (errStopped).
func (s *sender) sendWithRetry(ctx context.Context, q *request, retry configretry.BackOffConfig, stop <-chan struct{}, tel *telemetry, logger *zap.Logger) error {
	start := time.Now()
	waits := newBackoff(retry)
	for {
		rejected, err := s.send(ctx, q)
		if err == nil {
			tel.requests(ctx, outcomeOK)
			if rejected > 0 {
				tel.records(ctx, outcomeRejected, int(rejected))
				logger.Warn("The backend took a relayed request but rejected some of its records (partial success)",
					zap.Int64("rejected_log_records", rejected))
			}
			return nil
		}
		var se *sendError
		if !errors.As(err, &se) || !se.retryable || !retry.Enabled {
			tel.requests(ctx, outcomeRefused)
			return err
		}
		if stopped(stop) || ctx.Err() != nil {
			return errStopped
		}
		wait := se.retryAfter
		if wait == 0 {
			wait = waits.next()
		}
		if retry.MaxElapsedTime > 0 && time.Since(start)+wait > retry.MaxElapsedTime {
			tel.requests(ctx, outcomeRefused)
			return fmt.Errorf("still refused after retry_on_failure::max_elapsed_time (%s): %w", retry.MaxElapsedTime, err)
		}
		tel.requests(ctx, outcomeRetried)
		logger.Info("The backend refused a relayed request for now; retrying", zap.Duration("in", wait), zap.Error(err))
		if !sleep(ctx, stop, wait) {
			return errStopped
		}
	}
}

// backoff yields the waits of retry_on_failure: initial_interval, growing
// by multiplier up to max_interval, each randomized by randomization_factor.
type backoff struct {
	cfg      configretry.BackOffConfig
	interval time.Duration
}

func newBackoff(cfg configretry.BackOffConfig) *backoff {
	return &backoff{cfg: cfg, interval: cfg.InitialInterval}
}

func (b *backoff) next() time.Duration {
	d := b.interval
	b.interval = min(time.Duration(float64(b.interval)*b.cfg.Multiplier), b.cfg.MaxInterval)
	if b.cfg.RandomizationFactor <= 0 {
		return d
	}
	delta := b.cfg.RandomizationFactor * float64(d)
	return time.Duration(float64(d) - delta + rand.Float64()*2*delta)
}

// stopped reports whether stop is closed.
func stopped(stop <-chan struct{}) bool {
	select {
	case <-stop:
		return true
	default:
		return false
	}
}

// sleep waits d, and reports false if ctx ends or stop closes first.
func sleep(ctx context.Context, stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-stop:
		return false
	case <-t.C:
		return true
	}
}
