// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package journaldinput is the receiver's journald input: stanza's journald
// input runs journalctl, and a sink of the receiver's own converts each
// entry's MESSAGE and hands batches to the receiver's delivery path, storing
// the journal cursor only once a batch was delivered.
package journaldinput // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/journaldinput"

import (
	"context"
	"fmt"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"
)

// storageScope prefixes the cursor key (the scope the receiver has always
// used, so existing checkpoints still apply).
const storageScope = "journald"

// Input reads connector lines from the systemd journal.
type Input struct {
	cfg  *Config
	set  component.TelemetrySettings
	conv *input.Converter
	// maxBatch and flushInterval bound the sink's batches.
	maxBatch      int
	flushInterval time.Duration

	op   operator.Operator
	sink *journaldSink
}

// Option adjusts an Input (tests change its batching).
type Option func(*Input)

// WithMaxBatch sets how many entries a batch holds at most (defaultMaxBatch).
func WithMaxBatch(n int) Option {
	return func(in *Input) {
		if n > 0 {
			in.maxBatch = n
		}
	}
}

// New returns a journald input for a valid cfg.
func New(cfg *Config, set component.TelemetrySettings, conv *input.Converter, opts ...Option) *Input {
	in := &Input{cfg: cfg, set: set, conv: conv, maxBatch: defaultMaxBatch, flushInterval: defaultFlushInterval}
	for _, o := range opts {
		o(in)
	}
	return in
}

// Start builds stanza's journald input, writing to the sink, and starts it.
func (in *Input) Start(_ context.Context, client storage.Client, d input.Deliverer) error {
	if client == nil {
		client = storage.NewNopClient()
	}
	op, err := in.cfg.Build(in.set)
	if err != nil {
		return fmt.Errorf("build the journald input: %w", err)
	}
	cursor := newCursorCheckpoint(operator.NewScopedPersister(storageScope, client))
	sink, err := newJournaldSink(in.set, in.conv, d, cursor, in.maxBatch, in.flushInterval)
	if err != nil {
		return fmt.Errorf("build the journald sink: %w", err)
	}
	op.SetOutputIDs([]string{sink.ID()})
	if err := op.SetOutputs([]operator.Operator{sink}); err != nil {
		return fmt.Errorf("connect the journald input to its sink: %w", err)
	}
	if err := op.Start(cursor); err != nil {
		sink.stop()
		return fmt.Errorf("start journalctl: %w", err)
	}
	in.op, in.sink = op, sink
	return nil
}

// Shutdown stops journalctl, then the sink (see journaldSink.stop).
func (in *Input) Shutdown(context.Context) error {
	if in.op == nil {
		return nil
	}
	err := in.op.Stop()
	in.sink.stop()
	in.op, in.sink = nil, nil
	return err
}
