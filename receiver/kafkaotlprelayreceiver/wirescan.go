// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// The field numbers of the OTLP logs messages the scan walks
// (opentelemetry/proto/collector/logs/v1 and logs/v1).
const (
	fieldRequestResourceLogs protowire.Number = 1 // ExportLogsServiceRequest.resource_logs
	fieldResourceScopeLogs   protowire.Number = 2 // ResourceLogs.scope_logs
	fieldScopeLogRecords     protowire.Number = 2 // ScopeLogs.log_records
)

// countLogRecords walks msg, an ExportLogsServiceRequest as the kafka
// exporter's otlp_proto encoding writes it, down to its log records, and
// counts them without decoding any. It fails on anything that is not a
// well-formed protobuf message of that shape (a truncated field, a bad
// length, a wrong wire type for resource_logs, scope_logs or log_records):
// such a message must not be concatenated with others, because protobuf
// merges concatenated messages, and one bad message would spoil the request.
//
// The records themselves are left to the backend: a record the backend
// cannot parse makes it refuse the request, and the relay then hands the
// messages to the pipeline one by one (relay.go).
func countLogRecords(msg []byte) (int, error) {
	n := 0
	err := walk(msg, fieldRequestResourceLogs, "resource_logs", func(rl []byte) error {
		return walk(rl, fieldResourceScopeLogs, "scope_logs", func(sl []byte) error {
			return walk(sl, fieldScopeLogRecords, "log_records", func([]byte) error {
				n++
				return nil
			})
		})
	})
	return n, err
}

// walk calls each for every occurrence of the length-delimited field want
// in msg, and checks that every other field is well formed.
func walk(msg []byte, want protowire.Number, name string, each func([]byte) error) error {
	for len(msg) > 0 {
		num, typ, n := protowire.ConsumeTag(msg)
		if n < 0 {
			return fmt.Errorf("bad field tag: %w", protowire.ParseError(n))
		}
		msg = msg[n:]
		if num == want {
			if typ != protowire.BytesType {
				return fmt.Errorf("field %s has wire type %d, not a message", name, typ)
			}
			v, n := protowire.ConsumeBytes(msg)
			if n < 0 {
				return fmt.Errorf("field %s: %w", name, protowire.ParseError(n))
			}
			if err := each(v); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			msg = msg[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, typ, msg)
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		msg = msg[n:]
	}
	return nil
}
