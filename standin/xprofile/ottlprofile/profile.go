// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

// Package ottlprofile is the OTTL profile context of the stand-in module: it
// parses no path, so every profile statement fails when it is parsed (see the
// xprofile package).
package ottlprofile // import "github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/contexts/xprofile/ottlprofile"

import (
	"fmt"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pprofile"
)

// ContextName is the name of the profile context in OTTL paths.
const ContextName = "profile"

// ErrUnsupported is returned for every path of the profile context.
var ErrUnsupported = fmt.Errorf("OTTL %q context: profiles are not supported by otelcol-twingate", ContextName)

// TransformContext is what profile statements are evaluated against. It holds
// nothing: no path can be parsed, so no statement can read from it.
type TransformContext struct{}

// NewTransformContext returns a context for one profile; Close releases it.
func NewTransformContext(pprofile.ResourceProfiles, pprofile.ScopeProfiles, pprofile.Profile, pprofile.ProfilesDictionary) *TransformContext {
	return &TransformContext{}
}

// Close exists for API compatibility; the stand-in does not pool contexts.
func (*TransformContext) Close() {}

// NewParser returns a parser whose every path is rejected with ErrUnsupported,
// so that a configuration with profile statements fails to load instead of
// running statements that cannot see any data.
func NewParser(functions map[string]ottl.Factory[*TransformContext], telemetrySettings component.TelemetrySettings, options ...ottl.Option[*TransformContext]) (ottl.Parser[*TransformContext], error) {
	return ottl.NewParser(functions, parsePath, telemetrySettings, options...)
}

func parsePath(ottl.Path[*TransformContext]) (ottl.GetSetter[*TransformContext], error) {
	return nil, ErrUnsupported
}

// EnablePathContextNames makes the parser require the "profile." prefix on
// paths, as the real context does.
func EnablePathContextNames() ottl.Option[*TransformContext] {
	return ottl.WithPathContextNames[*TransformContext]([]string{ContextName})
}

// ConditionSequenceOption configures a condition sequence.
type ConditionSequenceOption func(*ottl.ConditionSequence[*TransformContext])

// WithConditionSequenceErrorMode sets the error mode of a condition sequence.
func WithConditionSequenceErrorMode(errorMode ottl.ErrorMode) ConditionSequenceOption {
	return func(c *ottl.ConditionSequence[*TransformContext]) {
		ottl.WithConditionSequenceErrorMode[*TransformContext](errorMode)(c)
	}
}

// NewConditionSequence creates a condition sequence.
func NewConditionSequence(conditions []*ottl.Condition[*TransformContext], telemetrySettings component.TelemetrySettings, options ...ConditionSequenceOption) ottl.ConditionSequence[*TransformContext] {
	c := ottl.NewConditionSequence(conditions, telemetrySettings)
	for _, op := range options {
		op(&c)
	}
	return c
}
