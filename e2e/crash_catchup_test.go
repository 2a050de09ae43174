// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
)

// receiverBatch is the most lines the receiver hands on at once: the file
// consumer's batch and the journald sink's batch are both 100.
const receiverBatch = 100

// crashRepeatBound is what docs/delivery.md promises a
// crash repeats at most with examples/reliable.yaml: one receiver batch per
// file being read, plus what the exporter had taken from its queue and not
// yet had acknowledged.
const crashRepeatBound = 2000

// TestCrashDuringCatchUp: the collector starts behind a 100,000-line log
// (after an outage, or a new install with start_at: beginning) and is killed
// three times while it catches up. stanza stores file offsets only when a
// poll ends, and the catch-up is one poll; the receiver's own record of what
// it delivered per file keeps each crash's repeats to the batches in flight.
// 0 lost.
func TestCrashDuringCatchUp(t *testing.T) {
	distribution(t)
	const n = 100_000
	path := filepath.Join(t.TempDir(), "connector.log")
	var b strings.Builder
	for i := range n {
		b.WriteString(logstest.ConnectionLine(i))
		b.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))

	in := newIngest(t, tailFile(path), nil)
	// repeated is how many records arrived more than once so far.
	repeated := func() int {
		total := 0
		for _, c := range logstest.CountRecords(in.backend.logs.AllLogs()) {
			total += c - 1
		}
		return total
	}
	col := in.run()
	// perCrash[k] is what crash k+1 repeated: what arrived twice in the run
	// after it.
	var perCrash []int
	prev := 0
	for k, at := range []int{n / 5, n / 2, 4 * n / 5} {
		in.waitForRecords(at, col)
		col.kill(t)
		// A request the collector sent before dying may still be in the
		// backend's hands: stopping the backend waits for it.
		in.backend.stop(t)
		now := repeated()
		if k > 0 {
			perCrash = append(perCrash, now-prev)
		}
		prev = now
		in.backend.start(t)
		col = in.run()
	}
	d := in.finish(n, col)
	perCrash = append(perCrash, repeated()-prev)
	t.Logf("%d lines, 3 crashes; records repeated by each crash %v; %s", n, perCrash, d)
	for i, r := range perCrash {
		assert.LessOrEqual(t, r, crashRepeatBound, "crash %d repeated %d records", i+1, r)
	}
}
