// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package input is what the receiver's inputs (fileinput, journaldinput,
// s3input) share: the interface the receiver runs them through, the one
// delivery path they hand batches to, and the converter that turns what they
// read into records.
package input // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"

import (
	"context"

	"go.opentelemetry.io/collector/extension/xextension/storage"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
)

// Input reads Twingate analytics from one source and hands them, as batches,
// to the receiver's delivery path. The receiver owns the lifecycle, storage,
// observability and delivery (retry); an input owns only its reading and its
// checkpoints.
type Input interface {
	// Start begins reading. client is the storage client the input keeps its
	// place in; nil when no storage extension is configured (then a restart
	// starts over as the input's start_at says). Every batch goes to d.
	Start(ctx context.Context, client storage.Client, d Deliverer) error
	// Shutdown stops reading. It is called after the receiver stopped new
	// deliveries, and before the storage client is closed, so the input
	// can store its last checkpoint. It is safe without Start and twice.
	Shutdown(ctx context.Context) error
}

// Deliverer is the receiver's one delivery path.
type Deliverer interface {
	// Deliver hands a batch to the next consumer, retrying as configured.
	// It returns nil once the batch was accepted, or dropped and counted:
	// the input may then checkpoint past it. Any other error means the
	// batch was not delivered (shutdown interrupted it): the input must not
	// checkpoint it, so that it is read again after a restart.
	Deliver(ctx context.Context, b *twingate.Batch) error
	// InputStopped tells the delivery path that the input stopped reading:
	// what it delivers from then on (lines it held back) cannot be read
	// again, so it is retried for a grace period, then dropped and counted.
	InputStopped()
}
