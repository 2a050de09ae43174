// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// Checks of the backend example files that are not whole collector
// configurations (TestDeployExamples runs them): the remote-write layer, the
// Grafana dashboard and the Prometheus alert rules. Their queries are
// evaluated on real data in prometheus_test.go.

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkMetricsLayer: a layer on examples/metrics.yaml, not a configuration
// of its own; the two together validate with the variables the layer
// documents.
func checkMetricsLayer(t *testing.T, p string) {
	content, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.False(t, isCollectorConfig(t, content), "%s is meant to be layered on examples/metrics.yaml", p)
	for _, name := range envRefs(string(content)) {
		require.Contains(t, exampleEnv, name, "%s uses ${env:%s}: add it to exampleEnv", p, name)
	}
	// It replaces the OTLP metrics exporter, so that one's endpoint is not set.
	cmd := exec.Command(distribution(t), "validate", "--config", examplePath("metrics.yaml"), "--config", p)
	for k, v := range exampleEnv {
		if k != "OTLP_METRICS_ENDPOINT" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "validate metrics.yaml + %s:\n%s", p, out)
}

// checkGrafanaDashboard: importable as is. Its data source is a variable of
// type prometheus that every panel and query uses, and it has no
// environment-specific id.
func checkGrafanaDashboard(t *testing.T, p string) {
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	var d struct {
		ID         any `json:"id"`
		Title, UID string
		Templating struct {
			List []struct{ Name, Type, Query string }
		}
		Panels []struct {
			Title      string
			Type       string
			Datasource struct{ Type, UID string }
			Targets    []struct {
				Expr       string
				Datasource struct{ Type, UID string }
			}
		}
	}
	require.NoError(t, json.Unmarshal(data, &d))
	assert.Nil(t, d.ID, "an id ties the dashboard to one Grafana")
	assert.NotEmpty(t, d.Title)
	assert.NotEmpty(t, d.UID)
	require.Len(t, d.Templating.List, 1)
	v := d.Templating.List[0]
	assert.Equal(t, "datasource", v.Type)
	assert.Equal(t, "prometheus", v.Query)
	ref := "${" + v.Name + "}"
	require.NotEmpty(t, d.Panels)
	for _, panel := range d.Panels {
		assert.NotEmpty(t, panel.Type, panel.Title)
		assert.Equal(t, ref, panel.Datasource.UID, panel.Title)
		require.NotEmpty(t, panel.Targets, panel.Title)
		for _, target := range panel.Targets {
			assert.Equal(t, ref, target.Datasource.UID, panel.Title)
			assert.NotEmpty(t, strings.TrimSpace(target.Expr), panel.Title)
		}
	}
}

// checkAlertRules: the rules load and pass their unit tests
// (twingate-alerts_test.yaml) in promtool, of the Prometheus 3 the backend
// tests run.
func checkAlertRules(t *testing.T, p string) {
	promtool := backendBinary(t, "OTELCOL_TWINGATE_PROMTOOL")
	for _, args := range [][]string{
		{"check", "rules", p},
		{"test", "rules", strings.TrimSuffix(p, ".yaml") + "_test.yaml"},
	} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
		t.Logf("promtool %s: %s", strings.Join(args, " "), strings.TrimSpace(string(out)))
	}
}
