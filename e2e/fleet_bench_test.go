// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux

package e2e

// The gateway's cost per record (docs/fleet-sizing.md): one gateway, the
// built otelcol-twingate on an examples/fleet/ file, drains records that
// agents put on Kafka (kfake, in this process) to an OTLP/HTTP backend (this
// process, counting). What is measured is the gateway process's CPU time
// (utime + stime from /proc/<pid>/stat), not wall time: the machine may be
// shared, and CPU time does not grow when the gateway waits for a core.
//
// Two loads:
//   - backlog: the records wait in Kafka before the gateway starts, as after
//     a gateway or backend outage;
//   - trickle: agents each send one message a second while the gateway runs,
//     as in normal operation.
//
// make e2e runs it once with a few thousand records so that it cannot rot;
// make bench-fleet runs it at full size (FLEET_BENCH_RECORDS,
// FLEET_BENCH_AGENTS, FLEET_BENCH_TRICKLE) and prints the table.

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/linegen"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// agentLines is how many lines an agent sends per message: a connector
// logging 100 events a second, flushed once a second.
const agentLines = 100

// agentMessage is what one agent sends in one flush, in both encodings of the
// fleet: OTLP (agent.yaml) and raw lines (what gateway-raw.yaml reads).
type agentMessage struct {
	key     []byte
	otlp    []byte
	raw     []byte   // the lines joined by '\n'
	lines   [][]byte // the same lines, for one message per line
	records int      // the records the lines map to
}

// benchEnv reads a size of the benchmark from the environment.
func benchEnv(b *testing.B, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(b, err, name)
		return n
	}
	return def
}

var (
	agentMessagesOnce sync.Once
	agentMessagesAll  []agentMessage
)

// agentMessages returns at least records records' worth of messages of
// agents agents, in the order the agents would send them: round by round,
// every agent once a round. Each agent is a connector of its own (its own
// connector id, name and host), its lines realistic (internal/linegen: every
// event type, relays, unknown fields, 5% other lines, which the mapping
// drops).
func agentMessages(b *testing.B, agents, records int) []agentMessage {
	b.Helper()
	agentMessagesOnce.Do(func() {
		tr := twingate.NewTranslator(twingate.NewDefaultConfig())
		gens := make([]*linegen.Generator, agents)
		for a := range gens {
			gens[a] = linegen.New(uint64(a) + 1)
		}
		marshaler := &plog.ProtoMarshaler{}
		total := 0
		for total < records {
			for a := 0; a < agents && total < records; a++ {
				id, name := fmt.Sprintf("%06d", 300000+a), fmt.Sprintf("bench-connector-%04d", a)
				var src twingate.Source
				src.SetResource([]twingate.KeyValue{{Key: "host.name", Value: "connector-host-" + strconv.Itoa(a)}})
				batch := twingate.NewBatch(receiverScopeName)
				m := agentMessage{key: []byte(name)}
				for range agentLines {
					line := gens[a].AppendLine(nil)
					// linegen writes one connector; each agent is another.
					line = bytes.Replace(line, []byte(`"connector":{"id":"117234","name":"vigilant-heron"}`),
						fmt.Appendf(nil, `"connector":{"id":%q,"name":%q}`, id, name), 1)
					tr.AppendLine(batch, line, &src, 0)
					m.lines = append(m.lines, line)
				}
				m.raw = bytes.Join(m.lines, []byte{'\n'})
				logs := batch.Logs()
				m.records = logs.LogRecordCount()
				var err error
				m.otlp, err = marshaler.MarshalLogs(logs)
				if err != nil {
					panic(err)
				}
				agentMessagesAll = append(agentMessagesAll, m)
				total += m.records
			}
		}
	})
	var out []agentMessage
	total := 0
	for _, m := range agentMessagesAll {
		if total >= records {
			break
		}
		out = append(out, m)
		total += m.records
	}
	require.GreaterOrEqual(b, total, records, "generate the messages for the largest run first")
	return out
}

