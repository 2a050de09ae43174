// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// examples/backends/victorialogs.yaml against a real VictoriaLogs at its
// defaults: the records of a generated three-connector log, checked with
// LogsQL queries against values computed from the log.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// logsqlQuery runs a LogsQL query and returns its rows (JSON lines).
func logsqlQuery(baseURL, query string) ([]map[string]string, error) {
	body, err := postQuery(baseURL+"/select/logsql/query", url.Values{"query": {query}})
	if err != nil {
		return nil, err
	}
	var rows []map[string]string
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row map[string]string
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			return nil, fmt.Errorf("query %q: %w: %s", query, err, sc.Bytes())
		}
		rows = append(rows, row)
	}
	return rows, sc.Err()
}

// logsqlStats is logsqlQuery for `| stats` queries: rows in a stable order.
func logsqlStats(baseURL, query string) ([]map[string]string, error) {
	rows, err := logsqlQuery(baseURL, query)
	slices.SortFunc(rows, func(a, b map[string]string) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return rows, err
}

// statsRows turns counts into the rows `stats by (keys…) count() n` returns;
// VictoriaLogs leaves out a key whose value is empty.
func statsRows(counts map[[2]string]int, keys ...string) []map[string]string {
	var rows []map[string]string
	for k, n := range counts {
		row := map[string]string{"n": strconv.Itoa(n)}
		for i, key := range keys {
			if k[i] != "" {
				row[key] = k[i]
			}
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b map[string]string) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	return rows
}

// logsqlSettle bounds how long a query may take to see records that other
// queries already count (VictoriaLogs indexes fresh data in the background).
const logsqlSettle = 10 * time.Second

// assertLogsQL polls a stats query until it returns want.
func assertLogsQL(t *testing.T, vl, query string, want []map[string]string) {
	t.Helper()
	var got []map[string]string
	assert.EventuallyWithT(t, func(c *assert.CollectT) {
		var err error
		got, err = logsqlStats(vl, query)
		require.NoError(c, err)
		assert.Equal(c, want, got)
	}, logsqlSettle, 100*time.Millisecond, query)
	t.Logf("%s: log %v, VictoriaLogs %v", query, want, got)
}

var eventNameOf = map[string]string{
	"established_connection": "twingate.connection.established",
	"closed_connection":      "twingate.connection.closed",
	"failed_to_connect":      "twingate.connection.failed",
}

// TestVictoriaLogs: the example forwards every record of the log, and LogsQL
// finds them as docs/backends.md says: per event name, every field of a record, by
// user.email, the WARN records, and at the event's own time.
func TestVictoriaLogs(t *testing.T) {
	distribution(t)
	vl := startVictoriaLogs(t)
	path := generateConnectorLog(t, 3000, 1)
	log := readConnectorLog(t, path)

	example, err := os.ReadFile(filepath.Join(repoRoot, "examples", "backends", "victorialogs.yaml"))
	require.NoError(t, err)
	config := string(example)
	for from, to := range map[string]string{
		"    journald: {}\n":        fmt.Sprintf("    file: {include: [%q], start_at: beginning, poll_interval: 50ms}\n", path),
		"/var/lib/otelcol-twingate": t.TempDir(),
	} {
		require.Contains(t, config, from)
		config = strings.ReplaceAll(config, from, to)
	}
	configPath := filepath.Join(t.TempDir(), "victorialogs.yaml")
	require.NoError(t, os.WriteFile(configPath, []byte(config), 0o600))
	t.Setenv("VICTORIALOGS_ENDPOINT", vl)
	readFrom := time.Now()
	col := startCollector(t, "--config", configPath, "--config", "yaml:service::telemetry::metrics::level: none")

	// Count per event name; the lines that are not JSON have none.
	perName := map[[2]string]int{}
	for _, e := range log.Events {
		perName[[2]string{eventNameOf[e.EventType]}]++
	}
	if log.InvalidJSON > 0 {
		perName[[2]string{""}] = log.InvalidJSON
	}
	want := statsRows(perName, "event_name")
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		got, err := logsqlStats(vl, `* | stats by (event_name) count() n`)
		require.NoError(c, err)
		assert.Equal(c, want, got)
	}, 60*time.Second, 250*time.Millisecond, "VictoriaLogs never held the log's records")
	t.Logf("per event name: log %v, VictoriaLogs: the same", want)

	// Every field of one closed connection that went through a relay.
	i := slices.IndexFunc(log.Events, func(e logEvent) bool {
		return e.EventType == "closed_connection" && strings.Contains(e.Raw, `"relays":[{`)
	})
	require.GreaterOrEqual(t, i, 0)
	e := log.Events[i]
	var rows []map[string]string
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		var err error
		rows, err = logsqlQuery(vl, fmt.Sprintf(`twingate.connection.id:=%q AND event_name:="twingate.connection.closed"`, e.Connection.ID))
		require.NoError(c, err)
		assert.Len(c, rows, 1)
	}, logsqlSettle, 100*time.Millisecond, "record %s", e.Connection.ID)
	checkRecordFields(t, e, rows[0])

	// By user: every event of alice's.
	alice := 0
	for _, e := range log.Events {
		if e.User.Email == "alice@example.com" {
			alice++
		}
	}
	assertLogsQL(t, vl, `user.email:="alice@example.com" | stats count() n`, []map[string]string{{"n": strconv.Itoa(alice)}})

	// WARN: failed connections, established ones with a flagged field (the
	// out-of-range port), and the lines that are not JSON.
	warn := map[[2]string]int{}
	for _, e := range log.Events {
		switch {
		case e.EventType == "failed_to_connect":
			warn[[2]string{"twingate.connection.failed", ""}]++
		case e.Connection.ResourcePort > 65535:
			warn[[2]string{eventNameOf[e.EventType], "invalid_field"}]++
		}
	}
	warn[[2]string{"", "invalid_json"}] = log.InvalidJSON
	require.NotZero(t, warn[[2]string{"twingate.connection.established", "invalid_field"}], "the log has no flagged field; change the seed")
	assertLogsQL(t, vl, `severity_text:="WARN" | stats by (event_name, error.type) count() n`, statsRows(warn, "event_name", "error.type"))

	// The records' time is the event's: those of the first 20 minutes of the
	// log are found there, and none at the time the collector read them.
	first := time.UnixMilli(log.Events[0].Timestamp)
	until := first.Add(20 * time.Minute)
	inRange := 0
	for _, e := range log.Events {
		if e.Timestamp < until.UnixMilli() {
			inRange++
		}
	}
	assertLogsQL(t, vl, fmt.Sprintf(`_time:[%s, %s) event_name:* | stats count() n`, first.UTC().Format(time.RFC3339Nano), until.UTC().Format(time.RFC3339Nano)),
		[]map[string]string{{"n": strconv.Itoa(inRange)}})
	assertLogsQL(t, vl, fmt.Sprintf(`_time:>=%s event_name:* | stats count() n`, readFrom.UTC().Format(time.RFC3339Nano)),
		[]map[string]string{{"n": "0"}})
	assert.NotContains(t, col.String(), "\terror\t", "the collector logged an error")
}

