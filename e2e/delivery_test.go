// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

//go:build linux

package e2e

// Delivery guarantees of the otelcol-twingate distribution, end to end: the
// built binary runs examples/reliable.yaml, reads what a steady writer appends
// to a file or a real journal, and forwards it over OTLP/HTTP to a backend
// inside the test; the test stops, kills and restarts the collector with real
// signals, rotates files and takes the backend down, and counts what arrived
// by twingate.connection.id and event.

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-twingate/otelcol-twingate/internal/logstest"
)

// waitForDelivery bounds how long a test waits for every line to arrive.
const waitForDelivery = 90 * time.Second

// reliableConfig is examples/reliable.yaml with what a test machine needs
// instead: the given input, a private storage directory, the test's backend,
// free ports, and retries (receiver and exporter) of at most 1s: the
// example's 30s would only make the test wait longer after an outage.
func reliableConfig(t *testing.T, input map[string]any, endpoint, storageDir, metricsAddr, healthAddr string, patch func(map[string]any)) string {
	t.Helper()
	conf, err := confmaptest.LoadConf(examplePath("reliable.yaml"))
	require.NoError(t, err)
	cfg := conf.ToStringMap()
	sub := func(m map[string]any, key string) map[string]any {
		v, ok := m[key].(map[string]any)
		require.True(t, ok, "examples/reliable.yaml: no map at %q", key)
		return v
	}
	extensions := sub(cfg, "extensions")
	sub(extensions, "file_storage")["directory"] = storageDir
	extensions["health_check"] = map[string]any{"endpoint": healthAddr}

	rcv := sub(sub(cfg, "receivers"), "twingateanalytics")
	require.Equal(t, "file_storage", rcv["storage"])
	delete(rcv, "journald")
	delete(rcv, "file")
	for k, v := range input {
		rcv[k] = v
	}
	rcvRetry := sub(rcv, "retry_on_failure")
	rcvRetry["initial_interval"], rcvRetry["max_interval"] = "100ms", "1s"

	exp := sub(sub(cfg, "exporters"), "otlp_http")
	exp["endpoint"] = endpoint
	retry := sub(exp, "retry_on_failure")
	retry["initial_interval"], retry["max_interval"] = "100ms", "1s"

	host, portText, _ := net.SplitHostPort(metricsAddr)
	port, err := strconv.Atoi(portText)
	require.NoError(t, err)
	sub(cfg, "service")["telemetry"] = map[string]any{"metrics": map[string]any{"readers": []any{
		map[string]any{"pull": map[string]any{"exporter": map[string]any{"prometheus": map[string]any{
			"host": host, "port": port,
			"without_scope_info": true, "without_units": true, "without_type_suffix": true,
		}}}},
	}}}
	if patch != nil {
		patch(cfg)
	}
	out, err := json.Marshal(cfg) // JSON is YAML
	require.NoError(t, err)
	return string(out)
}

// tailFile reads include from the beginning, polling every 50ms.
func tailFile(include ...string) map[string]any {
	return map[string]any{"file": map[string]any{
		"include": include, "start_at": "beginning", "poll_interval": "50ms",
	}}
}

// steadyWriter writes logstest.ConnectionLine(0..n-1) at a steady rate, a few lines
// per tick, one write per line, like a connector under constant load.
type steadyWriter struct {
	mu      sync.Mutex // held while a line is written; pause takes it
	write   func(i int, line string) error
	n       int
	written atomic.Int64
	done    chan error
}

func startSteadyWriter(t *testing.T, n int, write func(i int, line string) error) *steadyWriter {
	t.Helper()
	w := &steadyWriter{write: write, n: n, done: make(chan error, 1)}
	const perTick, tick = 4, 4 * time.Millisecond // ~1000 lines/s
	go func() {
		ticker := time.NewTicker(tick)
		defer ticker.Stop()
		for i := 0; i < n; {
			<-ticker.C
			for j := 0; j < perTick && i < n; j, i = j+1, i+1 {
				w.mu.Lock()
				err := w.write(i, logstest.ConnectionLine(i))
				w.mu.Unlock()
				if err != nil {
					w.done <- fmt.Errorf("line %d: %w", i, err)
					return
				}
				w.written.Add(1)
			}
		}
		w.done <- nil
	}()
	t.Cleanup(func() {
		// The goroutine's end; wait reports its error, which it puts back
		// for this.
		if err := <-w.done; err != nil {
			t.Logf("connector log writer: %v", err)
		}
	})
	return w
}

