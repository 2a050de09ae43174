// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/config/configcompression"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

const testTopic = "otlp_logs"

// testKafka is an in-process Kafka (kfake) with testTopic of partitions
// partitions.
type testKafka struct {
	brokers []string
	admin   *kadm.Client
}

func startKafka(t *testing.T, partitions int32) *testKafka {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, testTopic))
	require.NoError(t, err)
	t.Cleanup(cluster.Close)
	k := &testKafka{brokers: cluster.ListenAddrs()}
	k.admin = kadm.NewClient(k.client(t))
	return k
}

func (k *testKafka) client(t *testing.T, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(k.brokers...)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(cl.Close)
	return cl
}

// produce writes msgs to partition p of testTopic, in order.
func (k *testKafka) produce(t *testing.T, p int32, msgs ...[]byte) {
	t.Helper()
	cl := k.client(t, kgo.DefaultProduceTopic(testTopic), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	var recs []*kgo.Record
	for _, m := range msgs {
		recs = append(recs, &kgo.Record{Value: m, Partition: p})
	}
	require.NoError(t, cl.ProduceSync(context.Background(), recs...).FirstErr())
}

// lag is how many messages of testTopic the relays' group (testConfig's)
// has not committed.
func (k *testKafka) lag(t *testing.T) int64 {
	const group = "relay-test"
	t.Helper()
	ends, err := k.admin.ListEndOffsets(context.Background(), testTopic)
	require.NoError(t, err)
	// A group that has committed nothing yet may not exist: all is lag.
	committed, _ := k.admin.FetchOffsets(context.Background(), group)
	var lag int64
	ends.Each(func(end kadm.ListedOffset) {
		at := int64(0)
		if c, ok := committed.Lookup(testTopic, end.Partition); ok {
			at = c.At
		}
		lag += end.Offset - at
	})
	return lag
}

// backend is an OTLP/HTTP logs endpoint that answers each request with
// what respond says (200 when nil) and keeps what it took.
type backend struct {
	*httptest.Server
	mu       sync.Mutex
	logs     []plog.Logs
	requests int
	respond  func(n int) int // status for the n-th request (from 1)
}

func startBackend(t *testing.T, respond func(n int) int) *backend {
	t.Helper()
	b := &backend{respond: respond}
	dec, err := zstd.NewReader(nil)
	require.NoError(t, err)
	t.Cleanup(dec.Close)
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/logs" || r.Header.Get("Content-Type") != "application/x-protobuf" {
			http.Error(w, "not an OTLP/HTTP protobuf logs request", http.StatusNotFound)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err == nil && r.Header.Get("Content-Encoding") == "zstd" {
			body, err = dec.DecodeAll(body, nil)
		}
		req := plogotlp.NewExportRequest()
		if err == nil {
			err = req.UnmarshalProto(body)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.requests++
		if b.respond != nil {
			if code := b.respond(b.requests); code != http.StatusOK {
				http.Error(w, "refused by the test", code)
				return
			}
		}
		b.logs = append(b.logs, req.Logs())
		w.Header().Set("Content-Type", "application/x-protobuf")
		resp, _ := plogotlp.NewExportResponse().MarshalProto()
		_, _ = w.Write(resp)
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *backend) records() []plog.Logs {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]plog.Logs(nil), b.logs...)
}

// bodies lists the body of every record in all, in order.
func bodies(all ...[]plog.Logs) []string {
	var out []string
	for _, list := range all {
		for _, logs := range list {
			for _, rl := range logs.ResourceLogs().All() {
				for _, sl := range rl.ScopeLogs().All() {
					for _, lr := range sl.LogRecords().All() {
						out = append(out, lr.Body().AsString())
					}
				}
			}
		}
	}
	return out
}

// message is an agent's message: one resource of n records whose bodies
// are name-0 … name-(n-1).
func message(t *testing.T, name string, n int) []byte {
	t.Helper()
	logs := plog.NewLogs()
	rl := logs.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "twingate-connector")
	sl := rl.ScopeLogs().AppendEmpty()
	for i := range n {
		sl.LogRecords().AppendEmpty().Body().SetStr(fmt.Sprintf("%s-%d", name, i))
	}
	return marshal(t, logs)
}

