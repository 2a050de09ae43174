// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
)

var update = flag.Bool("update", false, "rewrite internal/testcorpus/golden/*_expected.yaml from the current output")

// goldenDir holds the golden inputs, their expected records and the settings
// each is read with (settings.yaml). Every line of an input becomes the
// records in its <name>_expected.yaml, read as the file input reads it
// (log.file.name set).
var goldenDir = testcorpus.Path("golden")

// goldenConfig is the configuration the golden input name is read with.
func goldenConfig(t *testing.T, settings map[string]*confmap.Conf, name string) Config {
	t.Helper()
	cfg := NewDefaultConfig()
	require.NoError(t, settings[name].Unmarshal(&cfg))
	return cfg
}

func TestGolden(t *testing.T) {
	settings := logstest.GoldenSettings(t, goldenDir)
	require.NotEmpty(t, settings)
	for name := range settings {
		t.Run(name, func(t *testing.T) {
			input := filepath.Join(goldenDir, name+".log")
			actual := translateFile(t, goldenConfig(t, settings, name), input)

			expectedPath := filepath.Join(goldenDir, name+"_expected.yaml")
			if *update {
				require.NoError(t, golden.WriteLogs(t, expectedPath, actual))
			}
			expected, err := golden.ReadLogs(expectedPath)
			require.NoError(t, err)
			logstest.RequireLogsMatch(t, expected, actual)
		})
	}
}

// goldenScopeName is the scope of the golden records: they are what the
// receiver delivers, and the receiver names its scope after itself.
const goldenScopeName = "github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver"

// translateFile runs every line of path through the translator, as one
// batch, the way the file input hands them over (log.file.name set).
func translateFile(t *testing.T, cfg Config, path string) plog.Logs {
	t.Helper()
	content, err := os.ReadFile(path)
	require.NoError(t, err)
	tr := NewTranslator(cfg)
	b := NewBatch(goldenScopeName)
	src := &Source{Attributes: map[string]any{"log.file.name": filepath.Base(path)}}
	for _, line := range bytes.Split(bytes.TrimSuffix(content, []byte("\n")), []byte("\n")) {
		tr.AppendLine(b, line, src, pcommon.Timestamp(1))
	}
	return b.Logs()
}

// TestBodyNone: with body: none, every golden case yields its golden records
// with no body, except the connector's other lines (other_lines: send), whose
// raw text is their only content.
func TestBodyNone(t *testing.T) {
	settings := logstest.GoldenSettings(t, goldenDir)
	for name := range settings {
		t.Run(name, func(t *testing.T) {
			input := filepath.Join(goldenDir, name+".log")
			cfg := goldenConfig(t, settings, name)
			cfg.Body = BodyNone
			actual := translateFile(t, cfg, input)

			content, err := os.ReadFile(input)
			require.NoError(t, err)
			rawLines := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSuffix(string(content), "\n"), "\n") {
				rawLines[ValidUTF8([]byte(line))] = true
			}
			expected := logstest.ReadGolden(t, filepath.Join(goldenDir, name+"_expected.yaml"))
			for _, rl := range expected.ResourceLogs().All() {
				for _, sl := range rl.ScopeLogs().All() {
					for _, lr := range sl.LogRecords().All() {
						// An ANALYTICS record's body is the line without its prefix,
						// never a whole input line.
						if !rawLines[lr.Body().AsString()] {
							pcommon.NewValueEmpty().CopyTo(lr.Body())
						}
					}
				}
			}
			logstest.RequireLogsMatch(t, expected, actual)
		})
	}
}
