// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package s3input

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// TestObjectsAppearWhileRunning: objects present at the start (start_at
// beginning) and objects written while the input runs are each delivered
// once, in key order, with the bucket and key on every record.
func TestObjectsAppearWhileRunning(t *testing.T) {
	f := newFakeS3(t)
	f.createBucket(t)
	f.put(t, objectKey(0), exportObject(0, 10))
	f.put(t, objectKey(1), exportObject(10, 25))
	sink := inputtest.NewSink()
	runInput(t, f.testConfig(), sink, nil, nil, nil)

	require.Eventually(t, func() bool { return sink.LogRecordCount() == 25 }, waitFor, 10*time.Millisecond)
	f.put(t, objectKey(2), exportObject(25, 30))
	f.put(t, objectKey(3), []byte(exportEvent(30)))
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 31 }, waitFor, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // a repeated object would show up by now
	checkOnce(t, devices(t, sink.AllLogs()), 0, 31)

	// Key order is time order: the records arrive in it.
	var keys []string
	for _, ld := range sink.AllLogs() {
		k, _ := ld.ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0).Attributes().Get(attrKey)
		if len(keys) == 0 || keys[len(keys)-1] != k.Str() {
			keys = append(keys, k.Str())
		}
	}
	assert.Equal(t, []string{objectKey(0), objectKey(1), objectKey(2), objectKey(3)}, keys)
}

// TestStartAtEnd: without a stored position, start_at end reads only the
// keys after the newest key present at the first listing.
func TestStartAtEnd(t *testing.T) {
	f := newFakeS3(t)
	f.createBucket(t)
	f.put(t, objectKey(0), exportObject(0, 10))
	f.put(t, objectKey(1), exportObject(10, 20))
	cfg := f.testConfig()
	cfg.StartAt = StartAtEnd
	trigger := make(chan time.Time)
	sink := inputtest.NewSink()
	runInput(t, cfg, sink, nil, nil, nil, WithPollTrigger(trigger))

	require.Eventually(t, func() bool { return f.lists.Load() == 1 }, waitFor, time.Millisecond)
	f.put(t, objectKey(2), exportObject(20, 30))
	trigger <- time.Now()
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 10 }, waitFor, 10*time.Millisecond)
	checkOnce(t, devices(t, sink.AllLogs()), 20, 30)
	assert.EqualValues(t, 1, f.gets.Load(), "the objects before the start are not read")
}

// TestUnchangedBucketOneListPerPoll: once caught up, a poll of an unchanged
// bucket is one ListObjectsV2 request (StartAfter the last key) and nothing
// else.
func TestUnchangedBucketOneListPerPoll(t *testing.T) {
	f := newFakeS3(t)
	f.createBucket(t)
	for m := range 3 {
		f.put(t, objectKey(m), exportObject(m*10, m*10+10))
	}
	trigger := make(chan time.Time)
	sink := inputtest.NewSink()
	runInput(t, f.testConfig(), sink, nil, nil, nil, WithPollTrigger(trigger))
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 30 }, waitFor, 10*time.Millisecond)
	require.EqualValues(t, 1, f.lists.Load())
	require.EqualValues(t, 3, f.gets.Load())

	const polls = 25
	for range polls {
		trigger <- time.Now() // taken only once the previous poll is over
	}
	require.Eventually(t, func() bool { return f.lists.Load() == 1+polls }, waitFor, time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	assert.EqualValues(t, 1+polls, f.lists.Load(), "one ListObjectsV2 per poll")
	assert.EqualValues(t, 3, f.gets.Load(), "no object read twice")
	assert.Equal(t, 30, sink.LogRecordCount())
}

