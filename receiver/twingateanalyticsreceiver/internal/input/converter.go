// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package input // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/input"

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/internal/accounting"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// Converter hands each line or event to the translator, the only path from
// what an input reads to a record, and accounts for what became of it on the
// receiver's counters (the twingate_encoding extension accounts the same way
// on its own). All inputs share it.
type Converter struct {
	translator *twingate.Translator
	accountant *accounting.Accountant
}

// NewConverter labels its counters with the receiver's ID, as the standard
// receiver metrics are, so two instances of the receiver count apart.
func NewConverter(id component.ID, cfg twingate.Config, logger *zap.Logger, tb *metadata.TelemetryBuilder) *Converter {
	return &Converter{
		translator: twingate.NewTranslator(cfg),
		accountant: accounting.New(ReceiverAttribute(id), cfg, logger,
			tb.ReceiverTwingateanalyticsOtherLines, tb.ReceiverTwingateanalyticsMalformedLines),
	}
}

// ReceiverAttribute is the attribute the receiver's own metrics carry.
func ReceiverAttribute(id component.ID) attribute.KeyValue {
	return attribute.String("receiver", id.String())
}

// AppendLine converts one connector line into at most one record in b.
func (c *Converter) AppendLine(ctx context.Context, b *twingate.Batch, line []byte, src *twingate.Source, observed pcommon.Timestamp) {
	c.accountant.Account(ctx, c.translator.AppendLine(b, line, src, observed), len(line))
}

// AppendExportEvent converts one event of a Twingate S3 sync object into at
// most one record in b.
func (c *Converter) AppendExportEvent(ctx context.Context, b *twingate.Batch, event []byte, src *twingate.Source, observed pcommon.Timestamp) {
	c.accountant.Account(ctx, c.translator.AppendExportEvent(b, event, src, observed), len(event))
}
