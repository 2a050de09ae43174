// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package journaldinput

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/extension/storage/storagetest"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension/xextension/storage"
	"go.uber.org/goleak"

	"github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"
	"github.com/otelcol-twingate/otelcol-twingate/receiver/twingateanalyticsreceiver/internal/inputtest"
)

// TestMain fails the package's tests when one leaves a goroutine running.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const waitFor = 10 * time.Second

// update rewrites testdata/*_expected.yaml from the current output; review
// the diff.
var update = flag.Bool("update", false, "rewrite testdata/*_expected.yaml from the current output")

// runInput starts a journald input on cfg delivering to sink, with client
// (nil: no storage), and returns what stops it, once (also when the test
// ends).
func runInput(t *testing.T, cfg *Config, tcfg twingate.Config, sink *inputtest.Sink, client storage.Client, opts ...Option) func() {
	t.Helper()
	require.NoError(t, cfg.Validate())
	set := inputtest.Settings(nil)
	return inputtest.Start(t, New(cfg, set, inputtest.NewConverter(t, set, tcfg), opts...), client, sink)
}

// storageClient opens a file-backed storage client in dir, closed when the
// test ends (closing twice is harmless).
func storageClient(t *testing.T, dir string) storage.Client {
	t.Helper()
	host := storagetest.NewStorageHost().WithFileBackedStorageExtension("file_storage", dir)
	ext := host.GetExtensions()[storagetest.NewStorageID("file_storage")].(storage.Extension)
	client, err := ext.GetClient(context.Background(), component.KindReceiver, inputtest.ID, "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close(context.Background()) })
	return client
}
