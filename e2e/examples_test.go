// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// End-to-end tests of the configurations under examples/: the built
// otelcol-twingate runs each one unchanged except for where it reads from (the
// fixture testdata/examples/connections.log, from the beginning) and exports to
// the in-test OTLP backend on 127.0.0.1.

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

var exampleFixture = filepath.Join("testdata", "examples", "connections.log")

// pseudonymKey is the HMAC key examples/privacy.yaml is run with.
const pseudonymKey = "otelcol-twingate-test-key-0123456789"

// runExample runs examples/<name> on a copy of the fixture. The example's own
// input settings are overridden, and so is its telemetry, whose default server
// on port 8888 could collide with another collector on the machine.
func runExample(t *testing.T, name string) *collector {
	t.Helper()
	input := filepath.Join(t.TempDir(), filepath.Base(exampleFixture))
	copyFile(t, exampleFixture, input)
	return startCollector(t,
		"--config", examplePath(name),
		"--config", fmt.Sprintf("yaml:receivers::twingateanalytics::file: {include: [%q], start_at: beginning, poll_interval: 50ms}", input),
		"--config", "yaml:service::telemetry::metrics::level: none",
	)
}

// TestExamplesValidate: every example passes `otelcol-twingate validate` with
// the environment it documents, and the privacy example refuses to run
// without its key.
func TestExamplesValidate(t *testing.T) {
	bin := distribution(t)
	examples, err := filepath.Glob(examplePath("*.yaml"))
	require.NoError(t, err)
	require.Len(t, examples, 5)
	validate := func(path string, env ...string) (string, error) {
		cmd := exec.Command(bin, "validate", "--config", path)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, path := range examples {
		t.Run(filepath.Base(path), func(t *testing.T) {
			out, err := validate(path, "OTLP_ENDPOINT=http://127.0.0.1:4318", "TWINGATE_PSEUDONYM_KEY="+pseudonymKey,
				"TWINGATE_S3_BUCKET=my-twingate-events", "AWS_REGION=us-east-1",
				"OTLP_LOGS_ENDPOINT=http://127.0.0.1:9428/insert/opentelemetry", "OTLP_METRICS_ENDPOINT=http://127.0.0.1:9090/api/v1/otlp")
			require.NoError(t, err, out)
		})
	}
	out, err := validate(examplePath("privacy.yaml"), "OTLP_ENDPOINT=http://127.0.0.1:4318", "TWINGATE_PSEUDONYM_KEY=")
	require.Error(t, err)
	assert.Contains(t, out, "hmac_key must not be empty")
}

// histogramPoint is what the tests compare of a histogram data point; Sum is
// rounded to microseconds so that the order of float additions does not matter.
type histogramPoint struct {
	Count   uint64
	Sum     float64
	Buckets []uint64
}

// series names one metric stream: the metric, the connector and remote network
// of its resource, and its data point attributes as key=value.
func series(metric, connector string, attrs ...string) string {
	slices.Sort(attrs)
	return fmt.Sprintf("%s{%s; %s}", metric, connector, strings.Join(attrs, ", "))
}

// latestPoints returns the last value received for each series, with each
// metric's unit; it fails on anything but cumulative sums (monotonic ones
// but for twingate.active_connections) and cumulative histograms.
func latestPoints(t require.TestingT, all []pmetric.Metrics) (sums map[string]int64, histograms map[string]histogramPoint, units map[string]string) {
	sums, histograms, units = map[string]int64{}, map[string]histogramPoint{}, map[string]string{}
	latest := map[string]uint64{}
	newer := func(key string, ts uint64) bool {
		if ts < latest[key] {
			return false
		}
		latest[key] = ts
		return true
	}
	for _, md := range all {
		for _, rm := range md.ResourceMetrics().All() {
			res := rm.Resource().Attributes()
			connector, _ := res.Get("twingate.connector.name")
			network, _ := res.Get("twingate.remote_network.name")
			resource := connector.AsString() + "/" + network.AsString()
			for _, sm := range rm.ScopeMetrics().All() {
				for _, m := range sm.Metrics().All() {
					units[m.Name()] = m.Unit()
					switch m.Type() {
					case pmetric.MetricTypeSum:
						require.Equal(t, pmetric.AggregationTemporalityCumulative, m.Sum().AggregationTemporality(), m.Name())
						require.Equal(t, m.Name() != "twingate.active_connections", m.Sum().IsMonotonic(), m.Name())
						for _, dp := range m.Sum().DataPoints().All() {
							key := series(m.Name(), resource, attributePairs(dp.Attributes().AsRaw())...)
							if newer(key, uint64(dp.Timestamp())) {
								sums[key] = dp.IntValue()
							}
						}
					case pmetric.MetricTypeHistogram:
						require.Equal(t, pmetric.AggregationTemporalityCumulative, m.Histogram().AggregationTemporality(), m.Name())
						for _, dp := range m.Histogram().DataPoints().All() {
							require.Equal(t, []float64{1, 10, 60, 300, 1800, 3600, 14400, 86400}, dp.ExplicitBounds().AsRaw(), m.Name())
							key := series(m.Name(), resource, attributePairs(dp.Attributes().AsRaw())...)
							if newer(key, uint64(dp.Timestamp())) {
								histograms[key] = histogramPoint{dp.Count(), math.Round(dp.Sum()*1e6) / 1e6, dp.BucketCounts().AsRaw()}
							}
						}
					default:
						require.Failf(t, "unexpected metric type", "%s is a %s", m.Name(), m.Type())
					}
				}
			}
		}
	}
	return sums, histograms, units
}

func attributePairs(attrs map[string]any) []string {
	var pairs []string
	for k, v := range attrs {
		pairs = append(pairs, fmt.Sprintf("%s=%v", k, v))
	}
	return pairs
}

// TestExampleMetrics: examples/metrics.yaml derives, from the 30 connection
// events of the fixture (its malformed JSON line has none), exactly these
// values, and forwards all 31 ANALYTICS records as logs.
func TestExampleMetrics(t *testing.T) {
	endpoint, logs, metrics := startOTLPLogsAndMetricsBackend(t)
	t.Setenv("OTLP_LOGS_ENDPOINT", endpoint)
	t.Setenv("OTLP_METRICS_ENDPOINT", endpoint)
	col := runExample(t, "metrics.yaml")

	const heron, otter = "vigilant-heron/AWS Network", "quiet-otter/GCP Network"
	const (
		established = "twingate.event_type=established_connection"
		closed      = "twingate.event_type=closed_connection"
		failed      = "twingate.event_type=failed_to_connect"
		receive     = "network.io.direction=receive"
		transmit    = "network.io.direction=transmit"
	)
	addr := func(a string) string { return "server.address=" + a }
	connections := func(connector, address, event string) string {
		return series("twingate.connections", connector, addr(address), event)
	}
	io := func(connector, address, direction string) string {
		return series("twingate.connection.io", connector, addr(address), direction)
	}
	active := func(connector, address string) string {
		return series("twingate.active_connections", connector, addr(address))
	}
	wantSums := map[string]int64{
		connections(heron, "10.20.0.2", established):                                     2,
		connections(heron, "10.20.0.2", closed):                                          2,
		connections(heron, "10.20.5.9", established):                                     1,
		connections(heron, "10.20.5.9", closed):                                          1,
		connections(heron, "bastion.corp.example", established):                          2,
		connections(heron, "bastion.corp.example", closed):                               1,
		connections(heron, "git.corp.example", established):                              1,
		connections(heron, "git.corp.example", closed):                                   1,
		connections(heron, "intranet.corp.example", established):                         2,
		connections(heron, "intranet.corp.example", closed):                              2,
		connections(heron, "k8s-api.corp.example", established):                          1,
		connections(heron, "k8s-api.corp.example", closed):                               1,
		connections(heron, "ntp.corp.example", established):                              1,
		connections(heron, "ntp.corp.example", closed):                                   1,
		connections(heron, "wiki.corp.example", established):                             1,
		connections(heron, "wiki.corp.example", closed):                                  1,
		connections(heron, "db.corp.example", failed):                                    2,
		connections(heron, "win-build-01.corp.example", failed):                          1,
		connections(otter, "bastion.corp.example", established):                          1,
		connections(otter, "bastion.corp.example", closed):                               1,
		connections(otter, "intranet.corp.example", established):                         1,
		connections(otter, "intranet.corp.example", closed):                              1,
		connections(otter, "legacy.corp.example", established):                           1, // flagged invalid_field (port 70000), still an event
		connections(otter, "db.corp.example", failed):                                    1,
		series("twingate.connection.failures", heron, addr("db.corp.example")):           2,
		series("twingate.connection.failures", heron, addr("win-build-01.corp.example")): 1,
		series("twingate.connection.failures", otter, addr("db.corp.example")):           1,
		io(heron, "10.20.0.2", receive):                                                  212 + 180,
		io(heron, "10.20.0.2", transmit):                                                 64 + 58,
		io(heron, "10.20.5.9", receive):                                                  88230,
		io(heron, "10.20.5.9", transmit):                                                 0,
		io(heron, "bastion.corp.example", receive):                                       1048576,
		io(heron, "bastion.corp.example", transmit):                                      65536,
		io(heron, "git.corp.example", receive):                                           48211043,
		io(heron, "git.corp.example", transmit):                                          1203388,
		io(heron, "intranet.corp.example", receive):                                      145233 + 234867,
		io(heron, "intranet.corp.example", transmit):                                     20871 + 23363,
		io(heron, "k8s-api.corp.example", receive):                                       5532110,
		io(heron, "k8s-api.corp.example", transmit):                                      312004,
		io(heron, "ntp.corp.example", receive):                                           96,
		io(heron, "ntp.corp.example", transmit):                                          96,
		io(heron, "wiki.corp.example", receive):                                          1893220,
		io(heron, "wiki.corp.example", transmit):                                         40112,
		io(otter, "bastion.corp.example", receive):                                       777,
		io(otter, "bastion.corp.example", transmit):                                      333,
		io(otter, "intranet.corp.example", receive):                                      4096,
		io(otter, "intranet.corp.example", transmit):                                     1024,
		// Established minus closed: one SSH session to the bastion and the
		// flagged legacy connection are still open at the end.
		active(heron, "10.20.0.2"):             0,
		active(heron, "10.20.5.9"):             0,
		active(heron, "bastion.corp.example"):  1,
		active(heron, "git.corp.example"):      0,
		active(heron, "intranet.corp.example"): 0,
		active(heron, "k8s-api.corp.example"):  0,
		active(heron, "ntp.corp.example"):      0,
		active(heron, "wiki.corp.example"):     0,
		active(otter, "bastion.corp.example"):  0,
		active(otter, "intranet.corp.example"): 0,
		active(otter, "legacy.corp.example"):   1,
	}
	// Durations in seconds (connection.duration is in milliseconds); buckets
	// are (-inf,1] (1,10] (10,60] (60,300] (300,1800] (1800,3600] (3600,14400]
	// (14400,86400] (86400,+inf).
	duration := func(connector, address string) string {
		return series("twingate.connection.duration", connector, addr(address))
	}
	wantHistograms := map[string]histogramPoint{
		duration(heron, "10.20.0.2"):             {2, 0.215, []uint64{2, 0, 0, 0, 0, 0, 0, 0, 0}}, // 0.118 + 0.097
		duration(heron, "10.20.5.9"):             {1, 30.001, []uint64{0, 0, 1, 0, 0, 0, 0, 0, 0}},
		duration(heron, "bastion.corp.example"):  {1, 1822.41, []uint64{0, 0, 0, 0, 0, 1, 0, 0, 0}},
		duration(heron, "git.corp.example"):      {1, 187.342, []uint64{0, 0, 0, 1, 0, 0, 0, 0, 0}},
		duration(heron, "intranet.corp.example"): {2, 3043.873, []uint64{0, 1, 0, 0, 0, 1, 0, 0, 0}}, // 9.12 + 3034.753
		duration(heron, "k8s-api.corp.example"):  {1, 604.211, []uint64{0, 0, 0, 0, 1, 0, 0, 0, 0}},
		duration(heron, "ntp.corp.example"):      {1, 0.052, []uint64{1, 0, 0, 0, 0, 0, 0, 0, 0}},
		duration(heron, "wiki.corp.example"):     {1, 45.012, []uint64{0, 0, 1, 0, 0, 0, 0, 0, 0}},
		duration(otter, "bastion.corp.example"):  {1, 120, []uint64{0, 0, 0, 1, 0, 0, 0, 0, 0}},
		duration(otter, "intranet.corp.example"): {1, 2.5, []uint64{0, 1, 0, 0, 0, 0, 0, 0, 0}},
	}
	wantUnits := map[string]string{
		"twingate.connections":         "{connection}",
		"twingate.connection.failures": "{failure}",
		"twingate.connection.io":       "By",
		"twingate.connection.duration": "s",
		"twingate.active_connections":  "{connection}",
	}

	// The values are cumulative: wait until the last point of every series
	// holds the total of the whole fixture.
	assert.EventuallyWithT(t, func(c *assert.CollectT) {
		sums, histograms, units := latestPoints(c, metrics.AllMetrics())
		assert.Equal(c, wantSums, sums)
		assert.Equal(c, wantHistograms, histograms)
		assert.Equal(c, wantUnits, units)
	}, waitForCollector, 100*time.Millisecond, "metrics never reached the fixture's totals; collector output:\n%s", col)
	require.Eventually(t, func() bool { return logs.LogRecordCount() >= 31 }, waitForCollector, 20*time.Millisecond)
	assert.Equal(t, 31, logs.LogRecordCount())
}

func pseudonym(value string) string {
	mac := hmac.New(sha256.New, []byte(pseudonymKey))
	mac.Write([]byte(value))
	return hex.EncodeToString(mac.Sum(nil))
}

// TestExamplePrivacy: under examples/privacy.yaml, the backend receives the
// receiver's records for the fixture with no body, no DNS lookups, no
// location, and HMAC-SHA256 pseudonyms for user.email and client.address;
// none of the fixture's emails and client IPs appears anywhere in it.
func TestExamplePrivacy(t *testing.T) {
	endpoint, logs := startOTLPBackend(t)
	t.Setenv("OTLP_ENDPOINT", endpoint)
	t.Setenv("TWINGATE_PSEUDONYM_KEY", pseudonymKey)
	col := runExample(t, "privacy.yaml")

	mapping := twingate.NewDefaultConfig()
	mapping.Body = twingate.BodyNone
	expected := mappedRecords(t, exampleFixture, mapping)
	for _, rl := range expected.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			sl.LogRecords().RemoveIf(func(lr plog.LogRecord) bool {
				port, ok := lr.Attributes().Get("server.port")
				return ok && port.Int() == 53
			})
			for _, lr := range sl.LogRecords().All() {
				attrs := lr.Attributes()
				attrs.Remove("twingate.connection.client_geo")
				attrs.Remove("twingate.location")
				for _, key := range []string{"user.email", "client.address"} {
					if v, ok := attrs.Get(key); ok {
						v.SetStr(pseudonym(v.Str()))
					}
				}
			}
		}
	}
	require.Equal(t, 27, expected.LogRecordCount(), "31 ANALYTICS lines, 4 of them DNS lookups")

	require.Eventually(t, func() bool { return logs.LogRecordCount() >= expected.LogRecordCount() }, waitForCollector, 20*time.Millisecond,
		"records never arrived; collector output:\n%s", col)
	// Let a late extra record show up before comparing.
	time.Sleep(500 * time.Millisecond)
	actual := logstest.MergeByResource(logs.AllLogs())
	assert.NoError(t, plogtest.CompareLogs(expected, actual, plogtest.IgnoreObservedTimestamp(), plogtest.IgnoreScopeLogsVersion()))

	// Whatever the comparison covers, no personal value of the fixture may
	// appear in any string of the output: resource, attributes, body, names.
	content, err := os.ReadFile(exampleFixture)
	require.NoError(t, err)
	var secrets, clients []string
	for _, m := range regexp.MustCompile(`"email":"([^"]+)"`).FindAllStringSubmatch(string(content), -1) {
		secrets = append(secrets, m[1])
	}
	for _, m := range regexp.MustCompile(`"client_ip":"([^"]+)"`).FindAllStringSubmatch(string(content), -1) {
		clients = append(clients, clientHost(m[1]))
	}
	secrets, clients = uniq(secrets), uniq(clients)
	require.Len(t, secrets, 7, "emails in the fixture: %v", secrets)
	require.Len(t, clients, 8, "client addresses in the fixture: %v", clients)
	secrets = append(secrets, clients...)
	secrets = append(secrets, "Ashburn", "Frankfurt", "39.0438", "50.1109") // client_geo, location

	raw, err := (&plog.JSONMarshaler{}).MarshalLogs(actual)
	require.NoError(t, err)
	output := string(raw)
	for _, secret := range secrets {
		assert.NotContains(t, output, secret)
	}
	for _, email := range []string{"alice@example.com", "bob@example.com", "carol@example.com", "dave@example.org", "erin@example.org", "frank@example.net"} {
		assert.Contains(t, output, `"value":{"stringValue":"`+pseudonym(email)+`"}`, email)
	}
	for _, client := range []string{"203.0.113.7", "198.51.100.42", "2001:db8::7", "2001:db8::8", "2001:db8::9", "192.0.2.10", "192.0.2.88"} {
		assert.Contains(t, output, `"value":{"stringValue":"`+pseudonym(client)+`"}`, client)
	}
}

