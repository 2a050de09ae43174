// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import (
	"errors"
	"fmt"
)

// What to do with connector lines that are not ANALYTICS lines.
const (
	OtherLinesDrop = "drop"
	OtherLinesSend = "send"
)

// What to do with ANALYTICS lines that cannot be fully mapped. The values and
// their meaning are those of stanza's operator-level on_error.
const (
	OnErrorSend      = "send"
	OnErrorSendQuiet = "send_quiet"
	OnErrorDrop      = "drop"
	OnErrorDropQuiet = "drop_quiet"
)

// What the body of a connection event record holds.
const (
	// BodyOriginal is the event's JSON text, as the connector printed it.
	BodyOriginal = "original"
	// BodyNone leaves the body empty: the record carries only the mapped
	// attributes, so no field escapes attribute-level processing.
	BodyNone = "none"
)

// Config is how lines become records, wherever they come from: the receiver
// and the encoding extension embed it (mapstructure squash), so the keys are
// the same in both.
type Config struct {
	// OtherLines is drop or send.
	OtherLines string `mapstructure:"other_lines"`
	// OnError is send, send_quiet, drop or drop_quiet.
	OnError string `mapstructure:"on_error"`
	// Body is original or none.
	Body string `mapstructure:"body"`
}

// NewDefaultConfig drops other lines, sends malformed ones flagged and keeps
// the event's JSON text as the body.
func NewDefaultConfig() Config {
	return Config{OtherLines: OtherLinesDrop, OnError: OnErrorSend, Body: BodyOriginal}
}

// Validate names the key of each value it does not know.
func (c *Config) Validate() error {
	var errs []error
	switch c.OtherLines {
	case OtherLinesDrop, OtherLinesSend:
	default:
		errs = append(errs, fmt.Errorf("'other_lines' must be %q or %q, got %q", OtherLinesDrop, OtherLinesSend, c.OtherLines))
	}
	switch c.OnError {
	case OnErrorSend, OnErrorSendQuiet, OnErrorDrop, OnErrorDropQuiet:
	default:
		errs = append(errs, fmt.Errorf("'on_error' must be one of %q, %q, %q or %q, got %q",
			OnErrorSend, OnErrorSendQuiet, OnErrorDrop, OnErrorDropQuiet, c.OnError))
	}
	switch c.Body {
	case BodyOriginal, BodyNone:
	default:
		errs = append(errs, fmt.Errorf("'body' must be %q or %q, got %q", BodyOriginal, BodyNone, c.Body))
	}
	return errors.Join(errs...)
}

// DropsMalformed tells whether malformed lines are dropped (on_error drop or
// drop_quiet) rather than sent flagged.
func (c *Config) DropsMalformed() bool {
	return c.OnError == OnErrorDrop || c.OnError == OnErrorDropQuiet
}