// checkRecordFields compares every field VictoriaLogs stored for one record
// with the translator README mapping applied to its line, by hand.
func checkRecordFields(t *testing.T, e logEvent, row map[string]string) {
	t.Helper()
	var raw struct {
		Connection struct {
			CBCTFreshness int64                          `json:"cbct_freshness"`
			ClientIP      string                         `json:"client_ip"`
			Protocol      string                         `json:"protocol"`
			ClientGeo     struct{ City, Country string } `json:"client_geo"`
			TunnelPath    string                         `json:"tunnel_path"`
		} `json:"connection"`
		Device   struct{ ID string } `json:"device"`
		Relays   []map[string]any    `json:"relays"`
		Resource struct {
			AppliedRule string `json:"applied_rule"`
			ID          string `json:"id"`
		} `json:"resource"`
		Location string `json:"location"`
	}
	require.NoError(t, json.Unmarshal([]byte(e.Raw), &raw))
	clientHost, clientPort, ok := strings.Cut(raw.Connection.ClientIP, ":")
	require.True(t, ok)
	var location map[string]string
	require.NoError(t, json.Unmarshal([]byte(raw.Location), &location))
	relays, err := json.Marshal(raw.Relays)
	require.NoError(t, err)

	want := map[string]string{
		"_msg":                                   e.Raw,
		"_time":                                  time.UnixMilli(e.Timestamp).UTC().Format(time.RFC3339Nano),
		"event_name":                             "twingate.connection.closed",
		"severity_number":                        "9",
		"severity_text":                          "INFO",
		"scope.name":                             "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver",
		"service.name":                           "twingate-connector",
		"service.instance.id":                    e.Connector.ID,
		"twingate.connector.id":                  e.Connector.ID,
		"twingate.connector.name":                e.Connector.Name,
		"twingate.remote_network.id":             e.RemoteNetwork.ID,
		"twingate.remote_network.name":           e.RemoteNetwork.Name,
		"twingate.event_type":                    "closed_connection",
		"twingate.connection.id":                 e.Connection.ID,
		"client.address":                         clientHost,
		"client.port":                            clientPort,
		"network.peer.address":                   e.Connection.ResourceIP,
		"server.address":                         e.serverAddress(),
		"server.port":                            strconv.Itoa(e.Connection.ResourcePort),
		"network.transport":                      raw.Connection.Protocol,
		"twingate.connection.rx_bytes":           strconv.FormatInt(*e.Connection.RX, 10),
		"twingate.connection.tx_bytes":           strconv.FormatInt(*e.Connection.TX, 10),
		"twingate.connection.duration":           strconv.FormatInt(*e.Connection.Duration, 10),
		"twingate.connection.cbct_freshness":     strconv.FormatInt(raw.Connection.CBCTFreshness, 10),
		"twingate.connection.client_geo.city":    raw.Connection.ClientGeo.City,
		"twingate.connection.client_geo.country": raw.Connection.ClientGeo.Country,
		"twingate.connection.tunnel_path":        raw.Connection.TunnelPath,
		"twingate.device.id":                     raw.Device.ID,
		"twingate.resource.applied_rule":         raw.Resource.AppliedRule,
		"twingate.resource.id":                   raw.Resource.ID,
		"twingate.location.city":                 location["city"],
		"twingate.location.country":              location["country"],
		"twingate.relays":                        string(relays),
		"user.email":                             e.User.Email,
		"user.id":                                e.User.ID,
		"log.file.name":                          "connector.log",
	}
	got := map[string]string{}
	for k, v := range row {
		switch k {
		case "_stream", "_stream_id":
			// VictoriaLogs' own: the stream's label set and id.
		case "scope.version":
			// The build's version (VictoriaLogs writes "unknown" when a
			// scope has none): its value depends on the checkout.
			assert.NotEmpty(t, v, "scope.version")
			assert.NotEqual(t, "unknown", v, "scope.version")
		default:
			got[k] = v
		}
	}
	assert.Contains(t, row["_stream"], `twingate.connector.id="`+e.Connector.ID+`"`)
	// twingate.relays is a JSON array whose keys VictoriaLogs writes in the
	// record's order: compare it as JSON.
	assert.JSONEq(t, want["twingate.relays"], got["twingate.relays"], "twingate.relays")
	got["twingate.relays"] = want["twingate.relays"]
	assert.Equal(t, want, got)
}
