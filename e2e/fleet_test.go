// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux

package e2e

// Fleet scale-out (examples/fleet/, docs/fleet.md), end to end: agents and
// gateways are the built otelcol-twingate running the example configurations
// unchanged but for their storage directory, health port and, for agents,
// the journal directory; Kafka is franz-go's kfake, a Kafka-protocol cluster
// with consumer groups that the test runs in-process on 127.0.0.1; the
// backend is the test's OTLP/HTTP receiver.

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// What examples/fleet/*.yaml name.
const (
	fleetTopic    = "twingate_otlp_logs"
	fleetRawTopic = "twingate_raw_lines"
	fleetGroup    = "otelcol-twingate-gateway"
	fleetRawGroup = "otelcol-twingate-gateway-raw"
	// fleetPartitions is the partition count the test creates the topics
	// with: more than the gateways, as docs/fleet.md advises.
	fleetPartitions = 6
)

// waitForFleet bounds every wait of the fleet tests.
const waitForFleet = 90 * time.Second

// kafka is a kfake cluster of one broker on a free loopback port, holding the
// example topics; it stops when the test ends.
type kafka struct {
	cluster    *kfake.Cluster
	brokers    string
	admin      *kadm.Client
	partitions int // of each topic
}

func startKafka(tb testing.TB) *kafka { return startKafkaPartitions(tb, fleetPartitions) }

// startKafkaPartitions is startKafka with topics of the given partition count.
func startKafkaPartitions(tb testing.TB, partitions int32) *kafka {
	tb.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, fleetTopic, fleetRawTopic))
	require.NoError(tb, err)
	tb.Cleanup(cluster.Close)
	k := &kafka{cluster: cluster, brokers: strings.Join(cluster.ListenAddrs(), ","), partitions: int(partitions)}
	k.admin = kadm.NewClient(k.client(tb))
	return k
}

// client is a plain franz-go client of the cluster, closed when the test ends.
func (k *kafka) client(tb testing.TB, opts ...kgo.Opt) *kgo.Client {
	tb.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(strings.Split(k.brokers, ",")...)}, opts...)...)
	require.NoError(tb, err)
	tb.Cleanup(cl.Close)
	return cl
}

// assignment lists the partitions of fleetTopic that each member of group
// holds, by member (client host and id).
func (k *kafka) assignment(tb testing.TB, group string) map[string][]int32 {
	tb.Helper()
	groups, err := k.admin.DescribeGroups(context.Background(), group)
	require.NoError(tb, err)
	out := map[string][]int32{}
	for _, m := range groups[group].Members {
		assigned, _ := m.Assigned.AsConsumer()
		var parts []int32
		if assigned != nil {
			for _, topic := range assigned.Topics {
				if topic.Topic == fleetTopic || topic.Topic == fleetRawTopic {
					parts = append(parts, topic.Partitions...)
				}
			}
		}
		slices.Sort(parts)
		out[m.MemberID] = parts
	}
	return out
}

// waitForAssignment waits until group has members members that between them
// hold all partitions of the topic, and returns the assignment.
func (k *kafka) waitForAssignment(tb testing.TB, group string, members int) map[string][]int32 {
	tb.Helper()
	var got map[string][]int32
	require.Eventually(tb, func() bool {
		got = k.assignment(tb, group)
		n := 0
		for _, parts := range got {
			if len(parts) == 0 {
				return false
			}
			n += len(parts)
		}
		return len(got) == members && n == k.partitions
	}, waitForFleet, 100*time.Millisecond, "group %s: want %d members holding %d partitions, got %v", group, members, k.partitions, &got)
	return got
}

// fleetNode is one otelcol-twingate of the fleet: an agent or a gateway.
type fleetNode struct {
	*collector
	storageDir string
}

