// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver // import "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

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

// converter hands each line to the translator, the only path from a line to
// a record, and accounts for what became of it on the receiver's counters
// (the twingate_encoding extension accounts the same way on its own). Files
// and journald share it.
type converter struct {
	translator *twingate.Translator
	accountant *accounting.Accountant
}

// newConverter labels its counters with the receiver's ID, as the standard
// receiver metrics are, so two instances of the receiver count apart.
func newConverter(id component.ID, cfg *Config, logger *zap.Logger, tb *metadata.TelemetryBuilder) *converter {
	return &converter{
		translator: twingate.NewTranslator(cfg.Config),
		accountant: accounting.New(receiverAttribute(id), cfg.Config, logger,
			tb.ReceiverTwingateanalyticsOtherLines, tb.ReceiverTwingateanalyticsMalformedLines),
	}
}

func receiverAttribute(id component.ID) attribute.KeyValue {
	return attribute.String("receiver", id.String())
}

// appendLine converts one line into at most one record in b.
func (c *converter) appendLine(ctx context.Context, b *twingate.Batch, line []byte, src *twingate.Source, observed pcommon.Timestamp) {
	c.accountant.Account(ctx, c.translator.AppendLine(b, line, src, observed), len(line))
}
