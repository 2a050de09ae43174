// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// The image tarball of `make image` opened as docker load and podman load
// read it: an OCI image layout (index.json -> manifest -> config and layer)
// and the manifest.json of `docker save`, pointing at the same blobs; every
// blob checked against its digest. Its configuration (entrypoint, user, env,
// labels) and its layer's files are checked, the binary taken out of the
// layer validates the image's default configuration and the DaemonSet's, and
// examples/docker/Dockerfile is shown to build the same files and settings.
// go-containerregistry, the library of crane, reads both forms.

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	ggcrtarball "github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

type ociDescriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations"`
}

type imageConfig struct {
	OS           string `json:"os"`
	Architecture string `json:"architecture"`
	Config       struct {
		User         string              `json:"User"`
		Env          []string            `json:"Env"`
		Entrypoint   []string            `json:"Entrypoint"`
		Cmd          []string            `json:"Cmd"`
		WorkingDir   string              `json:"WorkingDir"`
		ExposedPorts map[string]struct{} `json:"ExposedPorts"`
		Labels       map[string]string   `json:"Labels"`
	} `json:"config"`
	RootFS struct {
		DiffIDs []string `json:"diff_ids"`
	} `json:"rootfs"`
}

// imageFile is one entry of a layer (or of what a Dockerfile would copy).
type imageFile struct {
	mode     fs.FileMode // type and permission bits
	uid, gid int
	content  []byte
}

func (f imageFile) String() string {
	return fmt.Sprintf("%s %d:%d %d bytes", f.mode, f.uid, f.gid, len(f.content))
}

// ociImage is an image tarball, opened.
type ociImage struct {
	files    map[string][]byte // the tarball's entries
	config   imageConfig
	rawCfg   []byte
	manifest []byte
	layer    map[string]imageFile // by path, without leading or trailing slash
}

// blob returns the blob a descriptor points at, checked against its digest
// and size.
func (img *ociImage) blob(t *testing.T, digest string, size int64) []byte {
	t.Helper()
	algo, hexSum, ok := strings.Cut(digest, ":")
	require.True(t, ok && algo == "sha256", "digest %q", digest)
	b, ok := img.files["blobs/sha256/"+hexSum]
	require.True(t, ok, "blob %s is missing", digest)
	sum := sha256.Sum256(b)
	require.Equal(t, hexSum, hex.EncodeToString(sum[:]), "blob %s does not match its digest", digest)
	if size >= 0 {
		require.Equal(t, size, int64(len(b)), "size of blob %s", digest)
	}
	return b
}

