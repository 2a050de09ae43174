// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build unix

package twingateanalyticsreceiver

// End-to-end tests of the otelcol-twingate distribution: the ocb-built binary
// reads connector lines from a file and forwards them over OTLP/HTTP to an OTLP
// receiver running inside the test on 127.0.0.1.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
)

const waitForCollector = 30 * time.Second

// distribution returns the path of the built otelcol-twingate; `make test`
// builds it and passes it in OTELCOL_TWINGATE_BIN.
func distribution(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("OTELCOL_TWINGATE_BIN")
	if bin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("OTELCOL_TWINGATE_BIN is not set: run the tests with `make test`")
		}
		t.Skip("OTELCOL_TWINGATE_BIN is not set: `make test` builds otelcol-twingate and runs this test")
	}
	_, err := os.Stat(bin)
	require.NoError(t, err, "otelcol-twingate binary")
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// startOTLPBackend runs the collector's own OTLP receiver (HTTP only) on a
// free loopback port and returns its endpoint and the logs it receives.
func startOTLPBackend(t *testing.T) (string, *consumertest.LogsSink) {
	t.Helper()
	b := newOTLPBackend(t)
	b.start(t)
	return b.endpoint(), b.logs
}

// startOTLPLogsAndMetricsBackend is startOTLPBackend that also receives
// metrics on the same endpoint.
func startOTLPLogsAndMetricsBackend(t *testing.T) (string, *consumertest.LogsSink, *consumertest.MetricsSink) {
	t.Helper()
	b := newOTLPBackend(t)
	b.start(t)
	return b.endpoint(), b.logs, b.metrics
}

// otlpBackend is an OTLP/HTTP receiver of logs and metrics on a fixed
// loopback address that can be stopped and started again, to play a backend
// outage; what it receives across restarts goes to the same sinks.
type otlpBackend struct {
	addr    string
	logs    *consumertest.LogsSink
	metrics *consumertest.MetricsSink
	running []component.Component
}

func newOTLPBackend(t *testing.T) *otlpBackend {
	b := &otlpBackend{addr: freeAddr(t), logs: new(consumertest.LogsSink), metrics: new(consumertest.MetricsSink)}
	t.Cleanup(func() { b.stop(t) })
	return b
}

func (b *otlpBackend) endpoint() string { return "http://" + b.addr }

func (b *otlpBackend) start(t *testing.T) {
	t.Helper()
	factory := otlpreceiver.NewFactory()
	cfg := factory.CreateDefaultConfig()
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"protocols": map[string]any{"grpc": map[string]any{"enabled": false}, "http": map[string]any{"endpoint": b.addr}},
	}).Unmarshal(cfg))
	set := receivertest.NewNopSettings(factory.Type())
	// The factory shares one receiver, one HTTP server, between the signals
	// created from the same config.
	logsRcv, err := factory.CreateLogs(context.Background(), set, cfg, b.logs)
	require.NoError(t, err)
	metricsRcv, err := factory.CreateMetrics(context.Background(), set, cfg, b.metrics)
	require.NoError(t, err)
	for _, rcv := range []component.Component{logsRcv, metricsRcv} {
		require.NoError(t, rcv.Start(context.Background(), componenttest.NewNopHost()), "OTLP backend on %s", b.addr)
		b.running = append(b.running, rcv)
	}
}

func (b *otlpBackend) stop(t *testing.T) {
	for _, rcv := range b.running {
		assert.NoError(t, rcv.Shutdown(context.Background()))
	}
	b.running = nil
}

type collector struct {
	cmd     *exec.Cmd
	exited  chan struct{}
	exitErr error
	mu      sync.Mutex
	output  bytes.Buffer
}

func (c *collector) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.output.Write(p)
}

func (c *collector) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.output.String()
}

// runCollector starts otelcol-twingate with the given config and stops it
// (SIGTERM, then kill) when the test ends; its output is shown on failure.
// It runs in a process group of its own, so kill also ends the journalctl
// it started, as a service manager would.
func runCollector(t *testing.T, config string) *collector {
	t.Helper()
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(config), 0o600))
	return startCollector(t, "--config", cfgPath)
}

// startCollector is runCollector with the command-line arguments given.
func startCollector(t *testing.T, args ...string) *collector {
	t.Helper()
	c := &collector{cmd: exec.Command(distribution(t), args...)}
	c.cmd.Stdout, c.cmd.Stderr = c, c
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, c.cmd.Start())
	c.exited = make(chan struct{})
	go func() { c.exitErr = c.cmd.Wait(); close(c.exited) }()
	t.Cleanup(func() {
		_ = c.cmd.Process.Signal(os.Interrupt)
		select {
		case <-c.exited:
		case <-time.After(10 * time.Second):
			c.kill(t)
		}
		if t.Failed() {
			t.Logf("otelcol-twingate output:\n%s", c.String())
		}
	})
	return c
}

