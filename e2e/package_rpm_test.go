// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// The .rpm read with github.com/sassoftware/go-rpmutils, an RPM reader of
// its own (nfpm writes with google/rpmpack), so that no rpm binary is needed
// on this Debian machine: its header (checked against the signature header's
// digest), files, scripts and dependencies, and the payload's binary. Every
// package of _build/dist/ (the other architectures when `make package` built
// them) is checked for its metadata and the binary it carries.

import (
	"crypto/md5" //nolint:gosec // dpkg's md5sums file holds MD5 digests: the test checks one
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	rpmutils "github.com/sassoftware/go-rpmutils"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rpmArch is rpm's name of a GOARCH.
var rpmArch = map[string]string{"amd64": "x86_64", "arm64": "aarch64"}

// rpm's file flags (rpmfiles.h): %config and %config(noreplace).
const (
	rpmFileConfig    = 1 << 0
	rpmFileNoReplace = 1 << 4
)

// rpmPackage is an .rpm, read.
type rpmPackage struct {
	hdr     *rpmutils.RpmHeader
	payload map[string][]byte // regular files of the payload, by path
}

// readRPM reads an .rpm's header and its whole payload.
func readRPM(t *testing.T, p string) *rpmPackage {
	t.Helper()
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	r, err := rpmutils.ReadRpm(f)
	require.NoError(t, err, "read %s", p)
	pr, err := r.PayloadReaderExtended()
	require.NoError(t, err, "payload of %s", p)
	pkg := &rpmPackage{hdr: r.Header, payload: map[string][]byte{}}
	for {
		fi, err := pr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "payload of %s", p)
		if fs.FileMode(fi.Mode()&0o170000) == 0o100000 { // S_IFREG
			content, err := io.ReadAll(pr)
			require.NoError(t, err, "payload of %s: %s", p, fi.Name())
			pkg.payload[fi.Name()] = content
		}
	}
	return pkg
}

func (p *rpmPackage) str(t *testing.T, tag int) string {
	t.Helper()
	v, err := p.hdr.GetString(tag)
	require.NoError(t, err, "rpm tag %d", tag)
	return v
}

// rpmFileMode turns an rpm file mode (st_mode) into an fs.FileMode.
func rpmFileMode(mode int) fs.FileMode {
	m := fs.FileMode(mode) & fs.ModePerm
	if mode&0o170000 == 0o040000 { // S_IFDIR
		m |= fs.ModeDir
	}
	return m
}