// startFleetNode runs the collector configuration at path (one of
// examples/fleet/, see fleetExample) with its own storage directory if it
// uses file_storage (given, so a restart finds the queue of the process
// before) and health_check port, with overrides (further YAML) merged on
// top, and waits
// until it is ready (an override that starts with "--" is a command-line flag
// instead). KAFKA_BROKERS and OTLP_ENDPOINT come from the test's
// environment (setFleetEnv), as they would from a service's.
func startFleetNode(tb testing.TB, path, storageDir string, overrides ...string) *fleetNode {
	tb.Helper()
	health := freeAddr(tb)
	args := []string{
		"--config", path,
		"--config", "yaml:extensions::health_check::endpoint: " + health,
		// The default telemetry server on :8888 would collide between nodes.
		"--config", "yaml:service::telemetry::metrics::level: none",
	}
	// Only a node that keeps state gets a storage directory: the gateways keep
	// none, unless an override gives them a persistent queue.
	example, err := os.ReadFile(path)
	require.NoError(tb, err)
	if bytes.Contains(example, []byte("file_storage")) || slices.ContainsFunc(overrides, func(o string) bool { return strings.Contains(o, "file_storage") }) {
		args = append(args, "--config", "yaml:extensions::file_storage::directory: "+storageDir)
	}
	for _, o := range overrides {
		if strings.HasPrefix(o, "--") { // a flag, such as --feature-gates
			args = append(args, o)
			continue
		}
		args = append(args, "--config", "yaml:"+o)
	}
	col := startCollector(tb, args...)
	require.Eventually(tb, func() bool {
		if col.exitedEarly(tb) {
			return true
		}
		resp, err := http.Get("http://" + health + "/")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, waitForCollector, 20*time.Millisecond, "%s never ready; output:\n%s", path, col)
	return &fleetNode{collector: col, storageDir: storageDir}
}

// fleetExample is the path of examples/fleet/<name>.
func fleetExample(name string) string { return examplePath("fleet/" + name) }

// setFleetEnv sets what the fleet examples read from the environment; the
// collectors the test starts inherit it.
func setFleetEnv(tb testing.TB, k *kafka, backend *otlpBackend) {
	tb.Setenv("KAFKA_BROKERS", k.brokers)
	tb.Setenv("OTLP_ENDPOINT", backend.endpoint())
}

// startFleet starts Kafka and a running backend, and points the fleet
// examples at them.
func startFleet(tb testing.TB) (*kafka, *otlpBackend) {
	tb.Helper()
	k := startKafka(tb)
	backend := newOTLPBackend(tb)
	backend.start(tb)
	setFleetEnv(tb, k, backend)
	return k, backend
}

// fleetConnector is one connector of the test fleet, on a host of its own
// with an agent.
type fleetConnector struct {
	id, name string
}

var fleetConnectors = []fleetConnector{
	{"84101", "tireless-otter"},
	{"84102", "brave-kestrel"},
	{"84103", "quiet-lynx"},
}

// fleetLine is line i of connector c: connection i/2 established (even i)
// or closed (odd i), so every connection id appears with two events.
func fleetLine(c fleetConnector, i int) string {
	conn := i / 2
	common := fmt.Sprintf(`"connector":{"id":%q,"name":%q},"device":{"id":"200903"},"remote_network":{"id":"6938","name":"AWS Network"},"resource":{"address":"intranet.corp.example","applied_rule":"*.corp.example","id":"2255492"},"timestamp":%d,"user":{"email":"alice@example.com","id":"113256"}`,
		c.id, c.name, 1795166100000+int64(i))
	if i%2 == 0 {
		return fmt.Sprintf(`ANALYTICS {"connection":{"client_ip":"203.0.113.7:%d","id":"%s-%06d","protocol":"tcp","resource_ip":"10.20.1.15","resource_port":443},"event_type":"established_connection",%s}`,
			1024+conn%60000, c.name, conn, common)
	}
	return fmt.Sprintf(`ANALYTICS {"connection":{"client_ip":"203.0.113.7:%d","duration":%d,"id":"%s-%06d","protocol":"tcp","resource_ip":"10.20.1.15","resource_port":443,"rx":%d,"tx":%d},"event_type":"closed_connection",%s}`,
		1024+conn%60000, 1000+conn, c.name, conn, 4096+conn, 512+conn, common)
}

// fleetKey is how the test counts records: connection id and event name.
func fleetKey(c fleetConnector, i int) string {
	event := "twingate.connection.established"
	if i%2 == 1 {
		event = "twingate.connection.closed"
	}
	return fmt.Sprintf("%s-%06d %s", c.name, i/2, event)
}

// fleetAgent is an agent and the journal of its connector.
type fleetAgent struct {
	*fleetNode
	written chan error // the writer's result, once it wrote every line
	// metrics is where the agent serves its own metrics (none for a raw
	// shipper): what its receiver took and its exporter sent, when a
	// record never arrives.
	metrics string
	// logFile is the connector log the agent reads.
	logFile string
}

// startAgent appends n lines of connector c to a log file of its own,
// pausing for pace after every 50 lines, and runs examples/fleet/agent.yaml
// reading it with the receiver's file input instead of journald; nothing
// else differs from the example.
//
// Not journald: systemd 252's journalctl --follow (Debian 12), reading a
// journal that systemd-journal-remote writes as the test goes, skipped an
// entry now and then (1 of 5,000 in about one run of 30 under load,
// reproduced with journalctl alone, no collector involved). That is
// systemd's, not the fleet's, and it made these tests, which are about Kafka
// and the gateways, fail for reasons outside them. The journald input keeps
// its own tests (e2e/delivery_test.go).
func startAgent(t *testing.T, c fleetConnector, n int, pace time.Duration) *fleetAgent {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "connector.log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	require.NoError(t, err)
	a := &fleetAgent{written: make(chan error, 1), logFile: logPath}
	go func() {
		defer f.Close()
		for i := range n {
			if _, err := f.WriteString(fleetLine(c, i) + "\n"); err != nil {
				a.written <- err
				return
			}
			if pace > 0 && i%50 == 49 {
				time.Sleep(pace)
			}
		}
		a.written <- nil
	}()
	t.Cleanup(func() { a.waitWritten(t) })
	example, err := os.ReadFile(fleetExample("agent.yaml"))
	require.NoError(t, err)
	const journald = "journald: {}"
	require.Equal(t, 1, bytes.Count(example, []byte(journald)), "agent.yaml reads the journal with %q", journald)
	config := filepath.Join(dir, "agent.yaml")
	require.NoError(t, os.WriteFile(config, bytes.Replace(example, []byte(journald),
		fmt.Appendf(nil, "file: {include: [%q], start_at: beginning}", logPath), 1), 0o600))
	a.metrics = freeAddr(t)
	a.fleetNode = startFleetNode(t, config, t.TempDir(), metricsOverride(a.metrics))
	return a
}

// startRawShipper puts n lines of connector c on fleetRawTopic as a shipper
// (Vector, Fluent Bit) would, 50 newline-separated lines a message keyed by
// the connector, pausing for pace after every message.
func startRawShipper(t *testing.T, k *kafka, c fleetConnector, n int, pace time.Duration) *fleetAgent {
	t.Helper()
	cl := k.client(t, kgo.DefaultProduceTopic(fleetRawTopic), kgo.ProducerLinger(0))
	a := &fleetAgent{written: make(chan error, 1)}
	go func() {
		for i := 0; i < n; i += 50 {
			lines := make([]string, 0, 50)
			for j := i; j < min(i+50, n); j++ {
				lines = append(lines, fleetLine(c, j))
			}
			rec := &kgo.Record{Key: []byte(c.name), Value: []byte(strings.Join(lines, "\n"))}
			if err := cl.ProduceSync(context.Background(), rec).FirstErr(); err != nil {
				a.written <- err
				return
			}
			time.Sleep(pace)
		}
		a.written <- nil
	}()
	t.Cleanup(func() { a.waitWritten(t) })
	return a
}

// waitWritten waits until the agent's log file holds every line.
func (a *fleetAgent) waitWritten(t *testing.T) {
	t.Helper()
	select {
	case err := <-a.written:
		a.written <- err // for the next caller
		require.NoError(t, err)
	case <-time.After(waitForFleet):
		t.Fatal("the journal writer did not finish")
	}
}

// fleetRecord is what the test checks of a delivered record.
type fleetRecord struct {
	resource pcommon.Map
	record   plog.LogRecord
}

// fleetRecords lists the delivered records by fleetKey.
func fleetRecords(all []plog.Logs) map[string][]fleetRecord {
	out := map[string][]fleetRecord{}
	for _, logs := range all {
		for _, rl := range logs.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					id, _ := lr.Attributes().Get("twingate.connection.id")
					key := id.AsString() + " " + lr.EventName()
					out[key] = append(out[key], fleetRecord{rl.Resource().Attributes(), lr})
				}
			}
		}
	}
	return out
}

