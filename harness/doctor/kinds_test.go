package doctor

import (
	"slices"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// TestFixKindsTable keeps the table honest: a kind listed twice would rank
// ambiguously, and a kind that is neither tried always nor offered by any
// class of the catalogue would never be tried.
func TestFixKindsTable(t *testing.T) {
	t.Parallel()
	offered := map[diagnose.FixKind]bool{}
	for _, id := range diagnose.ClassIDs() {
		c, _ := diagnose.Lookup(id)
		for _, k := range c.Fixes {
			offered[k] = true
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
		if fk.drafts == nil {
			t.Errorf("%s has no drafts function", fk.kind)
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
	always := []diagnose.FixKind{diagnose.FixNixPythonPackage, diagnose.FixBuilderPythonSlim, diagnose.FixBuilderDockerfile}
	tests := []struct {
		name  string
		start result.Variant
		want  []diagnose.FixKind
	}{
		{"no failure: the kinds tried always", result.Variant{}, always},
		{"the class's catalogue fixes, then the rest of the kinds tried always",
			result.Variant{Stages: []result.Stage{{Name: result.StageInstall, Status: result.Fail, Class: diagnose.ClassPEP668}}},
			[]diagnose.FixKind{diagnose.FixUseVenvInstall, diagnose.FixBreakSystemPackages, diagnose.FixNixPythonPackage, diagnose.FixBuilderPythonSlim, diagnose.FixBuilderDockerfile}},
		{"the diagnosis's own fixes come first",
			result.Variant{
				Stages: []result.Stage{{Name: result.StageInstall, Status: result.Fail, Class: diagnose.ClassPEP668}},
				Fixes:  []result.Fix{{ID: string(diagnose.FixBreakSystemPackages)}},
			},
			[]diagnose.FixKind{diagnose.FixBreakSystemPackages, diagnose.FixUseVenvInstall, diagnose.FixNixPythonPackage, diagnose.FixBuilderPythonSlim, diagnose.FixBuilderDockerfile}},
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
