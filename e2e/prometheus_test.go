// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// examples/metrics.yaml against real Prometheus servers at their defaults:
// Prometheus 3 over OTLP (the path docs/metrics.md describes) and over remote
// write (examples/backends/prometheus-remote-write.yaml, the path of stores
// without OTLP ingest). Every PromQL
// query of docs/metrics.md, every panel of examples/grafana/ and every alert of
// examples/prometheus/ is evaluated on the metrics of a generated
// three-connector log and compared with values computed from the log.

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// promResult is an instant vector: label set (`k="v",…`, sorted) -> value.
type promResult map[string]float64

func labelKey(labels map[string]string) string {
	pairs := make([]string, 0, len(labels))
	for k, v := range labels {
		pairs = append(pairs, fmt.Sprintf("%s=%q", k, v))
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

// labels builds a label set from alternating names and values.
func labels(kv ...string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return labelKey(m)
}

// promQuery evaluates expr at the given time through the HTTP API.
func promQuery(baseURL, expr string, at time.Time) (promResult, error) {
	body, err := postQuery(baseURL+"/api/v1/query", url.Values{
		"query": {expr},
		"time":  {strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64)},
	})
	if err != nil {
		return nil, err
	}
	var r struct {
		Status, Error string
		Data          struct {
			ResultType string
			Result     []struct {
				Metric map[string]string
				Value  [2]any
			}
		}
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", body, err)
	}
	if r.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", expr, r.Error)
	}
	if r.Data.ResultType != "vector" {
		return nil, fmt.Errorf("query %q: a %s, not a vector", expr, r.Data.ResultType)
	}
	out := promResult{}
	for _, s := range r.Data.Result {
		v, err := strconv.ParseFloat(s.Value[1].(string), 64)
		if err != nil {
			return nil, err
		}
		out[labelKey(s.Metric)] = v
	}
	return out, nil
}

// metricsTruth holds, per query, the exact result the log implies.
type metricsTruth struct {
	byTypeAndResource    promResult // twingate_event_type, server_address
	establishedResource  promResult // server_address
	failureRatio         promResult // twingate_remote_network_name
	bytes                promResult // twingate_connector_name, network_io_direction
	p95                  promResult // server_address
	active               promResult // twingate_connector_name, server_address
	topUsers             promResult // user_id
	burst                promResult // the burst alert's labels
	silent               promResult // job, instance
	failureRatioAlerting promResult
	// Raw series, one per connector (instance) and data point attributes.
	series map[string]promResult
}

// durationBounds are the histogram buckets of examples/metrics.yaml, seconds.
var durationBounds = []float64{1, 10, 60, 300, 1800, 3600, 14400, 86400}

