// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import "github.com/twmb/franz-go/pkg/kgo"

// request is one OTLP/HTTP request body: the payloads of Kafka messages,
// each a serialized ExportLogsServiceRequest (the message itself for
// otlp_proto), appended to each other. Protobuf parses
// concatenated messages as one whose repeated fields are the concatenation
// of theirs, so the body is the ExportLogsServiceRequest holding every
// message's resource_logs, in order, and no record is decoded or encoded
// on the way.
type request struct {
	maxBytes int
	body     []byte
	msgs     []*kgo.Record
	records  int // log records in body
	// compressed is body compressed, when the relay compresses (sender.go).
	compressed []byte
}

// newRequest makes a request with room for maxBytes: requests are reused
// (relay.requests), so that the body is not grown again for each of them,
// which cost a quarter of the relay's CPU in a profile.
func newRequest(maxBytes int) *request {
	return &request{maxBytes: maxBytes, body: make([]byte, 0, maxBytes)}
}

func (q *request) empty() bool { return len(q.msgs) == 0 }

// fits reports whether msg can join the request without passing maxBytes;
// an empty request takes any message, so that a message larger than
// maxBytes is sent alone instead of never.
func (q *request) fits(msg []byte) bool {
	return q.empty() || len(q.body)+len(msg) <= q.maxBytes
}

func (q *request) add(rec *kgo.Record, payload []byte, records int) {
	q.body = append(q.body, payload...)
	q.msgs = append(q.msgs, rec)
	q.records += records
}

// reset empties the request and keeps its buffers for the next one.
func (q *request) reset() {
	q.body = q.body[:0]
	clear(q.msgs)
	q.msgs = q.msgs[:0]
	q.records = 0
	q.compressed = q.compressed[:0]
}
