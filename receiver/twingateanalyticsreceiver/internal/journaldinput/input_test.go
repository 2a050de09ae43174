// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux

package journaldinput

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// journalDir holds a real journal file written by systemd-journal-remote
// (`make journal-fixtures`): six entries of unit twingate-connector (four
// ANALYTICS lines, two other lines) and one of sshd.
var journalDir = testcorpus.Path("journal")

// TestJournaldInput reads the fixture journal through stanza's journald input,
// which runs journalctl, with the receiver's default unit filter.
func TestJournaldInput(t *testing.T) {
	_, err := exec.LookPath("journalctl")
	require.NoError(t, err, "journalctl is needed (Debian package systemd)")
	dir, err := filepath.Abs(journalDir)
	require.NoError(t, err)

	for _, tc := range []struct {
		otherLines string
		expected   string
	}{
		{twingate.OtherLinesDrop, "journald_expected.yaml"},
		{twingate.OtherLinesSend, "journald_other_lines_expected.yaml"},
	} {
		t.Run(tc.otherLines, func(t *testing.T) {
			cfg := NewDefaultConfig()
			cfg.Directory = &dir
			cfg.StartAt = "beginning"
			tcfg := twingate.NewDefaultConfig()
			tcfg.OtherLines = tc.otherLines

			sink := inputtest.NewSink()
			runInput(t, &cfg, tcfg, sink, nil)

			expectedPath := filepath.Join("testdata", tc.expected)
			if *update {
				time.Sleep(3 * time.Second) // journalctl has printed the whole journal by then
				require.NoError(t, golden.WriteLogs(t, expectedPath, logstest.MergeByResource(sink.AllLogs())))
			}
			expected, err := golden.ReadLogs(expectedPath)
			require.NoError(t, err)
			require.Eventually(t, func() bool { return sink.LogRecordCount() >= expected.LogRecordCount() }, waitFor, 10*time.Millisecond)
			actual := logstest.MergeByResource(sink.AllLogs())
			logstest.RequireLogsMatch(t, expected, actual)
		})
	}
}

// TestJournaldCursorFollowsDelivery: stanza's journald input stores an
// entry's cursor before writing the entry out; the input stores the last
// cursor of a batch only once the batch was delivered. With batches of two
// entries, the first run accepts the first batch (an other line and one
// record) and is shut down after the next one was not delivered (as when
// shutdown interrupts its retries); the second run resumes exactly after the
// delivered batch.
func TestJournaldCursorFollowsDelivery(t *testing.T) {
	_, err := exec.LookPath("journalctl")
	require.NoError(t, err, "journalctl is needed (Debian package systemd)")
	dir, err := filepath.Abs(journalDir)
	require.NoError(t, err)
	cfg := NewDefaultConfig()
	cfg.Directory = &dir
	cfg.StartAt = "beginning"
	storageDir := t.TempDir()

	first := inputtest.NewSink()
	first.Decide = func(attempt int64, _ plog.Logs) error {
		if attempt == 1 {
			return nil
		}
		return errors.New("delivery interrupted by shutdown")
	}
	client := storageClient(t, storageDir)
	stop := runInput(t, &cfg, twingate.NewDefaultConfig(), first, client, WithMaxBatch(2))
	require.Eventually(t, func() bool { return first.Attempts.Load() >= 2 }, waitFor, 5*time.Millisecond)
	stop()
	require.NoError(t, client.Close(context.Background()))
	// One batch of two entries was accepted: the other line and one record
	// (or, had the flush interval split them, two records).
	accepted := first.LogRecordCount()
	require.True(t, accepted == 1 || accepted == 2, "accepted %d records", accepted)

	second := inputtest.NewSink()
	runInput(t, &cfg, twingate.NewDefaultConfig(), second, storageClient(t, storageDir))
	require.Eventually(t, func() bool { return accepted+second.LogRecordCount() >= 4 }, waitFor, 10*time.Millisecond)
	counts := logstest.CountRecords(append(first.AllLogs(), second.AllLogs()...))
	assert.Equal(t, map[string]int{
		"5f3a9c0e1b2d4f67-101 twingate.connection.established": 1,
		"5f3a9c0e1b2d4f67-101 twingate.connection.closed":      1,
		"5f3a9c0e1b2d4f67-102 twingate.connection.failed":      1,
		"5f3a9c0e1b2d4f67-103 twingate.connection.established": 1,
	}, counts)
}
