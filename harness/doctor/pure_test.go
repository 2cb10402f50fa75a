package doctor

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// TestMaterializeReproducesEveryVariant writes each seed variant into a copy
// and checks the copy renders to the same images as the variant itself.
func TestMaterializeReproducesEveryVariant(t *testing.T) {
	t.Parallel()
	sc, err := scenario.Load("../../scenarios/seed/scenario.yaml", scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range sc.Variants {
		t.Run(v.Name, func(t *testing.T) {
			b, err := materialize(sc, v, filepath.Join(t.TempDir(), "copy"))
			if err != nil {
				t.Fatal(err)
			}
			want, err := recipeKey(sc, v, "nixpacks.toml")
			if err != nil {
				t.Fatal(err)
			}
			got, err := recipeKey(b.sc, b.v, "nixpacks.toml")
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("the copy builds something else than the variant")
			}
			diff, _, _, err := diffTrees(sc.Project.Dir, b.dir, b.touched)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v.Nixpacks, scenario.NixpacksOverrides{}) || len(v.Pins) > 0 {
				if diff == "" {
					t.Fatal("the variant changes files but the baseline diff is empty")
				}
				gitApply(t, sc.Project.Dir, diff)
			}
		})
	}
}

// gitApply applies diffs, in order, to a git repository holding a copy of dir and
// returns the copy, the way a user applies what the doctor prints.
func gitApply(t *testing.T, dir string, diffs ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	repo := filepath.Join(t.TempDir(), "repo")
	if err := copyTree(dir, repo); err != nil {
		t.Fatal(err)
	}
	git := func(stdin string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s\npatch:\n%s", args, err, out, stdin)
		}
	}
	git("", "init", "-q")
	for _, d := range diffs {
		if d == "" {
			continue // a variant that changes nothing in the project has no baseline diff
		}
		git(d, "apply", "--check", "-")
		git(d, "apply", "-")
	}
	return repo
}

