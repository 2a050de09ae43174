// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// The real backends the tests start on 127.0.0.1: Prometheus 3 and
// VictoriaLogs, built from their Go modules by `make test`, each on a free
// port with its storage in t.TempDir().

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// serverStartTimeout bounds how long a backend may take to become ready.
const serverStartTimeout = 60 * time.Second

// backendBinary returns a backend (or promtool) built by `make test`, whose
// path is in env.
func backendBinary(t *testing.T, env string) string {
	t.Helper()
	return madeFile(t, env)
}

// postQuery sends an HTTP query API request (form-encoded, as Prometheus and
// VictoriaLogs take them) and returns the response body; a status other than
// 200 is an error carrying the body.
func postQuery(endpoint string, form url.Values) ([]byte, error) {
	resp, err := http.PostForm(endpoint, form)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %v: %s: %s", endpoint, form, resp.Status, body)
	}
	return body, err
}

// startServer runs bin until the test ends and waits until readyURL answers
// 200. Its output is shown when the test fails.
func startServer(t *testing.T, name, bin, readyURL string, args ...string) {
	t.Helper()
	out := &processOutput{}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start(), name)
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out)
		}
	})
	deadline := time.Now().Add(serverStartTimeout)
	for {
		select {
		case <-exited:
			t.Fatalf("%s exited before it was ready:\n%s", name, out)
		default:
		}
		if resp, err := http.Get(readyURL); err == nil {
			_ = resp.Body.Close() // only the status matters
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready at %s within %s:\n%s", name, readyURL, serverStartTimeout, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startPrometheus starts a Prometheus with an empty configuration file (every
// setting at its default) and the given flags; it returns its base URL.
func startPrometheus(t *testing.T, name, bin string, flags ...string) string {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	require.NoError(t, os.WriteFile(config, []byte("# every setting at its default\n"), 0o600))
	addr := freeAddr(t)
	args := append([]string{
		"--config.file=" + config,
		"--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=" + addr,
	}, flags...)
	startServer(t, name, bin, "http://"+addr+"/-/ready", args...)
	return "http://" + addr
}

// startVictoriaLogs starts VictoriaLogs at its defaults (7-day retention) and
// returns its base URL.
func startVictoriaLogs(t *testing.T) string {
	t.Helper()
	bin := backendBinary(t, "OTELCOL_TWINGATE_VICTORIALOGS")
	addr := freeAddr(t)
	startServer(t, "victoria-logs", bin, "http://"+addr+"/health",
		"-storageDataPath="+filepath.Join(t.TempDir(), "vl"),
		"-httpListenAddr="+addr)
	return "http://" + addr
}
