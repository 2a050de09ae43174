// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/fileinput"

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"sync"

	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/zap"
)

// deliveredOffsets bounds what a crash repeats when reading files. stanza's
// file consumer stores its offsets only when a poll ends, and a poll that
// catches up on a backlog reads it all: killed in the middle, the collector
// would read the whole backlog again. So after each batch it delivered, the
// receiver stores, per file, the offset the batch ended at; after a restart
// it skips the lines of a batch that end at or before it. A crash then
// repeats at most the batch being delivered (per file read at the time).
//
// A file is identified as stanza identifies it: by its first
// fingerprint_size bytes (here their SHA-256), which an appended-to file
// keeps and a truncated or new one does not. The receiver reads them from the
// path the batch reports, after checking that this path still holds the
// batch's last line at its offset (a rotation may have put another file
// there). Files shorter than fingerprint_size, lines stanza could not give an
// offset for, and files with a partial container line pending are not
// recorded: those are repeated as before, never skipped.
type deliveredOffsets struct {
	client storage.Client
	fpSize int
	logger *zap.Logger

	mu    sync.Mutex
	files map[string]*deliveredFile
	seq   uint64
}

type deliveredFile struct {
	offset int64
	// used orders files by their last delivery, to keep the most recent.
	used uint64
}

// deliveredMark is what a batch is recorded as once delivered.
type deliveredMark struct {
	key string
	end int64
}

const (
	deliveredStorageKey = "twingateanalytics.delivered_offsets"
	// deliveredMaxFiles bounds the table: files not delivered from for
	// longest are forgotten (and then only repeated, not skipped).
	deliveredMaxFiles = 256
	// deliveredMinLine is the least length of the line the path is checked
	// against: a shorter line proves too little.
	deliveredMinLine  = 32
	deliveredEntryLen = sha256.Size + 8
)

// newDeliveredOffsets loads the table; without a storage extension there is
// nothing to resume and it returns nil, which records nothing.
func newDeliveredOffsets(ctx context.Context, client storage.Client, fpSize int, logger *zap.Logger) *deliveredOffsets {
	if client == nil || fpSize <= 0 {
		return nil
	}
	d := &deliveredOffsets{client: client, fpSize: fpSize, logger: logger, files: map[string]*deliveredFile{}}
	data, err := client.Get(ctx, deliveredStorageKey)
	if err != nil {
		logger.Warn("Cannot read the offsets delivered before; a crash may repeat more lines", zap.Error(err))
		return d
	}
	for len(data) >= deliveredEntryLen {
		d.seq++
		d.files[string(data[:sha256.Size])] = &deliveredFile{
			offset: int64(binary.LittleEndian.Uint64(data[sha256.Size:deliveredEntryLen])),
			used:   d.seq,
		}
		data = data[deliveredEntryLen:]
	}
	return d
}

// check identifies the file a batch was read from and returns how many of
// its leading tokens were delivered before, and the mark to record once the
// rest is delivered (a zero mark records nothing). offsets[i] is where token
// i starts, offsets[len(tokens)] where the batch ends.
func (d *deliveredOffsets) check(path string, tokens [][]byte, offsets []int64) (deliveredMark, int) {
	n := len(tokens)
	if d == nil || n == 0 || len(offsets) <= n || path == "" {
		return deliveredMark{}, 0
	}
	key, ok := d.identify(path, tokens, offsets)
	if !ok {
		return deliveredMark{}, 0
	}
	skip := 0
	d.mu.Lock()
	if f := d.files[key]; f != nil {
		for skip < n && offsets[skip+1] <= f.offset {
			skip++
		}
	}
	d.mu.Unlock()
	if skip > 0 {
		d.logger.Info("Skipping lines delivered before the last stop",
			zap.String("path", path), zap.Int("lines", skip), zap.Int64("offset", offsets[skip]))
	}
	return deliveredMark{key: key, end: offsets[n]}, skip
}

// identify reads the file's first fpSize bytes from path once it found the
// batch's last line of some length at its offset there.
func (d *deliveredOffsets) identify(path string, tokens [][]byte, offsets []int64) (string, bool) {
	last := -1
	for i := len(tokens) - 1; i >= 0; i-- {
		if len(tokens[i]) >= deliveredMinLine {
			last = i
			break
		}
	}
	if last < 0 {
		return "", false
	}
	file, err := os.Open(path) //nolint:gosec // the file the file consumer reads, matched by the configured include
	if err != nil {
		return "", false
	}
	defer file.Close()
	seg := make([]byte, offsets[last+1]-offsets[last])
	if _, err := file.ReadAt(seg, offsets[last]); err != nil || !bytes.Contains(seg, tokens[last]) {
		return "", false
	}
	head := make([]byte, d.fpSize)
	if _, err := file.ReadAt(head, 0); err != nil {
		return "", false // shorter than a fingerprint
	}
	sum := sha256.Sum256(head)
	return string(sum[:]), true
}

// record stores that the batch mark ends was delivered.
func (d *deliveredOffsets) record(ctx context.Context, m deliveredMark) {
	if d == nil || m.key == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.seq++
	f := d.files[m.key]
	if f == nil {
		f = &deliveredFile{}
		d.files[m.key] = f
		d.evictLocked()
	}
	f.used = d.seq
	// Batches of one file are delivered in order; max guards a re-read.
	f.offset = max(f.offset, m.end)
	buf := make([]byte, 0, len(d.files)*deliveredEntryLen)
	for k, f := range d.files {
		buf = append(buf, k...)
		buf = binary.LittleEndian.AppendUint64(buf, uint64(f.offset))
	}
	if err := d.client.Set(ctx, deliveredStorageKey, buf); err != nil {
		d.logger.Debug("Cannot store the delivered offsets; a crash may repeat more lines", zap.Error(err))
	}
}

func (d *deliveredOffsets) evictLocked() {
	for len(d.files) > deliveredMaxFiles {
		var oldest string
		var used uint64
		for k, f := range d.files {
			if oldest == "" || f.used < used {
				oldest, used = k, f.used
			}
		}
		delete(d.files, oldest)
	}
}
