// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package e2e

// The collector configurations the documentation shows are real ones: every
// ```yaml block of a Markdown file that holds a whole configuration (a
// `service:` with `pipelines:`) passes `otelcol-twingate validate`.

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// yamlBlock is a ```yaml fence and its text, with the line before it: a
// configuration for another distribution is marked there with
// <!-- not otelcol-twingate: why -->.
var yamlBlock = regexp.MustCompile("(?ms)^([^\n]*)\n[ \t]*```ya?ml\n(.*?)^[ \t]*```")

// wholeConfig tells a configuration from a fragment: it has pipelines.
var wholeConfig = regexp.MustCompile(`(?m)^service:\n(?:[ \t].*\n)*?[ \t]+pipelines:`)

// TestDocsConfigsValidate runs `validate` on each whole configuration in the
// repository's Markdown files, with the environment they name set.
func TestDocsConfigsValidate(t *testing.T) {
	bin := distribution(t)
	var validated int
	var skipped []string
	err := filepath.WalkDir(repoRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != repoRoot && (strings.HasPrefix(d.Name(), ".") || d.Name() == "_build") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".md") {
			return nil
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, block := range yamlBlock.FindAllStringSubmatch(string(content), -1) {
			if !wholeConfig.MatchString(block[2]) {
				continue // a fragment, not a configuration
			}
			if strings.HasPrefix(block[1], "<!-- not otelcol-twingate:") {
				skipped = append(skipped, path)
				continue
			}
			validated++
			config := filepath.Join(t.TempDir(), "config.yaml")
			require.NoError(t, os.WriteFile(config, []byte(block[2]), 0o600))
			cmd := exec.Command(bin, "validate", "--config", config)
			cmd.Env = append(os.Environ(), "OTLP_ENDPOINT=http://127.0.0.1:4318", "OTLP_TOKEN=token",
				"KAFKA_BROKERS=127.0.0.1:9092")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s, yaml block %d:\n%s\n%s", path, i+1, block[2], out)
		}
		return nil
	})
	require.NoError(t, err)
	require.Positive(t, validated, "no whole configuration found in the Markdown files")
	t.Logf("%d configurations from the documentation validated; marked for another distribution: %v", validated, skipped)
}
