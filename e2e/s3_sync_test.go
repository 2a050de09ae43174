// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux

package e2e

// The s3 input of the built binary against a real S3 API (gofakes3) started
// by the test on 127.0.0.1: objects present and objects appearing while the
// collector runs, and kill -9 in the middle of an object.

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
)

const s3Bucket = "twingate-events"

// s3Objects puts Twingate-like objects into a bucket of an in-process S3 API.
type s3Objects struct {
	backend *s3mem.Backend
	url     string
}

func startFakeS3(t *testing.T) *s3Objects {
	t.Helper()
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(srv.Close)
	require.NoError(t, backend.CreateBucket(s3Bucket))
	// The collector finds these in its default credential chain.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/aws/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return &s3Objects{backend: backend, url: srv.URL}
}

// put writes events from..to-1 as the object Twingate writes at 5-minute slot m.
func (s *s3Objects) put(t *testing.T, m, from, to int) {
	t.Helper()
	key := time.Date(2025, 7, 25, 18, 0, 0, 0, time.UTC).Add(time.Duration(m)*5*time.Minute).Format("2006-01-02T15:04:05+00:00") + ".json"
	body := logstest.ExportObject(from, to)
	_, err := s.backend.PutObject(s3Bucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil)
	require.NoError(t, err)
}

// s3Batch is the batch_size the tests read with.
const s3Batch = 100

func (s *s3Objects) input() map[string]any {
	return map[string]any{"s3": map[string]any{
		"bucket": s3Bucket, "region": "us-east-1", "endpoint": s.url, "use_path_style": true,
		"start_at": "beginning", "poll_interval": "100ms", "batch_size": s3Batch,
	}}
}

// TestS3SyncAcrossCrash: the collector reads a small object and a 60,000-event
// one, is killed (SIGKILL) in the middle of the large one, and restarted; an
// object written while it runs is read too. 0 lost. Everything repeated is
// from the object in flight at the crash; without the exporter's queue
// ("sync") at most the batch in flight (batch_size events), since the input
// stores how far into the object it delivered after every batch.
func TestS3SyncAcrossCrash(t *testing.T) {
	distribution(t)
	noQueue := func(cfg map[string]any) {
		exp := cfg["exporters"].(map[string]any)["otlp_http"].(map[string]any)
		exp["sending_queue"] = map[string]any{"enabled": false}
	}
	for _, tc := range []struct {
		name  string
		patch func(map[string]any)
	}{
		{"queue", nil},
		{"sync", noQueue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const small, large, late = 2_000, 60_000, 1_000
			s3 := startFakeS3(t)
			s3.put(t, 0, 0, small)
			s3.put(t, 1, small, small+large)
			in := newIngest(t, s3.input(), tc.patch)
			col := in.run()
			in.waitForRecords(small+large/5, col)
			col.kill(t)
			// A request the collector sent before dying may still be in the
			// backend's hands: stopping the backend waits for it.
			in.backend.stop(t)
			before := in.backend.logs.LogRecordCount()
			require.Less(t, before, small+large, "killed after the large object was read")
			in.backend.start(t)
			col = in.run()
			// An object that appears while the collector runs.
			s3.put(t, 2, small+large, small+large+late)
			n := small + large + late
			var d logstest.Delivery
			require.Eventually(t, func() bool {
				d = logstest.CheckExportDelivery(logstest.CountExportRecords(in.backend.logs.AllLogs()), 0, n)
				return col.exitedEarly(t) || len(d.Lost) == 0
			}, waitForDelivery, 50*time.Millisecond, "never complete: %s; collector output:\n%s", &d, col)
			col.stop(t)
			d = logstest.CheckExportDelivery(logstest.CountExportRecords(in.backend.logs.AllLogs()), 0, n)
			t.Logf("s3/%s: %d events in 3 objects; SIGKILL after %d delivered; lost %d, repeated %d, unexpected %d",
				tc.name, n, before, len(d.Lost), len(d.Duplicated), len(d.Unexpected))
			assert.Empty(t, d.Lost, "%s", d)
			assert.Empty(t, d.Unexpected, "%s", d)
			for _, i := range d.Duplicated {
				require.True(t, i >= small && i < small+large, "event %d repeated is not of the object in flight: %s", i, d)
			}
			if tc.patch != nil {
				assert.LessOrEqual(t, len(d.Duplicated), s3Batch, "at most the batch in flight is repeated: %s", d)
			} else {
				assert.LessOrEqual(t, len(d.Duplicated), crashRepeatBound, "%s", d)
			}
		})
	}
}

// TestS3SyncRecords: each event type of the documented examples, read by
// the binary from the bucket, arrives with its event name and the object's
// bucket and key.
func TestS3SyncRecords(t *testing.T) {
	distribution(t)
	s3 := startFakeS3(t)
	s3.put(t, 0, 0, 8)
	in := newIngest(t, s3.input(), nil)
	col := in.run()
	in.waitForRecords(8, col)
	col.stop(t)
	names := map[string]int{}
	for _, lr := range logstest.LogRecords(in.backend.logs.AllLogs()) {
		names[lr.EventName()]++
		b, _ := lr.Attributes().Get("aws.s3.bucket")
		assert.Equal(t, s3Bucket, b.Str())
		k, _ := lr.Attributes().Get("aws.s3.key")
		assert.Equal(t, "2025-07-25T18:00:00+00:00.json", k.Str())
	}
	assert.Equal(t, map[string]int{
		"twingate.connection.established": 2, "twingate.connection.closed": 2,
		"twingate.connection.failed": 2, "twingate.connection.denied": 2,
	}, names, fmt.Sprint(names))
}
