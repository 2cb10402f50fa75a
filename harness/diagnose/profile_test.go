package diagnose_test

import (
	"strings"
	"testing"

	nixpacksbuilder "github.com/bootmatrix/bootmatrix/harness/builder/nixpacks"
	. "github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// A library installed through nixPkgs is found twice: in its package's store path
// and in the profile's user environment, which is a store path too. The provider
// is the package, never the profile.
func TestMissingLibProviderSkipsProfile(t *testing.T) {
	t.Parallel()
	out := "ImportError: libstdc++.so.6: cannot open shared object file: No such file or directory\n" +
		"Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory\n"
	missing := []result.MissingLib{{
		Library:  "libstdc++.so.6",
		NeededBy: []string{"/opt/venv/lib/python3.13/site-packages/numpy/_core/_multiarray_umath.cpython-313-x86_64-linux-gnu.so"},
		FoundAt: []string{
			"/nix/store/g5c019f89d128585cc8a9042f906806b-user-environment/lib/libstdc++.so.6",
			"/nix/store/g7c14408vy7r5p2gp2xfriwny99h0d64-gcc-14.2.0-lib/lib/libstdc++.so.6",
		},
	}}
	f := Classify(result.Stage{Name: "import", ExitCode: 1, Output: out}, missing, Context{Builder: nixpacksbuilder.Name, Facts: nixpacksbuilder.Facts{NixPkgs: []string{"python313", "stdenv.cc.cc.lib"}}})
	if f.Class != "missing-shared-library" {
		t.Fatalf("class = %q", f.Class)
	}
	if len(f.Missing) != 1 || f.Missing[0].Provider != "stdenv.cc.cc.lib" {
		t.Fatalf("provider = %+v, want stdenv.cc.cc.lib", f.Missing)
	}
	if !strings.Contains(f.Explanation, "gcc-14.2.0-lib/lib/libstdc++.so.6") || !strings.Contains(f.Explanation, "linked into the profile") {
		t.Errorf("explanation should name the store path first and the profile link second: %s", f.Explanation)
	}
	for _, s := range f.Suggestions {
		if strings.Contains(s.Summary, "user-environment") {
			t.Errorf("a fix names the profile as a package: %s", s.Summary)
		}
	}
}
