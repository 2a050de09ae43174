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

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/operator"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
	"go.opentelemetry.io/collector/pdata/pcommon"
)

// The file input: stanza's file consumer reads the files, container logs are
// unwrapped (internal/container), and every batch goes through the converter.

func (r *logsReceiver) startFile(cfg *FileConfig) error {
	r.delivered = newDeliveredOffsets(context.Background(), r.storageClient, r.cfg.Storage != nil, int(cfg.FingerprintSize), r.set.Logger)
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

// consumeTokens is the file consumer's emit callback: one call per batch of
// lines read from one file.
func (r *logsReceiver) consumeTokens(ctx context.Context, tokens [][]byte, fileAttrs map[string]any, lastRecordNumber int64, offsets []int64) error {
	fileCfg := r.cfg.File.Get()
	path, _ := fileAttrs[attrs.LogFilePath].(string)
	mark, skip := r.delivered.check(path, tokens, offsets)
	if skip == len(tokens) {
		return nil
	}
	tokens, offsets = tokens[skip:], offsets[min(skip, len(offsets)):]
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
	if file.Pending() {
		mark = deliveredMark{} // the rest of a line is still to come
	}
	err := r.deliver(ctx, b)
	if err == nil {
		r.delivered.record(ctx, mark)
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
