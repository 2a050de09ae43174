// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package ottlfuncs holds the profile-specific OTTL converters, of which the
// stand-in has none (see the xprofile package).
package ottlfuncs // import "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/xprofile/ottlfuncs"

import "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"

// WithProfileConverters returns funcs unchanged: the profile converters
// (ProfileID) exist only in the real module.
func WithProfileConverters[K any](funcs map[string]ottl.Factory[K]) map[string]ottl.Factory[K] {
	return funcs
}
