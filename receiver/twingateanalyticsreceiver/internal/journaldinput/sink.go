// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package journaldinput // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/journaldinput"

import (
	"context"
	"sync"
	"time"
	"unsafe"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/entry"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator/helper"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

const attrHostName = "host.name"

// How the journald sink batches entries. Delivering each entry on its own
// made the journald path cost twice the stock receiver (a pipeline call, a
// storage write and observability per entry); stanza's own emitter batches
// with the same bounds. The flush interval bounds how long a trickle of
// entries waits.
const (
	defaultMaxBatch      = 100
	defaultFlushInterval = 100 * time.Millisecond
)

// journaldSink is the stanza output the journald input writes to. It takes
// the journal entry's MESSAGE as the connector line and converts it with the
// converter the file input uses into the batch being built, which it
// delivers once it holds maxBatch entries (defaultMaxBatch) or flushInterval
// after its first entry. The cursor of a batch's last entry is stored only
// once the batch was delivered.
type journaldSink struct {
	helper.OutputOperator
	conv      *input.Converter
	deliverer input.Deliverer
	cursor    *cursorCheckpoint

	maxBatch      int
	flushInterval time.Duration

	// ctx is the context of every delivery; stop cancels it.
	ctx    context.Context
	cancel context.CancelFunc

	// mu serializes building and delivering batches, so batches are delivered
	// and their cursors stored in journal order, and the input waits while a
	// batch is delivered (retried) instead of reading ahead.
	mu       sync.Mutex
	b        *twingate.Batch
	entries  int
	src      twingate.Source
	host     string
	observed pcommon.Timestamp
	timer    *time.Timer
	stopped  bool
}

func newJournaldSink(set component.TelemetrySettings, conv *input.Converter, d input.Deliverer, cursor *cursorCheckpoint, maxBatch int, flushInterval time.Duration) (*journaldSink, error) {
	out, err := helper.NewOutputConfig("twingateanalytics_sink", "twingateanalytics_sink").Build(set)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &journaldSink{
		OutputOperator: out,
		conv:           conv,
		deliverer:      d,
		cursor:         cursor,
		maxBatch:       maxBatch,
		flushInterval:  flushInterval,
		ctx:            ctx,
		cancel:         cancel,
	}, nil
}

// Process adds one entry to the batch; the input calls it right after it set
// the entry's cursor. It delivers the batch once full.
func (s *journaldSink) Process(_ context.Context, e *entry.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil // not delivered, so not checkpointed: read again after a restart
	}
	s.add(e)
	if s.entries >= s.maxBatch {
		return s.flushLocked()
	}
	return nil
}

func (s *journaldSink) ProcessBatch(ctx context.Context, entries []*entry.Entry) error {
	for _, e := range entries {
		if err := s.Process(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// add converts one entry into the batch and binds the cursor the input set
// for it to the batch.
func (s *journaldSink) add(e *entry.Entry) {
	if s.entries == 0 {
		s.b = twingate.NewBatch(metadata.ScopeName)
		s.observed = pcommon.NewTimestampFromTime(time.Now())
		if s.timer == nil {
			s.timer = time.AfterFunc(s.flushInterval, s.flushTimer)
		} else {
			s.timer.Reset(s.flushInterval)
		}
	}
	s.entries++
	fields, _ := e.Body.(map[string]any)
	host, _ := fields["_HOSTNAME"].(string)
	if s.entries == 1 || host != s.host {
		s.host = host
		if host != "" {
			s.src.SetResource([]twingate.KeyValue{{Key: attrHostName, Value: host}})
		} else {
			s.src.SetResource(nil)
		}
	}
	s.src.Attributes = e.Attributes
	s.src.Timestamp = pcommon.NewTimestampFromTime(e.Timestamp)
	s.conv.AppendLine(s.ctx, s.b, journalMessage(fields["MESSAGE"]), &s.src, s.observed)
	s.cursor.mark()
	// The records hold copies of what they need: the entry can be reused.
	entry.Put(e)
}

// flushTimer delivers a batch that did not fill up within the flush interval.
func (s *journaldSink) flushTimer() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped || s.entries == 0 {
		return
	}
	if err := s.flushLocked(); err != nil {
		s.Logger().Debug("Journal batch not delivered", zap.Error(err))
	}
}

// flushLocked delivers the batch and stores its last cursor if it was
// delivered (or dropped and counted).
func (s *journaldSink) flushLocked() error {
	b := s.b
	s.b, s.entries = nil, 0
	s.timer.Stop()
	err := s.deliverer.Deliver(s.ctx, b)
	if cerr := s.cursor.commit(s.ctx, err); cerr != nil {
		s.Logger().Error("Failed to store the journal cursor", zap.Error(cerr))
	}
	return err
}

// stop ends deliveries once the input has stopped: a delivery still retrying
// is interrupted and the batch being built is discarded, and neither is
// checkpointed, so both are read again after a restart. stop returns once
// no delivery or cursor write is in progress.
func (s *journaldSink) stop() {
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopped = true
	if s.timer != nil {
		s.timer.Stop()
	}
	s.b, s.entries = nil, 0
	s.cursor.interrupt()
}

// journalMessage returns MESSAGE as bytes. journalctl prints a MESSAGE that
// is not valid UTF-8 (or holds control characters) as an array of byte values
// instead of a string. A string MESSAGE is returned as a view of the string,
// not a copy: the converter only reads the line and copies what it keeps.
func journalMessage(v any) []byte {
	switch t := v.(type) {
	case string:
		return unsafe.Slice(unsafe.StringData(t), len(t)) //nolint:gosec // read-only view, see above
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
