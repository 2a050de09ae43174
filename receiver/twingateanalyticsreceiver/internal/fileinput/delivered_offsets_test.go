// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// TestDeliveredOffsetsSkipRepeat: stanza stores file offsets only when a
// poll ends; the receiver stores per file what it delivered after each
// batch. The test removes stanza's checkpoint after a first run, as a crash
// in the middle of a catch-up poll leaves it: the second run reads the file
// from the start again, and the receiver skips every line delivered before
// and delivers the appended ones once.
func TestDeliveredOffsetsSkipRepeat(t *testing.T) {
	const n = 450 // several batches of 100 lines
	dir := t.TempDir()
	path := filepath.Join(dir, "connector.log")
	require.NoError(t, os.WriteFile(path, []byte(logstest.ConnectionLines(0, n)), 0o600))
	// A truncated and rewritten file is a new file: it is read in full.
	other := filepath.Join(dir, "other.log")
	require.NoError(t, os.WriteFile(other, []byte(logstest.ConnectionLines(n, n+150)), 0o600))
	storageDir := t.TempDir()
	cfg := fileConfig(filepath.Join(dir, "*.log"))

	first := inputtest.NewSink()
	client := storageClient(t, storageDir)
	stop := runInput(t, cfg, first, nil, client)
	require.Eventually(t, func() bool { return first.LogRecordCount() == n+150 }, waitFor, 10*time.Millisecond)
	stop()

	require.NoError(t, client.Delete(context.Background(), "file.knownFiles"))
	require.NoError(t, client.Close(context.Background()))
	require.NoError(t, os.WriteFile(other, []byte(logstest.ConnectionLines(n+150, n+300)), 0o600))

	second := inputtest.NewSink()
	runInput(t, cfg, second, nil, storageClient(t, storageDir))
	appendLines(t, path, logstest.ConnectionLines(n+300, n+301))
	// Both files: the appended line of the first, and the rewritten second
	// file, which a poll may reach after the appended line was delivered.
	require.Eventually(t, func() bool {
		return logstest.CountRecords(second.AllLogs())[fmt.Sprintf("rel-%07d twingate.connection.closed", n+300)] > 0 &&
			second.LogRecordCount() >= 151
	}, waitFor, 10*time.Millisecond)
	d := logstest.CheckDelivery(logstest.CountRecords(append(first.AllLogs(), second.AllLogs()...)), 0, n+301)
	t.Logf("first run %d records, second run %d: %s", first.LogRecordCount(), second.LogRecordCount(), d)
	assert.Empty(t, d.Lost, d)
	assert.Empty(t, d.Duplicated, d)
	assert.Equal(t, 151, second.LogRecordCount())
}

// storageClient opens a file-backed storage client in dir, closed when the
// test ends (closing twice is harmless).
func storageClient(t *testing.T, dir string) storage.Client {
	t.Helper()
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("file_storage", dir)
	ext := host.GetExtensions()[storagetest.NewStorageID("file_storage")].(storage.Extension)
	client, err := ext.GetClient(context.Background(), component.KindReceiver, inputtest.ID, "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close(context.Background()) })
	return client
}
