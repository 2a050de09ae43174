// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// The .rpm inspected with rpm (Debian package rpm; not installed here: this
// is a Debian machine), and every package of _build/dist/ (the other
// architectures when `make package` built them) checked for its metadata and
// the binary it carries.

import (
	"crypto/md5" //nolint:gosec // dpkg's md5sums file holds MD5 digests: the test checks one
	"encoding/hex"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rpmArch is rpm's name of a GOARCH.
var rpmArch = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

func rpmQuery(t *testing.T, rpmFile, format string) string {
	t.Helper()
	return output(t, "rpm", "-qp", "--qf", format, rpmFile)
}

// rpmInfo parses `rpm -qip` into its fields.
func rpmInfo(t *testing.T, rpmFile string) map[string]string {
	t.Helper()
	fields := map[string]string{}
	for _, line := range strings.Split(output(t, "rpm", "-qip", rpmFile), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			if _, seen := fields[strings.TrimSpace(k)]; !seen {
				fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return fields
}

func TestRPMPackage(t *testing.T) {
	rpmFile := artifact(t, "OTELCOL_TWINGATE_RPM")
	tool(t, "rpm", "rpm")
	version := distVersion(t)
	arch := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(rpmFile), "otelcol-twingate_"+version+"_"), ".rpm")

	info := rpmInfo(t, rpmFile)
	assert.Equal(t, "otelcol-twingate", info["Name"])
	assert.Equal(t, version, info["Version"], "the version of builder-config.yaml")
	assert.Equal(t, rpmArch[arch], info["Architecture"])
	assert.Equal(t, "Apache-2.0", info["License"])
	assert.Equal(t, "https://github.com/otelcol-twingate/otelcol-twingate", info["URL"])
	assert.NotEmpty(t, info["Summary"])
	assert.Contains(t, output(t, "rpm", "-qip", rpmFile), "OTLP_ENDPOINT", "the description says how to start it")

	// -qlp: exactly the files of the .deb, with their modes and owners; the
	// two configuration files are %config(noreplace).
	listed := strings.Fields(output(t, "rpm", "-qlp", rpmFile))
	var want []string
	for p := range packageFiles {
		want = append(want, p)
	}
	slices.Sort(want)
	slices.Sort(listed)
	assert.Equal(t, want, listed, "rpm -qlp")
	for _, line := range strings.Split(strings.TrimSpace(rpmQuery(t, rpmFile, "[%{FILENAMES}|%{FILEMODES:perms}|%{FILEUSERNAME}:%{FILEGROUPNAME}|%{FILEFLAGS:fflags}|%{FILEDIGESTS}\n]")), "\n") {
		f := strings.Split(line, "|")
		require.Len(t, f, 5, line)
		p, perms, owner, flags, digest := f[0], f[1], f[2], f[3], f[4]
		assert.Equal(t, packageFiles[p].String(), perms, "mode of %s", p)
		assert.Equal(t, "root:root", owner, "owner of %s", p)
		if slices.Contains(packageConfigFiles, p) {
			assert.Equal(t, "cn", flags, "%s is %%config(noreplace)", p)
		}
		if src, ok := packageSources[p]; ok {
			assert.Equal(t, sha256File(t, filepath.Join(repoRoot, src)), digest, "%s is %s", p, src)
		}
	}

	// The maintainer scripts are those of packaging/scripts/, which handle
	// rpm's arguments as well as dpkg's.
	for tag, script := range map[string]string{"PREIN": "preinstall.sh", "POSTIN": "postinstall.sh", "PREUN": "preremove.sh", "POSTUN": "postremove.sh"} {
		content, err := os.ReadFile(filepath.Join(repoRoot, "packaging", "scripts", script))
		require.NoError(t, err)
		assert.Equal(t, strings.TrimSpace(string(content)), strings.TrimSpace(rpmQuery(t, rpmFile, "%{"+tag+"}")), "%%{%s} is %s", tag, script)
		assert.Equal(t, "/bin/sh", strings.TrimSpace(rpmQuery(t, rpmFile, "%{"+tag+"PROG}")))
	}
	requires := strings.Fields(output(t, "rpm", "-qp", "--requires", rpmFile))
	assert.Subset(t, requires, []string{"systemd", "shadow-utils"}, "journalctl, useradd")
}

var packageName = regexp.MustCompile(`^otelcol-twingate_(.+)_([a-z0-9]+)\.(deb|rpm)$`)

// TestPackagesOfEveryArch checks every package in _build/dist/: this
// machine's, which `make test` builds, and those of the other architectures
// when `make package` has built them. Each carries the version of
// builder-config.yaml, its architecture, and the collector built for it.
func TestPackagesOfEveryArch(t *testing.T) {
	dist := filepath.Dir(artifact(t, "OTELCOL_TWINGATE_DEB"))
	tool(t, "rpm", "rpm")
	version := distVersion(t)
	entries, err := os.ReadDir(dist)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, e := range entries {
		m := packageName.FindStringSubmatch(e.Name())
		if m == nil || m[1] != version {
			continue // not a package, or one of an earlier version
		}
		p, arch, format := filepath.Join(dist, e.Name()), m[2], m[3]
		seen[format+"/"+arch] = true
		t.Run(e.Name(), func(t *testing.T) {
			bin := builtBinary(t, arch)
			assert.Equal(t, arch, elfMachine(t, bin), "the collector built for %s", arch)
			switch format {
			case "deb":
				assert.Equal(t, arch, strings.TrimSpace(output(t, "dpkg-deb", "-f", p, "Architecture")))
				assert.Equal(t, version, strings.TrimSpace(output(t, "dpkg-deb", "-f", p, "Version")))
				content, err := os.ReadFile(bin)
				require.NoError(t, err)
				sum := md5.Sum(content) //nolint:gosec // the digest dpkg-deb lists, not a security check
				assert.Contains(t, output(t, "dpkg-deb", "-I", p, "md5sums"), hex.EncodeToString(sum[:])+"  usr/bin/otelcol-twingate\n")
			case "rpm":
				assert.Equal(t, rpmArch[arch]+" "+version, rpmQuery(t, p, "%{ARCH} %{VERSION}"))
				assert.Contains(t, rpmQuery(t, p, "[%{FILENAMES} %{FILEDIGESTS}\n]"), "/usr/bin/otelcol-twingate "+sha256File(t, bin)+"\n")
			}
		})
	}
	host := elfMachine(t, builtBinary(t, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(artifact(t, "OTELCOL_TWINGATE_DEB")), "otelcol-twingate_"+version+"_"), ".deb")))
	assert.True(t, seen["deb/"+host] && seen["rpm/"+host], "this machine's packages are in %s", dist)
	t.Logf("checked: %v", seen)
}