// pause runs fn between two lines.
func (w *steadyWriter) pause(fn func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn()
}

func (w *steadyWriter) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-w.done:
		w.done <- err // for Cleanup
		require.NoError(t, err)
	case <-time.After(waitForDelivery):
		t.Fatalf("writer wrote only %d of %d lines", w.written.Load(), w.n)
	}
}

// appendingFile is a log file the writer appends to with O_APPEND, as the
// connector's stdout redirected to a file is.
type appendingFile struct {
	path string
	f    *os.File
}

func newAppendingFile(t *testing.T, path string) *appendingFile {
	t.Helper()
	a := &appendingFile{path: path}
	a.reopen(t)
	t.Cleanup(func() { _ = a.f.Close() })
	return a
}

func (a *appendingFile) reopen(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	require.NoError(t, err)
	a.f = f
}

func (a *appendingFile) writeLine(_ int, line string) error {
	_, err := a.f.WriteString(line + "\n")
	return err
}

// journalWriter appends entries of unit twingate-connector to a real journal
// file: systemd-journal-remote reads them in journal export format on stdin.
type journalWriter struct {
	dir   string
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

func startJournalWriter(t *testing.T) *journalWriter {
	t.Helper()
	remote := ""
	for _, p := range []string{"/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"} {
		if _, err := os.Stat(p); err == nil {
			remote = p
		}
	}
	require.NotEmpty(t, remote, "systemd-journal-remote is needed (Debian package systemd-journal-remote; `make deps` installs it)")
	_, err := exec.LookPath("journalctl")
	require.NoError(t, err, "journalctl is needed (Debian package systemd)")
	w := &journalWriter{dir: t.TempDir()}
	w.cmd = exec.Command(remote, "--split-mode=none", "--compress=no", "--seal=no",
		"--output="+filepath.Join(w.dir, "twingate.journal"), "-")
	w.cmd.Env = append(os.Environ(), "SYSTEMD_JOURNAL_COMPACT=0", "SYSTEMD_JOURNAL_KEYED_HASH=0")
	w.stdin, err = w.cmd.StdinPipe()
	require.NoError(t, err)
	require.NoError(t, w.cmd.Start())
	t.Cleanup(func() {
		_ = w.stdin.Close()
		_ = w.cmd.Wait()
	})
	return w
}

func (w *journalWriter) writeLine(i int, line string) error {
	usec := time.Now().UnixMicro()
	_, err := fmt.Fprintf(w.stdin, "__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0b5d1f6e2c3a4b7d8e9f0a1b2c3d4e5f\n"+
		"_HOSTNAME=connector-host-1\n_SYSTEMD_UNIT=twingate-connector.service\nSYSLOG_IDENTIFIER=twingate-connector\n"+
		"PRIORITY=6\n_TRANSPORT=stdout\nMESSAGE=%s\n\n", usec, 1_000_000+int64(i), line)
	return err
}

func (w *journalWriter) input() map[string]any {
	return map[string]any{"journald": map[string]any{"directory": w.dir, "start_at": "beginning"}}
}

// ingest is one run of the test: a writer, a backend and the collector's
// storage, shared by the collector processes the test starts one after the other.
type ingest struct {
	t           *testing.T
	backend     *otlpBackend
	storageDir  string
	metricsAddr string
	healthAddr  string
	config      string
}

func newIngest(t *testing.T, input map[string]any, patch func(map[string]any)) *ingest {
	in := &ingest{t: t, backend: newOTLPBackend(t), storageDir: t.TempDir(), metricsAddr: freeAddr(t), healthAddr: freeAddr(t)}
	in.config = reliableConfig(t, input, in.backend.endpoint(), in.storageDir, in.metricsAddr, in.healthAddr, patch)
	in.backend.start(t)
	return in
}

// run starts a collector and waits until it is ready for a SIGTERM.
func (in *ingest) run() *collector {
	in.t.Helper()
	col := runCollector(in.t, in.config)
	require.Eventually(in.t, func() bool {
		if col.exitedEarly(in.t) {
			return true
		}
		resp, err := http.Get("http://" + in.healthAddr + "/")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, waitForCollector, 20*time.Millisecond, "collector never ready; output:\n%s", col)
	// health_check turns ready inside the service's Start; the collector
	// installs its SIGTERM handler only after Start has returned, and
	// nothing observable marks that moment. A SIGTERM in between kills the
	// collector without a shutdown (seen once under load), so give it a
	// moment that no scheduler delay comes near.
	time.Sleep(500 * time.Millisecond)
	return col
}

// waitForRecords waits until the backend holds at least n records.
func (in *ingest) waitForRecords(n int, col *collector) {
	in.t.Helper()
	require.Eventually(in.t, func() bool { return col.exitedEarly(in.t) || in.backend.logs.LogRecordCount() >= n }, waitForDelivery, 20*time.Millisecond,
		"backend has %d of %d records; collector output:\n%s", in.backend.logs.LogRecordCount(), n, col)
}

// waitForAll waits until every one of the n lines has arrived at least once.
func (in *ingest) waitForAll(n int, col *collector) logstest.Delivery {
	in.t.Helper()
	var d logstest.Delivery
	require.Eventually(in.t, func() bool {
		d = logstest.CheckDelivery(logstest.CountRecords(in.backend.logs.AllLogs()), 0, n)
		return col.exitedEarly(in.t) || len(d.Lost) == 0
	}, waitForDelivery, 50*time.Millisecond, "never complete: %s; collector output:\n%s", &d, col)
	return d
}

// finish stops the last collector (so nothing more can arrive) and returns
// what the backend got of the n lines.
func (in *ingest) finish(n int, col *collector) logstest.Delivery {
	in.t.Helper()
	in.waitForAll(n, col)
	col.stop(in.t)
	d := logstest.CheckDelivery(logstest.CountRecords(in.backend.logs.AllLogs()), 0, n)
	assert.Empty(in.t, d.Lost, "%s", d)
	assert.Empty(in.t, d.Unexpected, "%s", d)
	return d
}

// inputs are the two ways the receiver reads the connector: each returns the
// receiver input and the function that writes line i.
var inputs = map[string]func(t *testing.T) (map[string]any, func(int, string) error){
	"file": func(t *testing.T) (map[string]any, func(int, string) error) {
		f := newAppendingFile(t, filepath.Join(t.TempDir(), "connector.log"))
		return tailFile(f.path), f.writeLine
	},
	"journald": func(t *testing.T) (map[string]any, func(int, string) error) {
		j := startJournalWriter(t)
		return j.input(), j.writeLine
	},
}

// TestDeliveryAcrossRestart: SIGTERM while the connector is writing, then a
// restart: the receiver resumes at its checkpoint and the persistent queue
// keeps what was not sent yet. 0 lost, 0 duplicated.
func TestDeliveryAcrossRestart(t *testing.T) {
	distribution(t)
	for name, open := range inputs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			const n = 3000
			input, write := open(t)
			in := newIngest(t, input, nil)
			w := startSteadyWriter(t, n, write)
			col := in.run()
			in.waitForRecords(n/4, col)
			col.stop(t)
			atStop, written := in.backend.logs.LogRecordCount(), w.written.Load()
			col = in.run()
			w.wait(t)
			d := in.finish(n, col)
			t.Logf("%s: %d lines; SIGTERM after %d written, %d delivered; %s", name, n, written, atStop, d)
			assert.Empty(t, d.Duplicated, "%s", d)
		})
	}
}

