package runnertest

import (
	"context"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// KitImages are the images an offline run maps logical references onto.
var KitImages = []string{
	"bootmatrix-kit/python:3.11-slim",
	"bootmatrix-kit/python:3.13-slim",
	recipe.KitNixpacksImage,
	"bootmatrix-kit/wheelhouse:latest",
	"bootmatrix-kit/debian:bookworm",
}

// RunScenario loads a scenario file and runs every variant (or those selected)
// through the real engine with the classifier attached, the way `bootmatrix run`
// does. Offline runs need the kit images; online runs need a registry and an index.
func RunScenario(tb testing.TB, path string, subs recipe.Substitutions, selectNames ...string) *result.Run {
	tb.Helper()
	sc, err := scenario.Load(path, scenario.WithClasses(diagnose.ClassIDs()), scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		tb.Fatalf("load %s: %v", path, err)
	}
	variants, err := sc.Select(selectNames, nil)
	if err != nil {
		tb.Fatalf("select in %s: %v", path, err)
	}
	if subs.Mode != "online" {
		RequireImages(tb, KitImages...)
	}
	r := Runner(tb, runner.WithSubstitutions(subs), runner.WithRenderer(builtin.Registry().Render), runner.WithDiagnoser(diagnose.Diagnoser{}))
	run, err := r.Run(context.Background(), sc, variants)
	if err != nil {
		tb.Logf("variants that could not run: %v", err)
	}
	if run == nil {
		tb.Fatalf("run %s: no result", path)
	}
	return run
}

// AssertExpectation fails tb when the variant did not do what its scenario claims,
// printing the stages and the failing stage's evidence so the log says why.
func AssertExpectation(tb testing.TB, v result.Variant) {
	tb.Helper()
	if v.ExpectationMet {
		return
	}
	tb.Errorf("variant %s: expected %s: %s", v.Name, v.Expectation, v.ExpectationDetail)
	if v.Error != "" {
		tb.Errorf("  setup error: %s", v.Error)
	}
	for _, s := range v.Stages {
		tb.Logf("  %-8s %-4s %-28s %s", s.Name, s.Status, s.Class, s.Note)
		if s.Status == result.Fail {
			for _, e := range s.Evidence {
				tb.Logf("      | %s", e)
			}
			if len(s.Evidence) == 0 {
				tb.Logf("      output tail: %s", tail(s.Output, 1500))
			}
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