func testConfig(k *testKafka, b *backend) *Config {
	cfg := createDefaultConfig()
	cfg.Brokers = k.brokers
	cfg.Topic = testTopic
	cfg.GroupID = "relay-test"
	cfg.OTLP.Endpoint = b.URL
	cfg.Fetch.MaxWait = 50 * time.Millisecond
	cfg.RetryOnFailure.InitialInterval = 10 * time.Millisecond
	cfg.RetryOnFailure.MaxInterval = 50 * time.Millisecond
	return cfg
}

// startRelay runs the relay until the test ends (or stop is called).
func startRelay(t *testing.T, cfg *Config, next *consumertest.LogsSink, tel *componenttest.Telemetry) (stop func()) {
	t.Helper()
	require.NoError(t, cfg.Validate())
	set := receivertest.NewNopSettings(Type)
	if tel != nil {
		set.TelemetrySettings = tel.NewTelemetrySettings()
	}
	r, err := NewFactory().CreateLogs(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	var once sync.Once
	stop = func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			require.NoError(t, r.Shutdown(ctx))
		})
	}
	t.Cleanup(stop)
	return stop
}

func sum(t *testing.T, tel *componenttest.Telemetry, name, outcome string) int64 {
	t.Helper()
	m, err := tel.GetMetric(name)
	if err != nil {
		return 0
	}
	var total int64
	for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
		if v, _ := dp.Attributes.Value(attribute.Key("outcome")); v.AsString() == outcome {
			total += dp.Value
		}
	}
	return total
}

const waitFor = 20 * time.Second

// TestRelay: messages of three partitions reach the backend unchanged and
// in each partition's order, in fewer requests than messages, compressed
// with zstd; a message that is not OTLP reaches the pipeline as a flagged
// record holding its bytes; every offset is committed at the end.
func TestRelay(t *testing.T) {
	k := startKafka(t, 3)
	b := startBackend(t, nil)
	sink := new(consumertest.LogsSink)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	var want []string
	for p := range int32(3) {
		var msgs [][]byte
		for m := range 20 {
			name := fmt.Sprintf("p%d-m%d", p, m)
			msgs = append(msgs, message(t, name, 10))
		}
		k.produce(t, p, msgs...)
	}
	k.produce(t, 1, []byte("ANALYTICS {not otlp}"), message(t, "empty", 0))
	startRelay(t, testConfig(k, b), sink, tel)

	require.Eventually(t, func() bool { return len(bodies(b.records())) >= 600 && sink.LogRecordCount() == 1 }, waitFor, 10*time.Millisecond)
	require.Eventually(t, func() bool { return k.lag(t) == 0 }, waitFor, 10*time.Millisecond)

	got := bodies(b.records())
	assert.Len(t, got, 600)
	// Each partition's records arrive in order.
	for p := range 3 {
		var mine []string
		for _, s := range got {
			if s[:3] == fmt.Sprintf("p%d-", p) {
				mine = append(mine, s)
			}
		}
		for m := range 20 {
			for i := range 10 {
				want = append(want, fmt.Sprintf("p%d-m%d-%d", p, m, i))
			}
		}
		assert.Equal(t, want[len(want)-200:], mine, "partition %d", p)
	}
	b.mu.Lock()
	assert.Less(t, b.requests, 60, "messages are concatenated into fewer requests")
	b.mu.Unlock()

	flagged := sink.AllLogs()[0].ResourceLogs().At(0).ScopeLogs().At(0).LogRecords().At(0)
	assert.Equal(t, []byte("ANALYTICS {not otlp}"), flagged.Body().Bytes().AsRaw())
	attrs := flagged.Attributes().AsRaw()
	assert.Equal(t, errorTypeMalformed, attrs["error.type"])
	assert.Contains(t, attrs["error.message"], "not an OTLP logs request")
	assert.Equal(t, "kafka", attrs["messaging.system"])
	assert.Equal(t, testTopic, attrs["messaging.destination.name"])
	assert.Equal(t, "1", attrs["messaging.destination.partition.id"])
	assert.Equal(t, int64(20), attrs["messaging.kafka.offset"])

	assert.Equal(t, int64(600), sum(t, tel, metricRecords, outcomeRelayed))
	assert.Equal(t, int64(60), sum(t, tel, metricMessages, outcomeRelayed))
	assert.Equal(t, int64(1), sum(t, tel, metricMessages, outcomeMalformed))
	assert.Equal(t, int64(0), sum(t, tel, metricMessages, outcomeHandedOver), "a malformed message is counted once")
	assert.Equal(t, int64(1), sum(t, tel, metricMessages, outcomeEmpty))
	assert.Equal(t, int64(1), sum(t, tel, metricRecords, outcomeHandedOver))
}

