// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package e2e

// Tests of the deployment examples, examples/<way>/ (examples_test.go runs the
// top-level ones): every collector configuration there, whether a file of
// its own or embedded in a Kubernetes manifest or Helm values, passes
// `otelcol-twingate validate`, and every Kubernetes, Compose, systemd and
// Docker file is parsed and checked for what its deployment relies on. There
// is no Docker daemon or cluster here: the Dockerfile is checked, not built.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
)

// exampleEnv is what the deployment examples' collector configurations read
// from the environment. A configuration referring to any other variable fails
// TestDeployExamples: add it here with a value that validates.
var exampleEnv = map[string]string{
	"OTLP_ENDPOINT":      "https://otlp.example.com",
	"OTLP_GRPC_ENDPOINT": "otlp.example.com:4317",
	"OTLP_AUTHORIZATION": "Bearer example-token",
	"OTLP_TENANT":        "twingate",
	"MY_POD_IP":          "127.0.0.1",
	// examples/backends/ for VictoriaLogs and Prometheus remote write.
	"VICTORIALOGS_ENDPOINT":            "http://victorialogs:9428",
	"OTLP_LOGS_ENDPOINT":               "http://victorialogs:9428/insert/opentelemetry",
	"OTLP_METRICS_ENDPOINT":            "http://prometheus:9090/api/v1/otlp",
	"PROMETHEUS_REMOTE_WRITE_ENDPOINT": "http://prometheus:9090/api/v1/write",
	// examples/fleet/.
	"KAFKA_BROKERS": "kafka-1.example.com:9092,kafka-2.example.com:9092",
}

// exampleChecks names the check of every deployment example file that is not
// a plain collector configuration (those are found by their content).
var exampleChecks = map[string]func(t *testing.T, path string){
	"systemd/otelcol-twingate.service":               checkSystemdUnit,
	"systemd/otelcol-twingate.env":                   func(*testing.T, string) {}, // checked with the unit
	"systemd/connector.conf":                         checkConnectorConf,
	"docker/Dockerfile":                              checkDockerfile,
	"docker/Dockerfile.dockerignore":                 func(*testing.T, string) {}, // checked with the Dockerfile
	"docker/docker-compose.yaml":                     checkCompose,
	"kubernetes/daemonset.yaml":                      checkDaemonSet,
	"kubernetes/opentelemetry-collector-values.yaml": checkCollectorChartValues,
	"kubernetes/twingate-connector-values.yaml":      checkConnectorChartValues,
	"backends/prometheus-remote-write.yaml":          checkMetricsLayer,
	"grafana/twingate-connectors.json":               checkGrafanaDashboard,
	"prometheus/twingate-alerts.yaml":                checkAlertRules,
	"prometheus/twingate-alerts_test.yaml":           func(*testing.T, string) {}, // run by checkAlertRules
}

// deployExampleFiles lists the files under examples/<way>/, relative to
// examples/.
func deployExampleFiles(t *testing.T) []string {
	t.Helper()
	root := examplePath(".")
	var files []string
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if rel = filepath.ToSlash(rel); strings.Contains(rel, "/") {
			files = append(files, rel)
		}
		return err
	}))
	return files
}

// TestDeployExamples runs the check of every file under examples/<way>/; a
// file nothing checks fails the test.
func TestDeployExamples(t *testing.T) {
	for _, rel := range deployExampleFiles(t) {
		t.Run(rel, func(t *testing.T) {
			p := examplePath(rel)
			if check, ok := exampleChecks[rel]; ok {
				check(t, p)
				return
			}
			content, err := os.ReadFile(p)
			require.NoError(t, err)
			require.True(t, isCollectorConfig(t, content), "%s is neither a collector configuration nor in exampleChecks", rel)
			validateConfig(t, p)
		})
	}
}

