// Copyright otelcol-twingate authors
// SPDX-License-Identifier: Apache-2.0

package ottlprofile

import (
	"context"
	"errors"
	"testing"

	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl"
	"github.com/open-telemetry/opentelemetry-collector-contrib/pkg/ottl/ottlfuncs"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pprofile"
)

// A configuration that uses the profile context must fail to load, with an
// error that says why, rather than run conditions that see no data.
func TestProfilePathsAreRejected(t *testing.T) {
	parser, err := NewParser(ottlfuncs.StandardConverters[*TransformContext](), componenttest.NewNopTelemetrySettings(), EnablePathContextNames())
	if err != nil {
		t.Fatal(err)
	}
	_, err = parser.ParseConditions([]string{`profile.attributes["k"] == "v"`})
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("got %v, want ErrUnsupported", err)
	}
}

// Conditions without paths still evaluate, through a condition sequence.
func TestConditionSequence(t *testing.T) {
	parser, err := NewParser(ottlfuncs.StandardConverters[*TransformContext](), componenttest.NewNopTelemetrySettings())
	if err != nil {
		t.Fatal(err)
	}
	conditions, err := parser.ParseConditions([]string{`IsMatch("twingate", "^twin")`})
	if err != nil {
		t.Fatal(err)
	}
	seq := NewConditionSequence(conditions, componenttest.NewNopTelemetrySettings(), WithConditionSequenceErrorMode(ottl.PropagateError))
	profiles := pprofile.NewProfiles()
	rp := profiles.ResourceProfiles().AppendEmpty()
	sp := rp.ScopeProfiles().AppendEmpty()
	tCtx := NewTransformContext(rp, sp, sp.Profiles().AppendEmpty(), profiles.Dictionary())
	defer tCtx.Close()
	match, err := seq.Eval(context.Background(), tCtx)
	if err != nil || !match {
		t.Fatalf("Eval = %v, %v; want true, nil", match, err)
	}
}
