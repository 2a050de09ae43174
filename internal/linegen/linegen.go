// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package linegen writes realistic, deterministic Twingate Connector output
// for benchmarks: compact ANALYTICS lines of every event type, tcp and udp,
// 0–4 relays, the fields connectors add beyond the documented schema, and
// about 5% of the connector's other log lines.
package linegen // import "github.com/otelcol-twingate/otelcol-twingate/internal/linegen"

import (
	"math/rand/v2"
	"strconv"
)

// Generator produces one connector line per call. The same seed always
// yields the same lines.
type Generator struct {
	rng  *rand.Rand
	ts   int64
	seq  int
	open []connection // established, not yet closed
}

type connection struct {
	id, clientIP, resourceIP, address, rule, resourceID, proto string
	port                                                       int
	user, device                                               int
	relays                                                     int
}

var (
	users     = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"}
	resources = []struct{ address, ip, rule, id, proto string }{
		{"intranet.corp.example", "10.20.1.15", "*.corp.example", "2255492", "tcp"},
		{"bastion.corp.example", "10.20.2.4", "bastion.corp.example", "2255501", "tcp"},
		{"db.corp.example", "10.20.3.8", "10.20.3.0/24", "2255510", "tcp"},
		{"", "10.20.0.2", "10.20.0.2", "2255520", "udp"},
		{"grafana.corp.example", "10.20.4.11", "*.corp.example", "2255530", "tcp"},
		{"", "10.20.5.100", "10.20.5.0/24", "2255540", "udp"},
	}
	ports  = map[string][]int{"tcp": {443, 22, 5432, 8080, 3389}, "udp": {53, 123, 51820}}
	relays = []string{
		`{"ip":"34.86.100.10","port":30003,"name":"relay-us-east4-1"}`,
		`{"ip":"35.199.10.4","port":30001,"name":"relay-us-west1-2"}`,
		`{"ip":"34.140.20.7","port":30002,"name":"relay-europe-west1-1"}`,
		`{"ip":"34.87.11.90","port":30004,"name":"relay-asia-southeast1-1"}`,
	}
	errorsSeen = []string{"connection refused", "connection timed out", "no route to host"}
	noise      = []string{
		"[INFO] [libsdwan] relay_conn: connected to relay 34.86.100.10:30003 (relay-us-east4-1)",
		"State: Online",
		"[WARN] [libsdwan] controller: token refresh in 300s",
		"[INFO] [libsdwan] heartbeat: controller reachable, rtt=23ms",
	}
)

// New returns a generator starting at 2026-11-20T08:00:00Z.
func New(seed uint64) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), ts: 1795161600000}
}

// IsNoise reports whether a generated line is one of the connector's other lines.
func IsNoise(line []byte) bool {
	return len(line) < 10 || string(line[:10]) != "ANALYTICS "
}

// AppendLine appends the next line, without a newline, to dst.
func (g *Generator) AppendLine(dst []byte) []byte {
	g.ts += int64(g.rng.IntN(40))
	if g.rng.IntN(100) < 5 {
		return append(dst, noise[g.rng.IntN(len(noise))]...)
	}
	switch {
	case len(g.open) > 64 || (len(g.open) > 0 && g.rng.IntN(2) == 0):
		i := g.rng.IntN(len(g.open))
		c := g.open[i]
		g.open[i] = g.open[len(g.open)-1]
		g.open = g.open[:len(g.open)-1]
		return g.event(dst, c, "closed_connection")
	case g.rng.IntN(20) == 0:
		return g.event(dst, g.newConnection(), "failed_to_connect")
	default:
		c := g.newConnection()
		g.open = append(g.open, c)
		return g.event(dst, c, "established_connection")
	}
}