// TestDeployExampleValidationFails: the validation the examples go through
// rejects a broken configuration, naming the key.
func TestDeployExampleValidationFails(t *testing.T) {
	content, err := os.ReadFile(examplePath("docker/otelcol-twingate.yaml"))
	require.NoError(t, err)
	broken := strings.Replace(string(content), "format: docker", "format: json-file", 1)
	require.NotEqual(t, string(content), broken)
	out, err := runValidate(t, writeTemp(t, broken))
	require.Error(t, err, "a broken configuration validated:\n%s", out)
	assert.Contains(t, out, `twingateanalytics::file: 'format' must be one of "auto", "raw", "docker" or "cri", got "json-file"`)
}

func isCollectorConfig(t *testing.T, content []byte) bool {
	t.Helper()
	var m map[string]any
	if yaml.Unmarshal(content, &m) != nil {
		return false
	}
	_, receivers := m["receivers"]
	_, service := m["service"]
	return receivers && service
}

var envRef = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)`)

// configEnvRefs lists the environment variables a decoded collector
// configuration uses.
func configEnvRefs(t *testing.T, config map[string]any) []string {
	t.Helper()
	text, err := yaml.Marshal(config)
	require.NoError(t, err)
	return envRefs(string(text))
}

// envRefs lists the environment variables a collector configuration uses.
func envRefs(config string) []string {
	var names []string
	for _, m := range envRef.FindAllStringSubmatch(config, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func runValidate(t *testing.T, configPath string) (string, error) {
	t.Helper()
	cmd := exec.Command(distribution(t), "validate", "--config="+configPath)
	cmd.Env = os.Environ()
	for k, v := range exampleEnv {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// validateConfig runs `otelcol-twingate validate` on a collector
// configuration file with exampleEnv set.
func validateConfig(t *testing.T, configPath string) {
	t.Helper()
	content, err := os.ReadFile(configPath)
	require.NoError(t, err)
	for _, name := range envRefs(string(content)) {
		require.Contains(t, exampleEnv, name, "%s uses ${env:%s}: add it to exampleEnv", configPath, name)
	}
	out, err := runValidate(t, configPath)
	require.NoError(t, err, "otelcol-twingate validate --config=%s:\n%s", configPath, out)
}

// validateEmbedded validates a collector configuration held in another file
// and returns it decoded.
func validateEmbedded(t *testing.T, config any) map[string]any {
	t.Helper()
	var text string
	switch c := config.(type) {
	case string:
		text = c
	default:
		out, err := yaml.Marshal(c)
		require.NoError(t, err)
		text = string(out)
	}
	var decoded map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(text), &decoded))
	require.Contains(t, decoded, "receivers", "not a collector configuration:\n%s", text)
	validateConfig(t, writeTemp(t, text))
	return decoded
}

// dig walks decoded YAML by map keys and list indexes; nil when absent.
func dig(v any, keys ...any) any {
	for _, k := range keys {
		switch key := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[key]
		case int:
			l, ok := v.([]any)
			if !ok || key >= len(l) {
				return nil
			}
			v = l[key]
		}
	}
	return v
}

func readYAML(t *testing.T, p string) map[string]any {
	t.Helper()
	content, err := os.ReadFile(p)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, yaml.Unmarshal(content, &m), p)
	return m
}

// fileInput returns the include globs and the file_storage directory of a
// collector configuration.
func fileInput(t *testing.T, config map[string]any) (include []string, storageDir string) {
	t.Helper()
	for _, g := range dig(config, "receivers", "twingateanalytics", "file", "include").([]any) {
		include = append(include, g.(string))
	}
	storageDir, _ = dig(config, "extensions", "file_storage", "directory").(string)
	return include, storageDir
}

// checkPodSpec checks what a pod that reads CRI logs needs: /var/log/pods
// mounted read-only from the node where the include globs look, the
// checkpoint directory on a hostPath, every environment variable the
// configuration uses (chartEnv: set by a Helm chart), limits, no privileges.
func checkPodSpec(t *testing.T, config map[string]any, volumes, mounts, env []any, chartEnv ...string) {
	t.Helper()
	include, storageDir := fileInput(t, config)
	hostPaths := map[string]string{}
	for _, v := range volumes {
		if p, ok := dig(v, "hostPath", "path").(string); ok {
			hostPaths[dig(v, "name").(string)] = p
		}
	}
	mounted := func(dir string, readOnly bool) {
		for _, m := range mounts {
			if dig(m, "mountPath") == dir {
				assert.Equal(t, dir, hostPaths[dig(m, "name").(string)], "%s is not the node's %s", dir, dir)
				ro, _ := dig(m, "readOnly").(bool)
				assert.Equal(t, readOnly, ro, "readOnly of %s", dir)
				return
			}
		}
		t.Errorf("nothing is mounted at %s", dir)
	}
	mounted("/var/log/pods", true)
	for _, g := range include {
		assert.True(t, strings.HasPrefix(g, "/var/log/pods/"), "include %s is outside /var/log/pods", g)
	}
	mounted(storageDir, false)

	var defined []string
	for _, e := range env {
		defined = append(defined, dig(e, "name").(string))
	}
	defined = append(defined, chartEnv...)
	for _, name := range configEnvRefs(t, config) {
		assert.Contains(t, defined, name, "the configuration uses ${env:%s}, the pod does not set it", name)
	}
}

func checkResourcesAndSecurity(t *testing.T, container map[string]any) {
	t.Helper()
	for _, k := range []string{"cpu", "memory"} {
		assert.NotNil(t, dig(container, "resources", "limits", k), "resources.limits.%s", k)
		assert.NotNil(t, dig(container, "resources", "requests", k), "resources.requests.%s", k)
	}
	assert.Equal(t, true, dig(container, "securityContext", "readOnlyRootFilesystem"))
	assert.Equal(t, false, dig(container, "securityContext", "allowPrivilegeEscalation"))
	assert.Equal(t, []any{"ALL"}, dig(container, "securityContext", "capabilities", "drop"))
}

func checkDaemonSet(t *testing.T, p string) {
	content, err := os.ReadFile(p)
	require.NoError(t, err)
	docs := map[string]map[string]any{}
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		kind, _ := doc["kind"].(string)
		require.NotEmpty(t, doc["apiVersion"], "a document without apiVersion")
		require.NotEmpty(t, dig(doc, "metadata", "name"), "%s without a name", kind)
		require.Equal(t, "twingate", dig(doc, "metadata", "namespace"), "%s namespace", kind)
		docs[kind] = doc
	}
	require.ElementsMatch(t, []string{"ServiceAccount", "ConfigMap", "DaemonSet"}, mapsKeys(docs),
		"the collector reads files only: no RBAC objects")
	assert.Equal(t, false, dig(docs["ServiceAccount"], "automountServiceAccountToken"))

	ds := docs["DaemonSet"]
	pod := dig(ds, "spec", "template", "spec")
	assert.Equal(t, dig(ds, "spec", "selector", "matchLabels"), dig(ds, "spec", "template", "metadata", "labels"))
	assert.Equal(t, dig(docs["ServiceAccount"], "metadata", "name"), dig(pod, "serviceAccountName"))
	assert.Equal(t, false, dig(pod, "automountServiceAccountToken"))
	containers := dig(pod, "containers").([]any)
	require.Len(t, containers, 1)
	container := containers[0].(map[string]any)
	checkResourcesAndSecurity(t, container)

	// The configuration the container runs is the ConfigMap's, where it is mounted.
	var configDir string
	for _, v := range dig(pod, "volumes").([]any) {
		if dig(v, "configMap", "name") == dig(docs["ConfigMap"], "metadata", "name") {
			for _, m := range dig(container, "volumeMounts").([]any) {
				if dig(m, "name") == dig(v, "name") {
					configDir = dig(m, "mountPath").(string)
				}
			}
		}
	}
	require.NotEmpty(t, configDir, "the ConfigMap is not mounted")
	var configFile string
	for key := range dig(docs["ConfigMap"], "data").(map[string]any) {
		configFile = key
	}
	assert.Contains(t, dig(container, "args"), "--config="+path.Join(configDir, configFile))
	config := validateEmbedded(t, dig(docs["ConfigMap"], "data", configFile))
	checkPodSpec(t, config, dig(pod, "volumes").([]any), dig(container, "volumeMounts").([]any), dig(container, "env").([]any))

	// The probes reach health_check.
	endpoint := dig(config, "extensions", "health_check", "endpoint").(string)
	for _, port := range dig(container, "ports").([]any) {
		if dig(port, "name") == dig(container, "livenessProbe", "httpGet", "port") {
			assert.True(t, strings.HasSuffix(endpoint, fmt.Sprintf(":%d", dig(port, "containerPort"))), "probe port vs %s", endpoint)
		}
	}
	assert.NotNil(t, dig(container, "readinessProbe"))
}

func mapsKeys(m map[string]map[string]any) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// checkCollectorChartValues: values for the opentelemetry-collector chart.
// The chart sets MY_POD_IP and runs /<command.name> --config=/conf/relay.yaml.
func checkCollectorChartValues(t *testing.T, p string) {
	values := readYAML(t, p)
	assert.Equal(t, "daemonset", values["mode"])
	assert.NotEmpty(t, dig(values, "image", "repository"))
	assert.Equal(t, dockerEntrypoint(t), "/"+dig(values, "command", "name").(string), "command.name vs the image's ENTRYPOINT")
	require.Nil(t, values["config"], "alternateConfig replaces the chart's default config; config would be ignored")
	config := validateEmbedded(t, values["alternateConfig"])
	assert.NotNil(t, dig(config, "extensions", "health_check"), "the chart's probes need health_check")
	checkPodSpec(t, config, values["extraVolumes"].([]any), values["extraVolumeMounts"].([]any), values["extraEnvs"].([]any), "MY_POD_IP")
	checkResourcesAndSecurity(t, values)
	for name, port := range dig(values, "ports").(map[string]any) {
		assert.Equal(t, false, dig(port, "enabled"), "port %s: nothing listens on it", name)
	}
}

// checkConnectorChartValues: values for the Twingate connector chart.
func checkConnectorChartValues(t *testing.T, p string) {
	values := readYAML(t, p)
	assert.Equal(t, "v2", dig(values, "connector", "logAnalytics"))
	assert.NotEmpty(t, dig(values, "connector", "network"))
	assert.NotEmpty(t, dig(values, "connector", "existingSecret"), "tokens come from a Secret")
	assert.Nil(t, dig(values, "connector", "accessToken"))
	assert.Nil(t, dig(values, "connector", "refreshToken"))
}

func checkCompose(t *testing.T, p string) {
	compose := readYAML(t, p)
	connector := dig(compose, "services", "connector")
	assert.True(t, strings.HasPrefix(dig(connector, "image").(string), "twingate/connector:"))
	assert.Equal(t, "v2", dig(connector, "environment", "TWINGATE_LOG_ANALYTICS"))
	for _, secret := range []string{"TWINGATE_ACCESS_TOKEN", "TWINGATE_REFRESH_TOKEN"} {
		assert.True(t, strings.HasPrefix(dig(connector, "environment", secret).(string), "${"+secret+":?"),
			"%s must come from the environment", secret)
	}
	assert.Equal(t, "json-file", dig(connector, "logging", "driver"))

	collector := dig(compose, "services", "otelcol-twingate")
	require.NotNil(t, collector)
	dockerfile := filepath.Join(filepath.Dir(p), dig(collector, "build", "context").(string), dig(collector, "build", "dockerfile").(string))
	_, err := os.Stat(dockerfile)
	require.NoError(t, err, "build.dockerfile")
	// volumes maps each mount point to "source" or "source:ro".
	volumes := map[string]string{}
	for _, v := range dig(collector, "volumes").([]any) {
		src, rest, ok := strings.Cut(v.(string), ":")
		require.True(t, ok, "volume %s", v)
		dst, mode, _ := strings.Cut(rest, ":")
		if mode != "" {
			src += ":" + mode
		}
		volumes[dst] = src
	}
	assert.Equal(t, "/var/lib/docker/containers:ro", volumes["/var/lib/docker/containers"], "Docker's log directory, read-only")

	// The collector runs the mounted configuration.
	args := dig(collector, "command").([]any)
	require.Len(t, args, 1)
	configPath := strings.TrimPrefix(args[0].(string), "--config=")
	src, readOnly := strings.CutSuffix(volumes[configPath], ":ro")
	require.True(t, readOnly, "nothing mounted read-only at %s", configPath)
	assert.Equal(t, dockerCmdConfig(t), configPath, "the image's CMD and the compose command differ")
	configFile := filepath.Join(filepath.Dir(p), src)
	validateConfig(t, configFile)
	config := readYAML(t, configFile)
	include, storageDir := fileInput(t, config)
	for _, g := range include {
		assert.True(t, strings.HasPrefix(g, "/var/lib/docker/containers/"), "include %s is outside the mounted directory", g)
	}
	assert.Contains(t, volumes, storageDir, "file_storage directory is not a volume")
	for _, name := range configEnvRefs(t, config) {
		assert.NotNil(t, dig(collector, "environment", name), "the configuration uses ${env:%s}, the service does not set it", name)
	}
}

// dockerInstructions parses a Dockerfile into its instructions (continuation
// lines joined, comments dropped).
func dockerInstructions(t *testing.T) [][2]string {
	t.Helper()
	content, err := os.ReadFile(examplePath("docker/Dockerfile"))
	require.NoError(t, err)
	var out [][2]string
	var cur strings.Builder
	scanner := bufio.NewScanner(bytes.NewReader(content))
	for scanner.Scan() {
		line := strings.TrimSpace(scanner.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if rest, cont := strings.CutSuffix(line, `\`); cont {
			cur.WriteString(rest + " ")
			continue
		}
		cur.WriteString(line)
		word, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, [2]string{strings.ToUpper(word), strings.Join(strings.Fields(args), " ")})
		cur.Reset()
	}
	require.NoError(t, scanner.Err())
	return out
}

func dockerEntrypoint(t *testing.T) string {
	t.Helper()
	for _, ins := range dockerInstructions(t) {
		if ins[0] == "ENTRYPOINT" {
			return strings.Trim(ins[1], `[]"`)
		}
	}
	t.Fatal("the Dockerfile has no ENTRYPOINT")
	return ""
}

