// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package xprofile is otelcol-twingate's stand-in for the contrib module
// github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/xprofile,
// the OTTL context for profiles.
//
// Every contrib component that evaluates OTTL at v0.165.0 (the filter and
// attributes processors, the count and signaltometrics connectors, via
// internal/filter) imports that module, but the Go module proxy refuses to
// serve its v0.165.0 source ("This module version is not available"), so none
// of them can be built from the proxy. otelcol-twingate has no profiles
// pipeline (it includes no profiles receiver), so it replaces the module with
// this one: the same import path and API as its consumers use, with a profile
// context that has no paths. Any OTTL statement or condition in the profile
// context is rejected when the configuration is loaded, with an error saying
// profiles are not supported; logs, metrics and traces contexts are the real
// ones from pkg/ottl and are not affected.
//
// Drop this module (and its replace line in builder-config.yaml) as soon as
// the proxy serves the real one at the collector version in use.
package xprofile // import "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/xprofile"