// fleetDelivery sums up what arrived of n lines of every fleetConnector.
type fleetDelivery struct {
	expected, lost, duplicated int
	perConnector               map[string]int // distinct records by connector name
	unexpected                 []string
}

func (d fleetDelivery) String() string {
	return fmt.Sprintf("%d expected, %d lost, %d duplicated, per connector %v, unexpected %v",
		d.expected, d.lost, d.duplicated, d.perConnector, d.unexpected)
}

func checkFleetDelivery(got map[string][]fleetRecord, n int) fleetDelivery {
	d := fleetDelivery{perConnector: map[string]int{}}
	seen := map[string]bool{}
	for _, c := range fleetConnectors {
		for i := range n {
			key := fleetKey(c, i)
			seen[key] = true
			d.expected++
			switch k := len(got[key]); k {
			case 0:
				d.lost++
			default:
				d.perConnector[c.name]++
				d.duplicated += k - 1
			}
		}
	}
	for key := range got {
		if !seen[key] {
			d.unexpected = append(d.unexpected, key)
		}
	}
	slices.Sort(d.unexpected)
	return d
}

// waitForFleetDelivery waits until every line of every connector arrived
// at least once on topic's path and returns the delivery then. It fails at
// once if one of nodes exits, and after waitForFleet if records never
// arrive, naming them and saying whether each reached Kafka (a record missing
// from the topic too was lost on an agent's side, one in the topic by a
// gateway) and what each agent's receiver accepted and exporter sent.
func waitForFleetDelivery(t *testing.T, k *kafka, topic string, backend *otlpBackend, n int, agents []*fleetAgent, nodes ...*fleetNode) fleetDelivery {
	t.Helper()
	deadline := time.Now().Add(waitForFleet)
	for {
		d := checkFleetDelivery(fleetRecords(backend.logs.AllLogs()), n)
		if d.lost == 0 {
			return d
		}
		for _, node := range nodes {
			if node.exitedEarly(t) {
				t.FailNow()
			}
		}
		if time.Now().After(deadline) {
			got := fleetRecords(backend.logs.AllLogs())
			inTopic := k.topicKeys(t, topic)
			var missing []string
			for _, c := range fleetConnectors {
				for i := range n {
					if key := fleetKey(c, i); len(got[key]) == 0 {
						missing = append(missing, fmt.Sprintf("%s (line %d of %d; in the topic: %t)", key, i, n, inTopic[key]))
					}
				}
			}
			var sides []string
			for i, a := range agents {
				if a.metrics != "" {
					sides = append(sides, fmt.Sprintf("agent %d: receiver accepted %.0f, exporter sent %.0f, queued %.0f",
						i, scrapeSum(a.metrics, "otelcol_receiver_accepted_log_records", ""),
						scrapeSum(a.metrics, "otelcol_exporter_sent_log_records", ""),
						scrapeSum(a.metrics, "otelcol_exporter_queue_size", "")))
				}
			}
			require.Failf(t, "records never arrived", "%s; missing: %s; %s", d, strings.Join(missing[:min(len(missing), 20)], ", "), strings.Join(sides, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// topicKeys reads topic from its start, outside any group, and lists the
// fleetKey of every record it holds: OTLP messages, or raw lines on
// fleetRawTopic.
func (k *kafka) topicKeys(t *testing.T, topic string) map[string]bool {
	t.Helper()
	ends, err := k.admin.ListEndOffsets(context.Background(), topic)
	require.NoError(t, err)
	want := int64(0)
	ends.Each(func(o kadm.ListedOffset) { want += o.Offset })
	cl := k.client(t, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	keys := map[string]bool{}
	tr := twingate.NewTranslator(twingate.NewDefaultConfig())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for read := int64(0); read < want && ctx.Err() == nil; {
		fetches := cl.PollFetches(ctx)
		fetches.EachRecord(func(r *kgo.Record) {
			read++
			logs, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(r.Value)
			if topic == fleetRawTopic {
				b := twingate.NewBatch(receiverScopeName)
				for line := range bytes.SplitSeq(r.Value, []byte("\n")) {
					tr.AppendLine(b, line, &twingate.Source{}, 0)
				}
				logs, err = b.Logs(), nil
			}
			if err != nil {
				return
			}
			for key := range fleetRecords([]plog.Logs{logs}) {
				keys[key] = true
			}
		})
	}
	return keys
}

// checkFleetMapping checks every delivered record of connector line i
// against the mapping rules of the translator README (the golden files' rules).
func checkFleetMapping(t *testing.T, got map[string][]fleetRecord, n int) {
	t.Helper()
	for _, c := range fleetConnectors {
		for i := range n {
			for _, r := range got[fleetKey(c, i)] {
				assert.Equal(t, map[string]any{
					"service.name":                 "twingate-connector",
					"twingate.connector.id":        c.id,
					"twingate.connector.name":      c.name,
					"twingate.remote_network.id":   "6938",
					"twingate.remote_network.name": "AWS Network",
				}, r.resource.AsRaw(), "resource of %s", fleetKey(c, i))
				line := fleetLine(c, i)
				conn := i / 2
				want := map[string]any{
					"twingate.connection.id":         fmt.Sprintf("%s-%06d", c.name, conn),
					"client.address":                 "203.0.113.7",
					"client.port":                    int64(1024 + conn%60000),
					"network.peer.address":           "10.20.1.15",
					"server.address":                 "intranet.corp.example",
					"server.port":                    int64(443),
					"network.transport":              "tcp",
					"twingate.device.id":             "200903",
					"twingate.resource.applied_rule": "*.corp.example",
					"twingate.resource.id":           "2255492",
					"user.email":                     "alice@example.com",
					"user.id":                        "113256",
					"twingate.event_type":            "established_connection",
				}
				if i%2 == 1 {
					want["twingate.event_type"] = "closed_connection"
					want["twingate.connection.rx_bytes"] = int64(4096 + conn)
					want["twingate.connection.tx_bytes"] = int64(512 + conn)
					want["twingate.connection.duration"] = int64(1000 + conn)
				}
				lr := r.record
				attrs := lr.Attributes().AsRaw()
				assert.Equal(t, "connector.log", attrs["log.file.name"], "the file input names the file")
				delete(attrs, "log.file.name")
				assert.Equal(t, want, attrs, "attributes of %s", fleetKey(c, i))
				assert.Equal(t, strings.TrimPrefix(line, "ANALYTICS "), lr.Body().AsString())
				assert.Equal(t, pcommon.Timestamp((1795166100000+int64(i))*int64(time.Millisecond)), lr.Timestamp())
				assert.Equal(t, plog.SeverityNumberInfo, lr.SeverityNumber())
				assert.Equal(t, "INFO", lr.SeverityText())
			}
		}
	}
}

// checkConnectorPartitions reads fleetTopic from the start and checks that
// the records of each connector are all in one partition, keyed.
func checkConnectorPartitions(t *testing.T, k *kafka) map[string]int32 {
	t.Helper()
	ends, err := k.admin.ListEndOffsets(context.Background(), fleetTopic)
	require.NoError(t, err)
	var total int64
	ends.Each(func(o kadm.ListedOffset) { total += o.Offset })
	cl := k.client(t, kgo.ConsumeTopics(fleetTopic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	partitions := map[string][]int32{}
	var read int64
	ctx, cancel := context.WithTimeout(context.Background(), waitForFleet)
	defer cancel()
	for read < total {
		fetches := cl.PollFetches(ctx)
		require.NoError(t, ctx.Err(), "read %d of %d messages of %s", read, total, fleetTopic)
		fetches.EachRecord(func(r *kgo.Record) {
			read++
			assert.NotEmpty(t, r.Key, "message without key at partition %d offset %d", r.Partition, r.Offset)
			logs, err := (&plog.ProtoUnmarshaler{}).UnmarshalLogs(r.Value)
			require.NoError(t, err)
			for _, rl := range logs.ResourceLogs().All() {
				name, _ := rl.Resource().Attributes().Get("twingate.connector.name")
				if !slices.Contains(partitions[name.AsString()], r.Partition) {
					partitions[name.AsString()] = append(partitions[name.AsString()], r.Partition)
				}
			}
		})
	}
	out := map[string]int32{}
	for _, c := range fleetConnectors {
		require.Len(t, partitions[c.name], 1, "connector %s is in partitions %v", c.name, partitions[c.name])
		out[c.name] = partitions[c.name][0]
	}
	return out
}

// TestFleetAgentsToGateways: 3 agents (3 connectors, 5,000 lines each) →
// Kafka → 2 gateways → backend. Every record arrives once, mapped as the
// receiver maps it; each connector's records are in one partition; both
// gateways consume.
func TestFleetAgentsToGateways(t *testing.T) {
	distribution(t)
	const n = 5000
	k, backend := startFleet(t)

	gateways := []*fleetNode{
		startFleetNode(t, fleetExample("gateway.yaml"), t.TempDir()),
		startFleetNode(t, fleetExample("gateway.yaml"), t.TempDir()),
	}
	assignment := k.waitForAssignment(t, fleetGroup, 2)
	var agents []*fleetAgent
	var nodes []*fleetNode
	for _, c := range fleetConnectors {
		a := startAgent(t, c, n, 0)
		agents, nodes = append(agents, a), append(nodes, a.fleetNode)
	}
	start := time.Now()
	d := waitForFleetDelivery(t, k, fleetTopic, backend, n, agents, append(nodes, gateways...)...)
	elapsed := time.Since(start)

	got := fleetRecords(backend.logs.AllLogs())
	checkFleetMapping(t, got, n)
	partitions := checkConnectorPartitions(t, k)
	t.Logf("%s in %s; connector partitions %v; gateway assignment %v", d, elapsed.Round(time.Millisecond), partitions, assignment)
	assert.Zero(t, d.duplicated, "%s", d)
	assert.Empty(t, d.unexpected, "%s", d)
	for member, parts := range assignment {
		busy := false
		for _, p := range partitions {
			busy = busy || slices.Contains(parts, p)
		}
		assert.True(t, busy, "gateway %s (partitions %v) got no connector's partition: %v", member, parts, partitions)
	}
	for _, node := range append(nodes, gateways...) {
		assert.NotContains(t, node.String(), "skipping due to message_marking")
	}
}

// committedLag is how many messages of topic group has not committed yet,
// over all partitions.
func (k *kafka) committedLag(tb testing.TB, group, topic string) int64 {
	tb.Helper()
	ctx := context.Background()
	ends, err := k.admin.ListEndOffsets(ctx, topic)
	require.NoError(tb, err)
	committed, err := k.admin.FetchOffsets(ctx, group)
	require.NoError(tb, err)
	var lag int64
	ends.Each(func(end kadm.ListedOffset) {
		at := int64(0)
		if c, ok := committed.Lookup(topic, end.Partition); ok && c.Err == nil && c.At >= 0 {
			at = c.At
		}
		lag += end.Offset - at
	})
	return lag
}

// waitSettled waits until group has committed every message of topic and
// the backend has received nothing new for settle (longer than a gateway's
// batch flush_timeout, 1s): what has not arrived then is not coming from the
// running gateways.
func waitSettled(tb testing.TB, k *kafka, group, topic string, backend *otlpBackend) {
	tb.Helper()
	const settle = 2 * time.Second
	last, since := -1, time.Now()
	require.Eventually(tb, func() bool {
		n := backend.logs.LogRecordCount()
		if n != last || k.committedLag(tb, group, topic) != 0 {
			last, since = n, time.Now()
			return false
		}
		return time.Since(since) >= settle
	}, waitForFleet, 100*time.Millisecond, "group %s never caught up with %s", group, topic)
}

// fleetBatchMaxSize bounds what a killed gateway may repeat in the crash
// tests: the cycle it was in for gateway.yaml (the messages of one poll,
// uncommitted), about one exporter batch (batch.max_size) for
// gateway-stock.yaml.
const fleetBatchMaxSize = 10000

// TestFleetGatewayCrash: 3 agents write 5,000 lines each at a steady rate
// (or a shipper puts raw lines on the raw topic) through 2 gateways; gateway
// A is killed with SIGKILL mid-stream. Gateway B takes over A's partitions
// and reads again what A had not committed: every record arrives without A,
// and what A had delivered but not yet committed arrives twice (at most a
// cycle or a batch, fleetBatchMaxSize). A then starts again, on its old
// directory or with it deleted (the gateway keeps nothing there), and joins
// the group: still nothing lost.
func TestFleetGatewayCrash(t *testing.T) {
	distribution(t)
	for _, tc := range []struct {
		name        string
		example     string
		deleteState bool
		// raw: a shipper puts raw lines on the raw topic (gateway-raw.yaml)
		// instead of agents putting OTLP on the agents' topic.
		raw bool
	}{
		{name: "restart_on_same_directory", example: "gateway.yaml"},
		{name: "state_directory_deleted", example: "gateway.yaml", deleteState: true},
		{name: "raw_lines_state_directory_deleted", example: "gateway-raw.yaml", deleteState: true, raw: true},
		{name: "stock_pipeline_state_directory_deleted", example: "gateway-stock.yaml", deleteState: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const n = 5000
			k, backend := startFleet(t)
			group, topic := fleetGroup, fleetTopic
			if tc.raw {
				group, topic = fleetRawGroup, fleetRawTopic
			}

			// The client id tells the gateways apart in the group's description.
			dirA := t.TempDir()
			gatewayA := startFleetNode(t, fleetExample(tc.example), dirA, gatewayClientID(tc.example, "gateway-a"))
			gatewayB := startFleetNode(t, fleetExample(tc.example), t.TempDir(), gatewayClientID(tc.example, "gateway-b"))
			k.waitForAssignment(t, group, 2)
			partsOf := func(client string) []int32 {
				groups, err := k.admin.DescribeGroups(context.Background(), group)
				require.NoError(t, err)
				var parts []int32
				for _, m := range groups[group].Members {
					if assigned, _ := m.Assigned.AsConsumer(); assigned != nil && m.ClientID == client {
						for _, topic := range assigned.Topics {
							parts = append(parts, topic.Partitions...)
						}
					}
				}
				slices.Sort(parts)
				return parts
			}
			partsA := partsOf("gateway-a")
			require.NotEmpty(t, partsA)

			// About 2,500 lines/s per agent: the stream lasts a few seconds.
			var agents []*fleetAgent
			for _, c := range fleetConnectors {
				if tc.raw {
					agents = append(agents, startRawShipper(t, k, c, n, 20*time.Millisecond))
				} else {
					agents = append(agents, startAgent(t, c, n, 20*time.Millisecond))
				}
			}
			total := n * len(fleetConnectors)
			require.Eventually(t, func() bool { return backend.logs.LogRecordCount() >= total/5 }, waitForFleet, 10*time.Millisecond)
			gatewayA.kill(t)
			killed := time.Now()
			atKill := backend.logs.LogRecordCount()
			if tc.deleteState {
				require.NoError(t, os.RemoveAll(dirA))
			}

			// B takes over all partitions once the group notices A is gone
			// (session_timeout, 10s).
			after := k.waitForAssignment(t, group, 1)
			takeover := time.Since(killed)
			for _, parts := range after {
				assert.Subset(t, parts, partsA)
			}
			for _, a := range agents {
				a.waitWritten(t)
			}
			// Every record arrives without A (what is missing after
			// waitForFleet is lost, and the report says whether it ever
			// reached Kafka); only then may the backend settle, so that the
			// duplicates are counted. Settling alone is no proof: an agent
			// still reading the tail of its journal sends nothing for a while.
			waitForFleetDelivery(t, k, topic, backend, n, agents, gatewayB)
			waitSettled(t, k, group, topic, backend)
			withoutA := checkFleetDelivery(fleetRecords(backend.logs.AllLogs()), n)
			assert.Zero(t, withoutA.lost, "records waited for the killed gateway: %s", withoutA)
			assert.Empty(t, withoutA.unexpected)

			// A starts again and takes back a share of the partitions.
			gatewayA = startFleetNode(t, fleetExample(tc.example), dirA, gatewayClientID(tc.example, "gateway-a"))
			k.waitForAssignment(t, group, 2)
			waitSettled(t, k, group, topic, backend)
			d := checkFleetDelivery(fleetRecords(backend.logs.AllLogs()), n)
			if !tc.raw { // TestFleetRawLines checks the raw path's mapping
				checkFleetMapping(t, fleetRecords(backend.logs.AllLogs()), n)
			}
			t.Logf("SIGKILL of gateway A (partitions %v) after %d of %d records delivered; B held all partitions %s later; "+
				"without A: %d lost, %d duplicated; after A restarted (state directory deleted: %t): %s",
				partsA, atKill, total, takeover.Round(100*time.Millisecond), withoutA.lost, withoutA.duplicated, tc.deleteState, d)
			assert.Zero(t, d.lost, "%s", d)
			assert.LessOrEqual(t, d.duplicated, fleetBatchMaxSize, "more than a batch repeated: %s", d)
			assert.Empty(t, d.unexpected, "%s", d)
			for _, node := range []*fleetNode{gatewayA, gatewayB} {
				assert.NotContains(t, node.String(), "skipping due to message_marking")
			}
		})
	}
}

// produceBurst puts messages OTLP messages of perMessage records each on
// fleetTopic, as agents would: record j of message m has connection id
// burst-<m*perMessage+j> and event twingate.connection.closed. The messages
// are spread over partitions when given, else by key over all.
func produceBurst(t *testing.T, k *kafka, messages, perMessage int, partitions ...int32) {
	t.Helper()
	opts := []kgo.Opt{kgo.DefaultProduceTopic(fleetTopic), kgo.ProducerLinger(0)}
	if len(partitions) > 0 {
		opts = append(opts, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	}
	cl := k.client(t, opts...)
	marshaler := &plog.ProtoMarshaler{}
	records := make([]*kgo.Record, 0, messages)
	for m := range messages {
		logs := plog.NewLogs()
		rl := logs.ResourceLogs().AppendEmpty()
		rl.Resource().Attributes().PutStr("twingate.connector.id", fmt.Sprintf("burst-%d", m%len(fleetConnectors)))
		sl := rl.ScopeLogs().AppendEmpty()
		for j := range perMessage {
			lr := sl.LogRecords().AppendEmpty()
			lr.SetEventName("twingate.connection.closed")
			lr.Attributes().PutStr("twingate.connection.id", fmt.Sprintf("burst-%06d", m*perMessage+j))
			lr.Body().SetStr(strings.Repeat("x", 200))
		}
		value, err := marshaler.MarshalLogs(logs)
		require.NoError(t, err)
		r := &kgo.Record{Key: []byte(strconv.Itoa(m % 7)), Value: value}
		if len(partitions) > 0 {
			r.Partition = partitions[m%len(partitions)]
		}
		records = append(records, r)
	}
	require.NoError(t, cl.ProduceSync(context.Background(), records...).FirstErr())
}

// burstDelivery counts what arrived of produceBurst's records.
func burstDelivery(backend *otlpBackend, total int) (lost, duplicated int) {
	got := fleetRecords(backend.logs.AllLogs())
	for i := range total {
		switch k := len(got[fmt.Sprintf("burst-%06d twingate.connection.closed", i)]); k {
		case 0:
			lost++
		default:
			duplicated += k - 1
		}
	}
	return lost, duplicated
}

// stockGateway is a gateway built from the stock settings of the kafka
// receiver and the otlp_http exporter, as in the probe docs/fleet.md
// describes: message_marking before processing, an in-memory queue that
// refuses when full.
const stockGateway = `
extensions:
  file_storage:
    directory: /nonexistent
  health_check: {}
receivers:
  kafka:
    brokers: ${env:KAFKA_BROKERS}
    group_id: stock-gateway
    initial_offset: earliest
    logs:
      topics: [twingate_otlp_logs]
exporters:
  otlp_http:
    endpoint: ${env:OTLP_ENDPOINT}
service:
  extensions: [health_check]
  pipelines:
    logs:
      receivers: [kafka]
      exporters: [otlp_http]
`

// scrapeSum scrapes a collector's metrics at addr and adds up the series of
// metric name whose labels contain label (any, if empty); -1 when its
// metrics do not answer or have no such series.
func scrapeSum(addr, name, label string) float64 {
	metrics, err := scrapeMetrics(addr)
	if err != nil {
		return -1
	}
	sum, found := 0.0, false
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, name+"{") && strings.Contains(line, label) {
			var v float64
			if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
				sum, found = sum+v, true
			}
		}
	}
	if !found {
		return -1
	}
	return sum
}

// exporterQueue scrapes the size of a collector's exporter queue
// (gateway-stock.yaml); -1 when its metrics do not answer.
func exporterQueue(addr string) float64 {
	return scrapeSum(addr, "otelcol_exporter_queue_size", "")
}

// relayRetries scrapes how many requests a gateway's relay
// (kafka_otlp_relay) has retried; -1 when its metrics do not answer.
func relayRetries(addr string) float64 {
	return scrapeSum(addr, "otelcol_kafka_otlp_relay_requests", `outcome="retried"`)
}

// gatewayClientID is the override that names a gateway of example in its
// consumer group's description.
func gatewayClientID(example, id string) string {
	if example == "gateway-stock.yaml" {
		return "receivers::kafka::client_id: " + id
	}
	return "receivers::kafka_otlp_relay::client_id: " + id
}

// metricsOverride serves a collector's own metrics on addr.
func metricsOverride(addr string) string {
	host, port, _ := strings.Cut(addr, ":")
	return fmt.Sprintf(`service::telemetry::metrics: {level: normal, readers: [{pull: {exporter: {prometheus: {host: %q, port: %s, without_scope_info: true, without_units: true, without_type_suffix: true}}}}]}`, host, port)
}

// TestFleetGatewayBackpressure: a burst of 5,000 messages (50,000 records)
// reaches a gateway while the backend is down. examples/fleet/gateway.yaml
// (kafka_otlp_relay) retries its first requests, commits none of the
// messages (the backend has accepted none) and polls no more until the
// backend is back: every record arrives, none is skipped. The stock
// settings, on the same burst, lose most of it ("sending queue is full",
// then "skipping due to message_marking config"), which shows the test can
// see the loss.
func TestFleetGatewayBackpressure(t *testing.T) {
	distribution(t)
	const messages, perMessage = 5000, 10
	total := messages * perMessage
	k := startKafka(t)
	ours, stock := newOTLPBackend(t), newOTLPBackend(t) // both down for now
	setFleetEnv(t, k, ours)
	produceBurst(t, k, messages, perMessage)

	metricsAddr := freeAddr(t)
	gateway := startFleetNode(t, fleetExample("gateway.yaml"), t.TempDir(), metricsOverride(metricsAddr))
	t.Setenv("OTLP_ENDPOINT", stock.endpoint())
	stockPath := filepath.Join(t.TempDir(), "stock.yaml")
	require.NoError(t, os.WriteFile(stockPath, []byte(stockGateway), 0o600))
	stockNode := startFleetNode(t, stockPath, t.TempDir())

	// Our gateway retries; the stock one refuses and skips until it has
	// consumed the whole topic.
	require.Eventually(t, func() bool { return gateway.exitedEarly(t) || relayRetries(metricsAddr) >= 3 },
		waitForFleet, 100*time.Millisecond, "the gateway never retried; output:\n%s", gateway)
	require.Eventually(t, func() bool { return k.committedLag(t, "stock-gateway", fleetTopic) == 0 },
		waitForFleet, 50*time.Millisecond, "the stock gateway never consumed the burst; output:\n%s", stockNode)
	lagWhileDown := k.committedLag(t, fleetGroup, fleetTopic)
	assert.Equal(t, int64(messages), lagWhileDown, "the gateway committed messages the backend never accepted")
	held := relayRetries(metricsAddr)

	ours.start(t)
	stock.start(t)
	waitSettled(t, k, fleetGroup, fleetTopic, ours)
	waitSettled(t, k, "stock-gateway", fleetTopic, stock)
	lost, duplicated := burstDelivery(ours, total)
	stockLost, stockDuplicated := burstDelivery(stock, total)
	t.Logf("burst of %d records with the backend down: examples/fleet/gateway.yaml retried %.0f requests and left all %d messages uncommitted in Kafka, then lost %d, duplicated %d; "+
		"stock settings lost %d (%.0f%%), duplicated %d", total, held, lagWhileDown, lost, duplicated, stockLost, 100*float64(stockLost)/float64(total), stockDuplicated)
	assert.Zero(t, lost)
	assert.NotContains(t, gateway.String(), "skipping due to message_marking")
	assert.NotContains(t, gateway.String(), "sending queue is full")
	assert.Positive(t, stockLost, "the stock settings lost nothing: the burst did not overflow their queue")
	assert.Contains(t, stockNode.String(), "skipping due to message_marking")
}

// rawGoldenInputs are the translator's golden inputs: connector output of
// every kind, malformed and other lines included.
func rawGoldenInputs(t *testing.T) []string {
	t.Helper()
	inputs, err := filepath.Glob(mappingTestdata("golden", "*.log"))
	require.NoError(t, err)
	require.NotEmpty(t, inputs)
	return inputs
}

// canonicalRecords puts deliveries in a form two collectors' outputs can be
// compared in: records merged per resource and sorted by body, time, event
// name and attributes
// (export batches may arrive in any order), the scope named after the
// receiver, and log.file.name, which only the file input knows, removed.
func canonicalRecords(all []plog.Logs) plog.Logs {
	merged := logstest.MergeByResource(all)
	for _, rl := range merged.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			sl.Scope().SetName(receiverScopeName)
			records := sl.LogRecords()
			for _, lr := range records.All() {
				lr.Attributes().Remove("log.file.name")
			}
			sorted := plog.NewLogRecordSlice()
			order := make([]plog.LogRecord, 0, records.Len())
			for _, lr := range records.All() {
				order = append(order, lr)
			}
			// A total order: the gateway may deliver a partition's messages in
			// any order, so records equal in body and time (bodiless ones) must
			// be told apart by what else they carry.
			slices.SortStableFunc(order, func(a, b plog.LogRecord) int {
				if c := strings.Compare(a.Body().AsString(), b.Body().AsString()); c != 0 {
					return c
				}
				if c := cmp.Compare(a.Timestamp(), b.Timestamp()); c != 0 {
					return c
				}
				if c := strings.Compare(a.EventName(), b.EventName()); c != 0 {
					return c
				}
				return strings.Compare(fmt.Sprint(a.Attributes().AsRaw()), fmt.Sprint(b.Attributes().AsRaw()))
			})
			for _, lr := range order {
				lr.CopyTo(sorted.AppendEmpty())
			}
			sorted.CopyTo(records)
		}
	}
	// Resources in a fixed order too: MergeByResource keeps the order of
	// first appearance, which differs between the paths, and RequireLogsMatch
	// compares the event names of all records in order.
	merged.ResourceLogs().Sort(func(a, b plog.ResourceLogs) bool {
		return fmt.Sprint(a.Resource().Attributes().AsRaw()) < fmt.Sprint(b.Resource().Attributes().AsRaw())
	})
	return merged
}

// receiverScopeName is the scope the receiver gives its records.
const receiverScopeName = "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

// TestFleetRawLines: the translator's golden inputs, produced to the raw
// topic as a shipper would (one line per message, batches of lines, a whole
// file, and the events of one file as bare JSON without the ANALYTICS prefix),
// go through examples/fleet/gateway-raw.yaml (kafka receiver with
// encoding: twingate_encoding). The same lines, read from a file by the
// twingateanalytics receiver of the same binary, give identical records.
func TestFleetRawLines(t *testing.T) {
	distribution(t)
	k := startKafka(t)
	viaKafka, viaReceiver := newOTLPBackend(t), newOTLPBackend(t)
	viaKafka.start(t)
	viaReceiver.start(t)
	setFleetEnv(t, k, viaKafka)

	var file bytes.Buffer
	var records []*kgo.Record
	message := func(payload []byte) {
		records = append(records, &kgo.Record{Topic: fleetRawTopic, Value: payload})
	}
	for i, input := range rawGoldenInputs(t) {
		content, err := os.ReadFile(input)
		require.NoError(t, err)
		file.Write(content)
		lines := bytes.Split(bytes.TrimSuffix(content, []byte("\n")), []byte("\n"))
		switch {
		case filepath.Base(input) == "events.log":
			for _, line := range lines {
				payload, ok := twingate.CutAnalytics(line)
				require.True(t, ok)
				message(payload)
			}
		case i%3 == 0:
			message(content)
		case i%3 == 1:
			for _, line := range lines {
				message(line)
			}
		default:
			for j := 0; j < len(lines); j += 4 {
				message(bytes.Join(lines[j:min(j+4, len(lines))], []byte("\n")))
			}
		}
	}
	require.NoError(t, k.client(t).ProduceSync(context.Background(), records...).FirstErr())

	// What the receiver makes of the same lines, with the same defaults as
	// the extension in gateway-raw.yaml (other_lines drop, on_error send,
	// body original).
	path := filepath.Join(t.TempDir(), "connector.log")
	require.NoError(t, os.WriteFile(path, file.Bytes(), 0o600))
	receiver := runCollector(t, fileToOTLPConfig(path, viaReceiver.endpoint(), freeAddr(t)))
	gateway := startFleetNode(t, fleetExample("gateway-raw.yaml"), t.TempDir())

	// The translator says how many records the lines make.
	tr := twingate.NewTranslator(twingate.NewDefaultConfig())
	b := twingate.NewBatch(receiverScopeName)
	for _, line := range bytes.Split(bytes.TrimSuffix(file.Bytes(), []byte("\n")), []byte("\n")) {
		tr.AppendLine(b, line, &twingate.Source{}, 0)
	}
	want := b.Logs().LogRecordCount()
	require.Eventually(t, func() bool {
		return receiver.exitedEarly(t) || gateway.exitedEarly(t) ||
			viaKafka.logs.LogRecordCount() >= want && viaReceiver.logs.LogRecordCount() >= want
	}, waitForFleet, 50*time.Millisecond, "want %d records: %d via Kafka, %d via the receiver", want, viaKafka.logs.LogRecordCount(), viaReceiver.logs.LogRecordCount())
	waitSettled(t, k, fleetRawGroup, fleetRawTopic, viaKafka)

	expected, actual := canonicalRecords(viaReceiver.logs.AllLogs()), canonicalRecords(viaKafka.logs.AllLogs())
	require.Equal(t, want, actual.LogRecordCount())
	logstest.RequireLogsMatch(t, expected, actual, plogtest.IgnoreResourceLogsOrder())
	t.Logf("%d messages of raw connector output: %d records via Kafka and twingate_encoding, identical to the receiver's", len(records), want)
}

// TestFleetGatewayCrashWithQueuedRecords: the backend is down, so gateway A
// holds records it has consumed; A is killed with SIGKILL, the backend comes
// back, and gateway B takes over A's partitions.
//   - examples/fleet/gateway.yaml (kafka_otlp_relay): a poll is committed
//     only once the backend accepted it, so B relays again all that A held
//     and nothing waits for A: Kafka is the only buffer.
//   - examples/fleet/gateway-stock.yaml (kafka receiver, otlp_http): the
//     same with the stock components, a message marked only once the
//     backend accepted it (wait_for_result, in-memory queue).
//   - the stock examples before issue 18, with a persistent queue: A marked (and
//     committed) the messages once its queue stored them, so B does not read
//     them again; they wait on A's disk and arrive only when A starts again
//     on its directory, and a gateway whose disk is lost loses them. contrib
//     v0.165 cannot combine a persistent queue with wait_for_result (the
//     exporter's sending_queue refuses the pair). The case shows the test
//     sees records that wait for a dead gateway.
func TestFleetGatewayCrashWithQueuedRecords(t *testing.T) {
	distribution(t)
	for _, tc := range []struct {
		name       string
		example    string
		overrides  []string
		persistent bool
	}{
		{name: "shipped", example: "gateway.yaml"},
		{name: "stock_pipeline", example: "gateway-stock.yaml"},
		{name: "persistent_queue", example: "gateway-stock.yaml", persistent: true, overrides: []string{
			"service::extensions: [file_storage, health_check]",
			"exporters::otlp_http::sending_queue: {storage: file_storage, wait_for_result: false}",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const messages, perMessage = 300, 10
			total := messages * perMessage
			k, backend := startFleet(t)
			metricsA, dirA := freeAddr(t), t.TempDir()
			gatewayA := startFleetNode(t, fleetExample(tc.example), dirA,
				append([]string{gatewayClientID(tc.example, "gateway-a"), metricsOverride(metricsA)}, tc.overrides...)...)
			gatewayB := startFleetNode(t, fleetExample(tc.example), t.TempDir(),
				append([]string{gatewayClientID(tc.example, "gateway-b")}, tc.overrides...)...)
			k.waitForAssignment(t, fleetGroup, 2)
			var partsA []int32
			groups, err := k.admin.DescribeGroups(context.Background(), fleetGroup)
			require.NoError(t, err)
			for _, m := range groups[fleetGroup].Members {
				if assigned, _ := m.Assigned.AsConsumer(); assigned != nil && m.ClientID == "gateway-a" {
					for _, topic := range assigned.Topics {
						partsA = append(partsA, topic.Partitions...)
					}
				}
			}
			require.NotEmpty(t, partsA)

			// Only A's partitions get records, while the backend is down.
			backend.stop(t)
			produceBurst(t, k, messages, perMessage, partsA...)
			require.Eventually(t, func() bool {
				held := relayRetries(metricsA) > 0 // the relay holds its poll and retries
				if tc.example == "gateway-stock.yaml" {
					held = exporterQueue(metricsA) > 0
				}
				if tc.persistent {
					// A has also committed what its queue stored.
					held = held && k.committedLag(t, fleetGroup, fleetTopic) == 0
				}
				return gatewayA.exitedEarly(t) || held
			}, waitForFleet, 50*time.Millisecond, "gateway A never held the records; output:\n%s", gatewayA)
			gatewayA.kill(t)
			backend.start(t)
			k.waitForAssignment(t, fleetGroup, 1)
			waitSettled(t, k, fleetGroup, fleetTopic, backend)
			strandedLost, _ := burstDelivery(backend, total)

			if tc.persistent {
				assert.Positive(t, strandedLost, "A's queue held nothing when it was killed: the case shows nothing")
				gatewayA = startFleetNode(t, fleetExample(tc.example), dirA, append([]string{gatewayClientID(tc.example, "gateway-a")}, tc.overrides...)...)
				require.Eventually(t, func() bool {
					lost, _ := burstDelivery(backend, total)
					return gatewayA.exitedEarly(t) || lost == 0
				}, waitForFleet, 100*time.Millisecond, "A's queue never arrived; output:\n%s", gatewayA)
			}
			lost, duplicated := burstDelivery(backend, total)
			t.Logf("%s: %d records held by gateway A at SIGKILL with the backend down; after B took over: %d missing; in the end: %d lost, %d duplicated",
				tc.name, total, strandedLost, lost, duplicated)
			assert.Zero(t, lost)
			if !tc.persistent {
				assert.Zero(t, strandedLost, "records waited for the killed gateway")
			}
			assert.NotContains(t, gatewayB.String(), "skipping due to message_marking")
		})
	}
}
