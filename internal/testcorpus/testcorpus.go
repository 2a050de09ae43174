// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package testcorpus serves the test data that more than one package's tests
// read, so that no test reaches into another package's testdata through
// "../..":
//
//   - golden/: connector lines of every kind and the records the mapping
//     makes of them (settings.yaml says how each input is read); the
//     translator, the receiver, the encoding extension and e2e compare with
//     them;
//   - hostile/: one line of each kind of bad or unusual input, and what must
//     become of it (expected.yaml);
//   - export/: Twingate S3 sync export objects of every event type and
//     framing, and the records they map to; export_hostile/: one odd export
//     event of each kind and its outcome;
//   - container/: Docker json-file and CRI logs of a connector (split lines,
//     interleaved streams, rotations) and the records the file input makes
//     of them;
//   - journal/: a real journald journal file of connector output (and the
//     script that writes it, make journal-fixtures) for the journald input.
//
// The files are embedded (FS, ReadFile) for tests that need their bytes.
// Path names them in the source tree for what must open or write them itself:
// journalctl, the file input, golden -update.
package testcorpus // import "github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"

import (
	"embed"
	"path/filepath"
	"runtime"
	"testing"
)

// FS holds the corpus, with paths such as "golden/events.log".
//
//go:embed golden hostile export export_hostile container journal/twingate.journal
var FS embed.FS

// dir is this package's directory in the source tree, from where the
// compiler saw this file (go test builds without -trimpath).
var dir = func() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testcorpus: no caller information")
	}
	return filepath.Dir(file)
}()

// Path is the file or directory elem (e.g. "golden", "events.log") of the
// corpus in the source tree.
func Path(elem ...string) string {
	return filepath.Join(append([]string{dir}, elem...)...)
}

// ReadFile returns the content of the corpus file name (slash-separated, e.g.
// "golden/events.log"), failing the test if there is none.
func ReadFile(tb testing.TB, name string) []byte {
	tb.Helper()
	content, err := FS.ReadFile(name)
	if err != nil {
		tb.Fatalf("testcorpus: %v", err)
	}
	return content
}
