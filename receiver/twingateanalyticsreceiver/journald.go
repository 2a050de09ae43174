// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/helper"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

const attrHostName = "host.name"

// journaldSink is the stanza output the journald input writes to. It takes
// the journal entry's MESSAGE as the connector line and hands it to the same
// converter the file input uses.
type journaldSink struct {
	helper.OutputOperator
	r      *logsReceiver
	cursor *cursorCheckpoint
}

func newJournaldSink(r *logsReceiver, cursor *cursorCheckpoint) (*journaldSink, error) {
	out, err := helper.NewOutputConfig("twingateanalytics_sink", "twingateanalytics_sink").Build(r.set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &journaldSink{OutputOperator: out, r: r, cursor: cursor}, nil
}

func (s *journaldSink) Process(ctx context.Context, e *entry.Entry) error {
	return s.ProcessBatch(ctx, []*entry.Entry{e})
}

func (s *journaldSink) ProcessBatch(ctx context.Context, entries []*entry.Entry) error {
	b := twingate.NewBatch(metadata.ScopeName)
	observed := pcommon.NewTimestampFromTime(time.Now())
	for _, e := range entries {
		fields, _ := e.Body.(map[string]any)
		src := &twingate.Source{
			Attributes: e.Attributes,
			Timestamp:  pcommon.NewTimestampFromTime(e.Timestamp),
		}
		if host, ok := fields["_HOSTNAME"].(string); ok && host != "" {
			src.SetResource([]twingate.KeyValue{{Key: attrHostName, Value: host}})
		}
		s.r.conv.appendLine(ctx, b, journalMessage(fields["MESSAGE"]), src, observed)
	}
	err := s.r.deliver(ctx, b)
	if cerr := s.cursor.commit(ctx, err); cerr != nil {
		s.Logger().Error("Failed to store the journal cursor", zap.Error(cerr))
	}
	return err
}

// journalMessage returns MESSAGE as bytes. journalctl prints a MESSAGE that
// is not valid UTF-8 (or holds control characters) as an array of byte values
// instead of a string.
func journalMessage(v any) []byte {
	switch t := v.(type) {
	case string:
		return []byte(t)
	case []any:
		b := make([]byte, 0, len(t))
		for _, x := range t {
			if f, ok := x.(float64); ok {
				b = append(b, byte(f))
			}
		}
		return b
	default:
		return nil
	}
}