// TestDeliveryAcrossCrash: SIGKILL (of the collector and its journalctl)
// while the connector is writing, then a restart. 0 lost. Duplicates are
// what was delivered after the last checkpoint: at most the receiver batch
// being delivered (100 lines or journal entries); plus, with the persistent
// queue, the batch being exported (a line can be in both, and arrive three
// times). The "sync" variants disable the exporter's queue so that the
// receiver's own bound can be checked exactly.
func TestDeliveryAcrossCrash(t *testing.T) {
	distribution(t)
	noQueue := func(cfg map[string]any) {
		exp := cfg["exporters"].(map[string]any)["otlp_http"].(map[string]any)
		exp["sending_queue"] = map[string]any{"enabled": false}
	}
	for _, tc := range []struct {
		name, input string
		patch       func(map[string]any)
	}{
		{"file", "file", nil},
		{"journald", "journald", nil},
		{"file/sync", "file", noQueue},
		{"journald/sync", "journald", noQueue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const n = 3000
			input, write := inputs[tc.input](t)
			in := newIngest(t, input, tc.patch)
			w := startSteadyWriter(t, n, write)
			col := in.run()
			in.waitForRecords(n/3, col)
			col.kill(t)
			// A request the collector sent before dying may still be in the
			// backend's hands: stopping the backend waits for it.
			in.backend.stop(t)
			before, written := logstest.CountRecords(in.backend.logs.AllLogs()), w.written.Load()
			in.backend.start(t)
			col = in.run()
			w.wait(t)
			d := in.finish(n, col)
			t.Logf("%s: %d lines; SIGKILL after %d written, %d delivered; %s", tc.name, n, written, len(before), d)
			if tc.patch == nil {
				return
			}
			// Without a queue, a record reached the backend before the crash
			// iff the receiver delivered it: duplicates are the lines after the
			// last checkpoint, a run of consecutive lines ending at the last
			// line delivered before the crash. (With the queue, a line can also
			// be repeated that was queued but not sent before the crash.)
			for _, i := range d.Duplicated {
				assert.Contains(t, before, fmt.Sprintf("rel-%07d twingate.connection.closed", i), "duplicate of a line not delivered before the crash")
			}
			for key, count := range logstest.CountRecords(in.backend.logs.AllLogs()) {
				assert.LessOrEqual(t, count, 2, "%s arrived %d times", key, count)
			}
			if len(d.Duplicated) > 0 {
				last := d.Duplicated[len(d.Duplicated)-1]
				assert.Equal(t, len(d.Duplicated)-1, last-d.Duplicated[0], "duplicates are not one run: %s", d)
				assert.NotContains(t, before, fmt.Sprintf("rel-%07d twingate.connection.closed", last+1), "duplicates do not end at the crash: %s", d)
			}
			assert.LessOrEqual(t, len(d.Duplicated), receiverBatch, "the receiver stores what it delivered after every batch: %s", d)
		})
	}
}

