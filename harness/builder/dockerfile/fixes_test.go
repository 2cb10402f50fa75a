package dockerfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// newer-base-image moves only the stage the app runs in, and only to the next
// Debian release of the same image; the rest of the file is kept byte for byte.
func TestNewerBase(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"runtime stage", "FROM python:3.13-slim AS build\n\nFROM debian:bookworm-slim\nCMD [\"python\"]\n",
			"FROM python:3.13-slim AS build\n\nFROM debian:trixie-slim\nCMD [\"python\"]\n"},
		{"python image", "FROM python:3.11-slim-bookworm\nRUN true", "FROM python:3.11-slim-trixie\nRUN true"},
		{"bullseye", "FROM --platform=linux/amd64 debian:bullseye AS run\n", "FROM --platform=linux/amd64 debian:bookworm AS run\n"},
		{"no next release", "FROM debian:trixie-slim\n", ""},
		{"not Debian", "FROM alpine:3.20\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(tc.in), 0o644); err != nil {
				t.Fatal(err)
			}
			want := tc.want
			ds := newerBase(&builder.FixBase{Dir: dir, Root: ".", Variant: scenario.Variant{Builder: Name, Dockerfile: "Dockerfile"}})
			if want == "" {
				if len(ds) != 0 {
					t.Fatalf("a draft for %q: %s", tc.in, ds[0].Summary)
				}
				return
			}
			got := onlyDockerfile(t, ds)
			if got != want {
				t.Errorf("rewrote\n%q\nas\n%q\nwant\n%q", tc.in, got, want)
			}
		})
	}
}

// add-aptpkgs installs the package of every library the stages found missing, not
// only the one the import named, and is drafted only where the diagnosis offered apt.
func TestAptDockerfileInstallsEveryMissingLibrary(t *testing.T) {
	missing := []result.MissingLib{{Library: "libGL.so.1"}, {Library: "libglib-2.0.so.0"}, {Library: "libGL.so.1"}}
	for _, tc := range []struct {
		name  string
		fixes []result.Fix
		want  string
	}{
		{"import named libGL", []result.Fix{{ID: string(diagnose.FixAddAptPkgs), Packages: []string{"libgl1"}}},
			"RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 && rm -rf /var/lib/apt/lists/*\n"},
		{"no apt fix offered", []result.Fix{{ID: string(diagnose.FixAddNixLibs)}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := &builder.FixBase{Dir: t.TempDir(), Root: ".", Requirements: []string{"requirements.txt"}, Start: "python app.py", Python: "3.13",
				Variant: scenario.Variant{Builder: "python-slim"}, Missing: missing, Fixes: tc.fixes}
			ds := aptDockerfile(base)
			if tc.want == "" {
				if len(ds) != 0 {
					t.Fatalf("drafted %s without an apt fix", ds[0].Summary)
				}
				return
			}
			got := onlyDockerfile(t, ds)
			if !strings.Contains(got, tc.want) {
				t.Errorf("Dockerfile\n%s\nlacks %q", got, tc.want)
			}
		})
	}
}

// onlyDockerfile applies the one draft in ds to an empty directory and returns
// the Dockerfile it wrote.
func onlyDockerfile(t *testing.T, ds []builder.Draft) string {
	t.Helper()
	if len(ds) != 1 {
		t.Fatalf("%d drafts, want 1", len(ds))
	}
	out := t.TempDir()
	var touched []string
	if err := ds[0].Edit(out, &touched); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(out, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return string(got)
}
