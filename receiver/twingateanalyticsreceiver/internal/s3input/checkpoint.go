// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package s3input // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"

import (
	"context"
	"encoding/json"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

// storageKey is where the input keeps its position in the storage extension.
const storageKey = "s3.position"

// position is how far the input read. Keys sort in time order, so the last
// key delivered in full is all a restart needs: it lists the keys after it.
// An object is delivered in batches; the events of the object in flight
// whose batches were delivered are kept too, so a crash repeats at most the
// batch in flight, not the whole object. Bucket and Prefix tell a position
// of another bucket apart (the configuration changed): it is ignored.
type position struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
	// Key is the last key whose object was delivered in full ("" = none).
	Key string `json:"key"`
	// Partial is the key after Key whose first Events events were delivered,
	// with the ETag of the object read then.
	Partial string `json:"partial,omitempty"`
	ETag    string `json:"etag,omitempty"`
	Events  int64  `json:"events,omitempty"`
}

// checkpoint stores positions; without a storage extension it stores nothing.
type checkpoint struct {
	client storage.Client
	logger *zap.Logger
}

// load returns the stored position, and false when there is none for this
// bucket and prefix (a first run: start_at applies).
func (c *checkpoint) load(ctx context.Context, bucket, prefix string) (position, bool) {
	if c.client == nil {
		return position{}, false
	}
	data, err := c.client.Get(ctx, storageKey)
	if err != nil {
		c.logger.Warn("Cannot read the stored S3 position; start_at applies", zap.Error(err))
		return position{}, false
	}
	if data == nil {
		return position{}, false
	}
	var p position
	if err := json.Unmarshal(data, &p); err != nil {
		c.logger.Warn("Ignoring an unreadable stored S3 position; start_at applies", zap.Error(err))
		return position{}, false
	}
	if p.Bucket != bucket || p.Prefix != prefix {
		c.logger.Warn("Ignoring the stored S3 position of another bucket or prefix; start_at applies",
			zap.String("stored_bucket", p.Bucket), zap.String("stored_prefix", p.Prefix))
		return position{}, false
	}
	return p, true
}

// store writes p. A failed write is logged: the input goes on, and a crash
// would then repeat more.
func (c *checkpoint) store(p position) {
	if c.client == nil {
		return
	}
	data, err := json.Marshal(p)
	if err == nil {
		// Not the input's context: what was delivered is recorded even
		// while shutting down.
		err = c.client.Set(context.Background(), storageKey, data)
	}
	if err != nil {
		c.logger.Error("Cannot store the S3 position; a restart may read objects again",
			zap.String("bucket", p.Bucket), zap.String("key", p.Key), zap.Error(err))
	}
}
