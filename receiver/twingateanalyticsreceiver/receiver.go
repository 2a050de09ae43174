// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

import (
	"context"
	"errors"
	"fmt"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/stanza/adapter"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receiverhelper"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/fileinput"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/journaldinput"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/s3input"
)

const (
	// format is reported to the receiver's standard observability metrics.
	format = "twingate_analytics"

	// The transport of the standard observability metrics, per input.
	transportFile     = "file"
	transportJournald = "journald"
	transportS3       = "s3"
)

// logsReceiver runs one input and owns what the inputs share: the
// lifecycle, the storage client, the standard observability and the one
// delivery path (retry) every batch goes through.
type logsReceiver struct {
	cfg      *Config
	set      receiver.Settings
	obsrecv  *receiverhelper.ObsReport
	delivery *deliverer
	input    input.Input
	// transport names the input (file, journald or s3).
	transport string

	storageClient storage.Client
}

// inputOptions are options of the inputs the receiver builds; tests use
// them to shorten the inputs' timers.
type inputOptions struct {
	file     []fileinput.Option
	journald []journaldinput.Option
	s3       []s3input.Option
}

func newLogsReceiver(set receiver.Settings, cfg *Config, next consumer.Logs, opts inputOptions) (*logsReceiver, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	conv := input.NewConverter(set.ID, cfg.Config, set.Logger, tb)
	r := &logsReceiver{
		cfg:      cfg,
		set:      set,
		delivery: newDeliverer(cfg.RetryOnFailure, next, set.Logger, tb, input.ReceiverAttribute(set.ID)),
	}
	switch {
	case cfg.File.HasValue():
		r.transport = transportFile
		r.input = fileinput.New(cfg.File.Get(), set.TelemetrySettings, conv, opts.file...)
	case cfg.Journald.HasValue():
		r.transport = transportJournald
		r.input = journaldinput.New(cfg.Journald.Get(), set.TelemetrySettings, conv, opts.journald...)
	case cfg.S3.HasValue():
		r.transport = transportS3
		r.input = s3input.New(cfg.S3.Get(), set.ID, set.TelemetrySettings, conv, tb, opts.s3...)
	default:
		return nil, errors.New("no input configured")
	}
	r.obsrecv, err = receiverhelper.NewObsReport(receiverhelper.ObsReportSettings{
		ReceiverID:             set.ID,
		Transport:              r.transport,
		ReceiverCreateSettings: set,
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (r *logsReceiver) Start(ctx context.Context, host component.Host) error {
	if r.cfg.Storage != nil {
		client, err := adapter.GetStorageClient(ctx, host, r.cfg.Storage, r.set.ID)
		if err != nil {
			return fmt.Errorf("get the storage client: %w", err)
		}
		r.storageClient = client
	}
	if err := r.input.Start(ctx, r.storageClient, (*receiverDelivery)(r)); err != nil {
		return errors.Join(fmt.Errorf("start the %s input: %w", r.transport, err), r.Shutdown(ctx))
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
	if err := r.input.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("stop the %s input: %w", r.transport, err))
	}
	if r.storageClient != nil {
		if err := r.storageClient.Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("close the storage client: %w", err))
		}
		r.storageClient = nil
	}
	return errors.Join(errs...)
}

// receiverDelivery is the receiver as the inputs' input.Deliverer.
type receiverDelivery logsReceiver

// Deliver hands a batch to the next consumer, retrying as configured, with
// the standard receiver observability (accepted / refused log records, once
// per batch). It returns nil when the batch was accepted or dropped and
// counted, and errInterrupted when shutdown stopped it: then the input must
// not checkpoint the batch.
func (d *receiverDelivery) Deliver(ctx context.Context, b *twingate.Batch) error {
	n := b.Logs().LogRecordCount()
	if n == 0 {
		return nil
	}
	obsCtx := d.obsrecv.StartLogsOp(ctx)
	err := d.delivery.consume(obsCtx, b.Logs())
	d.obsrecv.EndLogsOp(obsCtx, format, n, err)
	if isDropped(err) {
		return nil
	}
	return err
}

// InputStopped marks the input as stopped (see deliverer.stopInput).
func (d *receiverDelivery) InputStopped() { d.delivery.stopInput() }
