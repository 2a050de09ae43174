// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
)

// exportGoldenDir holds the translator's S3 sync objects, built from the
// documented examples.
var exportGoldenDir = testcorpus.Path("export")

// TestExampleMetricsExport: examples/metrics.yaml, unchanged but for its
// receiver, counts the network events of Twingate's S3 sync export as it
// counts connector lines, denied access included; DNS filtering events and
// audit logs are forwarded as logs but count as no connection. The export
// objects reach the built binary through Kafka and the twingate_encoding
// extension (format s3_export), the path that needs no S3 input.
func TestExampleMetricsExport(t *testing.T) {
	distribution(t)
	k := startKafka(t)
	endpoint, logs, metrics := startOTLPLogsAndMetricsBackend(t)
	t.Setenv("OTLP_LOGS_ENDPOINT", endpoint)
	t.Setenv("OTLP_METRICS_ENDPOINT", endpoint)

	var records []*kgo.Record
	for _, name := range []string{"network_access.json", "dns_filtering.json", "audit_log.json"} {
		content, err := os.ReadFile(filepath.Join(exportGoldenDir, name))
		require.NoError(t, err)
		records = append(records, &kgo.Record{Topic: fleetRawTopic, Value: content})
	}
	require.NoError(t, k.client(t).ProduceSync(context.Background(), records...).FirstErr())

	col := startCollector(t,
		"--config", examplePath("metrics.yaml"),
		"--config", "yaml:extensions::twingate_encoding: {format: s3_export}",
		"--config", fmt.Sprintf("yaml:receivers::kafka: {brokers: [%q], group_id: export-metrics, initial_offset: earliest, logs: {topics: [%s], encoding: twingate_encoding}}",
			k.brokers, fleetRawTopic),
		"--config", "yaml:service::extensions: [twingate_encoding]",
		"--config", "yaml:service::pipelines::logs::receivers: [kafka]",
		"--config", "yaml:service::telemetry::metrics::level: none",
	)

	const pigeon, heron = "faithful-pigeon/aws-us-east-1-dev", "quiet-heron/aws-us-east-1-dev"
	const (
		established = "twingate.event_type=established_connection"
		closed      = "twingate.event_type=closed_connection"
		failed      = "twingate.event_type=failed_to_connect"
		denied      = "twingate.event_type=denied_access"
		receive     = "network.io.direction=receive"
		transmit    = "network.io.direction=transmit"
	)
	addr := func(a string) string { return "server.address=" + a }
	wantSums := map[string]int64{
		series("twingate.connections", pigeon, addr("argocd.eks.twindemo.int"), established): 1,
		series("twingate.connections", pigeon, addr("argocd.eks.twindemo.int"), closed):      1,
		series("twingate.connections", pigeon, addr("metrics.eks.twindemo.int"), failed):     1,
		// event_type "network", resource.address empty: server.address is the IP.
		series("twingate.connections", pigeon, addr("10.11.12.14"), established):             1,
		series("twingate.connections", heron, addr("db.eks.twindemo.int"), denied):           1,
		series("twingate.connection.failures", pigeon, addr("metrics.eks.twindemo.int")):     1,
		series("twingate.connection.io", pigeon, addr("argocd.eks.twindemo.int"), receive):   338,
		series("twingate.connection.io", pigeon, addr("argocd.eks.twindemo.int"), transmit):  404,
		series("twingate.connection.io", pigeon, addr("metrics.eks.twindemo.int"), receive):  0,
		series("twingate.connection.io", pigeon, addr("metrics.eks.twindemo.int"), transmit): 0,
		series("twingate.connection.io", heron, addr("db.eks.twindemo.int"), receive):        0,
		series("twingate.connection.io", heron, addr("db.eks.twindemo.int"), transmit):       0,
		series("twingate.active_connections", pigeon, addr("argocd.eks.twindemo.int")):       0,
		series("twingate.active_connections", pigeon, addr("10.11.12.14")):                   1,
	}
	assert.EventuallyWithT(t, func(c *assert.CollectT) {
		sums, histograms, _ := latestPoints(c, metrics.AllMetrics())
		assert.Equal(c, wantSums, sums)
		assert.Empty(c, histograms, "the export has no connection duration")
	}, waitForCollector, 100*time.Millisecond, "metrics never reached the export's totals; collector output:\n%s", col)
	// 5 network events, 3 DNS filtering events, 3 audit logs.
	require.Eventually(t, func() bool { return logs.LogRecordCount() >= 11 }, waitForCollector, 20*time.Millisecond)
	assert.Equal(t, 11, logs.LogRecordCount())
}