// clientHost is the address part of connection.client_ip as the fixture
// writes it: "ip", "ip:port", "[ipv6]", "[ipv6]:port" or a bare IPv6.
func clientHost(clientIP string) string {
	if rest, ok := strings.CutPrefix(clientIP, "["); ok {
		host, _, _ := strings.Cut(rest, "]")
		return host
	}
	if strings.Count(clientIP, ":") == 1 {
		host, _, _ := strings.Cut(clientIP, ":")
		return host
	}
	return clientIP
}

func uniq(values []string) []string {
	slices.Sort(values)
	return slices.Compact(values)
}

// mappedRecords is what the receiver's mapping, with the given settings,
// makes of the lines of path as the file input hands them over (log.file.name
// set): the records a collector hands its processors.
func mappedRecords(t *testing.T, path string, cfg twingate.Config) plog.Logs {
	t.Helper()
	content, err := os.ReadFile(path)
	require.NoError(t, err)
	tr := twingate.NewTranslator(cfg)
	b := twingate.NewBatch("github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver")
	src := &twingate.Source{Attributes: map[string]any{"log.file.name": filepath.Base(path)}}
	for _, line := range strings.Split(strings.TrimSuffix(string(content), "\n"), "\n") {
		tr.AppendLine(b, []byte(line), src, 0)
	}
	return b.Logs()
}