// benchPath is one of the fleet's two topics and the gateway that reads it.
type benchPath struct {
	name, topic, example, group string
	// perLine sends every line as a message of its own (a shipper that does
	// not batch); otherwise a message is an agent's flush.
	perLine bool
}

var (
	otlpPath    = benchPath{name: "otlp_proto", topic: fleetTopic, example: "gateway.yaml", group: fleetGroup}
	rawPath     = benchPath{name: "raw", topic: fleetRawTopic, example: "gateway-raw.yaml", group: fleetRawGroup}
	rawLinePath = benchPath{name: "raw, 1 line/msg", topic: fleetRawTopic, example: "gateway-raw.yaml", group: fleetRawGroup, perLine: true}
)

// kafkaRecords are the Kafka messages of msgs on path.
func (p benchPath) kafkaRecords(msgs []agentMessage) (records []*kgo.Record, total int) {
	for _, m := range msgs {
		total += m.records
		switch {
		case p.perLine:
			for _, line := range m.lines {
				records = append(records, &kgo.Record{Topic: p.topic, Key: m.key, Value: line})
			}
		case p.topic == fleetRawTopic:
			records = append(records, &kgo.Record{Topic: p.topic, Key: m.key, Value: m.raw})
		default:
			records = append(records, &kgo.Record{Topic: p.topic, Key: m.key, Value: m.otlp})
		}
	}
	return records, total
}

// producer is a client that produces as agents do: zstd (agent.yaml) unless
// the variant says otherwise, keyed by connector, and, unless per line, one
// message per record batch, since every agent flushes on its own.
func (p benchPath) producer(b *testing.B, k *kafka, msgs []agentMessage, v fleetBenchVariant) *kgo.Client {
	codec := kgo.ZstdCompression()
	if v.agentLZ4 {
		codec = kgo.Lz4Compression()
	}
	opts := []kgo.Opt{kgo.ProducerBatchCompression(codec), kgo.ProducerLinger(0), kgo.RequiredAcks(kgo.AllISRAcks())}
	if !p.perLine {
		largest := 0
		for _, m := range msgs {
			largest = max(largest, len(m.otlp), len(m.raw))
		}
		opts = append(opts, kgo.ProducerBatchMaxBytes(int32(largest+1024)))
	}
	return k.client(b, opts...)
}

// fleetBenchVariant is a gateway configuration: a shipped example, with
// overrides (YAML merged on top) for the variants tried.
type fleetBenchVariant struct {
	name string
	// example is the file under examples/fleet/, if not the path's.
	example    string
	partitions int32
	overrides  []string
	// storage: the variant uses the file_storage extension.
	storage bool
	// gogc is the gateway's GOGC, if set.
	gogc string
	// agentLZ4: the agents compress their Kafka messages with lz4 instead
	// of zstd (agent.yaml's producer.compression).
	agentLZ4 bool
}

// exampleOn is the file the variant runs on path p.
func (v fleetBenchVariant) exampleOn(p benchPath) string {
	if v.example != "" {
		return v.example
	}
	return p.example
}

// gatewayOverrides are the variant's overrides and the extensions it runs:
// the example's, file_storage if it needs it, and pprof writing a CPU
// profile to the directory FLEET_BENCH_PPROF names, if set.
func (v fleetBenchVariant) gatewayOverrides(b *testing.B, p benchPath) []string {
	extensions := []string{"health_check"}
	if p.topic == fleetRawTopic {
		extensions = append(extensions, "twingate_encoding")
	}
	if v.storage {
		extensions = append(extensions, "file_storage")
	}
	overrides := slices.Clone(v.overrides)
	if dir := os.Getenv("FLEET_BENCH_PPROF"); dir != "" {
		name := strings.NewReplacer("/", "_", " ", "_", ",", "", ":", "", "(", "", ")", "").Replace(b.Name())
		extensions = append(extensions, "pprof")
		overrides = append(overrides, fmt.Sprintf("extensions::pprof: {endpoint: %q, save_to_file: %q}", freeAddr(b), filepath.Join(dir, name+".prof")))
	}
	return append(overrides, "service::extensions: ["+strings.Join(extensions, ", ")+"]")
}

