// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate

import (
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScopeVersion(t *testing.T) {
	other := &debug.Module{Path: "go.opentelemetry.io/collector/pdata", Version: "v1.71.0"}
	for name, tc := range map[string]struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		"no build info": {nil, false, ""},
		"released dependency": {&debug.BuildInfo{
			Main: debug.Module{Path: "example.com/otelcol", Version: "v1.2.3"},
			Deps: []*debug.Module{other, {Path: modulePath, Version: "v0.4.0"}},
		}, true, "v0.4.0"},
		"dependency replaced by a version": {&debug.BuildInfo{
			Main: debug.Module{Path: "example.com/otelcol", Version: "v1.2.3"},
			Deps: []*debug.Module{{Path: modulePath, Version: "v0.4.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v0.4.1"}}},
		}, true, "v0.4.1"},
		"dependency replaced by this checkout (make build)": {&debug.BuildInfo{
			Main: debug.Module{Path: modulePath + "/cmd/otelcol-twingate", Version: "v0.0.0-20261202112501-0123456789ab+dirty"},
			Deps: []*debug.Module{other, {Path: modulePath, Version: "v0.0.0", Replace: &debug.Module{Path: "../"}}},
		}, true, "v0.0.0-20261202112501-0123456789ab+dirty"},
		"main module (go test)": {&debug.BuildInfo{
			Main: debug.Module{Path: modulePath, Version: "(devel)"},
			Deps: []*debug.Module{other},
		}, true, "(devel)"},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, scopeVersion(tc.info, tc.ok))
		})
	}
}

// TestBatchScopeVersion: every scope a Batch makes carries the version.
func TestBatchScopeVersion(t *testing.T) {
	info, ok := debug.ReadBuildInfo()
	require.True(t, ok, "test binaries carry build info")
	require.NotEmpty(t, ScopeVersion())
	assert.Equal(t, scopeVersion(info, ok), ScopeVersion())

	tr := NewTranslator(NewDefaultConfig())
	b := NewBatch("scope")
	var src Source
	tr.AppendLine(b, []byte(`ANALYTICS {"event_type":"closed_connection","timestamp":1700000000000,"connector":{"id":"c1"}}`), &src, 0)
	tr.AppendLine(b, []byte(`ANALYTICS {"event_type":"closed_connection","timestamp":1700000000000,"connector":{"id":"c2"}}`), &src, 0)
	require.Equal(t, 2, b.Logs().ResourceLogs().Len())
	for _, rl := range b.Logs().ResourceLogs().All() {
		assert.Equal(t, "scope", rl.ScopeLogs().At(0).Scope().Name())
		assert.Equal(t, ScopeVersion(), rl.ScopeLogs().At(0).Scope().Version())
	}
}
