package scenarios_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// TestSeedOffline replays the incident's attempts on the offline kit: every
// variant is a subtest and its expectation (boots, or fails at a stage with a
// class) is asserted.
func TestSeedOffline(t *testing.T) {
	run := runnertest.RunScenario(t, "seed/scenario.yaml", recipe.Offline())
	assertAll(t, run)
	// The notes that explain the incident's plan reach the run's result: at the
	// repository root Nixpacks finds no provider, and under backend/ the root's
	// nixpacks.toml is not read.
	for name, want := range map[string]string{
		"pip-install-pep668":             "no provider detected at the app root",
		"nixpacks-defaults-backend-root": "root is backend: the project's top-level nixpacks.toml is not read",
	} {
		i := slices.IndexFunc(run.Variants, func(v result.Variant) bool { return v.Name == name })
		if i < 0 || !slices.ContainsFunc(run.Variants[i].Notes, func(n string) bool { return strings.HasPrefix(n, want) }) {
			t.Errorf("%s: no note starting %q in the result", name, want)
		}
	}
}

// TestSeedOnline runs the seed's exact pins on the real images and PyPI.
func TestSeedOnline(t *testing.T) {
	if os.Getenv("BOOTMATRIX_ONLINE") != "1" {
		t.Skip("online scenario: set BOOTMATRIX_ONLINE=1 on a machine that reaches a registry and PyPI")
	}
	run := runnertest.RunScenario(t, "seed-online/scenario.yaml", recipe.Online(environ()))
	assertAll(t, run)
}

// caveatRows are the rows whose outcome bootmatrix cannot decide as a deploy
// would, and what their caveat says; every other row of every scenario must carry
// none, so a stand-in or a port that stops deciding a row shows up here.
var caveatRows = map[string]string{
	"glibc-in-nixlibs-host-programs": "nixLibs glibc puts the Nix store's glibc on LD_LIBRARY_PATH, so every program of the base image (sh, bash, apt-get) loads the store's libc.so.6",
}

func assertAll(t *testing.T, run *result.Run) {
	t.Helper()
	for _, p := range unclaimed(run) {
		t.Error(p)
	}
	for _, v := range run.Variants {
		want := caveatRows[v.Name]
		if c := strings.Join(v.Caveats, "\n"); !strings.Contains(c, want) || (c != "") != (want != "") {
			t.Errorf("%s: caveats %q, want %q", v.Name, v.Caveats, want)
		}
	}
	for _, v := range run.Variants {
		if v.Expectation == "" {
			continue // reported by unclaimed
		}
		t.Run(v.Name, func(t *testing.T) {
			runnertest.AssertExpectation(t, v)
		})
	}
}

// unclaimed are the reasons a run proves less than it seems to: no variant ran,
// or a variant's scenario states no expectation, which the runner counts as met
// whatever the variant did.
func unclaimed(run *result.Run) []string {
	if len(run.Variants) == 0 {
		return []string{"the scenario ran no variant"}
	}
	var out []string
	for _, v := range run.Variants {
		if v.Expectation == "" {
			out = append(out, fmt.Sprintf("variant %s states no expectation: add expect: to its entry in %s, or it passes whatever it does", v.Name, run.File))
		}
	}
	return out
}

// TestUnclaimed: a row without expect: is reported rather than counted as met.
func TestUnclaimed(t *testing.T) {
	t.Parallel()
	run := &result.Run{File: "s.yaml", Variants: []result.Variant{
		{Name: "claimed", Expectation: "boots", ExpectationMet: true},
		{Name: "bare", ExpectationMet: true},
	}}
	if got := unclaimed(run); len(got) != 1 || !strings.Contains(got[0], "variant bare states no expectation") {
		t.Errorf("unclaimed = %q, want one complaint about bare", got)
	}
	if got := unclaimed(&result.Run{}); len(got) != 1 {
		t.Errorf("unclaimed(no variants) = %q, want one complaint", got)
	}
}

// TestScenarioFilesClaimEveryRow: every variant of the scenarios the container tests
// assert states what it is expected to do, so that no row passes by default.
func TestScenarioFilesClaimEveryRow(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"seed/scenario.yaml", "seed-online/scenario.yaml", "nixpacks-causes/scenario.yaml", "nixpacks-causes/node-wins.yaml"} {
		sc, err := scenario.Load(file)
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

func environ() map[string]string {
	env := map[string]string{}
	for _, k := range []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	return env
}
