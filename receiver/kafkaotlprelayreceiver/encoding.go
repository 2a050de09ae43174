// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package kafkaotlprelayreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/kafkaotlprelayreceiver"

import (
	"errors"
	"fmt"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/encoding"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/plog"
)

// payload turns a Kafka message into what a request carries: an
// ExportLogsServiceRequest, and the number of its log records. An
// otlp_proto message is that already and is only checked (wirescan.go); any
// other encoding is decoded by its extension and encoded as OTLP.
type payload func(msg []byte) ([]byte, int, error)

// decoder turns a Kafka message into records for the pipeline, where the
// relay hands what the backend refused for good.
type decoder func(msg []byte) (plog.Logs, error)

// codecFor finds what cfg.Encoding names: the relay's own otlp_proto, or an
// encoding extension of the collector.
func codecFor(encodingName string, extensions map[component.ID]component.Component) (payload, decoder, error) {
	if encodingName == encodingOTLPProto {
		otlp := &plog.ProtoUnmarshaler{}
		return func(msg []byte) ([]byte, int, error) {
			n, err := countLogRecords(msg)
			return msg, n, err
		}, otlp.UnmarshalLogs, nil
	}
	var id component.ID
	if err := id.UnmarshalText([]byte(encodingName)); err != nil {
		return nil, nil, fmt.Errorf("encoding: %w", err)
	}
	ext, ok := extensions[id]
	if !ok {
		return nil, nil, fmt.Errorf("encoding: extension %q is not configured (add it under extensions and service::extensions)", encodingName)
	}
	u, ok := ext.(encoding.LogsUnmarshalerExtension)
	if !ok {
		return nil, nil, fmt.Errorf("encoding: extension %q cannot decode logs", encodingName)
	}
	marshaler := &plog.ProtoMarshaler{}
	return func(msg []byte) ([]byte, int, error) {
		logs, err := u.UnmarshalLogs(msg)
		if err != nil {
			return nil, 0, err
		}
		n := logs.LogRecordCount()
		if n == 0 {
			return nil, 0, nil
		}
		b, err := marshaler.MarshalLogs(logs)
		if err != nil {
			return nil, 0, errors.Join(errors.New("encoding the decoded records as OTLP"), err)
		}
		return b, n, nil
	}, u.UnmarshalLogs, nil
}
