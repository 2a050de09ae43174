// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// A generated multi-connector log for the backend tests, and what it holds,
// computed from its lines alone (parsed as JSON here, independently of the
// receiver) so that every backend query has an exact expected value.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type genConnector struct{ id, name, networkID, network string }

var genConnectors = []genConnector{
	{"117234", "vigilant-heron", "6938", "AWS Network"},
	{"117240", "brave-lynx", "6938", "AWS Network"},
	{"118001", "quiet-otter", "7001", "GCP Network"},
}

// genResources: two have no address, so server.address is their IP.
var genResources = []struct{ address, ip, proto string }{
	{"intranet.corp.example", "10.20.1.15", "tcp"},
	{"bastion.corp.example", "10.20.2.4", "tcp"},
	{"db.corp.example", "10.20.3.8", "tcp"},
	{"", "10.20.0.2", "udp"},
	{"grafana.corp.example", "10.20.4.11", "tcp"},
	{"", "10.20.5.100", "udp"},
}

var genUsers = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}

// failureShare is each connector's share of failed connection attempts:
// quiet-otter's remote network fails far more often than AWS Network.
var failureShare = []int{3, 6, 30}

// generateConnectorLog writes about lines connector lines with event times
// from 50 minutes ago up to a few minutes ago (VictoriaLogs keeps 7 days):
// established, closed and failed connections of three connectors in two
// remote networks, some connections still open at the end, the connectors'
// own status lines, ANALYTICS lines that are not JSON and established
// connections with an out-of-range port (flagged invalid_field).
func generateConnectorLog(t *testing.T, lines int, seed uint64) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0x7a11))
	ts := time.Now().Add(-50 * time.Minute).UnixMilli()
	type open struct {
		id, client  string
		conn, res   int
		user, relay int
	}
	var opened []open
	seq := 0
	var b strings.Builder
	event := func(eventType string, o open, port int) {
		c, r := genConnectors[o.conn], genResources[o.res]
		b.WriteString(`ANALYTICS {"connection":{"cbct_freshness":-`)
		b.WriteString(strconv.Itoa(rng.IntN(120)))
		b.WriteString(`,"client_geo":{"city":"Ashburn","country":"US"},"client_ip":"`)
		b.WriteString(o.client)
		b.WriteString(`"`)
		if eventType == "closed_connection" {
			// Milliseconds; mostly minutes, a few hours: the
			// quantiles fall in different buckets per resource.
			fmt.Fprintf(&b, `,"duration":%d`, int64(rng.ExpFloat64()*300_000))
		}
		if eventType == "failed_to_connect" {
			b.WriteString(`,"error_message":"connection refused"`)
		}
		fmt.Fprintf(&b, `,"id":"%s","protocol":"%s","resource_ip":"%s","resource_port":%d`, o.id, r.proto, r.ip, port)
		if eventType == "closed_connection" {
			fmt.Fprintf(&b, `,"rx":%d,"tx":%d`, rng.IntN(50_000_000), rng.IntN(5_000_000))
		}
		fmt.Fprintf(&b, `,"tunnel_path":"direct"},"connector":{"id":"%s","name":"%s"},"device":{"id":"%d"},"event_type":"%s"`,
			c.id, c.name, 200900+o.user, eventType)
		b.WriteString(`,"location":"{\"city\":\"Ashburn\",\"country\":\"US\"}","relays":[`)
		if o.relay > 0 {
			b.WriteString(`{"ip":"34.86.100.10","name":"relay-us-east4-1","port":30003}`)
		}
		fmt.Fprintf(&b, `],"remote_network":{"id":"%s","name":"%s"},"resource":{"address":"%s","applied_rule":"*","id":"%d"}`,
			c.networkID, c.network, r.address, 2255490+o.res)
		fmt.Fprintf(&b, `,"timestamp":%d,"user":{"email":"%s@example.com","id":"%d"}}`+"\n", ts, genUsers[o.user], 113256+o.user)
	}
	for range lines {
		ts += int64(rng.IntN(1800))
		switch n := rng.IntN(1000); {
		case n < 30:
			b.WriteString("[INFO] [libsdwan] heartbeat: controller reachable, rtt=23ms\n")
			continue
		case n < 36:
			// Cut short: not JSON, forwarded flagged, counted by no metric.
			fmt.Fprintf(&b, `ANALYTICS {"connection":{"id":"broken-%d","protocol":"tcp"`+"\n", n)
			continue
		}
		// Tens of connections stay open, so the active gauge ends well
		// above zero.
		if len(opened) > 60 || (len(opened) > 20 && rng.IntN(2) == 0) {
			i := rng.IntN(len(opened))
			o := opened[i]
			opened = append(opened[:i], opened[i+1:]...)
			event("closed_connection", o, 443)
			continue
		}
		seq++
		conn := rng.IntN(len(genConnectors))
		o := open{
			id:     fmt.Sprintf("%016x-%d", rng.Uint64()>>1, seq),
			client: fmt.Sprintf("203.0.113.%d:%d", rng.IntN(250)+1, 40000+rng.IntN(20000)),
			conn:   conn, res: rng.IntN(len(genResources)), user: rng.IntN(len(genUsers)), relay: rng.IntN(2),
		}
		if rng.IntN(100) < failureShare[conn] {
			event("failed_to_connect", o, 5432)
			continue
		}
		port := 443
		if rng.IntN(200) == 0 {
			port = 70000 // flagged invalid_field, still an established connection
		}
		event("established_connection", o, port)
		opened = append(opened, o)
	}
	path := filepath.Join(t.TempDir(), "connector.log")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// logEvent is one ANALYTICS line as the test reads it.
type logEvent struct {
	Raw        string // the JSON text after the prefix
	Connection struct {
		ID           string `json:"id"`
		ResourceIP   string `json:"resource_ip"`
		ResourcePort int    `json:"resource_port"`
		RX           *int64 `json:"rx"`
		TX           *int64 `json:"tx"`
		Duration     *int64 `json:"duration"`
	} `json:"connection"`
	Connector     struct{ ID, Name string } `json:"connector"`
	RemoteNetwork struct{ ID, Name string } `json:"remote_network"`
	Resource      struct{ Address string }  `json:"resource"`
	User          struct{ Email, ID string }
	EventType     string `json:"event_type"`
	Timestamp     int64  `json:"timestamp"`
}

func (e logEvent) serverAddress() string {
	if e.Resource.Address != "" {
		return e.Resource.Address
	}
	return e.Connection.ResourceIP
}

// connectorLog is what a generated log holds.
type connectorLog struct {
	Events      []logEvent // ANALYTICS lines that are JSON objects
	InvalidJSON int        // ANALYTICS lines that are not
	OtherLines  int
}

func readConnectorLog(t *testing.T, path string) connectorLog {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var l connectorLog
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSuffix(line, "\n")
		text, ok := strings.CutPrefix(line, "ANALYTICS ")
		if !ok {
			l.OtherLines++
			continue
		}
		var e logEvent
		if json.Unmarshal([]byte(text), &e) != nil {
			l.InvalidJSON++
			continue
		}
		e.Raw = text
		l.Events = append(l.Events, e)
	}
	return l
}
