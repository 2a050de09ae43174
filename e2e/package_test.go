// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// What the package and image tests share: the artifacts `make test` builds
// (named by OTELCOL_TWINGATE_* variables the Makefile exports), the version
// they all carry, and commands run for their output.

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// artifact returns a package or the image, which `make test` builds and
// names in variable.
func artifact(t *testing.T, variable string) string {
	t.Helper()
	return madeFile(t, variable)
}

// distVersion is dist.version of builder-config.yaml: the one place the
// version is written.
func distVersion(t *testing.T) string {
	t.Helper()
	v, ok := dig(readYAML(t, filepath.Join(repoRoot, "builder-config.yaml")), "dist", "version").(string)
	require.True(t, ok && v != "", "builder-config.yaml has no dist.version")
	return v
}

// output runs a command and returns its combined output, failing the test
// when it fails.
func output(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
	return string(out)
}

// tool returns the path of a command the tests need; `make deps` (the first
// step of `make test`) installs it.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	require.NoError(t, err, "%s is needed (Debian package %s; `make deps` installs it)", name, pkg)
	return p
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	content, err := os.ReadFile(p)
	require.NoError(t, err)
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// elfMachine is the GOARCH an ELF binary was built for.
func elfMachine(t *testing.T, p string) string {
	t.Helper()
	f, err := elf.Open(p)
	require.NoError(t, err)
	defer f.Close()
	switch f.Machine {
	case elf.EM_X86_64:
		return "amd64"
	case elf.EM_AARCH64:
		return "arm64"
	}
	return f.Machine.String()
}

// packageFiles is what both packages install: path -> mode, owner root.
var packageFiles = map[string]os.FileMode{
	"/usr/bin/otelcol-twingate":                        0o755,
	"/usr/lib/systemd/system/otelcol-twingate.service": 0o644,
	"/etc/otelcol-twingate":                            os.ModeDir | 0o755,
	"/etc/otelcol-twingate/config.yaml":                0o644,
	"/etc/otelcol-twingate/otelcol-twingate.env":       0o600,
}

// packageConfigFiles are kept across upgrades with local edits.
var packageConfigFiles = []string{"/etc/otelcol-twingate/config.yaml", "/etc/otelcol-twingate/otelcol-twingate.env"}

// packageSources maps installed files to the files of this checkout they
// are copies of.
var packageSources = map[string]string{
	"/usr/lib/systemd/system/otelcol-twingate.service": "packaging/otelcol-twingate.service",
	"/etc/otelcol-twingate/config.yaml":                "packaging/config.yaml",
	"/etc/otelcol-twingate/otelcol-twingate.env":       "packaging/otelcol-twingate.env",
}

// builtBinary is the collector `make` built for arch, which the packages of
// that arch must hold.
func builtBinary(t *testing.T, arch string) string {
	t.Helper()
	p := filepath.Join(repoRoot, "_build", "linux_"+arch, "otelcol-twingate")
	_, err := os.Stat(p)
	require.NoError(t, err, "the collector for %s", arch)
	return p
}