// TestRelayRetriesUntilTaken: a backend that answers 503 for a while gets
// the records once it recovers, and the offsets are committed only then.
func TestRelayRetriesUntilTaken(t *testing.T) {
	k := startKafka(t, 1)
	var down sync.Mutex
	refuse := true
	b := startBackend(t, func(int) int {
		down.Lock()
		defer down.Unlock()
		if refuse {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	k.produce(t, 0, message(t, "a", 5), message(t, "b", 5))
	startRelay(t, testConfig(k, b), new(consumertest.LogsSink), tel)

	require.Eventually(t, func() bool { return sum(t, tel, metricRequests, outcomeRetried) >= 3 }, waitFor, 10*time.Millisecond)
	assert.Equal(t, int64(2), k.lag(t), "nothing is committed while the backend refuses")
	down.Lock()
	refuse = false
	down.Unlock()
	require.Eventually(t, func() bool { return k.lag(t) == 0 }, waitFor, 10*time.Millisecond)
	assert.Len(t, bodies(b.records()), 10)
}

// TestRelayRefusedForGood: requests the backend refuses for good (400)
// go to the pipeline message by message, decoded; nothing is lost and the
// offsets are committed.
func TestRelayRefusedForGood(t *testing.T) {
	k := startKafka(t, 1)
	b := startBackend(t, func(int) int { return http.StatusBadRequest })
	sink := new(consumertest.LogsSink)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	k.produce(t, 0, message(t, "a", 3), message(t, "b", 4))
	startRelay(t, testConfig(k, b), sink, tel)
	require.Eventually(t, func() bool { return k.lag(t) == 0 }, waitFor, 10*time.Millisecond)
	assert.Equal(t, []string{"a-0", "a-1", "a-2", "b-0", "b-1", "b-2", "b-3"}, bodies(sink.AllLogs()))
	assert.Len(t, sink.AllLogs(), 2, "one pipeline call per message")
	assert.Equal(t, int64(2), sum(t, tel, metricMessages, outcomeHandedOver))
	assert.Equal(t, int64(7), sum(t, tel, metricRecords, outcomeHandedOver))
	assert.Equal(t, int64(1), sum(t, tel, metricRequests, outcomeRefused))
}

// TestRelayStopsDuringOutage: a relay stopped while the backend is down
// stops at once and commits nothing; the next relay of the group relays
// everything.
func TestRelayStopsDuringOutage(t *testing.T) {
	k := startKafka(t, 2)
	down := startBackend(t, func(int) int { return http.StatusServiceUnavailable })
	k.produce(t, 0, message(t, "a", 3))
	k.produce(t, 1, message(t, "b", 3))
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	stop := startRelay(t, testConfig(k, down), new(consumertest.LogsSink), tel)
	require.Eventually(t, func() bool { return sum(t, tel, metricRequests, outcomeRetried) >= 2 }, waitFor, 10*time.Millisecond)
	start := time.Now()
	stop()
	assert.Less(t, time.Since(start), 5*time.Second, "Shutdown waits for no retry")
	assert.Equal(t, int64(2), k.lag(t))

	up := startBackend(t, nil)
	startRelay(t, testConfig(k, up), new(consumertest.LogsSink), nil)
	require.Eventually(t, func() bool { return k.lag(t) == 0 }, waitFor, 10*time.Millisecond)
	assert.ElementsMatch(t, []string{"a-0", "a-1", "a-2", "b-0", "b-1", "b-2"}, bodies(up.records()))
}

// TestRelayRequestSize: request::max_bytes splits a partition's messages
// into several requests, none larger than the cap unless one message is.
func TestRelayRequestSize(t *testing.T) {
	k := startKafka(t, 1)
	b := startBackend(t, nil)
	msg := message(t, "m", 20)
	var msgs [][]byte
	for range 30 {
		msgs = append(msgs, msg)
	}
	k.produce(t, 0, msgs...)
	cfg := testConfig(k, b)
	cfg.Request.MaxBytes = 5 * len(msg)
	cfg.OTLP.Compression = configcompression.Type("")
	startRelay(t, cfg, new(consumertest.LogsSink), nil)
	require.Eventually(t, func() bool { return k.lag(t) == 0 }, waitFor, 10*time.Millisecond)
	assert.Len(t, bodies(b.records()), 600)
	for _, logs := range b.records() {
		assert.LessOrEqual(t, logs.ResourceLogs().Len(), 5)
	}
	b.mu.Lock()
	assert.GreaterOrEqual(t, b.requests, 6)
	b.mu.Unlock()
}

// TestRelayPipelineRefuses: what the backend and then the pipeline refuse
// for good is counted as dropped (and logged) and committed; what the
// pipeline refuses for now stays uncommitted, and a stop does not wait for it.
func TestRelayPipelineRefuses(t *testing.T) {
	t.Run("for good", func(t *testing.T) {
		k := startKafka(t, 1)
		b := startBackend(t, func(int) int { return http.StatusBadRequest })
		tel := componenttest.NewTelemetry()
		t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
		k.produce(t, 0, message(t, "a", 3))
		cfg := testConfig(k, b)
		require.NoError(t, cfg.Validate())
		set := receivertest.NewNopSettings(Type)
		set.TelemetrySettings = tel.NewTelemetrySettings()
		r, err := NewFactory().CreateLogs(context.Background(), set, cfg, consumertest.NewErr(consumererror.NewPermanent(errors.New("no"))))
		require.NoError(t, err)
		require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
		t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
		require.Eventually(t, func() bool { return k.lag(t) == 0 }, waitFor, 10*time.Millisecond)
		assert.Equal(t, int64(3), sum(t, tel, metricRecords, outcomeDropped))
	})
	t.Run("for now", func(t *testing.T) {
		k := startKafka(t, 1)
		b := startBackend(t, func(int) int { return http.StatusBadRequest })
		k.produce(t, 0, message(t, "a", 3))
		cfg := testConfig(k, b)
		r, err := NewFactory().CreateLogs(context.Background(), receivertest.NewNopSettings(Type), cfg, consumertest.NewErr(errors.New("busy")))
		require.NoError(t, err)
		require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
		require.Eventually(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.requests > 0 }, waitFor, 10*time.Millisecond)
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		require.NoError(t, r.Shutdown(context.Background()))
		assert.Less(t, time.Since(start), 2*time.Second)
		assert.Equal(t, int64(1), k.lag(t))
	})
}

// TestRelayStopCommitsWhatWasTaken: a relay stopped in the middle of a
// partition commits the messages the backend took before the first one it
// did not, so the next owner repeats no more than it must.
func TestRelayStopCommitsWhatWasTaken(t *testing.T) {
	k := startKafka(t, 1)
	b := startBackend(t, func(n int) int {
		if n <= 2 {
			return http.StatusOK
		}
		return http.StatusServiceUnavailable
	})
	msg := message(t, "m", 40) // over 512 bytes: two fit in the smallest request
	require.Greater(t, len(msg), 512)
	k.produce(t, 0, msg, msg, msg, msg, msg)
	cfg := testConfig(k, b)
	cfg.Request.MaxBytes = 2 * len(msg) // two messages a request
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	stop := startRelay(t, cfg, new(consumertest.LogsSink), tel)
	require.Eventually(t, func() bool { return sum(t, tel, metricRequests, outcomeRetried) >= 1 }, waitFor, 10*time.Millisecond)
	stop()
	assert.Equal(t, int64(1), k.lag(t), "the two requests taken (4 messages) are committed, the fifth is not")
	assert.Len(t, bodies(b.records()), 160)
}