// fleetBenchResult is one row of the table.
type fleetBenchResult struct {
	path, variant, load string
	records             int
	cpu                 time.Duration
	wall                time.Duration
	rssMiB              float64
}

func (r fleetBenchResult) cpuPerMillion() float64 {
	return r.cpu.Seconds() * 1e6 / float64(r.records)
}

func (r fleetBenchResult) perCore() float64 { return float64(r.records) / r.cpu.Seconds() }

// processCPU is the CPU time the process has used so far: utime + stime from
// /proc/<pid>/stat, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
func processCPU(b *testing.B, pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(b, err)
	// The command name may hold spaces; the fields after it may not.
	fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+2:]))
	utime, err := strconv.ParseInt(fields[11], 10, 64)
	require.NoError(b, err)
	stime, err := strconv.ParseInt(fields[12], 10, 64)
	require.NoError(b, err)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// processPeakRSS is VmHWM of the process, in MiB.
func processPeakRSS(b *testing.B, pid int) float64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(b, err)
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			require.NoError(b, err)
			return kb / 1024
		}
	}
	return 0
}

// waitCounted waits until the backend counted want records.
func waitCounted(b *testing.B, backend *otlpBackend, want int, gateway *fleetNode) {
	b.Helper()
	require.Eventually(b, func() bool {
		return gateway.exitedEarly(b) || backend.counted.Load() >= int64(want)
	}, 10*time.Minute, 10*time.Millisecond, "the backend counted %d of %d records; gateway output:\n%s", backend.counted.Load(), want, gateway)
}

// runBacklog puts the records on Kafka, then starts the gateway and measures
// it from the moment it is ready until the backend has them all.
func runBacklog(b *testing.B, p benchPath, v fleetBenchVariant, msgs []agentMessage) fleetBenchResult {
	k := startKafkaPartitions(b, v.partitions)
	backend := newCountingOTLPBackend(b)
	backend.start(b)
	setFleetEnv(b, k, backend)
	records, total := p.kafkaRecords(msgs)
	require.NoError(b, p.producer(b, k, msgs, v).ProduceSync(context.Background(), records...).FirstErr())

	gateway := startFleetNode(b, fleetExample(v.exampleOn(p)), b.TempDir(), v.gatewayOverrides(b, p)...)
	pid := gateway.cmd.Process.Pid
	// What the gateway did before it was ready (starting, joining the group)
	// is not part of the cost per record, nor what it delivered by then.
	cpu0, delivered0, start := processCPU(b, pid), int(backend.counted.Load()), time.Now()
	waitCounted(b, backend, total, gateway)
	r := fleetBenchResult{
		path: p.name, variant: v.name, load: "backlog", records: total - delivered0,
		cpu: processCPU(b, pid) - cpu0, wall: time.Since(start), rssMiB: processPeakRSS(b, pid),
	}
	require.Equal(b, int64(total), backend.counted.Load(), "records delivered more than once without a crash")
	return r
}

