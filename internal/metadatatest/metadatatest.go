// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package metadatatest checks a component's hand-written internal/metadata,
// documentation.md and README status table against its metadata.yaml, as
// mdatagen's generated tests would: mdatagen is not served here, so the
// files it would write are written by hand and these checks keep them true.
package metadatatest // import "github.com/otelcol-twingate/otelcol-twingate/internal/metadatatest"

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
)

// Metadata is the part of metadata.yaml this component uses, in
// mdatagen's schema.
type Metadata struct {
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

// Component is what a component's internal/metadata says of it.
type Component struct {
	Type  component.Type
	Class string
	// Stability is status.stability as metadata.yaml writes it.
	Stability map[string][]string
	// NewTelemetryBuilder is the component's metadata.NewTelemetryBuilder.
	NewTelemetryBuilder func(component.TelemetrySettings) (any, error)
}

// Check checks c, documentation.md and README.md's status table against the
// metadata.yaml in the test's directory; with update it rewrites
// documentation.md first.
func Check(t *testing.T, c Component, update bool) {
	t.Helper()
	md := Read(t)
	assert.Equal(t, md.Type, c.Type.String())
	assert.Equal(t, md.Status.Class, c.Class)
	assert.Equal(t, md.Status.Stability, c.Stability)
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	tb, err := c.NewTelemetryBuilder(tel.NewTelemetrySettings())
	require.NoError(t, err)
	CheckTelemetry(t, md, tb, tel)
	CheckDocumentation(t, md, update)
	CheckReadmeStatus(t, md)
}

// Read reads the metadata.yaml in the test's directory.
func Read(t *testing.T) Metadata {
	t.Helper()
	conf, err := confmaptest.LoadConf("metadata.yaml")
	require.NoError(t, err)
	var md Metadata
	require.NoError(t, conf.Unmarshal(&md))
	return md
}

// CheckTelemetry checks that builder, a component's *TelemetryBuilder made
// with tel's settings, has one counter per telemetry metric of md, each with
// its description, stability and unit, and that every metric attribute is
// declared.
func CheckTelemetry(t *testing.T, md Metadata, builder any, tel *componenttest.Telemetry) {
	t.Helper()
	counters := map[string]metric.Int64Counter{}
	v := reflect.ValueOf(builder).Elem()
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
			assert.NotEmpty(t, want.Attributes, "attributes of %s", name)
			for _, attr := range want.Attributes {
				assert.Contains(t, md.Attributes, attr, "undeclared attribute")
			}
		})
	}
}

// CheckDocumentation checks that documentation.md is what md says, in
// mdatagen's layout; with update it rewrites the file first.
func CheckDocumentation(t *testing.T, md Metadata, update bool) {
	t.Helper()
	want := renderDocumentation(md)
	if update {
		require.NoError(t, os.WriteFile("documentation.md", []byte(want), 0o600))
	}
	got, err := os.ReadFile("documentation.md")
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
}

// CheckReadmeStatus checks README.md's title and status table against md.
func CheckReadmeStatus(t *testing.T, md Metadata) {
	t.Helper()
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

func renderDocumentation(md Metadata) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[comment]: <> (Written from metadata.yaml; TestMetadata checks it. Do not edit by hand: run go test -run TestMetadata -update.)\n\n")
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
