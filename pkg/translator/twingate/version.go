// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package twingate // import "github.com/otelcol-twingate/otelcol-twingate/pkg/translator/twingate"

import "runtime/debug"

// modulePath is the Go module the translator, the receiver and the encoding
// extension are released in.
const modulePath = "github.com/otelcol-twingate/otelcol-twingate"

// version is read once: the build info does not change while a binary runs.
var version = scopeVersion(debug.ReadBuildInfo())

// ScopeVersion is the instrumentation scope version of every record a Batch
// makes: the version of the code that mapped it, from the binary's build
// info, so that a backend can tell records of two releases apart.
func ScopeVersion() string { return version }

// scopeVersion is the version of modulePath in a binary's build info. A
// binary that requires a released version (a collector built from the module
// proxy) lists it among its dependencies. One built from a checkout
// (make build: ocb's go.mod replaces the module with "../") lists it as
// v0.0.0 with a replacement, and tests list it as the main module: then the
// main module's version is the best there is, the checkout's VCS version
// (go build stamps it) or "(devel)".
func scopeVersion(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return ""
	}
	for _, dep := range info.Deps {
		if dep.Path != modulePath {
			continue
		}
		if dep.Replace == nil {
			return dep.Version
		}
		if dep.Replace.Version != "" {
			return dep.Replace.Version
		}
		break
	}
	return info.Main.Version
}