func computeMetricsTruth(l connectorLog, withUsers bool) metricsTruth {
	w := metricsTruth{
		byTypeAndResource: promResult{}, establishedResource: promResult{}, failureRatio: promResult{},
		bytes: promResult{}, p95: promResult{}, active: promResult{}, topUsers: promResult{},
		burst: promResult{}, silent: promResult{}, failureRatioAlerting: promResult{},
		series: map[string]promResult{},
	}
	for _, name := range []string{"connections", "failures", "io", "active", "duration_count", "duration_sum"} {
		w.series[name] = promResult{}
	}
	attempts, failures := map[string]float64{}, map[string]float64{}
	type connectorResource struct{ inst, addr string }
	resourceFailures := map[connectorResource]float64{}
	buckets := map[string][]float64{} // server_address -> cumulative counts per bound, then +Inf
	names := map[string]genConnectorNames{}
	for _, e := range l.Events {
		addr, inst := e.serverAddress(), e.Connector.ID
		names[inst] = genConnectorNames{e.Connector.Name, e.RemoteNetwork.Name}
		w.byTypeAndResource[labels("twingate_event_type", e.EventType, "server_address", addr)]++
		w.series["connections"][labels("instance", inst, "twingate_event_type", e.EventType, "server_address", addr)]++
		switch e.EventType {
		case "established_connection":
			w.establishedResource[labels("server_address", addr)]++
			attempts[e.RemoteNetwork.Name]++
			w.active[labels("twingate_connector_name", e.Connector.Name, "server_address", addr)]++
			w.series["active"][labels("instance", inst, "server_address", addr)]++
			if withUsers {
				w.topUsers[labels("user_id", e.User.ID)]++
			}
		case "failed_to_connect":
			attempts[e.RemoteNetwork.Name]++
			failures[e.RemoteNetwork.Name]++
			resourceFailures[connectorResource{inst, addr}]++
			w.series["failures"][labels("instance", inst, "server_address", addr)]++
		case "closed_connection":
			w.active[labels("twingate_connector_name", e.Connector.Name, "server_address", addr)]--
			w.series["active"][labels("instance", inst, "server_address", addr)]--
		}
		if e.Connection.RX != nil {
			w.bytes[labels("twingate_connector_name", e.Connector.Name, "network_io_direction", "receive")] += float64(*e.Connection.RX)
			w.bytes[labels("twingate_connector_name", e.Connector.Name, "network_io_direction", "transmit")] += float64(*e.Connection.TX)
			w.series["io"][labels("instance", inst, "server_address", addr, "network_io_direction", "receive")] += float64(*e.Connection.RX)
			w.series["io"][labels("instance", inst, "server_address", addr, "network_io_direction", "transmit")] += float64(*e.Connection.TX)
		}
		if e.Connection.Duration != nil {
			seconds := float64(*e.Connection.Duration) / 1000
			w.series["duration_count"][labels("instance", inst, "server_address", addr)]++
			w.series["duration_sum"][labels("instance", inst, "server_address", addr)] += seconds
			b := buckets[addr]
			if b == nil {
				b = make([]float64, len(durationBounds)+1)
				buckets[addr] = b
			}
			for i, bound := range durationBounds {
				if seconds <= bound {
					b[i]++
				}
			}
			b[len(durationBounds)]++
		}
	}
	for network, n := range attempts {
		ratio := failures[network] / n
		w.failureRatio[labels("twingate_remote_network_name", network)] = ratio
		if ratio > 0.2 {
			w.failureRatioAlerting[labels("twingate_remote_network_name", network)] = ratio
		}
	}
	for cr, n := range resourceFailures {
		if n > 20 {
			w.burst[labels("job", "twingate-connector", "instance", cr.inst, "server_address", cr.addr,
				"twingate_connector_name", names[cr.inst].name, "twingate_remote_network_name", names[cr.inst].network)] = n
		}
	}
	for inst := range names {
		w.silent[labels("job", "twingate-connector", "instance", inst)] = 1
	}
	for addr, b := range buckets {
		w.p95[labels("server_address", addr)] = bucketQuantile(0.95, b)
	}
	return w
}

type genConnectorNames struct{ name, network string }

// bucketQuantile is the quantile histogram_quantile documents: linear
// interpolation inside the bucket that holds the rank, the highest finite
// bound when that is the +Inf bucket. counts are cumulative, +Inf last.
func bucketQuantile(q float64, counts []float64) float64 {
	total := counts[len(counts)-1]
	rank := q * total
	b := 0
	for counts[b] < rank {
		b++
	}
	if b == len(counts)-1 {
		return durationBounds[len(durationBounds)-1]
	}
	start, end, count := 0.0, durationBounds[b], counts[b]
	if b > 0 {
		start = durationBounds[b-1]
		count -= counts[b-1]
		rank -= counts[b-1]
	}
	return start + (end-start)*(rank/count)
}

// aQuery is one PromQL expression of docs/metrics.md, the dashboard or the alert
// rules, with the result the log implies.
type aQuery struct {
	source, expr string
	want         promResult
	// at: minutes after the metrics are complete to evaluate at (silent).
	later time.Duration
}

// promqlBlock is a ```promql fence of docs/metrics.md: `# title` lines, each
// followed by one expression.
var promqlBlock = regexp.MustCompile("(?s)```promql\n(.*?)```")

