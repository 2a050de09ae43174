// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package e2e

// The built otelcol-twingate as the tests run it: a process of its own, with
// its output kept for the failure message, stopped or killed like a service.

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/otelcol-twingate/otelcol-twingate/internal/testcorpus"
)

const waitForCollector = 30 * time.Second

// repoRoot is the checkout the tests run in: e2e/ is one level below it.
const repoRoot = ".."

// examplePath is a file under examples/.
func examplePath(name string) string { return filepath.Join(repoRoot, "examples", name) }

// mappingTestdata is a file of the line -> record mapping's test data (golden
// files, hostile corpus).
func mappingTestdata(elem ...string) string {
	return testcorpus.Path(elem...)
}

// distribution returns the path of the built otelcol-twingate; `make test`
// builds it and passes it in OTELCOL_TWINGATE_BIN.
func distribution(tb testing.TB) string {
	tb.Helper()
	return madeFile(tb, "OTELCOL_TWINGATE_BIN")
}

// missing ends a test that lacks what it needs: a failure under CI, where
// nothing may be missing, a skip otherwise.
func missing(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}

// madeFile returns the file `make test` builds and names in the variable env.
func madeFile(tb testing.TB, env string) string {
	tb.Helper()
	p := os.Getenv(env)
	if p == "" {
		missing(tb, env+" is not set: run the tests with `make test`, which builds what they need")
	}
	_, err := os.Stat(p)
	require.NoError(tb, err, "%s: `make test` builds it", env)
	return p
}

// freeAddr returns a 127.0.0.1 address with a port nothing listens on, for a
// server a test starts.
//
// The port is below the kernel's ephemeral range (ip_local_port_range), and
// never handed out twice by this process. A port the kernel picks for
// "127.0.0.1:0" comes from that range, where any outgoing connection of a
// test running in parallel (a Kafka client, an exporter) may take it as its
// source port before the collector binds it: a CI run failed on exactly
// that ("bind: address already in use" for a collector's metrics port).
func freeAddr(tb testing.TB) string {
	tb.Helper()
	freePorts.Lock()
	defer freePorts.Unlock()
	if freePorts.given == nil {
		freePorts.given = map[int]bool{}
		freePorts.low, freePorts.high = 10000, ephemeralLow()
		// Concurrent test processes start at different places.
		freePorts.next = freePorts.low + rand.IntN(freePorts.high-freePorts.low)
	}
	for range freePorts.high - freePorts.low {
		p := freePorts.next
		if freePorts.next++; freePorts.next >= freePorts.high {
			freePorts.next = freePorts.low
		}
		if freePorts.given[p] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue // in use
		}
		require.NoError(tb, l.Close())
		freePorts.given[p] = true
		return l.Addr().String()
	}
	require.FailNow(tb, "no free port below the ephemeral range")
	return ""
}

// freePorts is what freeAddr has handed out.
var freePorts struct {
	sync.Mutex
	given           map[int]bool
	low, high, next int
}

// ephemeralLow is the first port of the kernel's ephemeral range (32768 if
// it cannot be read).
func ephemeralLow() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 32768
	}
	fields := strings.Fields(string(b))
	if len(fields) == 0 {
		return 32768
	}
	low, err := strconv.Atoi(fields[0])
	if err != nil || low <= 10000+1000 {
		return 32768
	}
	return low
}

type collector struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	exitErr error
	processOutput
}

// processOutput collects a process's stdout and stderr, for failure
// messages; it is written from the os/exec goroutines.
type processOutput struct {
	mu     sync.Mutex
	output bytes.Buffer
}

func (o *processOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.output.Write(p)
}

func (o *processOutput) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.output.String()
}

// runCollector starts otelcol-twingate with the given config and stops it
// (SIGTERM, then kill) when the test ends; its output is shown on failure.
// It runs in a process group of its own, so kill also ends the journalctl
// it started, as a service manager would.
func runCollector(tb testing.TB, config string) *collector {
	tb.Helper()
	cfgPath := filepath.Join(tb.TempDir(), "config.yaml")
	require.NoError(tb, os.WriteFile(cfgPath, []byte(config), 0o600))
	return startCollector(tb, "--config", cfgPath)
}

// startCollector is runCollector with the command-line arguments given.
func startCollector(tb testing.TB, args ...string) *collector {
	tb.Helper()
	c := &collector{cmd: exec.Command(distribution(tb), args...)}
	c.cmd.Stdout, c.cmd.Stderr = c, c
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(tb, c.cmd.Start())
	c.exited = make(chan struct{})
	go func() { c.exitErr = c.cmd.Wait(); close(c.exited) }()
	tb.Cleanup(func() {
		_ = c.cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.kill(tb)
		}
		if tb.Failed() {
			tb.Logf("otelcol-twingate output:\n%s", c.String())
		}
	})
	return c
}

// exitedEarly fails the test when the collector has exited by itself.
func (c *collector) exitedEarly(tb testing.TB) bool {
	select {
	case <-c.exited:
		tb.Errorf("otelcol-twingate exited: %v; output:\n%s", c.exitErr, c)
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (c *collector) stop(tb testing.TB) {
	tb.Helper()
	require.NoError(tb, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-c.exited:
		require.NoError(tb, c.exitErr, "otelcol-twingate did not exit cleanly; output:\n%s", c)
	case <-time.After(waitForCollector):
		tb.Fatalf("otelcol-twingate did not stop within %s of SIGTERM; output:\n%s", waitForCollector, c)
	}
}

// kill sends SIGKILL to the collector's process group and waits for it.
func (c *collector) kill(tb testing.TB) {
	tb.Helper()
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	<-c.exited
}

// fileToOTLPConfig reads include from the beginning and exports to endpoint;
// the collector's own metrics are served on metricsAddr.
func fileToOTLPConfig(include, endpoint, metricsAddr string) string {
	host, port, _ := net.SplitHostPort(metricsAddr)
	return fmt.Sprintf(`
receivers:
  twingateanalytics:
    file:
      include: [%q]
      start_at: beginning
      poll_interval: 50ms
exporters:
  otlp_http:
    endpoint: %s
    tls:
      insecure: true
    retry_on_failure:
      initial_interval: 100ms
processors:
  batch:
    timeout: 100ms
service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: %s
                port: %s
                without_scope_info: true
                without_units: true
                without_type_suffix: true
  pipelines:
    logs:
      receivers: [twingateanalytics]
      processors: [batch]
      exporters: [otlp_http]
`, include, endpoint, host, port)
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	content, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, content, 0o600))
}

func scrape(t *testing.T, addr string) string {
	t.Helper()
	metrics, err := scrapeMetrics(addr)
	require.NoError(t, err)
	return metrics
}

func scrapeMetrics(addr string) (string, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	return string(body), err
}
