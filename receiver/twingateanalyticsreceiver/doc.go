// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package twingateanalyticsreceiver reads Twingate Connector real-time
// connection logs ("ANALYTICS {json}" lines, TWINGATE_LOG_ANALYTICS=v2) from
// files or journald and turns each line into an OTLP log record with
// semantic-convention attributes.
package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"