func dockerCmdConfig(t *testing.T) string {
	t.Helper()
	for _, ins := range dockerInstructions(t) {
		if ins[0] == "CMD" {
			return strings.TrimPrefix(strings.Trim(ins[1], `[]"`), "--config=")
		}
	}
	t.Fatal("the Dockerfile has no CMD")
	return ""
}

// checkDockerfile checks the multi-stage build: a Go image of the module's Go
// version copies the build context in and runs `make image`, and
// Dockerfile.dockerignore lets into that context every file the build reads;
// the runtime stage is scratch with the files `make image` lays out, runs as
// nonroot (65532) and starts the binary the Makefile builds. That the result
// holds the same files and settings as the image tarball of `make image` is
// the image test's business.
func checkDockerfile(t *testing.T, p string) {
	root := examplePath("..")
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(goMod))[1]
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	require.NoError(t, err)
	binary := regexp.MustCompile(`(?m)^BIN\s*:=\s*\$\(BUILD_DIR\)/(\S+)`).FindStringSubmatch(string(makefile))[1]
	buildDir := regexp.MustCompile(`(?m)^BUILD_DIR\s*:=\s*(\S+)`).FindStringSubmatch(string(makefile))[1]
	rootfs := regexp.MustCompile(`(?m)^IMAGE_ROOTFS\s*:=\s*\$\(BUILD_DIR\)/(\S+)`).FindStringSubmatch(string(makefile))[1]

	var stages []string
	var workdir, user string
	var copied, made bool
	for _, ins := range dockerInstructions(t) {
		switch ins[0] {
		case "FROM":
			stages = append(stages, ins[1])
			user = ""
		case "WORKDIR":
			workdir = ins[1]
		case "USER":
			user = ins[1]
		case "RUN":
			made = made || strings.HasSuffix(ins[1], "make image")
		case "COPY":
			if strings.HasPrefix(ins[1], "--from=build ") {
				assert.Contains(t, ins[1], " "+path.Join("/src", buildDir, rootfs)+"/", "the files make image lays out")
				continue
			}
			assert.Equal(t, ". .", ins[1], "the build stage copies the context, which the dockerignore file selects")
			assert.Equal(t, "/src", workdir)
			copied = true
		}
	}
	require.Len(t, stages, 2, "a build stage and a runtime stage")
	assert.Regexp(t, `^golang:`+regexp.QuoteMeta(goVersion)+`(-\S+)? AS build$`, stages[0], "the Go of go.mod")
	assert.True(t, copied && made, "the build stage copies the context and runs make image")
	assert.Equal(t, "scratch", stages[1])
	assert.Equal(t, "65532:65532", user, "the runtime stage runs as nonroot")
	assert.Equal(t, "/"+binary, dockerEntrypoint(t))

	ignore, err := os.ReadFile(p + ".dockerignore")
	require.NoError(t, err)
	for _, f := range buildInputs(t, root, buildDir) {
		assert.False(t, dockerignored(string(ignore), f), "Dockerfile.dockerignore leaves %s, which make build reads, out of the context", f)
	}
}

