// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package s3input // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"

import (
	"context"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.opentelemetry.io/collector/pdata/pcommon"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// The record attributes that say which object an event came from.
var (
	attrBucket = string(semconv.AWSS3BucketKey)
	attrKey    = string(semconv.AWSS3KeyKey)
)

// readObject delivers the events of one object, in batches of batch_size as
// they are read: the object is streamed, never held whole. The position
// moves past the key only once its last batch was delivered; after each
// earlier batch, the count of its events delivered is stored, so a crash
// repeats at most the batch in flight. A request or read that fails is
// retried (resuming after the events delivered) until it succeeds: later
// keys wait. The one object skipped is one deleted after it was listed,
// which nothing can read any more; that is counted and logged as an error.
// It returns an error only when shutdown stopped it.
func (in *Input) readObject(ctx context.Context, key string) error {
	if in.pos.Partial != key {
		in.pos.Partial, in.pos.ETag, in.pos.Events = key, "", 0
	}
	gone := false
	err := in.retry(ctx, key, func() (string, error) {
		out, err := in.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(in.cfg.Bucket), Key: aws.String(key)})
		if err != nil {
			if isNoSuchKey(err) {
				gone = true
				return opGetObject, nil
			}
			return opGetObject, err
		}
		defer out.Body.Close()
		etag := aws.ToString(out.ETag)
		if in.pos.Events > 0 && in.pos.ETag != "" && etag != in.pos.ETag {
			in.set.Logger.Warn("S3 object changed since part of it was delivered; reading it whole again",
				zap.String("bucket", in.cfg.Bucket), zap.String("key", key), zap.Int64("events_delivered", in.pos.Events))
			in.pos.Events = 0
		}
		in.pos.ETag = etag
		return opReadObject, in.stream(ctx, key, out.Body)
	})
	if err != nil {
		return err
	}
	if gone {
		in.errs.Add(ctx, 1, in.errsOpt[opGetObject])
		in.set.Logger.Error("S3 object was listed but no longer exists (deleted by a lifecycle rule or by hand?); its events cannot be read",
			zap.String("bucket", in.cfg.Bucket), zap.String("key", key), zap.Int64("events_delivered", in.pos.Events))
	}
	in.pos = position{Bucket: in.cfg.Bucket, Prefix: in.cfg.Prefix, Key: key}
	in.ckpt.store(in.pos)
	return nil
}

// stream converts the events of body after the first in.pos.Events and
// delivers them in batches, storing the count after each batch. It returns
// errShutdown when a delivery was interrupted, or the read error.
func (in *Input) stream(ctx context.Context, key string, body io.Reader) error {
	sc := twingate.NewExportScanner(body, int(in.cfg.MaxEventSize))
	src := &twingate.Source{Attributes: map[string]any{attrBucket: in.cfg.Bucket, attrKey: key}}
	var (
		b        *twingate.Batch
		n        int
		observed pcommon.Timestamp
		skip     = in.pos.Events
	)
	deliver := func(events int64) error {
		if err := in.deliverer.Deliver(ctx, b); err != nil {
			return wrapShutdown(err)
		}
		b, n = nil, 0
		in.pos.Events = events
		in.ckpt.store(in.pos)
		return nil
	}
	for sc.Scan() {
		if sc.Events() <= skip {
			continue // delivered before a retry or a restart
		}
		if b == nil {
			b = twingate.NewBatch(metadata.ScopeName)
			observed = pcommon.NewTimestampFromTime(time.Now())
		}
		src.Truncated = sc.TooLong()
		in.conv.AppendExportEvent(ctx, b, sc.Event(), src, observed)
		n++
		if n >= in.cfg.BatchSize {
			if err := deliver(sc.Events()); err != nil {
				return err
			}
		}
	}
	if err := sc.Err(); err != nil {
		// The events of the batch being built were not delivered: the
		// retry reads them again.
		return err
	}
	if b != nil {
		return deliver(sc.Events())
	}
	return nil
}
