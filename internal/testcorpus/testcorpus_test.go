// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package testcorpus

import (
	"io/fs"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPathAndFSAgree: every embedded file is the file Path names, so tests
// that read bytes and tests that open paths see the same corpus.
func TestPathAndFSAgree(t *testing.T) {
	n := 0
	require.NoError(t, fs.WalkDir(FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		onDisk, err := os.ReadFile(Path(name))
		require.NoError(t, err)
		assert.Equal(t, onDisk, ReadFile(t, name), name)
		return nil
	}))
	assert.Greater(t, n, 80, "golden, hostile and journal files")
}
