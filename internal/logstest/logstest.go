// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package logstest holds what the tests of every package share to compare
// delivered logs with golden files: deliveries merged per resource, event
// names (which plogtest does not compare), and writing a log by steps.
package logstest // import "github.com/otelcol-twingate/otelcol-twingate/internal/logstest"

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/golden"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/pdatatest/plogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/pdata/plog"
)

// ReadGolden reads a golden file written by golden.WriteLogs.
func ReadGolden(tb testing.TB, path string) plog.Logs {
	tb.Helper()
	logs, err := golden.ReadLogs(path)
	require.NoError(tb, err)
	return logs
}

// RequireLogsMatch compares actual with expected ignoring the time records
// were read, with opts on top, and then their event names, which plogtest
// does not compare.
//
// The scope version is the build's (twingate.ScopeVersion: "(devel)" under
// go test, a VCS or release version elsewhere), so golden files do not hold
// it: the comparison ignores it, after checking that every scope has one and
// the same. pkg/translator/twingate's TestBatchScopeVersion checks its value.
func RequireLogsMatch(tb testing.TB, expected, actual plog.Logs, opts ...plogtest.CompareLogsOption) {
	tb.Helper()
	var versions []string
	for _, rl := range actual.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			versions = append(versions, sl.Scope().Version())
		}
	}
	if len(versions) > 0 {
		require.NotEmpty(tb, versions[0], "scope version")
		for _, v := range versions {
			require.Equal(tb, versions[0], v, "scope version")
		}
	}
	opts = append([]plogtest.CompareLogsOption{plogtest.IgnoreObservedTimestamp(), plogtest.IgnoreScopeLogsVersion()}, opts...)
	require.NoError(tb, plogtest.CompareLogs(expected, actual, opts...))
	assert.Equal(tb, EventNames(expected), EventNames(actual))
}

// MergeByResource puts the records of several deliveries under one
// ResourceLogs per distinct resource, in order of first appearance, so
// deliveries can be compared with one golden file however the input batched.
func MergeByResource(all []plog.Logs) plog.Logs {
	out := plog.NewLogs()
	var keys []string
	for _, logs := range all {
		for _, rl := range logs.ResourceLogs().All() {
			raw, _ := json.Marshal(rl.Resource().Attributes().AsRaw())
			key := string(raw)
			i := slices.Index(keys, key)
			if i < 0 {
				keys = append(keys, key)
				rl.CopyTo(out.ResourceLogs().AppendEmpty())
				continue
			}
			dst := out.ResourceLogs().At(i).ScopeLogs().At(0).LogRecords()
			for _, sl := range rl.ScopeLogs().All() {
				for _, lr := range sl.LogRecords().All() {
					lr.CopyTo(dst.AppendEmpty())
				}
			}
		}
	}
	return out
}

// EventNames lists the event name of every record in order.
func EventNames(logs plog.Logs) []string {
	var names []string
	for _, rl := range logs.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				names = append(names, lr.EventName())
			}
		}
	}
	return names
}

// WithoutObservedTime clears the time records were read, which differs
// from run to run, before they are written to a golden file.
func WithoutObservedTime(logs plog.Logs) plog.Logs {
	for _, rl := range logs.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				lr.SetObservedTimestamp(0)
			}
		}
	}
	return logs
}

// WriteSteps appends input to path, following its "#!" steps: "#! wait N"
// waits up to timeout until records() reaches N, "#! rotate SUFFIX" renames
// the file as a log rotator would.
func WriteSteps(tb testing.TB, input, path string, records func() int, timeout time.Duration) {
	tb.Helper()
	content, err := os.ReadFile(input)
	require.NoError(tb, err)
	var pending bytes.Buffer
	flush := func() {
		if pending.Len() == 0 {
			return
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		require.NoError(tb, err)
		_, err = f.Write(pending.Bytes())
		require.NoError(tb, err)
		require.NoError(tb, f.Close())
		pending.Reset()
	}
	scanner := bufio.NewScanner(bytes.NewReader(content))
	scanner.Buffer(nil, 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		step, isStep := strings.CutPrefix(line, "#! ")
		if !isStep {
			pending.WriteString(line + "\n")
			continue
		}
		flush()
		switch verb, arg, _ := strings.Cut(step, " "); verb {
		case "wait":
			n, err := strconv.Atoi(arg)
			require.NoError(tb, err)
			require.Eventually(tb, func() bool { return records() >= n }, timeout, 10*time.Millisecond,
				"waiting for %d records, got %d", n, records())
		case "rotate":
			require.NoError(tb, os.Rename(path, path+arg))
		default:
			tb.Fatalf("unknown step %q in %s", line, input)
		}
	}
	require.NoError(tb, scanner.Err())
	flush()
}

// PodLogDir is where the kubelet keeps the connector pod's CRI logs, relative
// to the node's root. The container golden files were made from logs there:
// their k8s.* resource attributes come from this path.
const PodLogDir = "var/log/pods/twingate_twingate-connector-7d9f8b6c5d-x2k4q_3f2a6c1e-8b4d-4e2a-9c7f-1a2b3c4d5e6f/connector"

// GoldenSettings reads settings.yaml of the golden inputs in dir: by input
// name, the settings (other_lines, on_error, body) the input is read with,
// to unmarshal over the defaults. It fails unless every <name>.log in dir
// has an entry and every entry an input.
func GoldenSettings(tb testing.TB, dir string) map[string]*confmap.Conf {
	tb.Helper()
	conf, err := confmaptest.LoadConf(filepath.Join(dir, "settings.yaml"))
	require.NoError(tb, err)
	inputs, err := filepath.Glob(filepath.Join(dir, "*.log"))
	require.NoError(tb, err)
	settings := map[string]*confmap.Conf{}
	for _, input := range inputs {
		name := strings.TrimSuffix(filepath.Base(input), ".log")
		require.True(tb, conf.IsSet(name), "settings.yaml has no entry for %s", input)
		sub, err := conf.Sub(name)
		require.NoError(tb, err)
		settings[name] = sub
	}
	for name := range conf.ToStringMap() {
		require.Contains(tb, settings, name, "settings.yaml names %s, which has no input", name)
	}
	return settings
}
