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
	sc, v := seedStdenv(t)
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
			rep, err := Search(context.Background(), sc, v, r, WithStartResult(libstdcxxMissing), WithMaxCandidates(tt.limit), WithParallel(1))
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

// seedStdenv is the seed's nixpkgs-gcc-stdenv variant, whose starting result
// the search tests give as libstdcxxMissing.
func seedStdenv(t *testing.T) (*scenario.Scenario, scenario.Variant) {
	t.Helper()
	sc, err := scenario.Load("../../scenarios/seed/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Select([]string{"nixpkgs-gcc-stdenv"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sc, vs[0]
}

// libstdcxxMissing is a diagnosed libstdc++ failure: the import names it, ldd
// names its nixpkgs attribute.
var libstdcxxMissing = result.Variant{Stages: []result.Stage{
	{Name: result.StageImport, Status: result.Fail, Class: diagnose.ClassMissingLib,
		Output: "ImportError: libstdc++.so.6: cannot open shared object file: No such file or directory"},
	{Name: result.StageLdd, Status: result.Fail, Missing: []result.MissingLib{{Library: "libstdc++.so.6", Provider: "stdenv.cc.cc.lib"}}},
}}

// fix is the variant name a seedStdenv candidate runs under.
func fix(id string) string { return "nixpkgs-gcc-stdenv.fix-" + id }

// bySize orders candidates by size alone, as WithFirst starts them.
func bySize(cs []Candidate) []Candidate {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b Candidate) int {
		if smaller(a, b) {
			return -1
		}
		if smaller(b, a) {
			return 1
		}
		return 0
	})
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestSearchFirst checks that WithFirst proves the fix a full search ranks first
// and runs only the candidates no larger than it: those a full search ranks before
// it by size, which must fail for it to be the smallest.
func TestSearchFirst(t *testing.T) {
	t.Parallel()
	sc, v := seedStdenv(t)
	for _, tt := range []struct {
		name     string
		boots    []string
		parallel int
	}{
		{"the smallest boots", []string{"add-nixlibs", "builder-python-slim"}, 1},
		{"a larger one boots", []string{"builder-python-slim", "builder-railpack"}, 1},
		{"two at once", []string{"move-nixpkg-to-nixlibs", "builder-python-slim"}, 2},
		{"none boots", nil, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			search := func(opts ...Option) (*Report, []string) {
				r := &scriptedRunner{boots: map[string]bool{}, errs: map[string]error{}}
				for _, id := range tt.boots {
					r.boots[fix(id)] = true
				}
				rep, err := Search(context.Background(), sc, v, r, append(opts, WithStartResult(libstdcxxMissing), WithParallel(tt.parallel))...)
				if err != nil {
					t.Fatal(err)
				}
				return rep, r.ran
			}
			full, _ := search()
			rep, ran := search(WithFirst())

			// The candidates by size alone, as WithFirst starts them.
			ordered := bySize(full.Candidates)
			var want, may []string
			for i, c := range ordered {
				want = append(want, fix(c.ID))
				if c.Proven {
					// With two at once, the next one may have started beside it.
					for _, c := range ordered[i+1 : min(len(ordered), i+tt.parallel)] {
						may = append(may, fix(c.ID))
					}
					break
				}
			}
			for _, w := range want {
				if !slices.Contains(ran, w) {
					t.Errorf("ran %v, want %s among them: it ranks before the smallest proven fix", ran, w)
				}
			}
			for _, r := range ran {
				if !slices.Contains(want, r) && !slices.Contains(may, r) {
					t.Errorf("ran %s, which ranks after the smallest proven fix (ran %v)", r, ran)
				}
			}
			fp, p := full.Proven(), rep.Proven()
			switch {
			case len(fp) == 0 && len(p) != 0:
				t.Errorf("proven %v with no candidate booting", p)
			case len(fp) > 0 && (len(p) == 0 || p[0].ID != fp[0].ID):
				t.Errorf("first proven %v, want %s (the full search's smallest)", p, fp[0].ID)
			}
			notRun := len(full.Candidates) - len(rep.Candidates)
			var said int
			for _, s := range rep.Skipped {
				if strings.Contains(s, ": not run, the smaller ") {
					said++
				}
			}
			if said != notRun || len(fp) == 0 && notRun != 0 {
				t.Errorf("%d candidates not run, %d said so in skipped %q", notRun, said, rep.Skipped)
			}
		})
	}
}

// With WithFirst the candidate limit keeps the smallest candidates, not the first
// drafted: a limit must not hide the smallest fix behind larger ones.
func TestSearchFirstLimitKeepsSmallest(t *testing.T) {
	t.Parallel()
	sc, v := seedStdenv(t)
	search := func(opts ...Option) (*Report, []string) {
		r := &scriptedRunner{boots: map[string]bool{}, errs: map[string]error{}}
		rep, err := Search(context.Background(), sc, v, r, append(opts, WithStartResult(libstdcxxMissing), WithParallel(1))...)
		if err != nil {
			t.Fatal(err)
		}
		return rep, r.ran
	}
	full, _ := search()
	ordered := bySize(full.Candidates)
	// 3: the third smallest is not the third drafted (nix-python-package is drafted
	// before the smaller python-slim Dockerfile).
	const limit = 3
	var want []string
	for _, c := range ordered[:limit] {
		want = append(want, fix(c.ID))
	}
	rep, ran := search(WithFirst(), WithMaxCandidates(limit))
	if slices.Sort(ran); !slices.Equal(ran, sorted(want)) {
		t.Errorf("ran %v, want the %d smallest %v", ran, limit, sorted(want))
	}
	over := 0
	for _, s := range rep.Skipped {
		if strings.Contains(s, "over the limit of 3 candidates (the smallest were kept)") {
			over++
		}
	}
	if over != len(ordered)-limit {
		t.Errorf("skipped %q: want %d over the limit", rep.Skipped, len(ordered)-limit)
	}
}
