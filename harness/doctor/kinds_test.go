package doctor

import (
	"slices"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// TestFixKindsTable keeps the table honest: a kind listed twice would rank
// ambiguously, a kind that is neither tried always nor offered by any class
// of the catalogue would never be tried, a kind nobody writes would generate
// nothing, and a builder's kind missing from the table would never be asked for.
func TestFixKindsTable(t *testing.T) {
	t.Parallel()
	offered := map[diagnose.FixKind]bool{}
	for _, id := range diagnose.ClassIDs() {
		c, _ := diagnose.Lookup(id)
		for _, k := range c.Fixes {
			offered[k] = true
		}
	}
	writers := map[diagnose.FixKind][]string{}
	for _, b := range builtin.Registry().Builders() {
		for _, k := range b.FixKinds() {
			writers[k] = append(writers[k], string(b.Name()))
			if _, _, ok := lookupKind(k); !ok {
				t.Errorf("builder %s writes %s, which is not in fixKinds", b.Name(), k)
			}
		}
	}
	seen := map[diagnose.FixKind]bool{}
	for i, fk := range fixKinds {
		if seen[fk.kind] {
			t.Errorf("%s is in fixKinds twice", fk.kind)
		}
		seen[fk.kind] = true
		if !fk.always && !offered[fk.kind] {
			t.Errorf("%s is not always tried and no class of the catalogue offers it: it can never be tried", fk.kind)
		}
		if fk.drafts == nil && len(writers[fk.kind]) == 0 {
			t.Errorf("%s has no drafts function and no builder lists it", fk.kind)
		}
		if fk.drafts != nil && len(writers[fk.kind]) > 0 {
			t.Errorf("%s is written both by the doctor and by %v", fk.kind, writers[fk.kind])
		}
		if got := kindRank(fk.kind); got != i {
			t.Errorf("kindRank(%s) = %d, want %d", fk.kind, got, i)
		}
	}
	if got := kindRank(diagnose.FixRaiseMemory); got != len(fixKinds) {
		t.Errorf("a kind the doctor cannot write ranks %d, want after every table entry (%d)", got, len(fixKinds))
	}
}

func TestKindsFor(t *testing.T) {
	t.Parallel()
	always := []diagnose.FixKind{diagnose.FixNixPythonPackage, diagnose.FixBuilderPythonSlim, diagnose.FixBuilderDockerfile, diagnose.FixBuilderRailpack}
	tests := []struct {
		name  string
		start result.Variant
		want  []diagnose.FixKind
	}{
		{"no failure: the kinds tried always", result.Variant{}, always},
		{"the class's catalogue fixes, then the rest of the kinds tried always",
			result.Variant{Stages: []result.Stage{{Name: result.StageInstall, Status: result.Fail, Class: diagnose.ClassPEP668}}},
			[]diagnose.FixKind{diagnose.FixUseVenvInstall, diagnose.FixBreakSystemPackages, diagnose.FixNixPythonPackage, diagnose.FixBuilderPythonSlim, diagnose.FixBuilderDockerfile, diagnose.FixBuilderRailpack}},
		{"the diagnosis's own fixes come first",
			result.Variant{
				Stages: []result.Stage{{Name: result.StageInstall, Status: result.Fail, Class: diagnose.ClassPEP668}},
				Fixes:  []result.Fix{{ID: string(diagnose.FixBreakSystemPackages)}},
			},
			[]diagnose.FixKind{diagnose.FixBreakSystemPackages, diagnose.FixUseVenvInstall, diagnose.FixNixPythonPackage, diagnose.FixBuilderPythonSlim, diagnose.FixBuilderDockerfile, diagnose.FixBuilderRailpack}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := kindsFor(tt.start); !slices.Equal(got, tt.want) {
				t.Errorf("kindsFor = %v, want %v", got, tt.want)
			}
		})
	}
}

// A kind the doctor cannot write generates nothing rather than failing the search.
func TestDraftsSkipsUnknownKind(t *testing.T) {
	t.Parallel()
	var s state
	if ds := s.drafts([]diagnose.FixKind{diagnose.FixRaiseMemory, "no-such-kind"}); len(ds) != 0 {
		t.Errorf("drafts = %v, want none", ds)
	}
}

func TestMissingLibs(t *testing.T) {
	t.Parallel()
	libstdcxx := result.MissingLib{Library: "libstdc++.so.6", Provider: "stdenv.cc.cc.lib"}
	loaderErr := "ImportError: libgomp.so.1: cannot open shared object file: No such file or directory"
	tests := []struct {
		name  string
		start result.Variant
		want  []string
	}{
		{"ldd's list, each library once", result.Variant{Stages: []result.Stage{
			{Name: result.StageImport, Status: result.Fail, Class: diagnose.ClassMissingLib, Missing: []result.MissingLib{libstdcxx}},
			{Name: result.StageLdd, Status: result.Fail, Missing: []result.MissingLib{libstdcxx, {Library: "libz.so.1"}}},
		}}, []string{"libstdc++.so.6", "libz.so.1"}},
		{"ldd found none: the loader's error names it", result.Variant{Stages: []result.Stage{
			{Name: result.StageImport, Status: result.Fail, Class: diagnose.ClassMissingLib, Output: "Traceback\n" + loaderErr},
		}}, []string{"libgomp.so.1"}},
		{"ldd's list wins over the loader's error", result.Variant{Stages: []result.Stage{
			{Name: result.StageImport, Status: result.Fail, Class: diagnose.ClassMissingLib, Output: loaderErr},
			{Name: result.StageLdd, Status: result.Fail, Missing: []result.MissingLib{libstdcxx}},
		}}, []string{"libstdc++.so.6"}},
		{"a library opened by name: cffi quotes the loader's error", result.Variant{Stages: []result.Stage{
			{Name: result.StageImport, Status: result.Fail, Class: diagnose.ClassDlopenMissing,
				Output: "OSError: no library called \"cairo-2\" was found\ncannot load library 'libcairo.so.2': libcairo.so.2: cannot open shared object file: No such file or directory."},
		}}, []string{"libcairo.so.2"}},
		{"another class: its output is not read for libraries", result.Variant{Stages: []result.Stage{
			{Name: result.StageBoot, Status: result.Fail, Class: diagnose.ClassTimeout, Output: loaderErr},
		}}, nil},
		{"no failure", result.Variant{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, m := range missingLibs(tt.start) {
				got = append(got, m.Library)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("missingLibs = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRecommendBoth: the smallest fix and the Railpack migration are both
// named when both booted, and nothing is said otherwise.
func TestRecommendBoth(t *testing.T) {
	t.Parallel()
	nix := Candidate{ID: "add-nixlibs", Kind: diagnose.FixAddNixLibs}
	rp := Candidate{ID: "builder-railpack", Kind: diagnose.FixBuilderRailpack}
	if got := recommendBoth([]Candidate{nix, rp}); got != "recommended: 1. add-nixlibs (the smallest fix), or 2. builder-railpack (the migration to Railpack, Nixpacks' successor)\n" {
		t.Errorf("both: %q", got)
	}
	if got := recommendBoth([]Candidate{nix}); got != "" {
		t.Errorf("no migration proven: %q", got)
	}
	if got := recommendBoth([]Candidate{rp}); got != "" {
		t.Errorf("only the migration: %q", got)
	}
}