// TestRestartResumesWithoutRereading: with storage, a restart lists after
// the last key delivered: what the first run delivered is not read again,
// and what was written while the input was down is read.
func TestRestartResumesWithoutRereading(t *testing.T) {
	f := newFakeS3(t)
	f.createBucket(t)
	f.put(t, objectKey(0), exportObject(0, 10))
	f.put(t, objectKey(1), exportObject(10, 20))
	dir := t.TempDir()

	first := inputtest.NewSink()
	client := storageClient(t, dir)
	stop := runInput(t, f.testConfig(), first, nil, client, nil)
	require.Eventually(t, func() bool { return first.LogRecordCount() == 20 }, waitFor, 10*time.Millisecond)
	stop()
	require.NoError(t, client.Close(context.Background()))

	f.put(t, objectKey(2), exportObject(20, 30))
	gets := f.gets.Load()
	second := inputtest.NewSink()
	// start_at applies only to a first run: the stored position wins.
	cfg := f.testConfig()
	cfg.StartAt = StartAtEnd
	runInput(t, cfg, second, nil, storageClient(t, dir), nil)
	require.Eventually(t, func() bool { return second.LogRecordCount() == 10 }, waitFor, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	assert.EqualValues(t, 1, f.gets.Load()-gets, "only the new object is read")
	checkOnce(t, devices(t, append(first.AllLogs(), second.AllLogs()...)), 0, 30)
}

// TestStartAtEndIsStored: the start start_at end found is stored at once, so
// objects written between a first run and a restart are not skipped.
func TestStartAtEndIsStored(t *testing.T) {
	f := newFakeS3(t)
	f.createBucket(t)
	f.put(t, objectKey(0), exportObject(0, 10))
	dir := t.TempDir()
	cfg := f.testConfig()
	cfg.StartAt = StartAtEnd

	first := inputtest.NewSink()
	client := storageClient(t, dir)
	stop := runInput(t, cfg, first, nil, client, nil)
	// Stopped once the first listing is over and its result stored.
	require.Eventually(t, func() bool {
		v, err := client.Get(context.Background(), storageKey)
		return err == nil && v != nil
	}, waitFor, time.Millisecond)
	stop()
	require.NoError(t, client.Close(context.Background()))

	f.put(t, objectKey(1), exportObject(10, 20))
	second := inputtest.NewSink()
	runInput(t, cfg, second, nil, storageClient(t, dir), nil)
	require.Eventually(t, func() bool { return second.LogRecordCount() == 10 }, waitFor, 10*time.Millisecond)
	checkOnce(t, devices(t, append(first.AllLogs(), second.AllLogs()...)), 10, 20)
}

// TestInterruptedObjectRepeatsAtMostOneBatch: an object is delivered in
// batches; shutdown interrupts the delivery of the fourth. The restart
// resumes after the three batches delivered: nothing lost, nothing twice,
// and the key is stored as done only after its last batch.
func TestInterruptedObjectRepeatsAtMostOneBatch(t *testing.T) {
	f := newFakeS3(t)
	f.createBucket(t)
	f.put(t, objectKey(0), exportObject(0, 100))
	f.put(t, objectKey(1), exportObject(100, 120))
	dir := t.TempDir()
	cfg := f.testConfig()
	cfg.BatchSize = 10

	first := inputtest.NewSink()
	first.Decide = func(attempt int64, _ plog.Logs) error {
		if attempt <= 3 {
			return nil
		}
		return errors.New("delivery interrupted by shutdown")
	}
	client := storageClient(t, dir)
	stop := runInput(t, cfg, first, nil, client, nil)
	require.Eventually(t, func() bool { return first.Attempts.Load() == 4 }, waitFor, time.Millisecond)
	stop()
	require.NoError(t, client.Close(context.Background()))
	require.Equal(t, 30, first.LogRecordCount())

	second := inputtest.NewSink()
	runInput(t, cfg, second, nil, storageClient(t, dir), nil)
	require.Eventually(t, func() bool { return second.LogRecordCount() == 90 }, waitFor, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	checkOnce(t, devices(t, append(first.AllLogs(), second.AllLogs()...)), 0, 120)
}

// TestReadErrorResumesInObject: the connection breaks in the middle of an
// object's body; the input counts it, requests the object again and
// delivers the events after those already delivered: each once.
func TestReadErrorResumesInObject(t *testing.T) {
	f := newFakeS3(t)
	f.createBucket(t)
	body := exportObject(0, 200)
	f.put(t, objectKey(0), body)
	var cut atomic.Bool
	f.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, ".json") || cut.Swap(true) {
			return false
		}
		// Announce the whole object, send two thirds, then drop the connection.
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)*2/3])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	})
	cfg := f.testConfig()
	cfg.BatchSize = 25
	tel := inputtest.NewTelemetry(t)
	sink := inputtest.NewSink()
	runInput(t, cfg, sink, tel, nil, nil)
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 200 }, waitFor, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	checkOnce(t, devices(t, sink.AllLogs()), 0, 200)
	assert.EqualValues(t, 1, inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_s3_errors",
		map[string]string{"receiver": "twingateanalytics", "operation": opReadObject}))
}

