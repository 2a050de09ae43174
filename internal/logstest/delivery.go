// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package logstest // import "github.com/otelcol-twingate/otelcol-twingate/internal/logstest"

import (
	"fmt"
	"sort"
	"strings"

	"go.opentelemetry.io/collector/pdata/plog"
)

// ConnectionLine is a realistic closed_connection ANALYTICS line for
// connection number i; its twingate.connection.id identifies it downstream.
func ConnectionLine(i int) string {
	return fmt.Sprintf(`ANALYTICS {"connection":{"client_ip":"203.0.113.7:%d","duration":%d,"id":"rel-%07d","protocol":"tcp","resource_ip":"10.20.1.15","resource_port":443,"rx":%d,"tx":%d},"connector":{"id":"117234","name":"vigilant-heron"},"device":{"id":"200903"},"event_type":"closed_connection","relays":[],"remote_network":{"id":"6938","name":"AWS Network"},"resource":{"address":"intranet.corp.example","applied_rule":"*","id":"2255492"},"timestamp":%d,"user":{"email":"alice@example.com","id":"113256"}}`,
		1024+i%60000, 1000+i, i, 4096+i, 512+i, 1795166100000+int64(i))
}

// ConnectionLines is ConnectionLine(from..to-1), one line each.
func ConnectionLines(from, to int) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString(ConnectionLine(i))
		b.WriteByte('\n')
	}
	return b.String()
}

// LogRecords lists the records of several deliveries.
func LogRecords(all []plog.Logs) []plog.LogRecord {
	var out []plog.LogRecord
	for _, logs := range all {
		for _, rl := range logs.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					out = append(out, lr)
				}
			}
		}
	}
	return out
}

// CountRecords counts delivered records by twingate.connection.id and event
// name, as "<id> <event name>".
func CountRecords(all []plog.Logs) map[string]int {
	counts := map[string]int{}
	for _, lr := range LogRecords(all) {
		id := ""
		if v, ok := lr.Attributes().Get("twingate.connection.id"); ok {
			id = v.AsString()
		}
		counts[id+" "+lr.EventName()]++
	}
	return counts
}

// Delivery sums up what arrived of the ConnectionLine records from..to-1.
type Delivery struct {
	Lost, Duplicated []int // connection numbers
	Unexpected       []string
}

// CheckDelivery compares counts (of CountRecords) with the ConnectionLine
// records from..to-1.
func CheckDelivery(counts map[string]int, from, to int) Delivery {
	return checkDelivery(counts, from, to, func(i int) string {
		return fmt.Sprintf("rel-%07d twingate.connection.closed", i)
	})
}

// checkDelivery compares counts with the records key(from)..key(to-1): each
// missing is lost, each extra copy duplicated, and any other key unexpected.
func checkDelivery(counts map[string]int, from, to int, key func(int) string) Delivery {
	var d Delivery
	seen := map[string]bool{}
	for i := from; i < to; i++ {
		k := key(i)
		seen[k] = true
		switch n := counts[k]; {
		case n == 0:
			d.Lost = append(d.Lost, i)
		case n > 1:
			for range n - 1 {
				d.Duplicated = append(d.Duplicated, i)
			}
		}
	}
	for k := range counts {
		if !seen[k] {
			d.Unexpected = append(d.Unexpected, k)
		}
	}
	sort.Strings(d.Unexpected)
	return d
}

func (d Delivery) String() string {
	return fmt.Sprintf("lost %d %v, duplicated %d %v, unexpected %v",
		len(d.Lost), abbreviate(d.Lost), len(d.Duplicated), abbreviate(d.Duplicated), d.Unexpected)
}

func abbreviate(s []int) []int {
	if len(s) > 20 {
		return s[:20]
	}
	return s
}