func openImage(t *testing.T, p, version string) *ociImage {
	t.Helper()
	f, err := os.Open(p)
	require.NoError(t, err)
	defer f.Close()
	img := &ociImage{files: map[string][]byte{}, layer: map[string]imageFile{}}
	readTar(t, f, func(h *tar.Header, b []byte) { img.files[h.Name] = b })
	assert.JSONEq(t, `{"imageLayoutVersion":"1.0.0"}`, string(img.files["oci-layout"]), "an OCI image layout")

	// The OCI view: index.json -> manifest -> config and layers.
	var index struct {
		SchemaVersion int             `json:"schemaVersion"`
		Manifests     []ociDescriptor `json:"manifests"`
	}
	require.NoError(t, json.Unmarshal(img.files["index.json"], &index), "index.json")
	require.Len(t, index.Manifests, 1)
	desc := index.Manifests[0]
	assert.Equal(t, "application/vnd.oci.image.manifest.v1+json", desc.MediaType)
	assert.Equal(t, version, desc.Annotations["org.opencontainers.image.ref.name"], "the tag podman load gives it")
	assert.Equal(t, "docker.io/library/otelcol-twingate:"+version, desc.Annotations["io.containerd.image.name"], "the name docker load (containerd store) gives it")
	img.manifest = img.blob(t, desc.Digest, desc.Size)
	var manifest struct {
		MediaType string          `json:"mediaType"`
		Config    ociDescriptor   `json:"config"`
		Layers    []ociDescriptor `json:"layers"`
	}
	require.NoError(t, json.Unmarshal(img.manifest, &manifest))
	assert.Equal(t, "application/vnd.oci.image.config.v1+json", manifest.Config.MediaType)
	img.rawCfg = img.blob(t, manifest.Config.Digest, manifest.Config.Size)
	require.NoError(t, json.Unmarshal(img.rawCfg, &img.config))
	require.Len(t, manifest.Layers, 1, "one layer")
	assert.Equal(t, "application/vnd.oci.image.layer.v1.tar+gzip", manifest.Layers[0].MediaType)
	compressed := img.blob(t, manifest.Layers[0].Digest, manifest.Layers[0].Size)

	// The docker view: manifest.json names the same config and layer.
	var dockerManifest []struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	require.NoError(t, json.Unmarshal(img.files["manifest.json"], &dockerManifest), "manifest.json")
	require.Len(t, dockerManifest, 1)
	assert.Equal(t, "blobs/sha256/"+strings.TrimPrefix(manifest.Config.Digest, "sha256:"), dockerManifest[0].Config)
	assert.Equal(t, []string{"blobs/sha256/" + strings.TrimPrefix(manifest.Layers[0].Digest, "sha256:")}, dockerManifest[0].Layers)
	assert.Equal(t, []string{"otelcol-twingate:" + version}, dockerManifest[0].RepoTags)

	// The layer, whose uncompressed digest is the config's diff_id.
	zr, err := gzip.NewReader(bytes.NewReader(compressed))
	require.NoError(t, err)
	uncompressed, err := io.ReadAll(zr)
	require.NoError(t, err)
	sum := sha256.Sum256(uncompressed)
	assert.Equal(t, []string{"sha256:" + hex.EncodeToString(sum[:])}, img.config.RootFS.DiffIDs)
	readTar(t, bytes.NewReader(uncompressed), func(h *tar.Header, b []byte) {
		mode := fs.FileMode(h.Mode).Perm()
		if h.Mode&0o1000 != 0 {
			mode |= fs.ModeSticky
		}
		switch h.Typeflag {
		case tar.TypeDir:
			mode |= fs.ModeDir
		case tar.TypeReg:
		default:
			t.Fatalf("layer entry %s of unexpected type %c", h.Name, h.Typeflag)
		}
		img.layer[strings.Trim(path.Clean(h.Name), "/")] = imageFile{mode: mode, uid: h.Uid, gid: h.Gid, content: b}
	})
	return img
}

// readTar calls each with every entry of a tar stream and its content.
func readTar(t *testing.T, r io.Reader, each func(h *tar.Header, content []byte)) {
	t.Helper()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err)
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		each(h, b)
	}
}

