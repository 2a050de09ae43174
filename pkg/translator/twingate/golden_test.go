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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*_expected.yaml from the current output")

// goldenCases maps each input under testdata/golden to the receiver settings it
// is read with. Every line of an input becomes the records in its
// <name>_expected.yaml, read as the file input reads it (log.file.name set).
var goldenCases = map[string]func(*Config){
	"events":       nil,
	"docs_spacing": nil,
	"extra_fields": nil,
	"client_ip":    nil,
	"empty_fields": nil,
	"malformed":    nil,
	"noise":        func(c *Config) { c.OtherLines = OtherLinesSend },
}

func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join("testdata", "golden", "*.log"))
	require.NoError(t, err)
	require.Len(t, inputs, len(goldenCases), "every input needs a goldenCases entry")
	for _, input := range inputs {
		name := strings.TrimSuffix(filepath.Base(input), ".log")
		t.Run(name, func(t *testing.T) {
			mutate, ok := goldenCases[name]
			require.True(t, ok, "no goldenCases entry for %s", input)
			cfg := NewDefaultConfig()
			if mutate != nil {
				mutate(&cfg)
			}
			actual := translateFile(t, cfg, input)

			expectedPath := filepath.Join("testdata", "golden", name+"_expected.yaml")
			if *update {
				require.NoError(t, golden.WriteLogs(t, expectedPath, actual))
			}
			expected, err := golden.ReadLogs(expectedPath)
			require.NoError(t, err)
			require.NoError(t, plogtest.CompareLogs(expected, actual, plogtest.IgnoreObservedTimestamp()))
			// plogtest does not compare EventName.
			assert.Equal(t, logstest.EventNames(expected), logstest.EventNames(actual))
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
	for name, mutate := range goldenCases {
		t.Run(name, func(t *testing.T) {
			input := filepath.Join("testdata", "golden", name+".log")
			cfg := NewDefaultConfig()
			if mutate != nil {
				mutate(&cfg)
			}
			cfg.Body = BodyNone
			actual := translateFile(t, cfg, input)

			content, err := os.ReadFile(input)
			require.NoError(t, err)
			rawLines := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSuffix(string(content), "\n"), "\n") {
				rawLines[ValidUTF8([]byte(line))] = true
			}
			expected := logstest.ReadGolden(t, filepath.Join("testdata", "golden", name+"_expected.yaml"))
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
			require.NoError(t, plogtest.CompareLogs(expected, actual, plogtest.IgnoreObservedTimestamp()))
		})
	}
}