// buildInputs lists what `make build` reads, relative to root: the Makefile,
// the ocb manifest, the module files of the root module and the stand-ins, and
// their non-test Go files (the Makefile's GO_SOURCES), outside the build
// directory and test data.
func buildInputs(t *testing.T, root, buildDir string) []string {
	t.Helper()
	files := []string{"Makefile", "builder-config.yaml"}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == buildDir || rel == ".git" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			// Modules of their own (e2e/, tools) are not part of the build,
			// except the stand-ins that builder-config.yaml replaces.
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil && rel != "." && !strings.HasPrefix(rel, "standin/") {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		if name == "go.mod" || name == "go.sum" || strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			files = append(files, rel)
		}
		return nil
	}))
	require.Contains(t, files, "go.mod")
	return files
}

// dockerignored tells whether a .dockerignore file keeps path (relative to
// the context, with slashes) out of the context: the last pattern matching
// the path or one of its directories decides, `!` lets in, `*` stays within
// a directory and `**` crosses them.
func dockerignored(ignore, p string) bool {
	ignored := false
	for _, line := range strings.Split(ignore, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		pattern, allow := strings.CutPrefix(line, "!")
		pattern = strings.Trim(path.Clean(pattern), "/")
		var re strings.Builder
		for i := 0; i < len(pattern); i++ {
			switch {
			case strings.HasPrefix(pattern[i:], "**/"):
				re.WriteString(`(.*/)?`)
				i += 2
			case strings.HasPrefix(pattern[i:], "**"):
				re.WriteString(`.*`)
				i++
			case pattern[i] == '*':
				re.WriteString(`[^/]*`)
			case pattern[i] == '?':
				re.WriteString(`[^/]`)
			default:
				re.WriteString(regexp.QuoteMeta(pattern[i : i+1]))
			}
		}
		if regexp.MustCompile(`^` + re.String() + `(/.*)?$`).MatchString(p) {
			ignored = !allow
		}
	}
	return ignored
}

