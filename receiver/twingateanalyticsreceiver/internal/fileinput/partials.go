// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/fileinput"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// A partial line is given up on when its file has not been read for
// partialLineIdle; files are checked every partialLineCheck.
const (
	partialLineIdle  = 5 * time.Second
	partialLineCheck = time.Second
)

// expirePartials sends, until ctx is done, the partial lines of the files
// that stopped being read, and forgets those files.
func (in *Input) expirePartials(ctx context.Context, check, idle time.Duration) {
	ticker := time.NewTicker(check)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticker.C:
			if err := in.sendFlushed(ctx, in.files.Expire(now, idle)); err != nil {
				in.set.Logger.Error("Failed to deliver container log lines that were never completed", zap.Error(err))
			}
		}
	}
}

// sendFlushed converts and delivers partial lines given up on.
func (in *Input) sendFlushed(ctx context.Context, lines []container.Flushed) error {
	if len(lines) == 0 {
		return nil
	}
	b := twingate.NewBatch(metadata.ScopeName)
	observed := pcommon.NewTimestampFromTime(time.Now())
	src := &twingate.Source{}
	for _, l := range lines {
		attrs := recordAttributes{file: l.Attributes}
		src.SetResource(l.Resource)
		src.Attributes = attrs.forLine(l.Stream, 0, -1)
		src.Timestamp, src.Truncated = l.Time, l.Truncated
		in.conv.AppendLine(ctx, b, l.Text, src, observed)
	}
	return in.deliverer.Deliver(ctx, b)
}
