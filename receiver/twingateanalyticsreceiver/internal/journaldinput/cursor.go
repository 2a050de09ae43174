// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package journaldinput // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/journaldinput"

import (
	"context"
	"sync"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
)

// cursorCheckpoint is the persister the journald input gets. The input
// persists an entry's cursor before it writes the entry out and ignores what
// writing returns, so a crash or a refused delivery in between would skip
// the entry on restart. cursorCheckpoint holds what the input sets in memory:
// the sink marks it as belonging to the batch it is building (mark) and
// stores the batch's last cursor once the batch was delivered (commit), so
// the stored cursor never passes an entry that was not delivered or dropped
// and counted.
type cursorCheckpoint struct {
	operator.Persister

	mu sync.Mutex
	// pending is what the input set for the entry it is writing.
	pending map[string][]byte
	// batched is the last cursor of the batch being built or delivered.
	batched map[string][]byte
	// taken is the last cursor of every entry the sink took: a restarted
	// journalctl resumes after it, so it does not read the batch in hand again.
	taken map[string][]byte
	// interrupted is set once a delivery was stopped by shutdown: no later
	// batch may be committed past it.
	interrupted bool
}

func newCursorCheckpoint(p operator.Persister) *cursorCheckpoint {
	return &cursorCheckpoint{
		Persister: p,
		pending:   map[string][]byte{},
		batched:   map[string][]byte{},
		taken:     map[string][]byte{},
	}
}

// Set records the cursor of the entry the input is about to write.
func (c *cursorCheckpoint) Set(_ context.Context, key string, value []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending[key] = value
	return nil
}

// Get returns the cursor of the last entry the sink took. The input calls it
// whenever it (re)starts journalctl, which then resumes after it even
// without a storage extension; at start, that is the stored cursor.
func (c *cursorCheckpoint) Get(ctx context.Context, key string) ([]byte, error) {
	c.mu.Lock()
	v, ok := c.taken[key]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	return c.Persister.Get(ctx, key)
}

// mark binds the cursor the input set last to the batch being built: the
// sink calls it once it added the entry.
func (c *cursorCheckpoint) mark() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.pending {
		c.batched[k] = v
		c.taken[k] = v
		delete(c.pending, k)
	}
}

// commit stores the last cursor of the batch once it was delivered
// (err == nil), and never again once a delivery was interrupted.
func (c *cursorCheckpoint) commit(ctx context.Context, err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.interrupted = true
	}
	if c.interrupted {
		return nil
	}
	for k, v := range c.batched {
		if err := c.Persister.Set(ctx, k, v); err != nil {
			return err
		}
		delete(c.batched, k)
	}
	return nil
}

// interrupt stops all later commits: the batch in hand is dropped at
// shutdown and must be read again after a restart.
func (c *cursorCheckpoint) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.interrupted = true
}