func TestDiffNewFileAndEdit(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(a, "r.txt"), []byte("numpy==1.24.2\ngunicorn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b, "r.txt"), []byte("numpy\ngunicorn\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(b, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b, "sub", "Dockerfile"), []byte("FROM x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	diff, lines, files, err := diffTrees(a, b, []string{"sub/Dockerfile", "r.txt", "r.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if lines != 3 || files != 2 {
		t.Errorf("lines %d files %d, want 3 and 2\n%s", lines, files, diff)
	}
	repo := gitApply(t, a, diff)
	got, _ := os.ReadFile(filepath.Join(repo, "sub", "Dockerfile"))
	if string(got) != "FROM x\n" {
		t.Errorf("new file after git apply: %q", got)
	}
}

// TestDraftsForSeedFailures generates the candidates for the seed's failing
// variants from a diagnosed failure and checks each edit leaves a config
// Nixpacks reads, renders, and differs from the starting point.
func TestDraftsForSeedFailures(t *testing.T) {
	t.Parallel()
	sc, err := scenario.Load("../../scenarios/seed/scenario.yaml", scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		t.Fatal(err)
	}
	missing := libstdcxxMissing
	pep := result.Variant{Stages: []result.Stage{{Name: result.StageInstall, Status: result.Fail, Class: diagnose.ClassPEP668,
		Output: "error: externally-managed-environment"}}}
	tests := []struct {
		variant string
		start   result.Variant
		want    []string
	}{
		{"break-system-packages", missing, []string{"add-nixlibs", "nix-python-package", "builder-python-slim", "builder-dockerfile", "builder-railpack"}},
		{"nixpkgs-gcc-stdenv", missing, []string{"add-nixlibs", "move-nixpkg-to-nixlibs", "nix-python-package", "builder-python-slim", "builder-dockerfile", "builder-railpack"}},
		{"nixlibs-plain-shell", missing, []string{"login-shell", "nix-python-package", "builder-python-slim", "builder-dockerfile", "builder-railpack"}},
		{"pip-install-pep668", pep, []string{"use-venv-install", "break-system-packages", "nix-python-package", "builder-python-slim", "builder-dockerfile", "builder-railpack"}},
	}
	for _, tt := range tests {
		t.Run(tt.variant, func(t *testing.T) {
			vs, err := sc.Select([]string{tt.variant}, nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := materialize(sc, vs[0], filepath.Join(t.TempDir(), "base"))
			if err != nil {
				t.Fatal(err)
			}
			st, err := newState(b, sc, tt.start)
			if err != nil {
				t.Fatal(err)
			}
			baseKey, _ := recipeKey(b.sc, b.v)
			var ids []string
			for _, d := range st.drafts(kindsFor(tt.start)) {
				ids = append(ids, d.ID)
				dir := filepath.Join(t.TempDir(), d.ID)
				a, err := apply(d, b, dir)
				if err != nil {
					t.Fatalf("%s: %v", d.ID, err)
				}
				key, touched := a.key, a.touched
				if key == baseKey {
					t.Errorf("%s changes nothing", d.ID)
				}
				diff, _, _, err := diffTrees(b.dir, dir, touched)
				if err != nil {
					t.Fatal(err)
				}
				if d.Edit != nil {
					gitApply(t, b.dir, diff)
				}
				// psycopg2-binary (a requirement) and psycopg2 (an import) are one attribute.
				if d.ID == "nix-python-package" && strings.Count(diff, "ps.psycopg2") != 1 {
					t.Errorf("%s lists ps.psycopg2 other than once:\n%s", d.ID, diff)
				}
				t.Logf("%s: %s\n%s", d.ID, d.Summary, diff)
			}
			if strings.Join(ids, " ") != strings.Join(tt.want, " ") {
				t.Errorf("candidates %v, want %v", ids, tt.want)
			}
		})
	}
}

// A source build that failed is offered the distribution's prebuilt twin, written
// into the requirements with what followed the name kept.
// realWorldBase materializes a variant of scenarios/real-world/scenario.yaml.
func realWorldBase(t testing.TB, variant string) (*scenario.Scenario, *baseline) {
	t.Helper()
	sc, err := scenario.Load("../../scenarios/real-world/scenario.yaml", scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Select([]string{variant}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := materialize(sc, vs[0], filepath.Join(t.TempDir(), "base"))
	if err != nil {
		t.Fatal(err)
	}
	return sc, b
}

func TestDraftsBinaryTwin(t *testing.T) {
	t.Parallel()
	sc, b := realWorldBase(t, "psycopg2-sdist-without-pg-config")
	start := result.Variant{Stages: []result.Stage{{Name: result.StageInstall, Status: result.Fail, Class: diagnose.ClassBuildFromSource,
		Output: "Error: pg_config executable not found."}}}
	st, err := newState(b, sc, start)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, d := range st.drafts(kindsFor(start)) {
		if d.Kind != diagnose.FixBinaryPackage {
			continue
		}
		found = true
		dir := filepath.Join(t.TempDir(), d.ID)
		a, err := apply(d, b, dir)
		if err != nil {
			t.Fatal(err)
		}
		diff, _, _, err := diffTrees(b.dir, dir, a.touched)
		if err != nil {
			t.Fatal(err)
		}
		gitApply(t, b.dir, diff)
		if !strings.Contains(diff, "-psycopg2\n+psycopg2-binary\n") {
			t.Errorf("%s: diff does not replace psycopg2 with psycopg2-binary:\n%s", d.Summary, diff)
		}
	}
	if !found {
		t.Error("no use-binary-package candidate for a failed psycopg2 source build")
	}
}

// A venv the runner found holding the missing module: the start command's program
// runs from it, as a platform setting (the Dockerfile's CMD is not touched).
func TestDraftsVenvStart(t *testing.T) {
	t.Parallel()
	sc, b := realWorldBase(t, "venv-not-on-path")
	for _, tc := range []struct {
		venv, want string
	}{
		{"/opt/venv", "start command: /opt/venv/bin/python app.py"},
		// without the fact, nothing: the variant has a start command already
		{"", ""},
	} {
		start := result.Variant{Stages: []result.Stage{{Name: result.StageImport, Status: result.Fail, Class: diagnose.ClassModuleNotFound,
			Output: "ModuleNotFoundError: No module named 'psycopg2'", Facts: result.Facts{Venv: tc.venv}}}}
		st, err := newState(b, sc, start)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, d := range st.drafts([]diagnose.FixKind{diagnose.FixStartCommand}) {
			got = append(got, d.Settings...)
			var v scenario.Variant
			d.Variant(&v)
			if want := strings.TrimPrefix(tc.want, "start command: "); v.Start != want {
				t.Errorf("venv %q: the candidate starts %q, want %q", tc.venv, v.Start, want)
			}
		}
		if want := []string{tc.want}; tc.want == "" && len(got) != 0 || tc.want != "" && !slices.Equal(got, want) {
			t.Errorf("venv %q: settings %q, want [%q]", tc.venv, got, tc.want)
		}
	}
}

// The doctor's copy of a project keeps its links as links (a file's, a
// directory's, a dangling one), since the builders leave links out of a build
// context as the platforms do; and a fix never writes through one into the
// link's target, which may be the user's own file outside the copy.
func TestCopyTreeKeepsLinks(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "shared.txt"), []byte("numpy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "app.py"), []byte("print(1)\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"requirements.txt": filepath.Join(outside, "shared.txt"),
		"lib":              outside,
		"gone":             "missing.txt",
	} {
		if err := os.Symlink(target, filepath.Join(src, name)); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "copy")
	if err := copyTree(src, dst); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"requirements.txt": filepath.Join(outside, "shared.txt"), "lib": outside, "gone": "missing.txt"} {
		if got, err := os.Readlink(filepath.Join(dst, name)); err != nil || got != target {
			t.Errorf("%s in the copy: link %q, %v; want a link to %q", name, got, err, target)
		}
	}
	if fi, err := os.Stat(filepath.Join(dst, "app.py")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("app.py in the copy: %v %v", fi, err)
	}
	for _, rel := range []string{"requirements.txt", "lib/nixpacks.toml"} {
		err := builder.WriteText(dst, rel, "psycopg2-binary\n")
		if err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("WriteText %s through a link: %v", rel, err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(outside, "shared.txt")); string(b) != "numpy\n" {
		t.Errorf("the link's target outside the copy changed: %q", b)
	}
	if _, err := os.Stat(filepath.Join(outside, "nixpacks.toml")); err == nil {
		t.Error("a fix wrote into a linked directory outside the copy")
	}
	if err := builder.WriteText(dst, "backend/nixpacks.toml", "[start]\n"); err != nil {
		t.Errorf("WriteText of a new file: %v", err)
	}
}

// A boot the offline kit could not decide is reported as such, for the start and
// for each proof: the proof holds for the kit's stand-in only.
func TestWriteTextCaveats(t *testing.T) {
	t.Parallel()
	caveat := []string{"nixLibs glibc puts the Nix store's glibc on LD_LIBRARY_PATH"}
	for _, tc := range []struct {
		name string
		rep  Report
		want []string
	}{
		{"start boots", Report{Start: result.Variant{Boots: true, Caveats: caveat}},
			[]string{"already boots: nothing to fix\nnot decided (a deploy may differ): nixLibs glibc"}},
		{"a proof", Report{Start: result.Variant{}, Candidates: []Candidate{
			{ID: "add-nixlibs", Summary: "s", Lines: 1, Proven: true, Result: result.Variant{Boots: true, Caveats: caveat}},
			{ID: "use-venv-install", Summary: "s", Lines: 2, Proven: true, Result: result.Variant{Boots: true}}}},
			[]string{"1. add-nixlibs — s\n   1 line(s) in 0 file(s)\n   not decided (a deploy may differ): nixLibs glibc", "2. use-venv-install — s\n   2 line(s) in 0 file(s)\n   (no file change)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := tc.rep.WriteText(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}
