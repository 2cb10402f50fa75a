package scenarios_test

import (
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// railpackImages are the stand-ins the Railpack rows build on.
var railpackImages = []string{
	"bootmatrix-kit/railpack-builder:mise-" + recipe.RailpackMiseVersion,
	"bootmatrix-kit/railpack-runtime:mise-" + recipe.RailpackMiseVersion,
}

// railpackEvidence is what each failing row must show beyond its class: the
// lines and the explanation that make the cause plain.
var railpackEvidence = map[string]struct {
	stage    result.StageName
	evidence []string
	explains []string
	fixes    []string
}{
	"binary-in-tests-defaults": {result.StageImport,
		[]string{"ImportError: libpq.so.5: cannot open shared object file"},
		[]string{"railpack-builder has it at /usr/lib/x86_64-linux-gnu/libpq.so.5", "Debian's libpq5", "libpq-dev"},
		[]string{"railpack-deploy-apt", "use-binary-package"}},
	"deploy-apt-without-spread": {result.StageImport,
		[]string{"ImportError: libpq.so.5: cannot open shared object file"},
		[]string{"railpack-builder has it", `has no "..."`, "replaced the provider's packages (libpq5)"},
		[]string{"railpack-keep-defaults", "use-binary-package"}},
	"python-version-unknown": {result.StageBuild,
		[]string{"mise ERROR failed to resolve version 3.10.99 of python"},
		[]string{"mise cannot provide Python 3.10.99", "No CPython release"},
		[]string{"python-version"}},
}

// TestRailpackOffline runs scenarios/railpack on the Railpack stand-ins: every
// row's expectation (boots, or fails at a stage with a class) is asserted, and
// each failing row's evidence, explanation and fixes.
func TestRailpackOffline(t *testing.T) {
	runnertest.RequireImages(t, railpackImages...)
	run := runnertest.RunScenario(t, "railpack/scenario.yaml", recipe.Offline())
	assertAll(t, run)
	for _, v := range run.Variants {
		want, ok := railpackEvidence[v.Name]
		if !ok {
			continue
		}
		t.Run(v.Name+"/evidence", func(t *testing.T) {
			var st *result.Stage
			for i := range v.Stages {
				if v.Stages[i].Name == want.stage {
					st = &v.Stages[i]
				}
			}
			if st == nil || st.Status != result.Fail {
				t.Fatalf("stage %s did not fail: %+v", want.stage, st)
			}
			ev := strings.Join(st.Evidence, "\n")
			for _, w := range want.evidence {
				if !strings.Contains(ev, w) {
					t.Errorf("evidence lacks %q:\n%s", w, ev)
				}
			}
			for _, w := range want.explains {
				if !strings.Contains(st.Explanation, w) {
					t.Errorf("explanation lacks %q: %s", w, st.Explanation)
				}
			}
			var ids []string
			for _, f := range v.Fixes {
				ids = append(ids, f.ID)
			}
			for _, w := range want.fixes {
				if !strings.Contains(" "+strings.Join(ids, " ")+" ", " "+w+" ") {
					t.Errorf("fixes %v lack %s", ids, w)
				}
			}
		})
	}
}

// TestRailpackFilesClaimEveryRow: every Railpack row states what it is
// expected to do, so that no row passes by default.
func TestRailpackFilesClaimEveryRow(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"railpack/scenario.yaml", "railpack/seed.yaml"} {
		sc, err := scenario.Load(file, scenario.WithBuilders(builtin.Registry()))
		if err != nil {
			t.Errorf("%s: %v", file, err)
			continue
		}
		if len(sc.Variants) == 0 {
			t.Errorf("%s: no variants", file)
		}
		for _, v := range sc.Variants {
			if v.Expect == nil {
				t.Errorf("%s:%d: variant %s has no expect:", file, v.Line, v.Name)
			}
		}
	}
}

// TestRailpackSeedOffline is the seed's backend built by Railpack with its
// defaults, the row the seed scenario should carry.
func TestRailpackSeedOffline(t *testing.T) {
	runnertest.RequireImages(t, railpackImages...)
	assertAll(t, runnertest.RunScenario(t, "railpack/seed.yaml", recipe.Offline()))
}
