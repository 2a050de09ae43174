// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"
	"regexp"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.uber.org/zap"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/fileconsumer/attrs"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/trim"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// Values of file.format: how the connector's lines are stored in the files.
const (
	// FormatAuto detects the format of each file from the first line read.
	FormatAuto = "auto"
	// FormatRaw is one connector line per line (systemd, `docker logs` output).
	FormatRaw = "raw"
	// FormatDocker is Docker's json-file log driver.
	FormatDocker = "docker"
	// FormatCRI is the CRI log format containerd and CRI-O write under /var/log/pods.
	FormatCRI = "cri"
)

// Resource and record attributes taken from container logs. The names are
// those of contrib's container parser.
const (
	attrLogIOStream            = "log.iostream"
	attrK8sNamespaceName       = "k8s.namespace.name"
	attrK8sPodName             = "k8s.pod.name"
	attrK8sPodUID              = "k8s.pod.uid"
	attrK8sContainerName       = "k8s.container.name"
	attrK8sContainerRestartCnt = "k8s.container.restart_count"
	attrContainerID            = "container.id"
)

var (
	// k8sLogPath is where the kubelet has the runtime write a container's log,
	// with the suffix it adds when rotating: the pattern contrib's container
	// parser matches.
	k8sLogPath = regexp.MustCompile(`^(.*/(?P<namespace>[^_/]+)_(?P<pod_name>[^_/]+)_(?P<uid>[a-f0-9\-]+)/(?P<container_name>[^._/]+)/(?P<restart_count>\d+)\.log)(\.\d{8}-\d{6})?$`)
	// dockerLogPath is where Docker's json-file driver writes a container's
	// log, with the suffix of its rotated files.
	dockerLogPath = regexp.MustCompile(`^(.*/([0-9a-f]{12,64})/([0-9a-f]{12,64})-json\.log)(\.\d+)?$`)
)

// pathInfo returns the resource attributes a container log path implies and
// the path of the live log it belongs to (a rotated file belongs to the log it
// was rotated from, so a line split across the rotation is put back together).
func pathInfo(path string) (resource []twingate.KeyValue, logPath string) {
	if m := k8sLogPath.FindStringSubmatch(path); m != nil {
		return []twingate.KeyValue{
			{Key: attrK8sNamespaceName, Value: m[2]},
			{Key: attrK8sPodName, Value: m[3]},
			{Key: attrK8sPodUID, Value: m[4]},
			{Key: attrK8sContainerName, Value: m[5]},
			{Key: attrK8sContainerRestartCnt, Value: m[6]},
		}, m[1]
	}
	if m := dockerLogPath.FindStringSubmatch(path); m != nil && m[2] == m[3] {
		return []twingate.KeyValue{{Key: attrContainerID, Value: m[2]}}, m[1]
	}
	return nil, path
}

// containerLine is one connector line taken out of its file.
type containerLine struct {
	text []byte
	// stream is stdout or stderr; empty for raw lines.
	stream string
	// time is when the runtime wrote the line; zero for raw lines.
	time pcommon.Timestamp
	// truncated is set when the reassembled line exceeded max_log_size and
	// text holds its first max_log_size bytes.
	truncated bool
}

// containerFiles unwraps container log entries into connector lines and
// keeps, per file, what that takes: its format, the resource its path implies
// and the partial lines read so far. The file consumer reads files
// concurrently, so each file's state has its own lock.
type containerFiles struct {
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

func newContainerFiles(cfg *FileConfig, logger *zap.Logger) *containerFiles {
	c := &containerFiles{
		format:     cfg.Format,
		maxLogSize: int(cfg.MaxLogSize),
		trim:       trim.Nop,
		hidePath:   !cfg.IncludeFilePath,
		logger:     logger,
		files:      map[string]*fileState{},
		byPath:     map[string]*fileState{},
	}
	if cfg.Format != FormatRaw {
		c.trim = cfg.TrimConfig.Func()
	}
	return c
}

// open returns the locked state of the file a batch was read from, and the
// record attributes the user asked for. The caller unlocks it once the batch
// is unwrapped, and calls done once the batch is delivered.
func (c *containerFiles) open(fileAttrs map[string]any) (*fileState, map[string]any) {
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
		f.mu.Unlock()
	}

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
	return f, visible
}

func (*containerFiles) done(f *fileState) {
	f.mu.Lock()
	f.busy--
	f.lastRead = time.Now()
	f.mu.Unlock()
}