// shippedQueries lists every PromQL expression the repository ships, each
// paired with its expected result; one without an expectation fails.
func shippedQueries(t *testing.T, w metricsTruth) []aQuery {
	t.Helper()
	byTitle := map[string]promResult{
		// docs/metrics.md
		"new connections per second, per resource":                                      w.establishedResource,
		"connection events per second, by event type and resource":                      w.byTypeAndResource,
		"share of connection attempts that fail, per remote network":                    w.failureRatio,
		"bytes per second by direction, per connector (counted when connections close)": w.bytes,
		"95th percentile of connection lifetime, per resource":                          w.p95,
		"connections open now, per connector and resource":                              w.active,
		"the 10 resources with the most connections in the last day":                    w.establishedResource,
		// examples/grafana/twingate-connectors.json
		"Connections per second by event type and resource": w.byTypeAndResource,
		"Failure ratio per remote network":                  w.failureRatio,
		"Bytes per second by direction, per connector":      w.bytes,
		"p95 connection lifetime per resource":              w.p95,
		"Active connections per connector and resource":     w.active,
		"Top resources": w.establishedResource,
		"Top users":     w.topUsers,
		// examples/prometheus/twingate-alerts.yaml
		"TwingateConnectionFailureRatioHigh": w.failureRatioAlerting,
		"TwingateResourceFailureBurst":       w.burst,
	}
	var queries []aQuery
	add := func(source, title, expr string) {
		if title == "TwingateConnectorSilent" {
			// Every connector has just reported: none is silent now, all are
			// 31 minutes later.
			queries = append(queries,
				aQuery{source: source + ": " + title + " (now)", expr: expr, want: promResult{}},
				aQuery{source: source + ": " + title + " (31 minutes later)", expr: expr, want: w.silent, later: 31 * time.Minute})
			return
		}
		want, ok := byTitle[title]
		if !assert.True(t, ok, "%s: no expected result for %q", source, title) {
			return
		}
		queries = append(queries, aQuery{source: source + ": " + title, expr: expr, want: want})
	}

	metricsDoc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "metrics.md"))
	require.NoError(t, err)
	blocks := promqlBlock.FindAllStringSubmatch(string(metricsDoc), -1)
	require.NotEmpty(t, blocks, "docs/metrics.md has no ```promql block")
	for _, block := range blocks {
		var title, expr string
		flush := func() {
			if expr != "" {
				add("docs/metrics.md", title, expr)
			}
			title, expr = "", ""
		}
		for line := range strings.Lines(block[1]) {
			line = strings.TrimSpace(line)
			switch {
			case line == "":
				flush()
			case strings.HasPrefix(line, "# "):
				flush()
				title = strings.TrimPrefix(line, "# ")
			default:
				expr += line + "\n"
			}
		}
		flush()
	}

	var dashboard struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, "examples", "grafana", "twingate-connectors.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &dashboard))
	require.NotEmpty(t, dashboard.Panels)
	for _, p := range dashboard.Panels {
		require.Len(t, p.Targets, 1, p.Title)
		add("dashboard", p.Title, p.Targets[0].Expr)
	}

	var rules struct {
		Groups []struct {
			Rules []struct{ Alert, Expr string }
		}
	}
	data, err = os.ReadFile(filepath.Join(repoRoot, "examples", "prometheus", "twingate-alerts.yaml"))
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &rules))
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			add("alert", r.Alert, r.Expr)
		}
	}
	return queries
}

// grafanaVariables are the values the dashboard's variables take here.
var grafanaVariables = strings.NewReplacer("$__rate_interval", "5m", "$__range", "1h")

// rangeFunctions are rate(x[w]), increase(x[w]) and last_over_time(x[w]): on
// cumulative series that all started within this test, each is proportional
// to (or equal to) x itself at the end, up to Prometheus's extrapolation.
var rangeFunctions = regexp.MustCompile(`\b(?:rate|increase|last_over_time)\(([^()\[\]]+)\[[^\]]+\]\)`)

// totalsForm replaces every range function by its series: the expression
// then yields the totals of the whole log, which have exact expected values.
func totalsForm(expr string) string {
	return rangeFunctions.ReplaceAllString(expr, "$1")
}