func TestRPMPackage(t *testing.T) {
	rpmFile := artifact(t, "OTELCOL_TWINGATE_RPM")
	version := distVersion(t)
	arch := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(rpmFile), "otelcol-twingate_"+version+"_"), ".rpm")
	pkg := readRPM(t, rpmFile)

	assert.Equal(t, "otelcol-twingate", pkg.str(t, rpmutils.NAME))
	assert.Equal(t, version, pkg.str(t, rpmutils.VERSION), "the version of builder-config.yaml")
	assert.Equal(t, rpmArch[arch], pkg.str(t, rpmutils.ARCH))
	assert.Equal(t, "Apache-2.0", pkg.str(t, rpmutils.LICENSE))
	assert.Equal(t, "https://github.com/otelcol-twingate/otelcol-twingate", pkg.str(t, rpmutils.URL))
	assert.NotEmpty(t, pkg.str(t, rpmutils.SUMMARY))
	assert.Contains(t, pkg.str(t, rpmutils.DESCRIPTION), "OTLP_ENDPOINT", "the description says how to start it")

	// Exactly the files of the .deb, with their modes and owners; the two
	// configuration files are %config(noreplace).
	files, err := pkg.hdr.GetFiles()
	require.NoError(t, err)
	var want, listed []string
	for p := range packageFiles {
		want = append(want, p)
	}
	for _, f := range files {
		p := f.Name()
		listed = append(listed, p)
		assert.Equal(t, packageFiles[p].String(), rpmFileMode(f.Mode()).String(), "mode of %s", p)
		assert.Equal(t, "root:root", f.UserName()+":"+f.GroupName(), "owner of %s", p)
		if slices.Contains(packageConfigFiles, p) {
			assert.Equal(t, rpmFileConfig|rpmFileNoReplace, f.Flags()&(rpmFileConfig|rpmFileNoReplace), "%s is %%config(noreplace)", p)
		}
		if src, ok := packageSources[p]; ok {
			assert.Equal(t, sha256File(t, filepath.Join(repoRoot, src)), f.Digest(), "%s is %s", p, src)
			assert.Equal(t, readString(t, filepath.Join(repoRoot, src)), string(pkg.payload[p]), "payload: %s is %s", p, src)
		}
	}
	slices.Sort(want)
	slices.Sort(listed)
	assert.Equal(t, want, listed, "the files of the rpm")
	bin := builtBinary(t, arch)
	sum := sha256.Sum256(pkg.payload["/usr/bin/otelcol-twingate"])
	assert.Equal(t, sha256File(t, bin), hex.EncodeToString(sum[:]), "the payload holds the collector make built")

	// The maintainer scripts are those of packaging/scripts/, which handle
	// rpm's arguments as well as dpkg's.
	for tag, script := range map[[2]int]string{
		{rpmutils.PREIN, rpmutils.PREINPROG}:   "preinstall.sh",
		{rpmutils.POSTIN, rpmutils.POSTINPROG}: "postinstall.sh",
		{rpmutils.PREUN, rpmutils.PREUNPROG}:   "preremove.sh",
		{rpmutils.POSTUN, rpmutils.POSTUNPROG}: "postremove.sh",
	} {
		content, err := os.ReadFile(filepath.Join(repoRoot, "packaging", "scripts", script))
		require.NoError(t, err)
		assert.Equal(t, strings.TrimSpace(string(content)), strings.TrimSpace(pkg.str(t, tag[0])), "rpm tag %d is %s", tag[0], script)
		prog, err := pkg.hdr.GetStrings(tag[1])
		require.NoError(t, err, "rpm tag %d", tag[1])
		assert.Equal(t, []string{"/bin/sh"}, prog, "the interpreter of %s", script)
	}
	requires, err := pkg.hdr.GetStrings(rpmutils.REQUIRENAME)
	require.NoError(t, err)
	assert.Subset(t, requires, []string{"systemd", "shadow-utils"}, "journalctl, useradd")
}

var packageName = regexp.MustCompile(`^otelcol-twingate_(.+)_([a-z0-9]+)\.(deb|rpm)$`)

// TestPackagesOfEveryArch checks every package in _build/dist/: this
// machine's, which `make test` builds, and those of the other architectures
// when `make package` has built them. Each carries the version of
// builder-config.yaml, its architecture, and the collector built for it.
func TestPackagesOfEveryArch(t *testing.T) {
	dist := filepath.Dir(artifact(t, "OTELCOL_TWINGATE_DEB"))
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
				pkg := readRPM(t, p)
				assert.Equal(t, rpmArch[arch]+" "+version, pkg.str(t, rpmutils.ARCH)+" "+pkg.str(t, rpmutils.VERSION))
				files, err := pkg.hdr.GetFiles()
				require.NoError(t, err)
				digests := map[string]string{}
				for _, f := range files {
					digests[f.Name()] = f.Digest()
				}
				assert.Equal(t, sha256File(t, bin), digests["/usr/bin/otelcol-twingate"])
			}
		})
	}
	host := elfMachine(t, builtBinary(t, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(artifact(t, "OTELCOL_TWINGATE_DEB")), "otelcol-twingate_"+version+"_"), ".deb")))
	assert.True(t, seen["deb/"+host] && seen["rpm/"+host], "this machine's packages are in %s", dist)
	t.Logf("checked: %v", seen)
}