// unwrap decodes one token read from f. It returns the connector line the
// token completes, or false when the token holds only part of a line (or
// nothing).
func (c *containerFiles) unwrap(f *fileState, token []byte) (containerLine, bool) {
	if f.format == "" {
		if len(c.trim(token)) == 0 {
			return containerLine{}, false
		}
		f.format = detectFormat(token)
		c.logger.Debug("Detected the log format of a file", zap.String("path", f.logPath), zap.String("format", f.format))
	}
	var (
		line    containerLine
		partial bool
		ok      bool
	)
	switch f.format {
	case FormatDocker:
		line, partial, ok = parseDocker(token)
	case FormatCRI:
		line, partial, ok = parseCRI(token)
	default:
		line, ok = containerLine{text: token}, true
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
		line = containerLine{text: token}
	}
	if ok && (partial || f.partials[line.stream] != nil) {
		if line, ok = c.reassemble(f, line, partial); !ok {
			return containerLine{}, false
		}
	}
	line.text = c.trim(line.text)
	return line, len(line.text) > 0
}

// reassemble adds a piece of a line to the partial line of its stream and
// returns the whole line once its last piece has arrived. The line is bounded
// by max_log_size: what goes beyond is dropped and the line is flagged.
func (c *containerFiles) reassemble(f *fileState, piece containerLine, partial bool) (containerLine, bool) {
	p := f.partials[piece.stream]
	if p == nil {
		if f.partials == nil {
			f.partials = map[string]*partialLine{}
		}
		p = &partialLine{time: piece.time}
		f.partials[piece.stream] = p
	}
	text := piece.text
	if room := c.maxLogSize - len(p.text); len(text) > room {
		if !p.truncated {
			c.logger.Warn("Container log line exceeds max_log_size; keeping its beginning",
				zap.String("path", f.logPath), zap.Int("max_log_size", c.maxLogSize))
		}
		text, p.truncated = text[:max(room, 0)], true
	}
	p.text = append(p.text, text...)
	if partial {
		return containerLine{}, false
	}
	delete(f.partials, piece.stream)
	return containerLine{text: p.text, stream: piece.stream, time: p.time, truncated: p.truncated}, true
}

// flushedLine is a partial line given up on, with what its records need.
type flushedLine struct {
	containerLine
	resource   []twingate.KeyValue
	attributes map[string]any
}

// expire forgets the files not read for the given time and returns the
// partial lines they held: the rest of a line is written together with its
// beginning, so a line still partial then belongs to a container that
// stopped mid-line. Nothing expires while a batch has been in the pipeline
// for that long: the pipeline is pushing back and files are read late. A
// zero idle time expires every file (at shutdown).
func (c *containerFiles) expire(now time.Time, idle time.Duration) []flushedLine {
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
	var out []flushedLine
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
				out = append(out, flushedLine{
					containerLine: containerLine{text: text, stream: stream, time: p.time, truncated: p.truncated},
					resource:      f.resource,
					attributes:    f.attributes,
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

// A partial line is given up on when its file has not been read for
// partialLineIdle; files are checked every partialLineCheck.
const (
	partialLineIdle  = 5 * time.Second
	partialLineCheck = time.Second
)

// expirePartials sends, until ctx is done, the partial lines of the files
// that stopped being read, and forgets those files.
func (r *logsReceiver) expirePartials(ctx context.Context, check, idle time.Duration) {
	ticker := time.NewTicker(check)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-ticker.C:
			if err := r.sendFlushed(ctx, r.files.expire(now, idle)); err != nil {
				r.set.Logger.Error("Failed to deliver container log lines that were never completed", zap.Error(err))
			}
		}
	}
}

// sendFlushed converts and delivers partial lines given up on.
func (r *logsReceiver) sendFlushed(ctx context.Context, lines []flushedLine) error {
	if len(lines) == 0 {
		return nil
	}
	b := twingate.NewBatch(metadata.ScopeName)
	observed := pcommon.NewTimestampFromTime(time.Now())
	src := &twingate.Source{}
	for _, l := range lines {
		attrs := recordAttributes{file: l.attributes}
		src.SetResource(l.resource)
		src.Attributes = attrs.forLine(l.stream, 0, -1)
		src.Timestamp, src.Truncated = l.time, l.truncated
		r.conv.appendLine(ctx, b, l.text, src, observed)
	}
	return r.deliver(ctx, b)
}