// TestAccessDenied: without s3:ListBucket, or without s3:GetObject, the
// input says which permission is missing, counts the failures and retries;
// once the permission is granted, everything is delivered: no object is
// skipped.
func TestAccessDenied(t *testing.T) {
	for _, tc := range []struct {
		name, op, permission string
		deny                 func(r *http.Request) bool
	}{
		{
			"list", opListObjects, "s3:ListBucket on arn:aws:s3:::" + bucket,
			func(r *http.Request) bool { return r.URL.Query().Get("list-type") == "2" },
		},
		{
			"get", opGetObject, "s3:GetObject on arn:aws:s3:::" + bucket + "/*",
			func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, ".json") },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeS3(t)
			f.createBucket(t)
			f.put(t, objectKey(0), exportObject(0, 10))
			var denied atomic.Bool
			denied.Store(true)
			f.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if denied.Load() && tc.deny(r) {
					answerError(w, http.StatusForbidden, "AccessDenied", "Access Denied")
					return true
				}
				return false
			})
			tel := inputtest.NewTelemetry(t)
			logger, logs := observedLogger()
			sink := inputtest.NewSink()
			runInput(t, f.testConfig(), sink, tel, nil, logger)

			errs := func() int64 {
				return inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_s3_errors",
					map[string]string{"receiver": "twingateanalytics", "operation": tc.op})
			}
			require.Eventually(t, func() bool { return errs() >= 2 }, waitFor, time.Millisecond)
			entries := logs.FilterMessageSnippet("S3 request failed").All()
			require.NotEmpty(t, entries)
			msg := entries[0].ContextMap()["error"].(string)
			assert.Contains(t, msg, "access denied: the collector's credentials need "+tc.permission)
			assert.Equal(t, bucket, entries[0].ContextMap()["bucket"])
			if tc.op == opGetObject {
				assert.Equal(t, objectKey(0), entries[0].ContextMap()["key"])
			}
			assert.Zero(t, sink.LogRecordCount())

			denied.Store(false)
			require.Eventually(t, func() bool { return sink.LogRecordCount() == 10 }, waitFor, 10*time.Millisecond)
			checkOnce(t, devices(t, sink.AllLogs()), 0, 10)
		})
	}
}

// TestMissingBucket: a bucket that does not exist is reported as such,
// counted and retried; once it exists, its objects are read.
func TestMissingBucket(t *testing.T) {
	f := newFakeS3(t)
	tel := inputtest.NewTelemetry(t)
	logger, logs := observedLogger()
	sink := inputtest.NewSink()
	runInput(t, f.testConfig(), sink, tel, nil, logger)

	require.Eventually(t, func() bool {
		return inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_s3_errors",
			map[string]string{"operation": opListObjects}) >= 2
	}, waitFor, time.Millisecond)
	entries := logs.FilterMessageSnippet("S3 request failed").All()
	require.NotEmpty(t, entries)
	assert.Contains(t, entries[0].ContextMap()["error"], `list objects in bucket "twingate-events": the bucket does not exist: check 'bucket'`)

	f.createBucket(t)
	f.put(t, objectKey(0), exportObject(0, 5))
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 5 }, waitFor, 10*time.Millisecond)
}

// TestDeletedObjectIsCountedAndLogged: an object deleted between the
// listing and its GetObject cannot be read by anyone: it is counted and
// logged as an error, and the objects after it are read.
func TestDeletedObjectIsCountedAndLogged(t *testing.T) {
	f := newFakeS3(t)
	f.createBucket(t)
	f.put(t, objectKey(0), exportObject(0, 10))
	f.put(t, objectKey(1), exportObject(10, 20))
	f.put(t, objectKey(2), exportObject(20, 30))
	f.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, objectKey(1)) {
			answerError(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
			return true
		}
		return false
	})
	tel := inputtest.NewTelemetry(t)
	logger, logs := observedLogger()
	sink := inputtest.NewSink()
	runInput(t, f.testConfig(), sink, tel, nil, logger)
	require.Eventually(t, func() bool { return sink.LogRecordCount() == 20 }, waitFor, 10*time.Millisecond)
	got := devices(t, sink.AllLogs())
	for i := 20; i < 30; i++ {
		got[fmt.Sprintf("dev-%07d", i-10)] = got[fmt.Sprintf("dev-%07d", i)]
		delete(got, fmt.Sprintf("dev-%07d", i))
	}
	checkOnce(t, got, 0, 20) // objects 0 and 2, each once
	require.Eventually(t, func() bool { return logs.FilterMessageSnippet("no longer exists").Len() == 1 }, waitFor, time.Millisecond)
	entry := logs.FilterMessageSnippet("no longer exists").All()[0]
	assert.Equal(t, objectKey(1), entry.ContextMap()["key"])
	assert.EqualValues(t, 1, inputtest.Sum(t, tel, "otelcol_receiver_twingateanalytics_s3_errors",
		map[string]string{"operation": opGetObject}))
}

// TestLargeObject: a 50 MB object is streamed and delivered in batches; all
// its events arrive (its memory is measured by BenchmarkS3Object50MB).
func TestLargeObject(t *testing.T) {
	if testing.Short() {
		t.Skip("50 MB object")
	}
	f := newFakeS3(t)
	f.createBucket(t)
	body, n := largeObject(50 << 20)
	f.put(t, objectKey(0), body)
	d := &countingDeliverer{}
	runInput(t, f.testConfig(), d, nil, nil, nil)
	require.Eventually(t, func() bool { return d.records.Load() == int64(n) }, 2*time.Minute, 10*time.Millisecond)
	assert.GreaterOrEqual(t, d.batches.Load(), int64(n/NewDefaultConfig().BatchSize), "delivered in batches as read")
}
