// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateencodingextension // import "github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension"

import (
	"bytes"
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/encoding"

	"github.com/otelcol-twingate/otelcol-twingate/extension/encoding/twingateencodingextension/internal/metadata"
	"github.com/otelcol-twingate/otelcol-twingate/internal/accounting"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

var _ encoding.LogsUnmarshalerExtension = (*encodingExtension)(nil)

// encodingExtension maps payloads of connector output through the
// translator, and accounts for every line as the receiver does.
type encodingExtension struct {
	translator *twingate.Translator
	accountant *accounting.Accountant
	format     string
}

// newExtension labels its counters with the extension's ID, so that two
// instances (say, one per topic) count apart.
func newExtension(set extension.Settings, cfg *Config) (*encodingExtension, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	return &encodingExtension{
		translator: twingate.NewTranslator(cfg.Mapping),
		format:     cfg.Format,
		accountant: accounting.New(attribute.String("extension", set.ID.String()), cfg.Mapping, set.Logger,
			tb.TwingateEncodingOtherLines, tb.TwingateEncodingMalformedLines),
	}, nil
}

func (*encodingExtension) Start(context.Context, component.Host) error { return nil }

func (*encodingExtension) Shutdown(context.Context) error { return nil }

// UnmarshalLogs maps one payload: one record per connection event, grouped
// into one ResourceLogs per connector. Bad input never fails the payload
// (a failed payload is skipped or retried whole by the receiver): each line
// becomes a record, a flagged record or a counted drop, as on_error and
// other_lines say.
func (e *encodingExtension) UnmarshalLogs(buf []byte) (plog.Logs, error) {
	ctx := context.Background() // the interface gives none; counters only
	b := twingate.NewBatch(metadata.ScopeName)
	var src twingate.Source
	observed := pcommon.NewTimestampFromTime(time.Now())
	if e.format == FormatS3Export || e.format == FormatAuto && isExport(buf) {
		// The payload is in memory already: no event is too long to map.
		s := twingate.NewExportScanner(bytes.NewReader(buf), len(buf)+1)
		for s.Scan() {
			e.accountant.Account(ctx, e.translator.AppendExportEvent(b, s.Event(), &src, observed), len(s.Event()))
		}
		return b.Logs(), nil // a bytes.Reader has no I/O error
	}
	if event, ok := bareEvent(buf); ok {
		e.accountant.Account(ctx, e.translator.AppendEvent(b, event, &src, observed), len(event))
		return b.Logs(), nil
	}
	// Lines are split at '\n' only: the translator takes a line with its
	// '\r', as it does from files, so a CRLF line maps exactly as there.
	for len(buf) > 0 {
		line, rest, _ := bytes.Cut(buf, []byte{'\n'})
		e.accountant.Account(ctx, e.translator.AppendLine(b, line, &src, observed), len(line))
		buf = rest
	}
	return b.Logs(), nil
}

// isExport tells whether a payload is an S3 sync export object: its first
// JSON object (after whitespace, a BOM, and the '[' of a top-level array)
// has an "event" key, which connector events never have; an empty array
// "[]" is an empty export. Anything else, "[INFO] …" lines included, is
// connector output.
func isExport(buf []byte) bool {
	const space = " \t\r\n"
	buf = bytes.TrimLeft(bytes.TrimPrefix(bytes.TrimLeft(buf, space), []byte("\xef\xbb\xbf")), space)
	if rest, isArray := bytes.CutPrefix(buf, []byte("[")); isArray {
		buf = bytes.TrimLeft(rest, space)
		if len(buf) > 0 && buf[0] == ']' {
			return true
		}
	}
	if len(buf) == 0 || buf[0] != '{' {
		return false
	}
	s := twingate.NewExportScanner(bytes.NewReader(buf), len(buf)+1)
	return s.Scan() && twingate.IsExportEvent(s.Event())
}

// bareEvent reports whether the payload is one JSON event without the
// ANALYTICS prefix (its first non-blank byte opens an object), and returns it
// without the whitespace around it. All of it is the event: a JSON object
// may span lines, and anything after the object flags it invalid_json.
func bareEvent(buf []byte) ([]byte, bool) {
	trimmed := bytes.TrimSpace(buf)
	return trimmed, len(trimmed) > 0 && trimmed[0] == '{'
}
