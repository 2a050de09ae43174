// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/container"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

const (
	// format is reported to the receiver's standard observability metrics.
	format = "twingate_analytics"

	transportFile     = "file"
	transportJournald = "journald"
)

type logsReceiver struct {
	cfg       *Config
	set       receiver.Settings
	next      consumer.Logs
	obsrecv   *receiverhelper.ObsReport
	telemetry *metadata.TelemetryBuilder
	conv      *converter
	delivery  *deliverer

	// files unwraps container logs (file input only).
	files *container.Files
	// partialIdle and partialCheck time the expiry of partial lines.
	partialIdle, partialCheck time.Duration
	// journaldMaxBatch, when set, replaces the journald sink's batch size.
	journaldMaxBatch int

	storageClient storage.Client
	stopInput     func() error
	// delivered records what was delivered per file (file input, storage).
	delivered *deliveredOffsets
}

func newLogsReceiver(set receiver.Settings, cfg *Config, next consumer.Logs) (*logsReceiver, error) {
	transport := transportFile
	if cfg.Journald.HasValue() {
		transport = transportJournald
	}
	obsrecv, err := receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              transport,
		ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	r := &logsReceiver{
		cfg:          cfg,
		set:          set,
		next:         next,
		obsrecv:      obsrecv,
		telemetry:    tb,
		conv:         newConverter(set.ID, cfg, set.Logger, tb),
		delivery:     newDeliverer(cfg.RetryOnFailure, next, set.Logger, tb, receiverAttribute(set.ID)),
		partialIdle:  partialLineIdle,
		partialCheck: partialLineCheck,
	}
	if fileCfg := cfg.File.Get(); fileCfg != nil {
		r.files = container.New(fileCfg.containerSettings(), set.Logger)
	}
	return r, nil
}

func (r *logsReceiver) Start(ctx context.Context, host component.Host) error {
	client, err := adapter.GetStorageClient(ctx, host, r.cfg.Storage, r.set.ID)
	if err != nil {
		return err
	}
	r.storageClient = client

	switch {
	case r.cfg.File.HasValue():
		err = r.startFile(r.cfg.File.Get())
	case r.cfg.Journald.HasValue():
		err = r.startJournald(r.cfg.Journald.Get())
	default:
		err = errors.New("no input configured")
	}
	if err != nil {
		return errors.Join(err, r.Shutdown(ctx))
	}
	return nil
}

// Shutdown first lets deliveries in progress finish, so what the next
// consumer accepted is checkpointed and what it did not is not, then stops
// the input before closing storage, so the last checkpoint is written. It is
// safe to call without Start and more than once.
func (r *logsReceiver) Shutdown(ctx context.Context) error {
	r.delivery.shutdown(ctx)
	var errs []error
	if r.stopInput != nil {
		errs = append(errs, r.stopInput())
		r.stopInput = nil
	}
	if r.storageClient != nil {
		errs = append(errs, r.storageClient.Close(ctx))
		r.storageClient = nil
	}
	return errors.Join(errs...)
}

// deliver hands a batch to the next consumer, retrying as configured, with
// the standard receiver observability (accepted / refused log records, once
// per batch). It returns nil when the batch was accepted or dropped and
// counted, and errInterrupted when shutdown stopped it: then the input must
// not checkpoint the batch.
func (r *logsReceiver) deliver(ctx context.Context, b *twingate.Batch) error {
	n := b.Logs().LogRecordCount()
	if n == 0 {
		return nil
	}
	obsCtx := r.obsrecv.StartLogsOp(ctx)
	err := r.delivery.consume(obsCtx, b.Logs())
	r.obsrecv.EndLogsOp(obsCtx, format, n, err)
	if isDropped(err) {
		return nil
	}
	return err
}