func (g *Generator) newConnection() connection {
	g.seq++
	r := resources[g.rng.IntN(len(resources))]
	p := ports[r.proto]
	c := connection{
		id:         strconv.FormatUint(g.rng.Uint64()>>1, 16) + "-" + strconv.Itoa(g.seq),
		resourceIP: r.ip, address: r.address, rule: r.rule, resourceID: r.id, proto: r.proto,
		port:   p[g.rng.IntN(len(p))],
		user:   g.rng.IntN(len(users)),
		device: 200900 + g.rng.IntN(400),
		relays: g.rng.IntN(5),
	}
	switch g.rng.IntN(10) {
	case 0:
		c.clientIP = "[2001:db8::" + strconv.Itoa(g.rng.IntN(9000)+1) + "]:" + strconv.Itoa(40000+g.rng.IntN(20000))
	case 1, 2:
		c.clientIP = "198.51.100." + strconv.Itoa(g.rng.IntN(250)+1)
	default:
		c.clientIP = "203.0.113." + strconv.Itoa(g.rng.IntN(250)+1) + ":" + strconv.Itoa(40000+g.rng.IntN(20000))
	}
	return c
}

func (g *Generator) event(b []byte, c connection, eventType string) []byte {
	b = append(b, `ANALYTICS {"connection":{"cbct_freshness":`...)
	b = strconv.AppendInt(b, -int64(g.rng.IntN(120)), 10)
	if g.rng.IntN(3) == 0 {
		b = append(b, `,"client_geo":{"country":"US","city":"Ashburn"}`...)
	}
	b = append(b, `,"client_ip":"`...)
	b = append(b, c.clientIP...)
	b = append(b, '"')
	if eventType == "closed_connection" {
		b = append(b, `,"duration":`...)
		b = strconv.AppendInt(b, int64(g.rng.IntN(600_000_000)), 10)
	}
	if eventType == "failed_to_connect" {
		b = append(b, `,"error_message":"`...)
		b = append(b, errorsSeen[g.rng.IntN(len(errorsSeen))]...)
		b = append(b, '"')
	}
	b = append(b, `,"id":"`...)
	b = append(b, c.id...)
	b = append(b, `","protocol":"`...)
	b = append(b, c.proto...)
	b = append(b, `","resource_ip":"`...)
	b = append(b, c.resourceIP...)
	b = append(b, `","resource_port":`...)
	b = strconv.AppendInt(b, int64(c.port), 10)
	if eventType == "closed_connection" {
		b = append(b, `,"rx":`...)
		b = strconv.AppendInt(b, int64(g.rng.IntN(50_000_000)), 10)
	}
	b = append(b, `,"tunnel_path":"direct","tunnel_proto":"quic"`...)
	if eventType == "closed_connection" {
		b = append(b, `,"tx":`...)
		b = strconv.AppendInt(b, int64(g.rng.IntN(5_000_000)), 10)
	}
	b = append(b, `},"connector":{"id":"117234","name":"vigilant-heron"},"device":{"id":"`...)
	b = strconv.AppendInt(b, int64(c.device), 10)
	b = append(b, `"},"event_type":"`...)
	b = append(b, eventType...)
	b = append(b, `","location":"{\"city\":\"Ashburn\",\"country\":\"US\",\"region\":\"VA\"}","relays":[`...)
	for i := range c.relays {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, relays[i]...)
	}
	b = append(b, `],"remote_network":{"id":"6938","name":"AWS Network"},"resource":{"address":"`...)
	b = append(b, c.address...)
	b = append(b, `","applied_rule":"`...)
	b = append(b, c.rule...)
	b = append(b, `","id":"`...)
	b = append(b, c.resourceID...)
	b = append(b, `"},"timestamp":`...)
	b = strconv.AppendInt(b, g.ts, 10)
	b = append(b, `,"user":{"email":"`...)
	b = append(b, users[c.user]...)
	b = append(b, `@example.com","id":"`...)
	b = strconv.AppendInt(b, int64(113256+c.user), 10)
	b = append(b, `"}}`...)
	return b
}
