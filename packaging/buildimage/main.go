// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Command buildimage builds the otelcol-twingate container image without a
// Docker daemon, the way ko builds Go images: one layer holding the static
// collector, a CA bundle, a non-root user and the default configuration on
// top of an empty base, written as a tarball that is at once an OCI image
// layout (index.json, blobs/: podman load, skopeo oci-archive:) and a
// `docker save` archive (manifest.json: docker load), as `docker save` writes
// since Docker 25.
//
// With -rootfs it also writes the same files as directory trees, one per
// owner, which examples/docker/Dockerfile copies onto `scratch`, so that an
// image built with Docker has the same contents.
package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// The name the image is loaded as; registries are the user's business.
	imageName = "otelcol-twingate"
	source    = "https://github.com/otelcol-twingate/otelcol-twingate"
	// uid/gid of the image's user: distroless' "nonroot", so that volumes
	// and hostPath directories prepared for the previous base still fit.
	nonroot    = 65532
	binaryPath = "/otelcol-twingate"
	configPath = "/etc/otelcol-twingate/config.yaml"
	caPath     = "/etc/ssl/certs/ca-certificates.crt"
	// file_storage's directory in the default configuration, writable by
	// the image's user.
	stateDir = "/var/lib/otelcol-twingate"
)

// entry is one file or directory of the image's only layer.
type entry struct {
	path     string // absolute, in the image
	mode     fs.FileMode
	uid, gid int
	content  []byte // nil for a directory
}

func main() {
	binary := flag.String("binary", "", "the collector, a static Linux binary for -arch")
	arch := flag.String("arch", "", "GOARCH of -binary (amd64, arm64)")
	version := flag.String("version", "", "image version (dist.version of builder-config.yaml)")
	config := flag.String("config", "", "default collector configuration")
	caBundle := flag.String("ca-bundle", "/etc/ssl/certs/ca-certificates.crt", "PEM CA bundle (Debian package ca-certificates)")
	out := flag.String("out", "", "image tarball to write")
	rootfs := flag.String("rootfs", "", "also write the layer's files to this directory (for examples/docker/Dockerfile)")
	flag.Parse()
	if err := run(*binary, *arch, *version, *config, *caBundle, *out, *rootfs); err != nil {
		fmt.Fprintln(os.Stderr, "buildimage:", err)
		os.Exit(1)
	}
}

func run(binary, arch, version, config, caBundle, out, rootfs string) error {
	for name, v := range map[string]string{"-binary": binary, "-arch": arch, "-version": version, "-config": config, "-out": out} {
		if v == "" {
			return fmt.Errorf("%s is required", name)
		}
	}
	entries, err := layerEntries(binary, config, caBundle)
	if err != nil {
		return err
	}
	// Reproducible: the same inputs give the same digests.
	created := time.Unix(0, 0).UTC()
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
		}
		created = time.Unix(sec, 0).UTC()
	}
	img, err := image(entries, arch, version, created)
	if err != nil {
		return err
	}
	if err := writeArchive(img, version, out); err != nil {
		return err
	}
	if rootfs != "" {
		return writeRootfs(entries, rootfs)
	}
	return nil
}

// layerEntries lists the layer's files, parents before children.
func layerEntries(binary, config, caBundle string) ([]entry, error) {
	read := func(p, what string) ([]byte, error) {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return b, nil
	}
	bin, err := read(binary, "the collector binary")
	if err != nil {
		return nil, err
	}
	cfg, err := read(config, "the default configuration")
	if err != nil {
		return nil, err
	}
	ca, err := read(caBundle, "the CA bundle (install ca-certificates)")
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(ca, []byte("-----BEGIN CERTIFICATE-----")) {
		return nil, fmt.Errorf("%s holds no PEM certificate", caBundle)
	}
	dir := func(p string, mode fs.FileMode, owner int) entry {
		return entry{path: p, mode: fs.ModeDir | mode, uid: owner, gid: owner}
	}
	file := func(p string, mode fs.FileMode, content []byte) entry {
		return entry{path: p, mode: mode, content: content}
	}
	return []entry{
		file(binaryPath, 0o755, bin),
		dir("/etc", 0o755, 0),
		// Names for the uids, as distroless has them: tools and the Go
		// runtime's os/user resolve the image's user.
		file("/etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")),
		file("/etc/group", 0o644, []byte("root:x:0:\nnonroot:x:65532:\n")),
		dir("/etc/otelcol-twingate", 0o755, 0),
		file(configPath, 0o644, cfg),
		dir("/etc/ssl", 0o755, 0),
		dir("/etc/ssl/certs", 0o755, 0),
		file(caPath, 0o644, ca),
		dir("/tmp", 0o777|fs.ModeSticky, 0),
		dir("/var", 0o755, 0),
		dir("/var/lib", 0o755, 0),
		dir(stateDir, 0o700, nonroot),
	}, nil
}

