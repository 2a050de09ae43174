// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package journaldinput

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// TestJournaldSinkBatches drives the journald sink as stanza's journald input
// does (set the entry's cursor, then write the entry): full batches are
// delivered at once and a partial one after the flush interval, each
// followed by its last cursor; the batch in hand at shutdown is neither
// delivered nor checkpointed.
func TestJournaldSinkBatches(t *testing.T) {
	const key = "lastReadCursor"
	next := inputtest.NewSink()
	persister := operator.NewScopedPersister(storageScope,
		storagetest.NewInMemoryClient(component.KindReceiver, storagetest.NewStorageID("mem"), "test"))
	cursor := newCursorCheckpoint(persister)
	set := inputtest.Settings(nil)
	// Full batches only, however slow the machine.
	sink, err := newJournaldSink(set, inputtest.NewConverter(t, set, twingate.NewDefaultConfig()), next, cursor, 3, time.Hour)
	require.NoError(t, err)

	stored := func() string {
		v, err := persister.Get(context.Background(), key)
		require.NoError(t, err)
		return string(v)
	}
	write := func(i int) {
		require.NoError(t, cursor.Set(context.Background(), key, []byte("c"+strconv.Itoa(i))))
		e := entry.New()
		e.Body = map[string]any{"MESSAGE": logstest.ConnectionLine(i), "_HOSTNAME": "connector-host-1"}
		require.NoError(t, sink.Process(context.Background(), e))
	}

	for i := 1; i <= 6; i++ {
		write(i)
	}
	assert.Equal(t, int64(2), next.Attempts.Load(), "six entries, two batches of three")
	assert.Equal(t, 6, next.LogRecordCount())
	assert.Equal(t, "c6", stored())

	// A trickle: one entry waits at most the flush interval.
	sink.flushInterval = 50 * time.Millisecond
	write(7)
	assert.Equal(t, "c6", stored(), "the cursor of an undelivered entry is not stored")
	require.Eventually(t, func() bool { return next.LogRecordCount() == 7 }, waitFor, 5*time.Millisecond)
	require.Eventually(t, func() bool { return stored() == "c7" }, waitFor, 5*time.Millisecond)

	// Shutdown with an entry in hand: it is read again after a restart.
	write(8)
	got, err := cursor.Get(context.Background(), key)
	require.NoError(t, err)
	assert.Equal(t, "c8", string(got), "a restarted journalctl resumes after the batch in hand")
	sink.stop()
	time.Sleep(2 * sink.flushInterval) // a flush would have happened by now
	assert.Equal(t, 7, next.LogRecordCount())
	assert.Equal(t, "c7", stored())
	write(9)
	assert.Equal(t, 7, next.LogRecordCount(), "nothing is delivered after stop")
	assert.Equal(t, "c7", stored())
}
