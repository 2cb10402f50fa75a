package doctor

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// scriptedRunner answers from a table by variant name. It stands in for the
// engine only in tests of the search's own bookkeeping (which candidates run,
// how they rank, what is skipped); whether a fix boots is proven on the real
// engine by TestSearchSeedBreakSystemPackages.
type scriptedRunner struct {
	mu    sync.Mutex
	boots map[string]bool
	errs  map[string]error
	ran   []string
}

func (s *scriptedRunner) RunVariant(_ context.Context, _ *scenario.Scenario, v scenario.Variant) (result.Variant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ran = append(s.ran, v.Name)
	if err := s.errs[v.Name]; err != nil {
		return result.Variant{Name: v.Name, Boots: true}, err
	}
	return result.Variant{Name: v.Name, Boots: s.boots[v.Name]}, nil
}

func TestSearchBookkeeping(t *testing.T) {
	t.Parallel()
	sc, err := scenario.Load("../../scenarios/seed/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Select([]string{"nixpkgs-gcc-stdenv"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	missing := result.Variant{Stages: []result.Stage{
		{Name: result.StageImport, Status: result.Fail, Class: diagnose.ClassMissingLib,
			Output: "ImportError: libstdc++.so.6: cannot open shared object file: No such file or directory"},
		{Name: result.StageLdd, Status: result.Fail, Missing: []result.MissingLib{{Library: "libstdc++.so.6", Provider: "stdenv.cc.cc.lib"}}},
	}}
	fix := func(id string) string { return "nixpkgs-gcc-stdenv.fix-" + id }
	tests := []struct {
		name        string
		boots       []string
		errs        []string
		limit       int
		wantRan     []string
		wantProven  []string
		wantOrder   []string
		wantSkipped string
	}{
		{
			name:       "proven first, then by size",
			boots:      []string{"builder-python-slim", "move-nixpkg-to-nixlibs"},
			limit:      8,
			wantRan:    []string{"add-nixlibs", "move-nixpkg-to-nixlibs", "nix-python-package", "builder-python-slim", "builder-dockerfile", "builder-railpack"},
			wantProven: []string{"move-nixpkg-to-nixlibs", "builder-python-slim"},
		},
		{
			name:        "the limit skips the rest",
			limit:       2,
			wantRan:     []string{"add-nixlibs", "move-nixpkg-to-nixlibs"},
			wantSkipped: "nix-python-package: over the limit of 2 candidates",
		},
		{
			name:    "a run error is never proven, even when it says it booted",
			errs:    []string{"add-nixlibs"},
			limit:   1,
			wantRan: []string{"add-nixlibs"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := &scriptedRunner{boots: map[string]bool{}, errs: map[string]error{}}
			for _, id := range tt.boots {
				r.boots[fix(id)] = true
			}
			for _, id := range tt.errs {
				r.errs[fix(id)] = errors.New("engine went away")
			}
			rep, err := Search(context.Background(), sc, vs[0], r, WithStartResult(missing), WithMaxCandidates(tt.limit), WithParallel(1))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, id := range tt.wantRan {
				want = append(want, fix(id))
			}
			if slices.Sort(r.ran); !slices.Equal(r.ran, sorted(want)) {
				t.Errorf("ran %v, want %v (the starting variant's result was given: it must not run)", r.ran, sorted(want))
			}
			var proven []string
			for _, c := range rep.Proven() {
				proven = append(proven, c.ID)
			}
			if !slices.Equal(proven, tt.wantProven) {
				t.Errorf("proven %v, want %v", proven, tt.wantProven)
			}
			for i := 1; i < len(rep.Candidates); i++ {
				if less(rep.Candidates[i], rep.Candidates[i-1]) {
					t.Errorf("candidates out of order: %s before %s", rep.Candidates[i-1].ID, rep.Candidates[i].ID)
				}
			}
			for _, c := range rep.Candidates {
				if slices.Contains(tt.errs, c.ID) && (c.Proven || c.Result.Error == "") {
					t.Errorf("%s: proven %v, error %q; a run error must be recorded and never proven", c.ID, c.Proven, c.Result.Error)
				}
			}
			if tt.wantSkipped != "" && !slices.ContainsFunc(rep.Skipped, func(s string) bool { return strings.HasPrefix(s, tt.wantSkipped) }) {
				t.Errorf("skipped %q, want an entry %q", rep.Skipped, tt.wantSkipped)
			}
		})
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