// TestDeliveryAcrossRotation: the connector's log is rotated several times
// while it is written at a steady rate. 0 lost, 0 duplicated.
//   - rename and create (logrotate's default): connector.log is renamed to
//     connector.log.N, which include does not match, and a new connector.log
//     is created; the receiver finishes the renamed file through the handle
//     it holds.
//   - copytruncate: connector.log is copied to connector.log.N and truncated.
//     Lines the receiver had not read yet are only in the copy, so include
//     must match the copies too (connector.log*); the copy is recognized by
//     its fingerprint and read from the old offset. A line the connector
//     writes between the copy and the truncation is in neither file and lost,
//     by any tailer: logrotate's copytruncate documents that race. The test
//     copies and truncates between two lines, like a rotation that wins it.
func TestDeliveryAcrossRotation(t *testing.T) {
	distribution(t)
	for _, tc := range []struct {
		name    string
		include string
		rotate  func(t *testing.T, f *appendingFile, k int)
	}{
		{"rename_create", "connector.log", func(t *testing.T, f *appendingFile, k int) {
			require.NoError(t, os.Rename(f.path, fmt.Sprintf("%s.%d", f.path, k)))
			require.NoError(t, f.f.Close())
			f.reopen(t)
		}},
		{"copytruncate", "connector.log*", func(t *testing.T, f *appendingFile, k int) {
			content, err := os.ReadFile(f.path)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(fmt.Sprintf("%s.%d", f.path, k), content, 0o600))
			require.NoError(t, f.f.Truncate(0))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			const n, rotations = 4000, 5
			dir := t.TempDir()
			f := newAppendingFile(t, filepath.Join(dir, "connector.log"))
			in := newIngest(t, tailFile(filepath.Join(dir, tc.include)), nil)
			w := startSteadyWriter(t, n, f.writeLine)
			col := in.run()
			for k := 1; k <= rotations; k++ {
				// Rotate every n/(rotations+1) lines, whatever the machine's speed.
				require.Eventually(t, func() bool { return w.written.Load() >= int64(k*n/(rotations+1)) },
					waitForDelivery, 5*time.Millisecond)
				w.pause(func() { tc.rotate(t, f, k) })
			}
			w.wait(t)
			d := in.finish(n, col)
			t.Logf("%s: %d lines, %d rotations; %s", tc.name, n, rotations, d)
			assert.Empty(t, d.Duplicated, "%s", d)
			files, err := filepath.Glob(filepath.Join(dir, "connector.log.*"))
			require.NoError(t, err)
			assert.Len(t, files, rotations)
		})
	}
}

