// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package fileinput

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/goleak"

	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// TestMain fails the package's tests when one leaves a goroutine running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitFor = 10 * time.Second

// mappingTestdata holds the golden files and the hostile corpus of the line ->
// record mapping, which the input must deliver unchanged.
var mappingTestdata = testcorpus.Path()

// update rewrites the container golden files from the current output;
// review the diff.
var update = flag.Bool("update", false, "rewrite internal/testcorpus/container/*_expected.yaml from the current output")

// testConfig is what the receiver configures a file input with: its own
// configuration and how lines become records.
type testConfig struct {
	file Config
	twingate.Config
}

func fileConfig(include ...string) *testConfig {
	f := NewDefaultConfig()
	f.Include = include
	f.StartAt = "beginning"
	f.PollInterval = 10 * time.Millisecond
	return &testConfig{file: f, Config: twingate.NewDefaultConfig()}
}

// runInput starts a file input on cfg delivering to sink, with client (nil:
// no storage), and returns what stops it, once (also when the test ends).
func runInput(t *testing.T, cfg *testConfig, sink *inputtest.Sink, tel *componenttest.Telemetry, client storage.Client, opts ...Option) func() {
	t.Helper()
	if err := cfg.file.Validate(); err != nil {
		t.Fatal(err)
	}
	set := inputtest.Settings(tel)
	in := New(&cfg.file, set, inputtest.NewConverter(t, set, cfg.Config), opts...)
	return inputtest.Start(t, in, client, sink)
}

// startInput starts a file input on cfg, without storage, delivering to a
// new sink.
func startInput(t *testing.T, cfg *testConfig, tel *componenttest.Telemetry, opts ...Option) *inputtest.Sink {
	t.Helper()
	sink := inputtest.NewSink()
	runInput(t, cfg, sink, tel, nil, opts...)
	return sink
}

func joinLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

func appendLines(t *testing.T, path, lines string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	require.NoError(t, err)
	_, err = f.WriteString(lines)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}
