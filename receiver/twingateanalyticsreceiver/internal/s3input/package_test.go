// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package s3input

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// TestMain fails the package's tests when one leaves a goroutine running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The SDK's HTTP client keeps idle connections to the fake server.
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
}

const (
	waitFor = 20 * time.Second
	bucket  = "twingate-events"
)

// fakeS3 is a real S3 API (gofakes3) on 127.0.0.1, behind a handler that
// counts the requests and can answer some as S3 would refuse them.
type fakeS3 struct {
	backend *s3mem.Backend
	srv     *httptest.Server
	lists   atomic.Int64
	gets    atomic.Int64

	mu sync.Mutex
	// intercept, when set, answers a request instead of gofakes3 (true).
	intercept func(w http.ResponseWriter, r *http.Request) bool
}

func newFakeS3(tb testing.TB) *fakeS3 {
	tb.Helper()
	f := &fakeS3{backend: s3mem.New()}
	fake := gofakes3.New(f.backend, gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Counted once answered: what a counted listing holds is settled.
		if r.Method == http.MethodGet {
			if r.URL.Query().Get("list-type") == "2" {
				defer f.lists.Add(1)
			} else if strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1 {
				defer f.gets.Add(1)
			}
		}
		f.mu.Lock()
		intercept := f.intercept
		f.mu.Unlock()
		if intercept != nil && intercept(w, r) {
			return
		}
		fake.ServeHTTP(w, r)
	}))
	tb.Cleanup(f.srv.Close)
	// The default credential chain finds these: no shared files, no IMDS.
	tb.Setenv("AWS_ACCESS_KEY_ID", "AKIAFAKEFAKEFAKE")
	tb.Setenv("AWS_SECRET_ACCESS_KEY", "fake-secret")
	tb.Setenv("AWS_SESSION_TOKEN", "")
	tb.Setenv("AWS_PROFILE", "")
	tb.Setenv("AWS_CONFIG_FILE", "/nonexistent/aws/config")
	tb.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws/credentials")
	tb.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return f
}

func (f *fakeS3) setIntercept(fn func(w http.ResponseWriter, r *http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.intercept = fn
}

func (f *fakeS3) createBucket(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, f.backend.CreateBucket(bucket))
}

func (f *fakeS3) put(tb testing.TB, key string, body []byte) {
	tb.Helper()
	_, err := f.backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(body), int64(len(body)), nil)
	require.NoError(tb, err)
}

// answerError answers as S3 does when it refuses a request.
func answerError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message><RequestId>fake</RequestId></Error>`, code, message)
}

// testConfig reads the fake bucket from the beginning, polling often.
func (f *fakeS3) testConfig() *Config {
	cfg := NewDefaultConfig()
	cfg.Bucket = bucket
	cfg.Region = "us-east-1"
	cfg.Endpoint = f.srv.URL
	cfg.UsePathStyle = true
	cfg.StartAt = StartAtBeginning
	cfg.PollInterval = 20 * time.Millisecond
	return &cfg
}

// runInput starts an s3 input on cfg delivering to sink, with client (nil:
// no storage), logging to logger (nil: nowhere), and returns what stops it,
// once (also when the test ends).
func runInput(t *testing.T, cfg *Config, sink input.Deliverer, tel *componenttest.Telemetry, client storage.Client, logger *zap.Logger, opts ...Option) func() {
	t.Helper()
	require.NoError(t, cfg.Validate())
	set := inputtest.Settings(tel)
	if logger != nil {
		set.Logger = logger
	}
	opts = append([]Option{WithRetryIntervals(10*time.Millisecond, 50*time.Millisecond)}, opts...)
	in := New(cfg, inputtest.ID, set, inputtest.NewConverter(t, set, twingate.NewDefaultConfig()), inputtest.TelemetryBuilder(t, set), opts...)
	return inputtest.Start(t, in, client, sink)
}

// observedLogger keeps what is logged at info level and above.
func observedLogger() (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zap.InfoLevel)
	return zap.New(core), logs
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

// exportEvent is network_access event i, told apart by its device.id dev-<i>.
func exportEvent(i int) string { return logstest.ExportEvent(i) }

// exportObject holds events first..end-1, one per line (NDJSON).
func exportObject(first, end int) []byte { return logstest.ExportObject(first, end) }

// objectKey is the key Twingate gives the object written at minute m.
func objectKey(m int) string {
	return time.Date(2025, 7, 25, 18, 0, 0, 0, time.UTC).Add(time.Duration(m)*5*time.Minute).Format("2006-01-02T15:04:05+00:00") + ".json"
}

// devices counts the records per device.id, and checks each record names
// its bucket and a key.
func devices(t *testing.T, all []plog.Logs) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, ld := range all {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					b, _ := lr.Attributes().Get(attrBucket)
					require.Equal(t, bucket, b.Str())
					k, ok := lr.Attributes().Get(attrKey)
					require.True(t, ok)
					require.True(t, strings.HasSuffix(k.Str(), ".json"), k.Str())
					d, _ := lr.Attributes().Get("twingate.device.id")
					out[d.Str()]++
				}
			}
		}
	}
	return out
}

// checkOnce fails unless devices first..end-1 each arrived exactly once,
// and nothing else arrived.
func checkOnce(t *testing.T, got map[string]int, first, end int) {
	t.Helper()
	var lost, repeated, unexpected []string
	for i := first; i < end; i++ {
		d := fmt.Sprintf("dev-%07d", i)
		switch got[d] {
		case 0:
			lost = append(lost, d)
		case 1:
		default:
			repeated = append(repeated, d)
		}
	}
	for d := range got {
		var i int
		if _, err := fmt.Sscanf(d, "dev-%d", &i); err != nil || i < first || i >= end {
			unexpected = append(unexpected, d)
		}
	}
	require.Empty(t, lost, "lost")
	require.Empty(t, repeated, "repeated")
	require.Empty(t, unexpected, "unexpected")
}

// largeObject is NDJSON export events up to size bytes, and their number.
func largeObject(size int) ([]byte, int) {
	b := make([]byte, 0, size+2048)
	n := 0
	for len(b) < size {
		b = append(b, exportEvent(n)...)
		b = append(b, '\n')
		n++
	}
	return b, n
}

// countingDeliverer counts what it is handed and drops it.
type countingDeliverer struct{ records, batches atomic.Int64 }

func (d *countingDeliverer) Deliver(_ context.Context, b *twingate.Batch) error {
	d.records.Add(int64(b.Logs().LogRecordCount()))
	d.batches.Add(1)
	return nil
}

func (*countingDeliverer) InputStopped() {}
