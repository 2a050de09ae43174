// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package twingateanalyticsreceiver reads Twingate Connector real-time
// connection logs ("ANALYTICS {json}" lines, TWINGATE_LOG_ANALYTICS=v2) from
// files or journald, or the events Twingate's S3 sync writes to a bucket, and
// turns each line or event into an OTLP log record with semantic-convention
// attributes. Each input is a package of its own (internal/fileinput,
// internal/journaldinput, internal/s3input) behind internal/input.
package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"