func TestImage(t *testing.T) {
	tarball := artifact(t, "OTELCOL_TWINGATE_IMAGE")
	version := distVersion(t)
	img := openImage(t, tarball, version)

	// Config.
	cfg := img.config.Config
	binary := cfg.Entrypoint
	require.Len(t, binary, 1)
	assert.Equal(t, "/otelcol-twingate", binary[0])
	require.Len(t, cfg.Cmd, 1)
	configPath, ok := strings.CutPrefix(cfg.Cmd[0], "--config=")
	require.True(t, ok, "CMD %v", cfg.Cmd)
	assert.Equal(t, "linux", img.config.OS)
	assert.Equal(t, "65532:65532", cfg.User, "non-root, numeric so that Kubernetes' runAsNonRoot can check it")
	assert.Contains(t, cfg.Env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")
	assert.Equal(t, version, cfg.Labels["org.opencontainers.image.version"], "the version of builder-config.yaml")
	assert.Equal(t, "https://github.com/otelcol-twingate/otelcol-twingate", cfg.Labels["org.opencontainers.image.source"])
	assert.Equal(t, "Apache-2.0", cfg.Labels["org.opencontainers.image.licenses"])
	assert.Contains(t, cfg.ExposedPorts, "13133/tcp", "health_check")

	// Files: the binary built for the config's architecture, the user's
	// name, a CA bundle Go can use, the default configuration and the
	// checkpoint directory it writes, owned by the user.
	files := img.layer
	bin, ok := files[strings.TrimPrefix(binary[0], "/")]
	require.True(t, ok, "the ENTRYPOINT is not in the layer")
	assert.Equal(t, imageFile{mode: 0o755}.mode, bin.mode)
	binPath := filepath.Join(t.TempDir(), "otelcol-twingate")
	require.NoError(t, os.WriteFile(binPath, bin.content, 0o755))
	assert.Equal(t, img.config.Architecture, elfMachine(t, binPath))
	assert.Equal(t, sha256File(t, builtBinary(t, img.config.Architecture)), sha256File(t, binPath), "the collector make built")
	assert.Contains(t, string(files["etc/passwd"].content), "nonroot:x:65532:65532:")
	assert.Contains(t, string(files["etc/group"].content), "nonroot:x:65532:")
	ca := files["etc/ssl/certs/ca-certificates.crt"]
	assert.True(t, x509.NewCertPool().AppendCertsFromPEM(ca.content), "the CA bundle holds certificates")
	defaultConfig, ok := files[strings.TrimPrefix(configPath, "/")]
	require.True(t, ok, "the CMD's configuration is not in the layer")
	source, err := os.ReadFile(filepath.Join(repoRoot, "packaging", "image-config.yaml"))
	require.NoError(t, err)
	assert.Equal(t, string(source), string(defaultConfig.content), "the default configuration is packaging/image-config.yaml")
	var decoded map[string]any
	require.NoError(t, yaml.Unmarshal(defaultConfig.content, &decoded))
	stateDir, _ := dig(decoded, "extensions", "file_storage", "directory").(string)
	require.NotEmpty(t, stateDir)
	assert.Equal(t, imageFile{mode: fs.ModeDir | 0o700, uid: 65532, gid: 65532}.String(), files[strings.TrimPrefix(stateDir, "/")].String(),
		"the default configuration's file_storage directory belongs to the image's user")
	assert.Equal(t, fs.ModeDir|fs.ModeSticky|0o777, files["tmp"].mode)
	for p, f := range files {
		if p != strings.TrimPrefix(stateDir, "/") {
			assert.Equal(t, 0, f.uid+f.gid, "%s belongs to root", p)
		}
	}

	// The binary of the layer validates the image's default configuration
	// and the one the DaemonSet mounts in its place.
	validateWith := func(name, config string) {
		t.Helper()
		cmd := exec.Command(binPath, "validate", "--config="+writeTemp(t, config))
		cmd.Env = os.Environ()
		for k, v := range exampleEnv {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "the image's otelcol-twingate validate (%s):\n%s", name, out)
	}
	validateWith("default configuration", string(defaultConfig.content))
	ds := kubernetesDocs(t, examplePath("kubernetes/daemonset.yaml"))
	container := dig(ds["DaemonSet"], "spec", "template", "spec", "containers", 0)
	for key, config := range dig(ds["ConfigMap"], "data").(map[string]any) {
		validateWith("DaemonSet ConfigMap "+key, config.(string))
		assert.Contains(t, dig(container, "args"), "--config="+path.Join(path.Dir(configPath), key), "the DaemonSet's ConfigMap replaces the default configuration")
	}

	// The DaemonSet, the Helm values and Compose run this image.
	ref := dig(container, "image").(string)
	assert.True(t, strings.HasSuffix(ref, "/otelcol-twingate:"+version), "the DaemonSet's image %s", ref)
	values := readYAML(t, examplePath("kubernetes/opentelemetry-collector-values.yaml"))
	assert.True(t, strings.HasSuffix(dig(values, "image", "repository").(string), "/otelcol-twingate"))
	assert.Equal(t, version, dig(values, "image", "tag"), "the Helm values' image tag")
	assert.Equal(t, binary[0], "/"+dig(values, "command", "name").(string), "the chart runs /<command.name>")
	compose := readYAML(t, examplePath("docker/docker-compose.yaml"))
	assert.Equal(t, "otelcol-twingate:"+version, dig(compose, "services", "otelcol-twingate", "image"))

	t.Run("Dockerfile", func(t *testing.T) { checkDockerfileBuildsImage(t, img) })
	t.Run("go-containerregistry", func(t *testing.T) { checkImageLoads(t, tarball, img) })
}

// kubernetesDocs decodes a multi-document manifest by kind.
func kubernetesDocs(t *testing.T, p string) map[string]map[string]any {
	t.Helper()
	content, err := os.ReadFile(p)
	require.NoError(t, err)
	docs := map[string]map[string]any{}
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		require.NoError(t, err)
		kind, _ := doc["kind"].(string)
		docs[kind] = doc
	}
}