// checkSystemdUnit runs systemd-analyze verify on the unit (with ExecStart
// pointing at the built binary) and checks it against the collector
// configuration and environment file next to it.
func checkSystemdUnit(t *testing.T, p string) {
	analyze, err := exec.LookPath("systemd-analyze")
	require.NoError(t, err, "systemd-analyze is needed (Debian package systemd)")
	unit, err := os.ReadFile(p)
	require.NoError(t, err)
	dir := filepath.Dir(p)
	config := readYAML(t, filepath.Join(dir, "otelcol-twingate.yaml"))
	envFile, err := os.ReadFile(filepath.Join(dir, "otelcol-twingate.env"))
	require.NoError(t, err)

	keys := map[string]string{}
	for _, line := range strings.Split(string(unit), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			keys[k] = v
		}
	}
	exe, args, _ := strings.Cut(keys["ExecStart"], " ")
	assert.Equal(t, "--config=/etc/otelcol-twingate/config.yaml", args)
	assert.Equal(t, "/var/lib/"+keys["StateDirectory"], dig(config, "extensions", "file_storage", "directory"))
	assert.Equal(t, "file_storage", dig(config, "receivers", "twingateanalytics", "storage"), "the journal cursor is kept")
	assert.Contains(t, strings.Fields(keys["SupplementaryGroups"]), "systemd-journal", "journalctl must read the journal")
	assert.Equal(t, "/etc/otelcol-twingate/otelcol-twingate.env", keys["EnvironmentFile"])
	for _, name := range configEnvRefs(t, config) {
		assert.Regexp(t, `(?m)^`+name+`=`, string(envFile), "otelcol-twingate.env does not set %s", name)
	}

	// systemd-analyze warns about anything it does not understand; the unit
	// must give it nothing to say.
	tmp := t.TempDir()
	env := filepath.Join(tmp, "otelcol-twingate.env")
	require.NoError(t, os.WriteFile(env, envFile, 0o600))
	local := strings.NewReplacer(exe, distribution(t), keys["EnvironmentFile"], env).Replace(string(unit))
	localUnit := filepath.Join(tmp, "otelcol-twingate.service")
	require.NoError(t, os.WriteFile(localUnit, []byte(local), 0o600))
	out, err := exec.Command(analyze, "verify", localUnit).CombinedOutput()
	require.NoError(t, err, "systemd-analyze verify:\n%s", out)
	assert.Empty(t, string(out), "systemd-analyze verify")
}

