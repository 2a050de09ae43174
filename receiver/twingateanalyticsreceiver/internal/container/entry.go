// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package container // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"

import (
	"bytes"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-twingate/otelcol-twingate/internal/jsonscan"
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

// detectFormat tells the format of a file from one of its lines.
func detectFormat(line []byte) string {
	if _, _, ok := parseDocker(line); ok {
		return FormatDocker
	}
	if _, _, ok := parseCRI(line); ok {
		return FormatCRI
	}
	return FormatRaw
}

// parseDocker decodes a json-file entry, {"log":"…","stream":"…","time":"…"}
// (plus "attrs" with --log-opt labels), with the scanner the mapping uses.
// Docker splits lines longer than 16 KiB into several entries; all but the
// last lack the trailing newline.
func parseDocker(token []byte) (line Line, partial, ok bool) {
	token = bytes.TrimSpace(token)
	if len(token) == 0 || token[0] != '{' {
		return line, false, false
	}
	sc := jsonscan.New(string(token))
	var text, stream, ts string
	hasLog := false
	for key, more := sc.FirstKey(); more; key, more = sc.NextKey() {
		if key != "log" && key != "stream" && key != "time" {
			sc.Skip()
			continue
		}
		if sc.Peek() != '"' {
			return line, false, false
		}
		switch v := sc.Str(); key {
		case "log":
			text, hasLog = v, true
		case "stream":
			stream = v
		default:
			ts = v
		}
	}
	if sc.End(); sc.Err() != nil || !hasLog {
		return line, false, false
	}
	text, complete := strings.CutSuffix(text, "\n")
	return Line{Text: []byte(text), Stream: stream, Time: parseTime(ts)}, !complete, true
}

// parseCRI decodes a CRI entry: `<RFC 3339 time> <stream> <tags> <text>`,
// where the tag P marks all but the last piece of a split line.
func parseCRI(token []byte) (line Line, partial, ok bool) {
	ts, rest, ok := bytes.Cut(token, []byte{' '})
	if !ok {
		return line, false, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(ts))
	if err != nil {
		return line, false, false
	}
	stream, rest, ok := bytes.Cut(rest, []byte{' '})
	if !ok || (string(stream) != "stdout" && string(stream) != "stderr") {
		return line, false, false
	}
	tags, text, _ := bytes.Cut(rest, []byte{' '})
	if len(tags) == 0 {
		return line, false, false
	}
	first, _, _ := bytes.Cut(tags, []byte{':'})
	return Line{Text: text, Stream: string(stream), Time: pcommon.NewTimestampFromTime(t)}, string(first) == "P", true
}

func parseTime(s string) pcommon.Timestamp {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0
	}
	return pcommon.NewTimestampFromTime(t)
}