// checkShippedQueries evaluates every shipped query on the backend.
func checkShippedQueries(t *testing.T, promURL string, w metricsTruth, now time.Time) {
	t.Helper()
	queries := shippedQueries(t, w)
	for _, q := range queries {
		at := now.Add(q.later)
		asWritten := grafanaVariables.Replace(q.expr)
		// As written, with rate windows over the last minutes: a valid query
		// whose series are among the expected ones.
		got, err := promQuery(promURL, asWritten, at)
		if assert.NoError(t, err, q.source) {
			for key := range got {
				assert.Contains(t, q.want, key, "%s: unexpected series", q.source)
			}
		}
		// Its totals form: exactly the log's values.
		expr := asWritten
		if q.later == 0 {
			expr = totalsForm(asWritten)
		}
		got, err = promQuery(promURL, expr, at)
		if assert.NoError(t, err, q.source) {
			assertResultsEqual(t, q.want, got, "%s\n%s", q.source, expr)
			t.Logf("%s: %d series, log %v, Prometheus %v", q.source, len(got), summary(q.want), summary(got))
		}
	}
}

func assertResultsEqual(t *testing.T, want, got promResult, msgAndArgs ...any) {
	t.Helper()
	if !assert.ElementsMatch(t, slices.Collect(resultKeys(want)), slices.Collect(resultKeys(got)), msgAndArgs...) {
		return
	}
	for k, v := range want {
		// Exact for counts and byte sums (integers well below 2^53); ratios,
		// quantiles and sums of seconds may differ in the last bits with the
		// order of float additions.
		assert.InEpsilon(t, nonZero(v), nonZero(got[k]), 1e-9, append([]any{k}, msgAndArgs...)...)
	}
}

// nonZero shifts zero (an active count) so InEpsilon can compare it.
func nonZero(v float64) float64 {
	if v == 0 {
		return math.SmallestNonzeroFloat64
	}
	return v
}

func resultKeys(m promResult) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// summary shows a result compactly for the test log, sorted by label set.
func summary(r promResult) string {
	keys := slices.Sorted(resultKeys(r))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("{%s}=%s", k, strconv.FormatFloat(r[k], 'g', 10, 64)))
	}
	return strings.Join(parts, " ")
}

// checkSeries compares the raw series with the log, per connector: what the
// label set `instance` (service.instance.id) keeps apart.
func checkSeries(t *testing.T, promURL string, w metricsTruth, now time.Time) {
	t.Helper()
	for name, expr := range map[string]string{
		"connections":    `sum by (instance, twingate_event_type, server_address) (twingate_connections_total{job="twingate-connector"})`,
		"failures":       `sum by (instance, server_address) (twingate_connection_failures_total{job="twingate-connector"})`,
		"io":             `sum by (instance, server_address, network_io_direction) (twingate_connection_io_bytes_total{job="twingate-connector"})`,
		"active":         `sum by (instance, server_address) (twingate_active_connections{job="twingate-connector"})`,
		"duration_count": `sum by (instance, server_address) (twingate_connection_duration_seconds_count{job="twingate-connector"})`,
		"duration_sum":   `sum by (instance, server_address) (twingate_connection_duration_seconds_sum{job="twingate-connector"})`,
	} {
		got, err := promQuery(promURL, expr, now)
		require.NoError(t, err)
		assertResultsEqual(t, w.series[name], got, name)
	}
}

// waitForTotals waits until Prometheus holds the totals of the whole log.
func waitForTotals(t *testing.T, promURL string, w metricsTruth, col fmt.Stringer) time.Time {
	t.Helper()
	var now time.Time
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		now = time.Now()
		got, err := promQuery(promURL, `sum by (instance, twingate_event_type, server_address) (twingate_connections_total)`, now)
		require.NoError(c, err)
		assert.Equal(c, w.series["connections"], got)
		got, err = promQuery(promURL, `sum by (instance, server_address) (twingate_active_connections)`, now)
		require.NoError(c, err)
		assert.Equal(c, w.series["active"], got)
		got, err = promQuery(promURL, `sum by (instance, server_address) (twingate_connection_duration_seconds_count)`, now)
		require.NoError(c, err)
		assert.Equal(c, w.series["duration_count"], got)
	}, 60*time.Second, 250*time.Millisecond, "Prometheus never reached the log's totals; collector output:\n%s", col)
	return now
}