var dockerLabel = regexp.MustCompile(`(\S+?)="([^"]*)"`)

// checkDockerfileBuildsImage: the runtime stage of examples/docker/Dockerfile
// copies, from the trees `make image` writes next to the tarball, exactly the
// layer's files with the same modes, owners and contents, and sets the same
// user, environment, ports, labels, entrypoint and command.
func checkDockerfileBuildsImage(t *testing.T, img *ociImage) {
	rootfs := artifact(t, "OTELCOL_TWINGATE_IMAGE_ROOTFS")
	// The build stage copies the checkout to /src.
	root, err := filepath.Abs(repoRoot)
	require.NoError(t, err)
	rel, err := filepath.Rel(root, rootfs)
	require.NoError(t, err)
	buildRootfs := path.Join("/src", filepath.ToSlash(rel))
	cfg := img.config.Config
	built := map[string]imageFile{}
	labels := map[string]string{}
	var user, workdir string
	var env, ports []string
	var stage int
	for _, ins := range dockerInstructions(t) {
		if ins[0] == "FROM" {
			stage++
			continue
		}
		if stage < 2 {
			continue
		}
		switch ins[0] {
		case "COPY":
			args := strings.Fields(ins[1])
			uid, gid := 0, 0
			var src, dst string
			for _, a := range args {
				switch {
				case a == "--from=build":
				case strings.HasPrefix(a, "--chown="):
					_, err := fmt.Sscanf(strings.TrimPrefix(a, "--chown="), "%d:%d", &uid, &gid)
					require.NoError(t, err, a)
				case src == "":
					src = a
				default:
					dst = a
				}
			}
			rel, ok := strings.CutPrefix(src, buildRootfs+"/")
			require.True(t, ok, "COPY %s: not from the files make image writes (%s)", ins[1], buildRootfs)
			local := filepath.Join(rootfs, rel)
			require.NoError(t, filepath.WalkDir(local, func(p string, d fs.DirEntry, err error) error {
				if err != nil || p == local {
					return err
				}
				r, err := filepath.Rel(local, p)
				if err != nil {
					return err
				}
				fi, err := os.Lstat(p)
				if err != nil {
					return err
				}
				f := imageFile{mode: fi.Mode() & (fs.ModeDir | fs.ModePerm | fs.ModeSticky), uid: uid, gid: gid}
				if !d.IsDir() {
					if f.content, err = os.ReadFile(p); err != nil {
						return err
					}
				}
				built[strings.Trim(path.Join(dst, filepath.ToSlash(r)), "/")] = f
				return nil
			}))
		case "USER":
			user = ins[1]
		case "WORKDIR":
			workdir = ins[1]
		case "ENV":
			env = append(env, ins[1])
		case "EXPOSE":
			for _, p := range strings.Fields(ins[1]) {
				if !strings.Contains(p, "/") {
					p += "/tcp"
				}
				ports = append(ports, p)
			}
		case "LABEL":
			for _, m := range dockerLabel.FindAllStringSubmatch(ins[1], -1) {
				labels[m[1]] = m[2]
			}
		}
	}
	require.Equal(t, 2, stage, "a build stage and a runtime stage")
	require.Len(t, built, len(img.layer), "the Dockerfile copies as many files as the layer holds")
	for p, want := range img.layer {
		got, ok := built[p]
		if assert.True(t, ok, "the Dockerfile does not copy %s", p) {
			assert.Equal(t, want.String(), got.String(), "%s", p)
			assert.True(t, bytes.Equal(want.content, got.content), "content of %s", p)
		}
	}
	assert.Equal(t, cfg.User, user)
	assert.Equal(t, cfg.WorkingDir, workdir)
	assert.Equal(t, cfg.Env, env)
	var exposed []string
	for p := range cfg.ExposedPorts {
		exposed = append(exposed, p)
	}
	assert.ElementsMatch(t, exposed, ports)
	assert.Equal(t, cfg.Labels, labels)
	entrypoint, err := json.Marshal(cfg.Entrypoint)
	require.NoError(t, err)
	assert.Equal(t, `["`+dockerEntrypoint(t)+`"]`, string(entrypoint))
	assert.Equal(t, []string{"--config=" + dockerCmdConfig(t)}, cfg.Cmd)
}

