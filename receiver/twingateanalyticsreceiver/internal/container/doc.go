// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package container takes connector lines out of container runtime logs:
// Docker's json-file entries and CRI entries (entry.go), split lines put back
// together per file and stream (files.go), and the Kubernetes and Docker
// resource a log's path implies (path.go). Raw files pass through unchanged.
package container // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
