package diagnose

import (
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// TestUnknownBuilder: without a builder's facts the classifier still names the
// missing library and where a copy is, judges Nix from the output, and offers
// no builder's fix rather than guess one (no fall-through to Debian's).
func TestUnknownBuilder(t *testing.T) {
	t.Parallel()
	missing := []result.MissingLib{
		{Library: "libstdc++.so.6", NeededBy: []string{"/app/x/_umath.so"}, FoundAt: []string{"/nix/store/a-gcc-14-lib/lib/libstdc++.so.6"}},
		{Library: "libgomp.so.1"},
	}
	f := Classify(result.Stage{Name: result.StageLdd, ExitCode: 1}, missing, Context{})
	if f.Class != ClassMissingLib {
		t.Fatalf("class %s", f.Class)
	}
	for _, w := range []string{"cannot find libstdc++.so.6 needed by _umath.so", "a copy exists at /nix/store/a-gcc-14-lib/lib/libstdc++.so.6", "(also missing: libgomp.so.1)"} {
		if !strings.Contains(f.Explanation, w) {
			t.Errorf("%q lacks %q", f.Explanation, w)
		}
	}
	if strings.Contains(f.Explanation, "Debian") || len(f.Suggestions) != len(f.Fixes) {
		t.Errorf("explanation %q, fixes %v, suggestions %v", f.Explanation, f.Fixes, f.Suggestions)
	}
	if (&classifier{ctx: Context{}, missing: missing, s: &scan{}}).nix() != true {
		t.Error("a copy in the store does not make the image a Nix one")
	}
}

func TestExplanationAddOnce(t *testing.T) {
	t.Parallel()
	var x Explanation
	x.Add(FixLoginShell, "a")
	x.Add(FixLoginShell, "b")
	x.Add(FixAddNixLibs, "c")
	if len(x.Fixes) != 2 || x.Suggestions[0].Summary != "a" || x.Suggestions[1].ID != string(FixAddNixLibs) {
		t.Errorf("%+v", x)
	}
}
