package nixpacks

import (
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func TestFactsProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		m    result.MissingLib
		want string
	}{
		{"soname table", result.MissingLib{Library: "libstdc++.so.6"}, "stdenv.cc.cc.lib"},
		{"store path wins", result.MissingLib{Library: "libz.so.1", FoundAt: []string{"/nix/store/x51nnbrh8qcjsp8dam9gcy9vsx71nqdv-zlib-1.2.13/lib/libz.so.1"}}, "zlib"},
		{"profile link is not the provider", result.MissingLib{Library: "libstdc++.so.6", FoundAt: []string{"/root/.nix-profile/lib/libstdc++.so.6"}}, "stdenv.cc.cc.lib"},
		// Nixpacks' buildEnv for an archive links the packages, as a profile does.
		{"the archive's environment is not the provider", result.MissingLib{Library: "libstdc++.so.6", FoundAt: []string{
			"/nix/store/1bqvc3w0cwdvrfcky8vxjc4gam7fd4ls-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db-env/lib/libstdc++.so.6",
			"/nix/store/522mxbvjfdshynql2g0830pmpk2jx4ry-gcc-14.2.0-lib/lib/libstdc++.so.6"}}, "stdenv.cc.cc.lib"},
		{"a Debian copy is ignored", result.MissingLib{Library: "libstdc++.so.6", FoundAt: []string{"/usr/lib/x86_64-linux-gnu/libstdc++.so.6"}}, "stdenv.cc.cc.lib"},
		{"unknown", result.MissingLib{Library: "libnothing.so.1"}, ""},
	}
	for _, tc := range tests {
		if got := (Facts{}).Provider(tc.m); got != tc.want {
			t.Errorf("%s: Provider = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestFactsExplainMissing: what nixPkgs, nixLibs and the shell did decides the
// explanation and the first fix.
func TestFactsExplainMissing(t *testing.T) {
	t.Parallel()
	lib := result.MissingLib{Library: "libstdc++.so.6", Provider: "stdenv.cc.cc.lib", NeededBy: []string{"/app/.venv/lib/numpy/_core/_multiarray_umath.so"}}
	tests := []struct {
		name     string
		facts    Facts
		shell    scenario.Shell
		first    diagnose.FixKind
		explains []string
	}{
		{"in nixLibs, plain shell", Facts{NixLibs: []string{"stdenv.cc.cc.lib"}}, scenario.ShellPlain, diagnose.FixLoginShell,
			[]string{"is in nixLibs", LibsProfileScript("<archive>"), "only a login shell reads it"}},
		{"in nixLibs, login shell", Facts{NixLibs: []string{"stdenv.cc.cc.lib"}}, scenario.ShellLogin, diagnose.FixLDLibraryPath,
			[]string{"did not reach the process"}},
		{"in nixPkgs", Facts{NixPkgs: []string{"python311", "nixpkgs.stdenv.cc.cc.lib"}}, scenario.ShellLogin, diagnose.FixMoveNixPkgToNixLibs,
			[]string{"nixpkgs.stdenv.cc.cc.lib is in nixPkgs", "never searches the profile"}},
		{"gcc is not its runtime", Facts{NixPkgs: []string{"python311", "gcc"}}, scenario.ShellLogin, diagnose.FixAddNixLibs,
			[]string{"None of nixPkgs [python311, gcc]", "gcc is the compiler wrapper", "needed by _multiarray_umath.so"}},
		{"the image's own profile script", Facts{NixLibs: []string{"zlib", "stdenv.cc.cc.lib"}, LibsScript: "/etc/profile.d/libs.sh"}, scenario.ShellPlain, diagnose.FixLoginShell,
			[]string{"exported by /etc/profile.d/libs.sh"}},
		{"another gcc runtime attribute provides it", Facts{NixLibs: []string{"gcc-unwrapped.lib"}}, scenario.ShellLogin, diagnose.FixLDLibraryPath,
			[]string{"gcc-unwrapped.lib is in nixLibs"}},
	}
	for _, tc := range tests {
		x := tc.facts.ExplainMissing(diagnose.MissingCase{Libs: []result.MissingLib{lib}, Shell: tc.shell, Python: "3.11"})
		if len(x.Fixes) == 0 || x.Fixes[0] != tc.first {
			t.Errorf("%s: fixes %v, want %s first", tc.name, x.Fixes, tc.first)
		}
		if len(x.Fixes) != len(x.Suggestions) {
			t.Errorf("%s: %d fixes, %d suggestions", tc.name, len(x.Fixes), len(x.Suggestions))
		}
		for _, w := range tc.explains {
			if !strings.Contains(x.Text, w) {
				t.Errorf("%s: %q lacks %q", tc.name, x.Text, w)
			}
		}
		if !strings.Contains(x.Suggestions[len(x.Suggestions)-3].Summary, "(python311.withPackages (ps: [ps.<name>") {
			t.Errorf("%s: the Nix Python package fix does not name python311.withPackages: %+v", tc.name, x.Suggestions)
		}
	}
}

func TestFactsExplainFoundInStore(t *testing.T) {
	t.Parallel()
	m := result.MissingLib{Library: "libstdc++.so.6", Provider: "stdenv.cc.cc.lib", FoundAt: []string{
		"/nix/store/aaaa-user-environment/lib/libstdc++.so.6", "/nix/store/g7c1-gcc-14.2.0-lib/lib/libstdc++.so.6"}}
	x := Facts{}.ExplainMissing(diagnose.MissingCase{Libs: []result.MissingLib{m, {Library: "libgomp.so.1"}}, Searched: true})
	for _, w := range []string{
		"a copy exists at /nix/store/g7c1-gcc-14.2.0-lib/lib/libstdc++.so.6 (stdenv.cc.cc.lib)",
		"linked into the profile at /nix/store/aaaa-user-environment/lib/libstdc++.so.6",
		"only RUNPATHs and LD_LIBRARY_PATH", "(also missing: libgomp.so.1)",
	} {
		if !strings.Contains(x.Text, w) {
			t.Errorf("%q lacks %q", x.Text, w)
		}
	}
	if strings.Contains(x.Text, "no file of that name") {
		t.Errorf("a found copy is called absent: %q", x.Text)
	}
}

// A Qt wheel misses libGL and glib: the nixLibs fix names both attributes, and
// python-slim, which has neither library, is not offered.
func TestFactsExplainMissingSeveral(t *testing.T) {
	t.Parallel()
	libs := []result.MissingLib{
		{Library: "libGL.so.1", Provider: "libGL"},
		{Library: "libglib-2.0.so.0", Provider: "glib"},
	}
	x := Facts{NixPkgs: []string{"python313"}, NixLibs: []string{"zlib"}}.ExplainMissing(diagnose.MissingCase{Libs: libs, Searched: true, Python: "3.13"})
	if want := `add "libGL", "glib" to nixLibs: they provide libGL.so.1, libglib-2.0.so.0`; len(x.Suggestions) == 0 || !strings.HasPrefix(x.Suggestions[0].Summary, want) {
		t.Errorf("suggestions %+v, want the first to start %q", x.Suggestions, want)
	}
	if slices.Contains(x.Fixes, diagnose.FixBuilderPythonSlim) {
		t.Errorf("fixes %v offer python-slim, which has no libGL", x.Fixes)
	}
	cxx := []result.MissingLib{{Library: "libstdc++.so.6", Provider: "stdenv.cc.cc.lib"}}
	if x := (Facts{}).ExplainMissing(diagnose.MissingCase{Libs: cxx, Searched: true, Python: "3.13"}); !slices.Contains(x.Fixes, diagnose.FixBuilderPythonSlim) {
		t.Errorf("libstdc++: fixes %v lack python-slim, which has it", x.Fixes)
	}
}
