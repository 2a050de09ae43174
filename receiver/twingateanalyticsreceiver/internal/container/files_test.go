// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package container

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
)

// testSettings are the file input's defaults: format auto, max_log_size 1 MiB.
var testSettings = Settings{Format: FormatAuto, MaxLogSize: 1 << 20}

// TestExpireWaitsForStalledPipeline: while a batch has been stuck in the
// pipeline longer than the idle time, files are read late, so no partial
// line is given up on.
func TestExpireWaitsForStalledPipeline(t *testing.T) {
	files := New(testSettings, zap.NewNop())
	partial := func(path string) *Batch {
		b := files.Begin(map[string]any{"log.file.path": path})
		b.Unwrap([][]byte{[]byte(`2025-11-20T10:00:01Z stderr P ANALYTICS {`)}, func(_ int, _ []byte, _ Line, ok bool) {
			require.False(t, ok)
		})
		return b
	}
	stuck := partial(logstest.PodLogDir + "/0.log") // its batch is still being delivered
	idle := partial(logstest.PodLogDir + "/1.log")
	idle.Done()

	later := time.Now().Add(time.Minute)
	assert.Empty(t, files.Expire(later, time.Second))
	assert.Len(t, files.files, 2)

	stuck.Done()
	flushed := files.Expire(time.Now().Add(time.Minute), time.Second)
	assert.Len(t, flushed, 2)
	assert.Empty(t, files.files)
	assert.Empty(t, files.byPath)
}

// BenchmarkUnwrap measures taking the connector line out of one entry, per
// format (raw: the line as is).
func BenchmarkUnwrap(b *testing.B) {
	line, _, _ := strings.Cut(string(testcorpus.ReadFile(b, "golden/events.log")), "\n")
	docker, err := json.Marshal(map[string]string{"log": line + "\n", "stream": "stderr", "time": "2025-11-20T10:00:00.124530911Z"})
	require.NoError(b, err)
	for _, tc := range []struct{ name, token string }{
		{"raw", line},
		{"docker", string(docker)},
		{"cri", "2025-11-20T10:00:00.124530911Z stderr F " + line},
	} {
		b.Run(tc.name, func(b *testing.B) {
			files := New(testSettings, zap.NewNop())
			batch := files.Begin(map[string]any{"log.file.path": "/" + logstest.PodLogDir + "/0.log"})
			f := batch.f
			token := []byte(tc.token)
			b.SetBytes(int64(len(token)))
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := files.unwrap(f, token); !ok {
					b.Fatal("no line")
				}
			}
		})
	}
}