// runTrickle starts the gateway, then lets every agent send one message a
// second, each at its own moment of the second, for duration, and measures
// the gateway from the first message until the backend has them all.
func runTrickle(b *testing.B, p benchPath, v fleetBenchVariant, msgs []agentMessage, agents int, duration time.Duration) fleetBenchResult {
	k := startKafkaPartitions(b, v.partitions)
	backend := newCountingOTLPBackend(b)
	backend.start(b)
	setFleetEnv(b, k, backend)
	gateway := startFleetNode(b, fleetExample(v.exampleOn(p)), b.TempDir(), v.gatewayOverrides(b, p)...)
	k.waitForAssignment(b, p.group, 1)
	producer := p.producer(b, k, msgs, v)

	pid := gateway.cmd.Process.Pid
	cpu0, start := processCPU(b, pid), time.Now()
	rounds := int(duration / time.Second)
	total := 0
	var produceErr error
	var mu sync.Mutex
	for round := range rounds {
		for a := range agents {
			// Agent a flushes at a/agents of every second.
			at := start.Add(time.Duration(round)*time.Second + time.Duration(a)*time.Second/time.Duration(agents))
			time.Sleep(time.Until(at))
			m := msgs[(round*agents+a)%len(msgs)]
			records, n := p.kafkaRecords([]agentMessage{m})
			total += n
			for _, r := range records {
				producer.Produce(context.Background(), r, func(_ *kgo.Record, err error) {
					if err != nil {
						mu.Lock()
						produceErr = err
						mu.Unlock()
					}
				})
			}
		}
	}
	require.NoError(b, producer.Flush(context.Background()))
	mu.Lock()
	require.NoError(b, produceErr)
	mu.Unlock()
	waitCounted(b, backend, total, gateway)
	r := fleetBenchResult{
		path: p.name, variant: v.name, load: fmt.Sprintf("trickle, %d agents", agents), records: total,
		cpu: processCPU(b, pid) - cpu0, wall: time.Since(start), rssMiB: processPeakRSS(b, pid),
	}
	require.Equal(b, int64(total), backend.counted.Load(), "records delivered more than once without a crash")
	return r
}

// BenchmarkFleetGateway measures every gateway configuration of
// fleetBenchVariants on both paths, backlog and trickle, and logs the table
// (docs/fleet-sizing.md shows it). Metrics: cpu-s/1M-records and
// records/s/core of the gateway process.
func BenchmarkFleetGateway(b *testing.B) {
	distribution(b)
	records := benchEnv(b, "FLEET_BENCH_RECORDS", 3000)
	agents := benchEnv(b, "FLEET_BENCH_AGENTS", 20)
	trickle := time.Duration(benchEnv(b, "FLEET_BENCH_TRICKLE", 2)) * time.Second
	trickleRecords := agents * agentLines * int(trickle/time.Second)
	msgs := agentMessages(b, agents, max(records, trickleRecords))

	var results []fleetBenchResult
	for _, c := range fleetBenchCases {
		b.Run(c.path.name+"/"+c.variant.name+"/"+c.load, func(b *testing.B) {
			if c.variant.gogc != "" {
				b.Setenv("GOGC", c.variant.gogc) // the gateway inherits it
			}
			for range b.N {
				var r fleetBenchResult
				if c.load == "backlog" {
					r = runBacklog(b, c.path, c.variant, agentMessages(b, agents, records))
				} else {
					r = runTrickle(b, c.path, c.variant, msgs, agents, trickle)
				}
				b.ReportMetric(r.cpuPerMillion(), "cpu-s/1M-records")
				b.ReportMetric(r.perCore(), "records/s/core")
				b.ReportMetric(float64(r.records)/r.wall.Seconds(), "records/s")
				results = append(results, r)
			}
		})
	}
	var table strings.Builder
	fmt.Fprintf(&table, "\n| path | gateway configuration | load | records | CPU-s per 1M records | records/s per core | records/s (wall) | peak RSS MiB |\n|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		fmt.Fprintf(&table, "| %s | %s | %s | %d | %.1f | %.0f | %.0f | %.0f |\n", r.path, r.variant, r.load, r.records,
			r.cpuPerMillion(), r.perCore(), float64(r.records)/r.wall.Seconds(), r.rssMiB)
	}
	b.Log(table.String())
	if out := os.Getenv("FLEET_BENCH_OUT"); out != "" {
		require.NoError(b, os.WriteFile(out, []byte(table.String()), 0o644))
	}
}

// fleetBenchCase is one row: a path, a configuration and a load.
type fleetBenchCase struct {
	path    benchPath
	variant fleetBenchVariant
	load    string // "backlog" or "trickle"
}

