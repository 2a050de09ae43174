// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package twingate translates the output of Twingate Connectors into
// OpenTelemetry logs: one line in, at most one log record out.
//
// The path from a line to a record, in the order the files take it:
//
//   - prefix.go: is it an ANALYTICS line, and where does its JSON start;
//   - internal/jsonscan: a one-pass JSON scanner over the payload;
//   - event.go: the fields of one connection event, found by the table in
//     fields.go, each kept as scanned until it is mapped;
//   - mapping.go: the fields become the record's time, event name, severity
//     and attributes (attributes.go names them, jsonvalue.go copies values
//     the mapping does not name);
//   - translate.go: other lines, malformed lines and the body, as configured
//     (config.go), and the Result that tells the caller what became of the line;
//   - batch.go: records grouped into one ResourceLogs per connector.
//
// The package depends on pdata only, so that the receiver, the encoding
// extension and anything else that holds connector lines map them alike.
package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