// metricsExample returns examples/metrics.yaml, or a copy with the opt-in
// per-user series enabled.
func metricsExample(t *testing.T, withUsers bool) string {
	t.Helper()
	path := filepath.Join(repoRoot, "examples", "metrics.yaml")
	if !withUsers {
		return path
	}
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	const commented = "          # - key: user.id\n          #   optional: true\n"
	require.Contains(t, string(data), commented)
	enabled := strings.Replace(string(data), commented, "          - key: user.id\n            optional: true\n", 1)
	copyPath := filepath.Join(t.TempDir(), "metrics-users.yaml")
	require.NoError(t, os.WriteFile(copyPath, []byte(enabled), 0o600))
	return copyPath
}

// runOnLog runs the collector with the given configurations on a copy of
// the log, read from the beginning.
func runOnLog(t *testing.T, log string, configs ...string) *collector {
	t.Helper()
	var args []string
	for _, c := range configs {
		args = append(args, "--config", c)
	}
	args = append(args,
		"--config", fmt.Sprintf("yaml:receivers::twingateanalytics::file: {include: [%q], start_at: beginning, poll_interval: 50ms}", log),
		"--config", "yaml:service::telemetry::metrics::level: none")
	return startCollector(t, args...)
}

// TestPrometheus3OTLP: examples/metrics.yaml exactly as docs/metrics.md runs it,
// logs to VictoriaLogs and metrics to Prometheus 3 over OTLP, both at their
// defaults (the OTLP receiver enabled: Prometheus has no OTLP ingest
// otherwise).
func TestPrometheus3OTLP(t *testing.T) {
	distribution(t)
	prom := startPrometheus(t, "prometheus 3", backendBinary(t, "OTELCOL_TWINGATE_PROMETHEUS3"), "--web.enable-otlp-receiver")
	vl := startVictoriaLogs(t)
	path := generateConnectorLog(t, 3000, 3)
	log := readConnectorLog(t, path)
	w := computeMetricsTruth(log, false)

	t.Setenv("OTLP_LOGS_ENDPOINT", vl+"/insert/opentelemetry")
	t.Setenv("OTLP_METRICS_ENDPOINT", prom+"/api/v1/otlp")
	col := runOnLog(t, path, metricsExample(t, false))

	now := waitForTotals(t, prom, w, col)
	checkSeries(t, prom, w, now)
	checkShippedQueries(t, prom, w, now)
	// The logs went to the other endpoint, all of them.
	records := len(log.Events) + log.InvalidJSON
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got, err := logsqlStats(vl, `* | stats count() n`)
		require.NoError(c, err)
		assert.Equal(c, []map[string]string{{"n": strconv.Itoa(records)}}, got)
	}, 30*time.Second, 250*time.Millisecond)
	assert.NotContains(t, col.String(), "\terror\t", "the collector logged an error")
}

// TestPrometheusRemoteWrite: the same metrics, with the opt-in per-user
// series, through contrib's prometheusremotewrite exporter to Prometheus 3
// with only its remote-write receiver enabled (no OTLP ingest), as a
// remote-write store (Prometheus 2, Mimir, Thanos) takes them.
func TestPrometheusRemoteWrite(t *testing.T) {
	distribution(t)
	prom := startPrometheus(t, "prometheus 3 (remote write)", backendBinary(t, "OTELCOL_TWINGATE_PROMETHEUS3"), "--web.enable-remote-write-receiver")
	logs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// The logs are not under test here: accepted, as an OTLP backend would.
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	t.Cleanup(logs.Close)
	path := generateConnectorLog(t, 3000, 2)
	w := computeMetricsTruth(readConnectorLog(t, path), true)
	require.NotEmpty(t, w.topUsers)

	t.Setenv("OTLP_LOGS_ENDPOINT", logs.URL)
	t.Setenv("PROMETHEUS_REMOTE_WRITE_ENDPOINT", prom+"/api/v1/write")
	col := runOnLog(t, path, metricsExample(t, true), filepath.Join(repoRoot, "examples", "backends", "prometheus-remote-write.yaml"))

	now := waitForTotals(t, prom, w, col)
	checkSeries(t, prom, w, now)
	checkShippedQueries(t, prom, w, now)
	assert.NotContains(t, col.String(), "\terror\t", "the collector logged an error")
}