func checkConnectorConf(t *testing.T, p string) {
	content, err := os.ReadFile(p)
	require.NoError(t, err)
	var settings []string
	for _, line := range strings.Split(string(content), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			settings = append(settings, line)
		}
	}
	assert.Equal(t, []string{"TWINGATE_LOG_ANALYTICS=v2"}, settings)
}

// TestKubernetesExampleEndToEnd runs the DaemonSet's configuration in the
// built otelcol-twingate on a node-like directory: a connector pod's CRI log,
// rotated by the kubelet mid-line, reaches an OTLP backend as the records of
// the cri_rotated golden file.
func TestKubernetesExampleEndToEnd(t *testing.T) {
	content, err := os.ReadFile(examplePath("kubernetes/daemonset.yaml"))
	require.NoError(t, err)
	var config string
	dec := yaml.NewDecoder(bytes.NewReader(content))
	for config == "" {
		var doc map[string]any
		require.NoError(t, dec.Decode(&doc))
		if doc["kind"] == "ConfigMap" {
			config = dig(doc, "data", "config.yaml").(string)
		}
	}
	node := t.TempDir()
	// The node's directories, under a temporary root.
	for _, dir := range []string{"/var/log/pods", "/var/lib/otelcol-twingate"} {
		require.Contains(t, config, dir)
		config = strings.ReplaceAll(config, dir, filepath.Join(node, dir))
	}
	endpoint, sink := startOTLPBackend(t)
	t.Setenv("OTLP_ENDPOINT", endpoint)
	t.Setenv("OTLP_AUTHORIZATION", "Bearer example-token")
	t.Setenv("MY_POD_IP", "127.0.0.1")
	col := startCollector(t, "--config", writeTemp(t, config),
		"--config", "yaml:extensions::health_check::endpoint: "+freeAddr(t),
		"--config", "yaml:service::telemetry::metrics::level: none",
		"--config", "yaml:receivers::twingateanalytics::file::poll_interval: 50ms")

	logPath := filepath.Join(node, logstest.PodLogDir, "0.log")
	require.NoError(t, os.MkdirAll(filepath.Dir(logPath), 0o755))
	expected := logstest.ReadGolden(t, mappingTestdata("container", "cri_rotated_expected.yaml"))
	logstest.WriteSteps(t, mappingTestdata("container", "cri_rotated.log"), logPath, sink.LogRecordCount, waitForCollector)
	require.Eventually(t, func() bool { return sink.LogRecordCount() >= expected.LogRecordCount() }, waitForCollector, 20*time.Millisecond,
		"records never arrived; collector output:\n%s", col)
	time.Sleep(500 * time.Millisecond) // a duplicate would show up by now
	logstest.RequireLogsMatch(t, expected, logstest.MergeByResource(sink.AllLogs()), plogtest.IgnoreScopeLogsVersion())
}
