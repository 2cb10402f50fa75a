package debian

import (
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

func TestProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    result.MissingLib
		want string
	}{
		{result.MissingLib{Library: "libstdc++.so.6"}, "libstdc++6"},
		{result.MissingLib{Library: "libz.so.1", FoundAt: []string{"/lib/x86_64-linux-gnu/libz.so.1"}}, "zlib1g"},
		{result.MissingLib{Library: "libpq.so.5", FoundAt: []string{"/nix/store/x-postgresql-16/lib/libpq.so.5"}}, "libpq5"},
		{result.MissingLib{Library: "libnothing.so.1"}, ""},
	}
	for _, tc := range tests {
		if got := (Facts{}).Provider(tc.m); got != tc.want {
			t.Errorf("Provider(%+v) = %q, want %q", tc.m, got, tc.want)
		}
	}
}

func TestExplainMissing(t *testing.T) {
	t.Parallel()
	absent := result.MissingLib{Library: "libpq.so.5", Provider: "libpq5", NeededBy: []string{"/usr/local/lib/python3.13/site-packages/psycopg2/_psycopg.so"}}
	x := Facts{OfferSlim: true}.ExplainMissing(diagnose.MissingCase{Libs: []result.MissingLib{absent}, Searched: true})
	for _, w := range []string{"cannot find libpq.so.5 needed by _psycopg.so", "no file of that name is in the image", "Debian's libpq5 ships it"} {
		if !strings.Contains(x.Text, w) {
			t.Errorf("%q lacks %q", x.Text, w)
		}
	}
	// python:X.Y-slim has no libpq5 either: switching to it is no fix.
	if !slices.Equal(x.Fixes, []diagnose.FixKind{diagnose.FixAddAptPkgs}) {
		t.Errorf("fixes %v", x.Fixes)
	}
	if !strings.Contains(x.Suggestions[0].Summary, `aptPkgs = ["libpq5"]`) {
		t.Errorf("suggestion %+v", x.Suggestions[0])
	}
	// It has the C++ runtime.
	cxx := result.MissingLib{Library: "libstdc++.so.6", Provider: "libstdc++6"}
	x = Facts{OfferSlim: true}.ExplainMissing(diagnose.MissingCase{Libs: []result.MissingLib{cxx}, Searched: true})
	if !slices.Equal(x.Fixes, []diagnose.FixKind{diagnose.FixAddAptPkgs, diagnose.FixBuilderPythonSlim}) {
		t.Errorf("libstdc++: fixes %v", x.Fixes)
	}

	// The python-slim image is what the builder fix would switch to: no such offer there.
	elsewhere := result.MissingLib{Library: "libfoo.so.1", FoundAt: []string{"/opt/foo/lib/libfoo.so.1"}}
	x = Facts{}.ExplainMissing(diagnose.MissingCase{Libs: []result.MissingLib{elsewhere}})
	if !strings.Contains(x.Text, "a copy exists at /opt/foo/lib/libfoo.so.1, a directory it does not search") {
		t.Errorf("found elsewhere: %q", x.Text)
	}
	if !slices.Equal(x.Fixes, []diagnose.FixKind{diagnose.FixLDLibraryPath}) || !strings.Contains(x.Suggestions[0].Summary, "/opt/foo/lib") {
		t.Errorf("fixes %v %+v", x.Fixes, x.Suggestions)
	}

	// A builder with its own package list says how to use it.
	own := Facts{InstallHint: func(pkgs []string) string { return "add " + strings.Join(pkgs, " ") + " to deploy.aptPackages" }}
	x = own.ExplainMissing(diagnose.MissingCase{Libs: []result.MissingLib{absent}})
	if x.Suggestions[0].Summary != "add libpq5 to deploy.aptPackages" {
		t.Errorf("own hint: %+v", x.Suggestions)
	}
}

// Every missing library's package goes into the one apt fix: installing libgl1
// alone would only move a Qt wheel's failure on to libglib-2.0.so.0.
func TestExplainMissingInstallsEveryPackage(t *testing.T) {
	t.Parallel()
	libs := []result.MissingLib{
		{Library: "libGL.so.1", Provider: "libgl1"},
		{Library: "libglib-2.0.so.0", Provider: "libglib2.0-0"},
		{Library: "libgthread-2.0.so.0", Provider: "libglib2.0-0"},
		{Library: "libunknown.so.1"},
	}
	x := Facts{}.ExplainMissing(diagnose.MissingCase{Libs: libs, Searched: true})
	if len(x.Suggestions) != 1 || !slices.Equal(x.Suggestions[0].Packages, []string{"libgl1", "libglib2.0-0"}) {
		t.Fatalf("suggestions %+v, want one apt fix with libgl1 and libglib2.0-0", x.Suggestions)
	}
	if want := `install libgl1 libglib2.0-0 (aptPkgs = ["libgl1", "libglib2.0-0"], or apt-get install -y libgl1 libglib2.0-0 in the Dockerfile)`; x.Suggestions[0].Summary != want {
		t.Errorf("summary %q, want %q", x.Suggestions[0].Summary, want)
	}
	if !strings.Contains(x.Text, "(also missing: libglib-2.0.so.0, libgthread-2.0.so.0, libunknown.so.1)") {
		t.Errorf("text %q", x.Text)
	}
}