// checkImageLoads reads the tarball with go-containerregistry (the library
// of crane and ko) both as an OCI image layout and as a `docker save`
// archive, validates every blob of both views against its digest and size,
// and copies the image out of the docker archive into a new OCI layout. The
// image builder writes the OCI layout with the same library but the docker
// view (manifest.json) and the tarball with code of its own; openImage above
// parses both views by hand, independently of either.
func checkImageLoads(t *testing.T, tarball string, img *ociImage) {
	// The OCI view: the layout unpacked, as podman load reads it.
	dir := t.TempDir()
	for name, content := range img.files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, content, 0o644))
	}
	index, err := layout.ImageIndexFromPath(dir)
	require.NoError(t, err, "an OCI image layout")
	im, err := index.IndexManifest()
	require.NoError(t, err)
	require.Len(t, im.Manifests, 1)
	ociImg, err := index.Image(im.Manifests[0].Digest)
	require.NoError(t, err)
	require.NoError(t, validate.Image(ociImg), "the OCI view's blobs")
	raw, err := ociImg.RawManifest()
	require.NoError(t, err)
	assert.Equal(t, string(img.manifest), string(raw))

	// The docker view: manifest.json, as docker load reads it.
	dockerImg, err := ggcrtarball.ImageFromPath(tarball, nil)
	require.NoError(t, err, "a docker archive")
	require.NoError(t, validate.Image(dockerImg), "the docker view's blobs")
	rawCfg, err := dockerImg.RawConfigFile()
	require.NoError(t, err)
	assert.JSONEq(t, string(img.rawCfg), string(rawCfg))
	for name, i := range map[string]v1.Image{"oci": ociImg, "docker": dockerImg} {
		layers, err := i.Layers()
		require.NoError(t, err)
		require.Len(t, layers, 1, name)
		diffID, err := layers[0].DiffID()
		require.NoError(t, err)
		assert.Equal(t, []string{diffID.String()}, img.config.RootFS.DiffIDs, "%s view: the layer's diff_id", name)
	}

	// Copied out of the docker archive into a new layout.
	copied, err := layout.Write(filepath.Join(t.TempDir(), "copy"), empty.Index)
	require.NoError(t, err)
	require.NoError(t, copied.AppendImage(dockerImg))
	copiedIndex, err := copied.ImageIndex()
	require.NoError(t, err)
	cm, err := copiedIndex.IndexManifest()
	require.NoError(t, err)
	require.Len(t, cm.Manifests, 1)
	copiedImg, err := copiedIndex.Image(cm.Manifests[0].Digest)
	require.NoError(t, err)
	require.NoError(t, validate.Image(copiedImg), "the copy")
}
