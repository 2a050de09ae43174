// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package twingate translates the output of Twingate Connectors, and the
// events of Twingate's S3 sync export, into OpenTelemetry logs: one line or
// event in, at most one log record out.
//
// The path from a line to a record, in the order the files take it:
//
//   - prefix.go: is it an ANALYTICS line, and where does its JSON start;
//   - jsonscan.go: a one-pass JSON scanner over the payload;
//   - event.go: the fields of one connection event, found by the table in
//     fields.go, each kept as scanned until it is mapped;
//   - mapping.go: the fields become the record's time, event name, severity
//     and attributes (attributes.go names them, jsonvalue.go copies values
//     the mapping does not name);
//   - translate.go: other lines, malformed lines and the body, as configured
//     (config.go), and the Result that tells the caller what became of the line;
//   - batch.go: records grouped into one ResourceLogs per connector.
//
// Twingate's S3 sync export (network, DNS filtering and audit events in
// objects of a bucket) takes the same path from its own files, one per step,
// named export_*.go so that they read apart from the connector line's:
//
//   - export_scan.go: ExportScanner splits an object into events, whatever
//     the framing, in memory bounded by the largest event;
//   - export_event.go: the fields of one event, found by the tables of
//     export_fields.go (one per event type), each kept as scanned;
//   - export_mapping.go: the fields become the record, with the connector
//     line's attributes wherever the meaning is the same;
//   - export_translate.go: AppendExportEvent, the Result of each event, as
//     translate.go for lines (the same Batch, Config and outcomes).
//
// They share the package, not a subpackage, because they share its
// unexported parts: the Batch's scratch record and resource grouping, the
// JSON value copying, relays, unknown fields and the key cache.
//
// The package depends on pdata only, so that the receiver, the encoding
// extension and anything else that holds connector lines map them alike.
package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
