// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

const (
	// format is reported to the receiver's standard observability metrics.
	format = "twingate_analytics"

	transportFile     = "file"
	transportJournald = "journald"
)

type logsReceiver struct {
	cfg       *Config
	set       receiver.Settings
	next      consumer.Logs
	obsrecv   *receiverhelper.ObsReport
	telemetry *metadata.TelemetryBuilder
	conv      *converter
	delivery  *deliverer

	// files unwraps container logs (file input only).
	files *container.Files
	// partialIdle and partialCheck time the expiry of partial lines.
	partialIdle, partialCheck time.Duration

	storageClient storage.Client
	stopInput     func() error
}

func newLogsReceiver(set receiver.Settings, cfg *Config, next consumer.Logs) (*logsReceiver, error) {
	transport := transportFile
	if cfg.Journald.HasValue() {
		transport = transportJournald
	}
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              transport,
		ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r := &logsReceiver{
		cfg:          cfg,
		set:          set,
		next:         next,
		obsrecv:      obsrecv,
		telemetry:    tb,
		conv:         newConverter(set.ID, cfg, set.Logger, tb),
		delivery:     newDeliverer(cfg.RetryOnFailure, next, set.Logger, tb, receiverAttribute(set.ID)),
		partialIdle:  partialLineIdle,
		partialCheck: partialLineCheck,
	}
	if fileCfg := cfg.File.Get(); fileCfg != nil {
		r.files = container.New(fileCfg.containerSettings(), set.Logger)
	}
	return r, nil
}

func (r *logsReceiver) Start(ctx context.Context, host component.Host) error {
	client, err := adapter.GetStorageClient(ctx, host, r.cfg.Storage, r.set.ID)
	if err != nil {
		return err
	}
	r.storageClient = client

	switch {
	case r.cfg.File.HasValue():
		err = r.startFile(r.cfg.File.Get())
	case r.cfg.Journald.HasValue():
		err = r.startJournald(r.cfg.Journald.Get())
	default:
		err = errors.New("no input configured")
	}
	if err != nil {
		return errors.Join(err, r.Shutdown(ctx))
	}
	return nil
}

func (r *logsReceiver) startFile(cfg *FileConfig) error {
	mgr, err := cfg.buildInput(r.set.TelemetrySettings, r.consumeTokens)
	if err != nil {
		return err
	}
	if err := mgr.Start(operator.NewScopedPersister(transportFile, r.storageClient)); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	var expiring sync.WaitGroup
	expiring.Go(func() { r.expirePartials(ctx, r.partialCheck, r.partialIdle) })
	r.stopInput = func() error {
		err := mgr.Stop()
		cancel()
		expiring.Wait()
		r.delivery.stopInput()
		// Nothing completes the partial lines left once reading stopped.
		return errors.Join(err, r.sendFlushed(context.Background(), r.files.Expire(time.Now(), 0)))
	}
	return nil
}

func (r *logsReceiver) startJournald(cfg *JournaldConfig) error {
	input, err := cfg.Build(r.set.TelemetrySettings)
	if err != nil {
		return err
	}
	cursor := newCursorCheckpoint(operator.NewScopedPersister(transportJournald, r.storageClient))
	sink, err := newJournaldSink(r, cursor)
	if err != nil {
		return err
	}
	input.SetOutputIDs([]string{sink.ID()})
	if err := input.SetOutputs([]operator.Operator{sink}); err != nil {
		return err
	}
	if err := input.Start(cursor); err != nil {
		return err
	}
	r.stopInput = input.Stop
	return nil
}

// rawUTF8 swaps stanza's UTF-8 decoder for its raw variant. The decoder is
// most of the file input's cost, and all it does is replace invalid
// sequences with U+FFFD, which the converter does anyway, and only for the
// rare line that needs it. Other encodings still need their decoder.
func rawUTF8(enc string) string {
	switch strings.ToLower(enc) {
	case "", "utf-8", "utf8", "ascii", "us-ascii":
		return "utf-8-raw"
	}
	return enc
}

// Shutdown first lets deliveries in progress finish, so what the next
// consumer accepted is checkpointed and what it did not is not, then stops
// the input before closing storage, so the last checkpoint is written. It is
// safe to call without Start and more than once.
func (r *logsReceiver) Shutdown(ctx context.Context) error {
	r.delivery.shutdown(ctx)
	var errs []error
	if r.stopInput != nil {
		errs = append(errs, r.stopInput())
		r.stopInput = nil
	}
	if r.storageClient != nil {
		errs = append(errs, r.storageClient.Close(ctx))
		r.storageClient = nil
	}
	return errors.Join(errs...)
}

// consumeTokens is the file consumer's emit callback: one call per batch of
// lines read from one file.
func (r *logsReceiver) consumeTokens(ctx context.Context, tokens [][]byte, fileAttrs map[string]any, lastRecordNumber int64, offsets []int64) error {
	fileCfg := r.cfg.File.Get()
	b := twingate.NewBatch(metadata.ScopeName)
	observed := pcommon.NewTimestampFromTime(time.Now())
	file := r.files.Begin(fileAttrs)
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
				r.conv.appendLine(ctx, b, nil, src, observed)
			}
			return
		}
		src.Attributes = attrs.forLine(line.Stream, recordNumber, offset)
		// stanza cut a token at max_log_size (max_log_size_behavior: truncate).
		src.Timestamp, src.Truncated = line.Time, line.Truncated || len(token) >= maxLogSize
		r.conv.appendLine(ctx, b, line.Text, src, observed)
	})
	return r.deliver(ctx, b)
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

// deliver hands a batch to the next consumer, retrying as configured, with
// the standard receiver observability (accepted / refused log records, once
// per batch). It returns nil when the batch was accepted or dropped and
// counted, and errInterrupted when shutdown stopped it: then the input must
// not checkpoint the batch.
func (r *logsReceiver) deliver(ctx context.Context, b *twingate.Batch) error {
	n := b.Logs().LogRecordCount()
	if n == 0 {
		return nil
	}
	obsCtx := r.obsrecv.StartLogsOp(ctx)
	err := r.delivery.consume(obsCtx, b.Logs())
	r.obsrecv.EndLogsOp(obsCtx, format, n, err)
	if isDropped(err) {
		return nil
	}
	return err
}
