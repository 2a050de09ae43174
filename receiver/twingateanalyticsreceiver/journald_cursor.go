// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"
	"sync"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
)

// cursorCheckpoint is the persister the journald input gets. The input
// persists an entry's cursor before it writes the entry out and ignores what
// writing returns, so a crash or a refused delivery in between would skip
// the entry on restart. cursorCheckpoint holds what the input sets in memory
// until the sink has delivered the entry (commit), so the stored cursor never
// passes an entry that was not delivered or dropped and counted.
type cursorCheckpoint struct {
	operator.Persister

	mu        sync.Mutex
	pending   map[string][]byte
	committed map[string][]byte
	// interrupted is set once a delivery was stopped by shutdown: no later
	// entry may be committed past it.
	interrupted bool
}

func newCursorCheckpoint(p operator.Persister) *cursorCheckpoint {
	return &cursorCheckpoint{Persister: p, pending: map[string][]byte{}, committed: map[string][]byte{}}
}

// Set records the cursor of the entry the input is about to write.
func (c *cursorCheckpoint) Set(_ context.Context, key string, value []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending[key] = value
	return nil
}

// Get returns the last committed cursor. The input calls it whenever it
// (re)starts journalctl, which then resumes after the last delivered entry
// even without a storage extension.
func (c *cursorCheckpoint) Get(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	v, ok := c.committed[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	return c.Persister.Get(ctx, key)
}

// commit stores the pending cursors once the entry they belong to was
// delivered (err == nil), and never again once a delivery was interrupted.
func (c *cursorCheckpoint) commit(ctx context.Context, err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.interrupted = true
	}
	if c.interrupted || len(c.pending) == 0 {
		return nil
	}
	for k, v := range c.pending {
		if err := c.Persister.Set(ctx, k, v); err != nil {
			return err
		}
		c.committed[k] = v
		delete(c.pending, k)
	}
	return nil
}
