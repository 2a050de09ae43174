// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package fileinput is the receiver's file input: stanza's file consumer
// reads the files, container logs are unwrapped (internal/container), and
// every batch goes through the converter to the receiver's delivery path.
package fileinput // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/fileinput"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// storageScope prefixes the keys stanza's file consumer stores (the scope
// the receiver has always used, so existing checkpoints still apply).
const storageScope = "file"

// Input reads connector lines from files.
type Input struct {
	cfg  *Config
	set  component.TelemetrySettings
	conv *input.Converter
	// files unwraps container logs.
	files *container.Files
	// partialIdle and partialCheck time the expiry of partial lines.
	partialIdle, partialCheck time.Duration

	deliverer input.Deliverer
	// delivered records what was delivered per file (with storage).
	delivered *deliveredOffsets
	mgr       *fileconsumer.Manager
	cancel    context.CancelFunc
	expiring  sync.WaitGroup
}

// Option adjusts an Input (tests shorten its timers).
type Option func(*Input)

// WithPartialLineTimeouts sets how long a partial container line waits for
// its rest once its file stopped being read (idle), and how often files are
// checked for that (check).
func WithPartialLineTimeouts(idle, check time.Duration) Option {
	return func(in *Input) { in.partialIdle, in.partialCheck = idle, check }
}

// New returns a file input for a valid cfg.
func New(cfg *Config, set component.TelemetrySettings, conv *input.Converter, opts ...Option) *Input {
	in := &Input{
		cfg:          cfg,
		set:          set,
		conv:         conv,
		files:        container.New(cfg.containerSettings(), set.Logger),
		partialIdle:  partialLineIdle,
		partialCheck: partialLineCheck,
	}
	for _, o := range opts {
		o(in)
	}
	return in
}

// Start builds and starts stanza's file consumer.
func (in *Input) Start(_ context.Context, client storage.Client, d input.Deliverer) error {
	in.deliverer = d
	if client != nil {
		in.delivered = newDeliveredOffsets(context.Background(), client, int(in.cfg.FingerprintSize), in.set.Logger)
	} else {
		client = storage.NewNopClient()
	}
	mgr, err := in.cfg.buildInput(in.set, in.consumeTokens)
	if err != nil {
		return fmt.Errorf("build the file consumer: %w", err)
	}
	if err := mgr.Start(operator.NewScopedPersister(storageScope, client)); err != nil {
		return fmt.Errorf("start the file consumer: %w", err)
	}
	in.mgr = mgr
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel = cancel
	in.expiring.Go(func() { in.expirePartials(ctx, in.partialCheck, in.partialIdle) })
	return nil
}

// Shutdown stops reading, then delivers the partial lines left: nothing
// completes them once reading stopped.
func (in *Input) Shutdown(context.Context) error {
	if in.mgr == nil {
		return nil
	}
	err := in.mgr.Stop()
	in.mgr = nil
	in.cancel()
	in.expiring.Wait()
	in.deliverer.InputStopped()
	return errors.Join(err, in.sendFlushed(context.Background(), in.files.Expire(time.Now(), 0)))
}

// consumeTokens is the file consumer's emit callback: one call per batch of
// lines read from one file.
func (in *Input) consumeTokens(ctx context.Context, tokens [][]byte, fileAttrs map[string]any, lastRecordNumber int64, offsets []int64) error {
	fileCfg := in.cfg
	path, _ := fileAttrs[attrs.LogFilePath].(string)
	mark, skip := in.delivered.check(path, tokens, offsets)
	if skip == len(tokens) {
		return nil
	}
	tokens, offsets = tokens[skip:], offsets[min(skip, len(offsets)):]
	b := twingate.NewBatch(metadata.ScopeName)
	observed := pcommon.NewTimestampFromTime(time.Now())
	file := in.files.Begin(fileAttrs)
	defer file.Done()
	attrs := recordAttributes{
		file:         file.Attributes,
		recordNumber: fileCfg.IncludeFileRecordNumber,
		recordOffset: fileCfg.IncludeFileRecordOffset,
	}
	src := &twingate.Source{}
	src.SetResource(file.Resource)
	maxLogSize := int(fileCfg.MaxLogSize)
	file.Unwrap(tokens, func(i int, token []byte, line container.Line, ok bool) {
		recordNumber := lastRecordNumber - int64(len(tokens)) + int64(i) + 1
		offset := int64(-1)
		if i < len(offsets) {
			offset = offsets[i]
		}
		if !ok {
			if len(bytes.TrimSpace(token)) == 0 {
				// A blank line is an other line, as from journald: every
				// line has one outcome.
				src.Attributes, src.Timestamp, src.Truncated = attrs.forLine("", recordNumber, offset), 0, false
				in.conv.AppendLine(ctx, b, nil, src, observed)
			}
			return
		}
		src.Attributes = attrs.forLine(line.Stream, recordNumber, offset)
		// stanza cut a token at max_log_size (max_log_size_behavior: truncate).
		src.Timestamp, src.Truncated = line.Time, line.Truncated || len(token) >= maxLogSize
		in.conv.AppendLine(ctx, b, line.Text, src, observed)
	})
	if file.Pending() {
		mark = deliveredMark{} // the rest of a line is still to come
	}
	err := in.deliverer.Deliver(ctx, b)
	if err == nil {
		in.delivered.record(ctx, mark)
	}
	return err
}

// recordAttributes gives the lines of a batch their record attributes: the
// file's, log.iostream, and the per-line log.file.record_number and
// log.file.record_offset stanza's file input adds. Lines without per-line
// attributes share one map per stream.
type recordAttributes struct {
	file                       map[string]any
	recordNumber, recordOffset bool
	byStream                   map[string]map[string]any
}

// forLine returns the attributes of one line; a negative offset is unknown.
func (a *recordAttributes) forLine(stream string, recordNumber, offset int64) map[string]any {
	perLine := a.recordNumber || a.recordOffset
	if !perLine {
		if stream == "" {
			return a.file
		}
		if m, ok := a.byStream[stream]; ok {
			return m
		}
	}
	out := make(map[string]any, len(a.file)+3)
	maps.Copy(out, a.file)
	if stream != "" {
		out[container.AttrLogIOStream] = stream
	}
	if a.recordNumber {
		out[attrs.LogFileRecordNumber] = recordNumber
	}
	if a.recordOffset && offset >= 0 {
		out[attrs.LogFileRecordOffset] = offset
	}
	if !perLine {
		if a.byStream == nil {
			a.byStream = map[string]map[string]any{}
		}
		a.byStream[stream] = out
	}
	return out
}