// exitedEarly fails the test when the collector has exited by itself.
func (c *collector) exitedEarly(t *testing.T) bool {
	select {
	case <-c.exited:
		t.Errorf("otelcol-twingate exited: %v; output:\n%s", c.exitErr, c)
		return true
	default:
		return false
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (c *collector) stop(t *testing.T) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case <-c.exited:
		require.NoError(t, c.exitErr, "otelcol-twingate did not exit cleanly; output:\n%s", c)
	case <-time.After(waitForCollector):
		t.Fatalf("otelcol-twingate did not stop within %s of SIGTERM; output:\n%s", waitForCollector, c)
	}
}

// kill sends SIGKILL to the collector's process group and waits for it.
func (c *collector) kill(t *testing.T) {
	t.Helper()
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

// TestForwardGoldenOverOTLP: every record that reaches the backend carries
// exactly the resource, attributes, body, severity, time and event name of
// the receiver's golden file for the same lines.
func TestForwardGoldenOverOTLP(t *testing.T) {
	goldenDir := filepath.Join("testdata", "golden")
	input := filepath.Join(t.TempDir(), "events.log")
	copyFile(t, filepath.Join(goldenDir, "events.log"), input)
	endpoint, sink := startOTLPBackend(t)
	col := runCollector(t, fileToOTLPConfig(input, endpoint, freeAddr(t)))

	expected := readGolden(t, filepath.Join(goldenDir, "events_expected.yaml"))
	require.Eventually(t, func() bool { return sink.LogRecordCount() >= expected.LogRecordCount() }, waitForCollector, 20*time.Millisecond,
		"records never arrived; collector output:\n%s", col)
	actual := mergeByResource(sink.AllLogs())
	require.NoError(t, plogtest.CompareLogs(expected, actual, plogtest.IgnoreObservedTimestamp(), plogtest.IgnoreScopeLogsVersion()))
	assert.Equal(t, eventNamesOf(expected), eventNamesOf(actual))
}

// TestForwardSampleLog: the sample connector log of `make run` yields one
// record per ANALYTICS line and none for the connector's other output.
func TestForwardSampleLog(t *testing.T) {
	sample := filepath.Join("..", "..", "testdata", "connector.log")
	content, err := os.ReadFile(sample)
	require.NoError(t, err)
	want, other := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(content)), "\n") {
		if strings.HasPrefix(line, "ANALYTICS ") {
			want++
		} else {
			other++
		}
	}
	require.Positive(t, want)
	require.Positive(t, other)
	input := filepath.Join(t.TempDir(), "connector.log")
	copyFile(t, sample, input)
	endpoint, sink := startOTLPBackend(t)
	metricsAddr := freeAddr(t)
	col := runCollector(t, fileToOTLPConfig(input, endpoint, metricsAddr))

	require.Eventually(t, func() bool { return sink.LogRecordCount() >= want }, waitForCollector, 20*time.Millisecond,
		"records never arrived; collector output:\n%s", col)
	// Let a late duplicate or a stray noise record show up before counting.
	time.Sleep(500 * time.Millisecond)
	require.Equal(t, want, sink.LogRecordCount())
	for _, logs := range sink.AllLogs() {
		for _, rl := range logs.ResourceLogs().All() {
			name, ok := rl.Resource().Attributes().Get("service.name")
			require.True(t, ok)
			assert.Equal(t, "twingate-connector", name.Str())
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					assert.True(t, strings.HasPrefix(lr.EventName(), "twingate.connection."), lr.EventName())
					assert.NotZero(t, lr.Timestamp())
					_, flagged := lr.Attributes().Get("error.type")
					assert.False(t, flagged, "sample line flagged as malformed: %s", lr.Body().Str())
				}
			}
		}
	}

	// The collector's own metrics endpoint accounts for every line.
	metrics := scrape(t, metricsAddr)
	assert.Contains(t, metrics, fmt.Sprintf(`otelcol_receiver_accepted_log_records{receiver="twingateanalytics",transport="file"} %d`, want))
	assert.Contains(t, metrics, fmt.Sprintf(`otelcol_receiver_twingateanalytics_other_lines{action="dropped",receiver="twingateanalytics"} %d`, other))
	assert.NotContains(t, metrics, "otelcol_receiver_twingateanalytics_malformed_lines{")
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
