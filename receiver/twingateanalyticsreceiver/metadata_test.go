// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingateanalyticsreceiver

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/metadata"
)

// componentMetadata is the part of metadata.yaml this component uses, in
// mdatagen's schema.
type componentMetadata struct {
	Type        string `mapstructure:"type"`
	DisplayName string `mapstructure:"display_name"`
	Description string `mapstructure:"description"`
	Status      struct {
		Class         string              `mapstructure:"class"`
		Stability     map[string][]string `mapstructure:"stability"`
		Distributions []string            `mapstructure:"distributions"`
	} `mapstructure:"status"`
	Attributes map[string]struct {
		Description string   `mapstructure:"description"`
		Type        string   `mapstructure:"type"`
		Enum        []string `mapstructure:"enum"`
	} `mapstructure:"attributes"`
	Telemetry struct {
		Metrics map[string]struct {
			Enabled     bool   `mapstructure:"enabled"`
			Description string `mapstructure:"description"`
			Unit        string `mapstructure:"unit"`
			Stability   struct {
				Level string `mapstructure:"level"`
			} `mapstructure:"stability"`
			Sum struct {
				ValueType string `mapstructure:"value_type"`
				Monotonic bool   `mapstructure:"monotonic"`
			} `mapstructure:"sum"`
			Attributes []string `mapstructure:"attributes"`
		} `mapstructure:"metrics"`
	} `mapstructure:"telemetry"`
}

func readMetadata(t *testing.T) componentMetadata {
	t.Helper()
	conf, err := confmaptest.LoadConf("metadata.yaml")
	require.NoError(t, err)
	var md componentMetadata
	require.NoError(t, conf.Unmarshal(&md))
	return md
}

// TestMetadata: internal/metadata, written by hand since mdatagen is not
// served here, says what metadata.yaml says: type, stability, scope name and
// every telemetry metric with its description and unit.
func TestMetadata(t *testing.T) {
	md := readMetadata(t)
	assert.Equal(t, md.Type, metadata.Type.String())
	assert.Equal(t, "receiver", md.Status.Class)
	assert.Equal(t, map[string][]string{"alpha": {"logs"}}, md.Status.Stability)
	assert.Equal(t, component.StabilityLevelAlpha, metadata.LogsStability)
	assert.Equal(t, "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver", metadata.ScopeName)

	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	tb, err := metadata.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	// Every counter of the builder, by its field name.
	counters := map[string]metric.Int64Counter{}
	v := reflect.ValueOf(tb).Elem()
	for i := range v.NumField() {
		if !v.Type().Field(i).IsExported() {
			continue
		}
		if c, ok := v.Field(i).Interface().(metric.Int64Counter); ok {
			counters[v.Type().Field(i).Name] = c
		}
	}
	require.Len(t, counters, len(md.Telemetry.Metrics), "one instrument per telemetry metric")
	for name, want := range md.Telemetry.Metrics {
		t.Run(name, func(t *testing.T) {
			counter, ok := counters[fieldName(name)]
			require.True(t, ok, "TelemetryBuilder has no %s", fieldName(name))
			counter.Add(context.Background(), 1)
			got, err := tel.GetMetric("otelcol_" + name)
			require.NoError(t, err)
			assert.Equal(t, want.Description+" ["+titled(want.Stability.Level)+"]", got.Description)
			assert.Equal(t, want.Unit, got.Unit)
			assert.True(t, want.Enabled)
			assert.Equal(t, "int", want.Sum.ValueType)
			assert.True(t, want.Sum.Monotonic)
			for _, attr := range want.Attributes {
				assert.Contains(t, md.Attributes, attr, "undeclared attribute")
			}
		})
	}
}

// TestDocumentation: documentation.md is what metadata.yaml says, in
// mdatagen's layout; `go test -run TestDocumentation -update` rewrites it.
func TestDocumentation(t *testing.T) {
	want := renderDocumentation(readMetadata(t))
	if *update {
		require.NoError(t, os.WriteFile("documentation.md", []byte(want), 0o600))
	}
	got, err := os.ReadFile("documentation.md")
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
}

// TestReadmeStatus: README.md's status table is what metadata.yaml says.
func TestReadmeStatus(t *testing.T) {
	md := readMetadata(t)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	var stability []string
	for level, signals := range md.Status.Stability {
		stability = append(stability, fmt.Sprintf("[%s]: %s", level, strings.Join(signals, ", ")))
	}
	slices.Sort(stability)
	assert.Contains(t, string(readme), "| Stability     | "+strings.Join(stability, "; ")+" |")
	assert.Contains(t, string(readme), "| Distributions | "+strings.Join(md.Status.Distributions, ", ")+" |")
	assert.Contains(t, string(readme), "# "+md.DisplayName+"\n")
}

// fieldName is the TelemetryBuilder field of a metric, as mdatagen names it.
func fieldName(metricName string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(metricName, "_") {
		b.WriteString(titled(part))
	}
	return b.String()
}

func titled(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func renderDocumentation(md componentMetadata) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[comment]: <> (Written from metadata.yaml; TestDocumentation checks it. Do not edit by hand: run go test -run TestDocumentation -update.)\n\n")
	fmt.Fprintf(&b, "# %s\n\n## Internal Telemetry\n\nThe following telemetry is emitted by this component.\n", md.Type)
	names := make([]string, 0, len(md.Telemetry.Metrics))
	for name := range md.Telemetry.Metrics {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		m := md.Telemetry.Metrics[name]
		fmt.Fprintf(&b, "\n### otelcol_%s\n\n%s [%s]\n\n", name, m.Description, titled(m.Stability.Level))
		b.WriteString("| Unit | Metric Type | Value Type | Monotonic | Stability |\n| ---- | ----------- | ---------- | --------- | --------- |\n")
		fmt.Fprintf(&b, "| %s | Sum | %s | %t | %s |\n", m.Unit, titled(m.Sum.ValueType), m.Sum.Monotonic, titled(m.Stability.Level))
		b.WriteString("\n#### Attributes\n\n| Name | Description | Values |\n| ---- | ----------- | ------ |\n")
		for _, attr := range m.Attributes {
			a := md.Attributes[attr]
			values := "Any " + titled(a.Type)
			if len(a.Enum) > 0 {
				values = titled(a.Type) + ": ``" + strings.Join(a.Enum, "``, ``") + "``"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", attr, a.Description, values)
		}
	}
	return b.String()
}