// TestDeliveryAcrossBackendOutage: examples/reliable.yaml with the backend
// down for 30s while the connector writes, and the collector killed once
// while it is down: every line arrives after recovery. The queue is made
// small so that it fills during the outage: from then on the receiver's
// retry holds the input back instead of dropping.
func TestDeliveryAcrossBackendOutage(t *testing.T) {
	distribution(t)
	t.Parallel()
	const n, outage = 4000, 30 * time.Second
	f := newAppendingFile(t, filepath.Join(t.TempDir(), "connector.log"))
	in := newIngest(t, tailFile(f.path), func(cfg map[string]any) {
		queue := cfg["exporters"].(map[string]any)["otlp_http"].(map[string]any)["sending_queue"].(map[string]any)
		queue["queue_size"] = 1500
	})
	w := startSteadyWriter(t, n, f.writeLine)
	col := in.run()
	in.waitForRecords(n/10, col)

	in.backend.stop(t)
	down := time.Now()
	atOutage := in.backend.logs.LogRecordCount()
	// Kill the collector halfway through the outage, once it holds records
	// the backend does not have.
	require.Eventually(t, func() bool {
		return time.Since(down) > outage/2 && acceptedRecords(in.metricsAddr) > atOutage+500
	}, waitForDelivery, 100*time.Millisecond, "collector output:\n%s", col)
	col.kill(t)
	first := col
	col = in.run()
	time.Sleep(time.Until(down.Add(outage))) // the outage itself: nothing to poll
	require.Equal(t, atOutage, in.backend.logs.LogRecordCount(), "records arrived while the backend was down")
	in.backend.start(t)
	w.wait(t)
	d := in.finish(n, col)
	t.Logf("%d lines, %d delivered before a %s outage; %s", n, atOutage, outage, d)
	// The full queue refused records, and the receiver held its input back.
	assert.Contains(t, first.String()+col.String(), "Next consumer refused the records; retrying")
}

// acceptedRecords scrapes the collector's otelcol_receiver_accepted_log_records;
// 0 while the endpoint does not answer.
func acceptedRecords(metricsAddr string) int {
	metrics, err := scrapeMetrics(metricsAddr)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "otelcol_receiver_accepted_log_records{") {
			var v float64
			if _, err := fmt.Sscan(line[strings.LastIndexByte(line, ' ')+1:], &v); err == nil {
				return int(v)
			}
		}
	}
	return 0
}
