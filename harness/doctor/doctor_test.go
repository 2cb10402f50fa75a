package doctor

import (
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func TestMain(m *testing.M) {
	runnertest.DisableReaper()
	os.Exit(m.Run())
}

// TestSearchSeedBreakSystemPackages runs the doctor on the seed's
// break-system-packages attempt (backend in a subdirectory, custom install
// command, numpy 2.x) on the real engine, then proves the smallest fix the way
// a user would: git apply the variant's edits and the fix to a fresh copy of
// the project and run the starting variant on it again.
func TestSearchSeedBreakSystemPackages(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	// The smallest fix is what is applied below; the full search, with the larger
	// fixes ranked after it, is TestSearchSeedRailpackMigration's.
	sc, v, r, rep := searchOnEngine(t, "../../scenarios/seed/scenario.yaml", "break-system-packages", 15*time.Minute, WithFirst())
	var b strings.Builder
	_ = rep.WriteText(&b)
	t.Log("\n" + b.String())

	first := rep.Start.FirstFailure()
	if first == nil || first.Name != result.StageImport || first.Class != diagnose.ClassMissingLib {
		t.Fatalf("starting point: want import/missing-shared-library, got %+v", first)
	}
	ldd := rep.Start.StageByName(result.StageLdd)
	var cxx *result.MissingLib
	for i := range ldd.Missing {
		if ldd.Missing[i].Library == "libstdc++.so.6" {
			cxx = &ldd.Missing[i]
		}
	}
	// The base image's own copy, where the store's loader never looks, and the
	// attribute that provides it in nixpkgs.
	if cxx == nil || cxx.Provider != "stdenv.cc.cc.lib" || !anyPrefix(cxx.FoundAt, "/usr/lib/x86_64-linux-gnu/") {
		t.Errorf("ldd should locate Debian's libstdc++.so.6 and name its attribute, got %+v", ldd.Missing)
	}

	proven := rep.Proven()
	if len(proven) == 0 {
		t.Fatal("no proven fix")
	}
	for _, c := range rep.Candidates {
		if c.Proven != c.Result.Boots {
			t.Errorf("%s: proven=%v but boots=%v", c.ID, c.Proven, c.Result.Boots)
		}
	}
	for i := 1; i < len(proven); i++ {
		if proven[i].Size < proven[i-1].Size {
			t.Errorf("fixes not ordered by size: %s (%d) after %s (%d)", proven[i].ID, proven[i].Size, proven[i-1].ID, proven[i-1].Size)
		}
	}
	best := proven[0]
	if best.ID != "add-nixlibs" || best.Diff == "" {
		t.Fatalf("smallest fix: want add-nixlibs with a diff, got %s (%d lines)", best.ID, best.Lines)
	}
	for _, f := range rep.Fixes() {
		if !f.Proven || f.Diff == "" && !strings.Contains(f.Summary, "settings") {
			t.Errorf("fix %s offered without proof or change", f.ID)
		}
	}

	// The user's way: fresh copy, git apply, run the same variant again.
	repo := gitApply(t, sc.Project.Dir, rep.Baseline, best.Diff)
	again := *sc
	again.Project.Dir = repo
	v.Expect = &scenario.Expectation{Boots: true}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := r.RunVariant(ctx, &again, v)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Boots {
		runnertest.AssertExpectation(t, res)
		t.Fatalf("%s with the fix applied by git apply does not boot", v.Name)
	}
}

// Option D as the incident log wrote it (python311Packages.numpy in nixPkgs) is
// not importable; the doctor's Nix fix, one withPackages python, boots.
func TestSearchSeedNixPythonPackages(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	_, _, _, rep := searchOnEngine(t, "../../scenarios/seed/scenario.yaml", "nix-python-packages", 15*time.Minute, WithMaxCandidates(3))
	if first := rep.Start.FirstFailure(); first == nil || first.Name != result.StageImport || first.Class != diagnose.ClassModuleNotFound {
		t.Fatalf("starting point: want import/module-not-found, got %+v", first)
	}
	for _, c := range rep.Proven() {
		if c.ID == "nix-python-package" {
			// Every requirement, the start command's servers and the imports, each once.
			m := regexp.MustCompile(`(?m)^\+nixPkgs = \["\(python311\.withPackages \(ps: \[([^]]*)\]\)\)"\]$`).FindStringSubmatch(c.Diff)
			if m == nil {
				t.Fatalf("the Nix fix's diff:\n%s", c.Diff)
			}
			got := strings.Fields(m[1])
			slices.Sort(got)
			if want := []string{"ps.fastapi", "ps.gunicorn", "ps.numpy", "ps.psycopg2", "ps.uvicorn"}; !slices.Equal(got, want) {
				t.Errorf("withPackages lists %v, want %v:\n%s", got, want, c.Diff)
			}
			return
		}
	}
	t.Errorf("nix-python-package is not among the proven fixes %v", rep.Proven())
}

// searchOnEngine loads scenario file, runs the doctor on its variant name on the
// real engine with the offline kit (BOOTMATRIX_KIT_REPO names a kit built beside
// the usual one, as for bootmatrix doctor) and returns what the search needs to be
// checked and re-run with. The caller has checked the images it needs.
func searchOnEngine(t *testing.T, file, name string, timeout time.Duration, opts ...Option) (*scenario.Scenario, scenario.Variant, *runner.Runner, *Report) {
	t.Helper()
	sc, err := scenario.Load(file, scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Select([]string{name}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := runnertest.Runner(t, runner.WithSubstitutions(recipe.Offline().WithKitRepo(os.Getenv("BOOTMATRIX_KIT_REPO"))),
		runner.WithRenderer(builtin.Registry().Render), runner.WithDiagnoser(diagnose.Diagnoser{}))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	rep, err := Search(ctx, sc, vs[0], r, append([]Option{WithParallel(2), WithLogf(t.Logf)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return sc, vs[0], r, rep
}

func anyPrefix(ps []string, prefix string) bool {
	for _, p := range ps {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}