// fleetBenchCases: the shipped examples, the previous ones, and the variants
// tried on the way (docs/fleet-sizing.md says what each shows).
var fleetBenchCases = func() []fleetBenchCase {
	var cases []fleetBenchCase
	for _, p := range []benchPath{otlpPath, rawPath} {
		for _, v := range fleetBenchVariants(p) {
			cases = append(cases, fleetBenchCase{p, v, "backlog"})
		}
	}
	cases = append(cases, fleetBenchCase{rawLinePath, fleetBenchVariant{name: "shipped", partitions: 12}, "backlog"})
	for _, p := range []benchPath{otlpPath, rawPath} {
		cases = append(cases, fleetBenchCase{p, fleetBenchVariant{name: "shipped", partitions: 12}, "trickle"})
	}
	return cases
}()

// fleetBenchVariants are the configurations tried on a path: the shipped
// example (kafka_otlp_relay), one change at a time to it, and the stock
// pipeline (gateway-stock.yaml: kafka receiver, otlp_http exporter) with its
// own variants, the one before issue 18 among them.
func fleetBenchVariants(p benchPath) []fleetBenchVariant {
	const shipped = 12 // partitions
	relay := func(key, value string) string { return "receivers::kafka_otlp_relay::" + key + ": " + value }
	variants := []fleetBenchVariant{
		{name: "shipped", partitions: shipped},
		{name: "compression zstd level 1", partitions: shipped, overrides: []string{relay("otlp::compression_params::level", "1")}},
		{name: "compression snappy", partitions: shipped, overrides: []string{relay("otlp::compression", "snappy")}},
		{name: "compression gzip", partitions: shipped, overrides: []string{relay("otlp::compression", "gzip")}},
		{name: "compression none", partitions: shipped, overrides: []string{relay("otlp::compression", "none")}},
		{name: "requests of 1 MiB", partitions: shipped, overrides: []string{relay("request::max_bytes", "1048576")}},
		{name: "max_poll_records 2000", partitions: shipped, overrides: []string{relay("max_poll_records", "2000")}},
		{name: "max_poll_records 100", partitions: shipped, overrides: []string{relay("max_poll_records", "100")}},
		{name: "GOGC=400", partitions: shipped, gogc: "400"},
		{name: "agents send lz4 instead of zstd", partitions: shipped, agentLZ4: true},
	}
	// The stock pipeline on the same topic: gateway-stock.yaml, read as the
	// raw path needs it where p is the raw path.
	var stock []string
	if p.topic == fleetRawTopic {
		stock = []string{
			"receivers::kafka::group_id: " + p.group,
			"receivers::kafka::logs: {topics: [" + p.topic + "], encoding: twingate_encoding}",
			"extensions::twingate_encoding: {other_lines: drop, on_error: send, body: original}",
		}
	}
	// The stock examples before issue 18: a message is marked once the
	// exporter's persistent queue has it; gzip at its default level.
	previous := append(slices.Clone(stock),
		"receivers::kafka::partition_processing: {independent: false}",
		"receivers::kafka::autocommit::interval: 1s",
		"exporters::otlp_http::compression: gzip",
		"exporters::otlp_http::sending_queue: {storage: file_storage, wait_for_result: false, queue_size: 20000, num_consumers: 10, batch: {flush_timeout: 1s, min_size: 1000, max_size: 5000}}",
	)
	return append(variants,
		fleetBenchVariant{name: "stock pipeline (gateway-stock.yaml)", example: "gateway-stock.yaml", partitions: shipped, overrides: stock},
		fleetBenchVariant{
			name: "stock pipeline, compression none", example: "gateway-stock.yaml", partitions: shipped,
			overrides: append(slices.Clone(stock), "exporters::otlp_http::compression: none"),
		},
		fleetBenchVariant{name: "stock pipeline before issue 18: persistent queue, gzip", example: "gateway-stock.yaml", partitions: shipped, overrides: previous, storage: true},
	)
}