func layerTar(entries []entry, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{
			Name:    strings.TrimPrefix(e.path, "/"),
			Mode:    int64(e.mode.Perm()),
			Uid:     e.uid,
			Gid:     e.gid,
			ModTime: mtime,
			Format:  tar.FormatPAX,
		}
		if e.mode&fs.ModeSticky != 0 {
			h.Mode |= 0o1000
		}
		if e.mode.IsDir() {
			h.Typeflag = tar.TypeDir
			h.Name += "/"
		} else {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.content))
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(e.content); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Labels are the OCI annotation keys; examples/docker/Dockerfile sets the
// same ones.
func labels(version string) map[string]string {
	return map[string]string{
		"org.opencontainers.image.title":       imageName,
		"org.opencontainers.image.description": "OpenTelemetry Collector distribution for Twingate Connector real-time connection logs",
		"org.opencontainers.image.version":     version,
		"org.opencontainers.image.source":      source,
		"org.opencontainers.image.url":         source,
		"org.opencontainers.image.licenses":    "Apache-2.0",
	}
}

func image(entries []entry, arch, version string, created time.Time) (v1.Image, error) {
	data, err := layerTar(entries, created)
	if err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, err
	}
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err := mutate.Append(base, mutate.Addendum{
		Layer: layer,
		History: v1.History{
			Created:   v1.Time{Time: created},
			CreatedBy: "packaging/buildimage",
			Comment:   "otelcol-twingate " + version,
		},
	})
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS = "linux"
	cf.Architecture = arch
	cf.Created = v1.Time{Time: created}
	cf.Config = v1.Config{
		Entrypoint: []string{binaryPath},
		Cmd:        []string{"--config=" + configPath},
		User:       fmt.Sprintf("%d:%d", nonroot, nonroot),
		// Go finds the bundle there anyway; said for other tools and readers.
		Env:          []string{"SSL_CERT_FILE=" + caPath},
		WorkingDir:   "/",
		ExposedPorts: map[string]struct{}{"13133/tcp": {}},
		Labels:       labels(version),
	}
	return mutate.ConfigFile(img, cf)
}

// writeArchive writes img as an OCI image layout plus the manifest.json of
// `docker save`, both pointing at the same blobs, into one tarball.
func writeArchive(img v1.Image, version, out string) error {
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".buildimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p, err := layout.Write(tmp, empty.Index)
	if err != nil {
		return err
	}
	ref := imageName + ":" + version
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		// What docker load (containerd image store) and podman load name
		// the image after.
		"io.containerd.image.name":          "docker.io/library/" + ref,
		"org.opencontainers.image.ref.name": version,
	})); err != nil {
		return err
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	blob := func(h v1.Hash) string { return path.Join("blobs", h.Algorithm, h.Hex) }
	var layerPaths []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		layerPaths = append(layerPaths, blob(d))
	}
	manifest, err := json.Marshal([]map[string]any{{
		"Config":   blob(cfgName),
		"RepoTags": []string{ref},
		"Layers":   layerPaths,
	}})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "manifest.json"), manifest, 0o644); err != nil {
		return err
	}
	return tarDir(tmp, out)
}

// tarDir writes dir's files into a tarball at out, sorted, without owners or
// times, so that equal images give equal archives.
func tarDir(dir, out string) (err error) {
	var files []string
	if err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	}); err != nil {
		return err
	}
	slices.Sort(files)
	f, err := os.CreateTemp(filepath.Dir(out), ".image-*.tar")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// Cleaning up after the error already returned: a failure here
			// leaves a temporary file, which the error has to outrank.
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	tw := tar.NewWriter(f)
	for _, p := range files {
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		content, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(content); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// CreateTemp makes it 0600; the image is no secret.
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), out)
}

// writeRootfs writes the layer's files with their modes under dir/<uid>/
// (replacing what was there): a Dockerfile cannot set owners per file, but
// it can copy each owner's tree with COPY --chown, as
// examples/docker/Dockerfile does. Parents of a non-root entry are written in
// its tree as well, so that it can be copied from its parent directory.
func writeRootfs(entries []entry, dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, strconv.Itoa(e.uid), filepath.FromSlash(e.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if e.mode.IsDir() {
			if err := os.Mkdir(p, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
		} else if err := os.WriteFile(p, e.content, 0o600); err != nil {
			return err
		}
		// After creation: the umask does not apply to Chmod.
		if err := os.Chmod(p, e.mode&(fs.ModePerm|fs.ModeSticky)); err != nil {
			return err
		}
	}
	return nil
}
