// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package container // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"

import (
	"sync"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/trim"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// Line is one connector line taken out of its file.
type Line struct {
	Text []byte
	// Stream is stdout or stderr; empty for raw lines.
	Stream string
	// Time is when the runtime wrote the line; zero for raw lines.
	Time pcommon.Timestamp
	// Truncated is set when the reassembled line exceeded max_log_size and
	// Text holds its first max_log_size bytes.
	Truncated bool
}

// Files unwraps container log entries into connector lines and
// keeps, per file, what that takes: its format, the resource its path implies
// and the partial lines read so far. The file consumer reads files
// concurrently, so each file's state has its own lock.
type Files struct {
	format     string
	maxLogSize int
	// trim is the whitespace trimming the user configured, applied to each
	// unwrapped line as the file consumer applies it to a raw line. The file
	// consumer itself must leave container entries untouched: trimming a
	// partial CRI entry would drop the spaces at the cut.
	trim trim.Func
	// hidePath removes log.file.path, which the receiver needs to tell files
	// apart, from records when include_file_path is not set.
	hidePath bool
	logger   *zap.Logger

	mu sync.Mutex
	// files holds the state of each file by the path of its live log;
	// byPath finds it from the path a batch reports without matching the
	// path patterns again.
	files  map[string]*fileState
	byPath map[string]*fileState
}

type fileState struct {
	mu       sync.Mutex
	logPath  string
	format   string // raw, docker or cri; empty until the first line
	resource []twingate.KeyValue
	// attributes are the record attributes of the file's last batch, kept for
	// the lines flushed after it.
	attributes map[string]any
	// partials holds the beginning of a line per stream: runtimes split long
	// lines into several entries, and stdout and stderr entries interleave.
	partials map[string]*partialLine
	lastRead time.Time
	// busy counts the batches of the file being unwrapped or delivered, since
	// busySince.
	busy      int
	busySince time.Time
	warned    bool
	// removed is set when the state expired: a batch that found it just
	// before must look its file up again.
	removed bool
}

type partialLine struct {
	text      []byte
	time      pcommon.Timestamp
	truncated bool
}

// Settings are the file input's options that unwrapping needs.
type Settings struct {
	// Format is auto, raw, docker or cri.
	Format string
	// MaxLogSize bounds a reassembled line.
	MaxLogSize int
	// Trim is the whitespace trimming the user configured.
	Trim trim.Func
	// IncludeFilePath keeps log.file.path on records.
	IncludeFilePath bool
}

// New returns the unwrapping state of a file input.
func New(set Settings, logger *zap.Logger) *Files {
	c := &Files{
		format:     set.Format,
		maxLogSize: set.MaxLogSize,
		trim:       trim.Nop,
		hidePath:   !set.IncludeFilePath,
		logger:     logger,
		files:      map[string]*fileState{},
		byPath:     map[string]*fileState{},
	}
	if set.Format != FormatRaw && set.Trim != nil {
		c.trim = set.Trim
	}
	return c
}

// Batch is one batch of tokens the file consumer read from one file.
type Batch struct {
	c *Files
	f *fileState
	// Resource is what the file's path implies (k8s.*, container.id).
	Resource []twingate.KeyValue
	// Attributes are the record attributes of the file the user asked for.
	Attributes map[string]any
}

// Begin starts a batch read from the file fileAttrs (stanza's file
// attributes, log.file.path included) name. Call Done once the batch has
// been delivered: until then the file's partial lines do not expire.
func (c *Files) Begin(fileAttrs map[string]any) *Batch {
	path, _ := fileAttrs[attrs.LogFilePath].(string)
	var f *fileState
	for {
		c.mu.Lock()
		if f = c.byPath[path]; f == nil {
			resource, logPath := pathInfo(path)
			if f = c.files[logPath]; f == nil {
				f = &fileState{logPath: logPath, resource: resource, lastRead: time.Now()}
				if c.format != FormatAuto {
					f.format = c.format
				}
				c.files[logPath] = f
			}
			c.byPath[path] = f
		}
		c.mu.Unlock()
		f.mu.Lock()
		if !f.removed {
			break
		}
		f.mu.Unlock() // expired meanwhile: look the file up again
	}
	defer f.mu.Unlock()

	visible := fileAttrs
	if c.hidePath {
		visible = make(map[string]any, len(fileAttrs))
		for k, v := range fileAttrs {
			if k != attrs.LogFilePath {
				visible[k] = v
			}
		}
	}
	f.attributes = visible
	if f.busy == 0 {
		f.busySince = time.Now()
	}
	f.busy++
	return &Batch{c: c, f: f, Resource: f.resource, Attributes: visible}
}

// Unwrap decodes the batch's tokens in order and calls each for every one:
// line is the connector line the token completes, ok is false when the token
// holds only part of a line, or nothing.
func (b *Batch) Unwrap(tokens [][]byte, each func(i int, token []byte, line Line, ok bool)) {
	b.f.mu.Lock()
	defer b.f.mu.Unlock()
	for i, token := range tokens {
		line, ok := b.c.unwrap(b.f, token)
		each(i, token, line, ok)
	}
}

// Pending says whether the file holds the beginning of a line whose rest is
// still to be read: what was read so far cannot be recorded as delivered.
func (b *Batch) Pending() bool {
	b.f.mu.Lock()
	defer b.f.mu.Unlock()
	return len(b.f.partials) > 0
}

// Done says the batch has left the pipeline.
func (b *Batch) Done() {
	b.f.mu.Lock()
	b.f.busy--
	b.f.lastRead = time.Now()
	b.f.mu.Unlock()
}

// unwrap decodes one token read from f, whose lock the caller holds. It returns the connector line the
// token completes, or false when the token holds only part of a line (or
// nothing).
func (c *Files) unwrap(f *fileState, token []byte) (Line, bool) {
	if f.format == "" {
		if len(c.trim(token)) == 0 {
			return Line{}, false
		}
		f.format = detectFormat(token)
		c.logger.Debug("Detected the log format of a file", zap.String("path", f.logPath), zap.String("format", f.format))
	}
	var (
		line    Line
		partial bool
		ok      bool
	)
	switch f.format {
	case FormatDocker:
		line, partial, ok = parseDocker(token)
	case FormatCRI:
		line, partial, ok = parseCRI(token)
	default:
		line, ok = Line{Text: token}, true
	}
	if !ok {
		// Not an entry of the file's format (a corrupt file, or an entry the
		// file consumer cut at max_log_size): the line goes on as read, so it
		// is still mapped, or counted as another line.
		if !f.warned {
			c.logger.Warn("Line is not a container log entry of the file's format; handling it as a raw line",
				zap.String("path", f.logPath), zap.String("format", f.format), zap.Int("line_bytes", len(token)))
			f.warned = true
		}
		line = Line{Text: token}
	}
	if ok && (partial || f.partials[line.Stream] != nil) {
		if line, ok = c.reassemble(f, line, partial); !ok {
			return Line{}, false
		}
	}
	line.Text = c.trim(line.Text)
	return line, len(line.Text) > 0
}

// reassemble adds a piece of a line to the partial line of its stream and
// returns the whole line once its last piece has arrived. The line is bounded
// by max_log_size: what goes beyond is dropped and the line is flagged.
func (c *Files) reassemble(f *fileState, piece Line, partial bool) (Line, bool) {
	p := f.partials[piece.Stream]
	if p == nil {
		if f.partials == nil {
			f.partials = map[string]*partialLine{}
		}
		p = &partialLine{time: piece.Time}
		f.partials[piece.Stream] = p
	}
	text := piece.Text
	if room := c.maxLogSize - len(p.text); len(text) > room {
		if !p.truncated {
			c.logger.Warn("Container log line exceeds max_log_size; keeping its beginning",
				zap.String("path", f.logPath), zap.Int("max_log_size", c.maxLogSize))
		}
		text, p.truncated = text[:max(room, 0)], true
	}
	p.text = append(p.text, text...)
	if partial {
		return Line{}, false
	}
	delete(f.partials, piece.Stream)
	return Line{Text: p.text, Stream: piece.Stream, Time: p.time, Truncated: p.truncated}, true
}

// Flushed is a partial line given up on, with what its records need.
type Flushed struct {
	Line
	Resource   []twingate.KeyValue
	Attributes map[string]any
}

// Expire forgets the files not read for the given time and returns the
// partial lines they held: the rest of a line is written together with its
// beginning, so a line still partial then belongs to a container that
// stopped mid-line. Nothing expires while a batch has been in the pipeline
// for that long: the pipeline is pushing back and files are read late. A
// zero idle time expires every file (at shutdown).
func (c *Files) Expire(now time.Time, idle time.Duration) []Flushed {
	c.mu.Lock()
	defer c.mu.Unlock()
	deadline := now.Add(-idle)
	if idle > 0 {
		for _, f := range c.files {
			f.mu.Lock()
			stalled := f.busy > 0 && f.busySince.Before(deadline)
			f.mu.Unlock()
			if stalled {
				return nil
			}
		}
	}
	var out []Flushed
	for key, f := range c.files {
		f.mu.Lock()
		if idle == 0 || (f.busy == 0 && f.lastRead.Before(deadline)) {
			for stream, p := range f.partials {
				c.logger.Warn("Container log line was never completed; sending what was read",
					zap.String("path", f.logPath), zap.String("stream", stream), zap.Int("line_bytes", len(p.text)))
				text := c.trim(p.text)
				if len(text) == 0 {
					continue
				}
				out = append(out, Flushed{
					Line:       Line{Text: text, Stream: stream, Time: p.time, Truncated: p.truncated},
					Resource:   f.resource,
					Attributes: f.attributes,
				})
			}
			delete(c.files, key)
			f.removed = true
		}
		f.mu.Unlock()
	}
	for path, f := range c.byPath {
		if f.removed {
			delete(c.byPath, path)
		}
	}
	return out
}
