package generate

import (
	"encoding/json"
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// -update prints each golden's diff and the rendered text next to it as
// <file>.got; it never overwrites a golden. The goldens are written by hand
// from Nixpacks' source and stay the reference.
var update = flag.Bool("update", false, "write rendered files as testdata/<case>/want/<file>.got to compare by hand")

// goldenCase is testdata/<case>/case.json, all fields optional.
type goldenCase struct {
	// Snapshot names the Nixpacks plan snapshot
	// (tests/snapshots/generate_plan_tests__<name>.snap) whose plan features
	// plan.json covers; plan.json itself is written for this test, with its
	// own packages, commands and variables.
	Snapshot string `json:"snapshot"`
	// Layers, when set, replace plan.json: each file is a plan, merged in
	// order with MergePlans and then pinned, as the generator does with the
	// provider's plan and the config file's.
	Layers []string `json:"layers"`
	// App, when set, is a directory under the case that Generate makes the
	// plan from, with Env as the environment (no provider is registered
	// here; the apps used have none that would detect).
	App       string            `json:"app"`
	Env       map[string]string `json:"env"`
	Debian    bool              `json:"debian"`
	CacheKey  string            `json:"cacheKey"`
	BaseImage string            `json:"baseImage"`
	// ArchiveDir rewrites archive URLs to file://<dir>/<rev>.tar.gz.
	ArchiveDir string            `json:"archiveDir"`
	Images     map[string]string `json:"images"`
	OutDir     string            `json:"outDir"`
	ImageName  string            `json:"imageName"`
}

func loadCase(t testing.TB, dir string) (*BuildPlan, []Option) {
	t.Helper()
	var c goldenCase
	if data, err := os.ReadFile(filepath.Join(dir, "case.json")); err == nil {
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s/case.json: %v", dir, err)
		}
	}
	var plan *BuildPlan
	if c.App != "" {
		g, err := Generate(os.DirFS(filepath.Join(dir, c.App)), c.Env)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		plan = g.Plan
	} else if c.Layers != nil {
		var layers []*BuildPlan
		for _, l := range c.Layers {
			layers = append(layers, readPlan(t, filepath.Join(dir, l)))
		}
		plan = MergePlans(layers...)
		plan.Pin(c.Debian)
	} else {
		plan = readPlan(t, filepath.Join(dir, "plan.json"))
	}
	var opts []Option
	if c.CacheKey != "" {
		opts = append(opts, WithCacheKey(c.CacheKey))
	}
	if c.BaseImage != "" {
		opts = append(opts, WithBaseImage(c.BaseImage))
	}
	if c.ArchiveDir != "" {
		opts = append(opts, WithArchiveURL(func(rev string) string { return "file://" + c.ArchiveDir + "/" + rev + ".tar.gz" }))
	}
	if c.Images != nil {
		opts = append(opts, WithImages(func(ref string) string {
			if r, ok := c.Images[ref]; ok {
				return r
			}
			return ref
		}))
	}
	if c.OutDir != "" {
		opts = append(opts, WithOutDir(c.OutDir, c.ImageName))
	}
	return plan, opts
}

func readPlan(t testing.TB, path string) *BuildPlan {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePlan(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return p
}

// readWant returns testdata/<case>/want/* keyed as under .nixpacks/.
func readWant(t testing.TB, dir string) map[string]string {
	t.Helper()
	want := map[string]string{}
	root := filepath.Join(dir, "want")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".got") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		want[OutputDir+"/"+filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestGolden renders each testdata case and compares every file with the
// hand-written golden, byte for byte, and the set of files too. The goldens
// were written from dockerfile_generation.rs and nix/mod.rs at nixpacks
// f51d7fd before the renderer existed. Nixpacks has no Dockerfile snapshots.
// Each plan.json is written for this test and has the shape of the plan
// snapshot (tests/snapshots/generate_plan_tests__*.snap) that case.json
// names, with values of its own:
//
//	python-defaults     python.snap (with a cache key: the pip cache mount)
//	no-provider         config_toml_file.snap (variables, a custom phase)
//	apt-only            apt_ffmpeg.snap (aptPkgs, no Nix: no .nix file)
//	run-image           go.snap (runImage, /etc/ssl/certs, build.sh)
//	overlays            lunatic_basic.snap (nixOverlays, relative cache dir)
//	start-user          custom_user.snap ([start] user)
//	variables-and-paths ruby.snap (paths in two phases, onlyIncludeFiles [])
//	only-include-files  python_setuptools.snap (install copies pyproject.toml)
//
// The others merge the Python provider's plan for Python 3.13 with a config
// file as the generator does (nixlibs-spliced: nixLibs with "...";
// nixlibs-replaced: without; nixpkgs-archive: phases grouped by archive), and
// offline renders a plan with every option the offline kit uses, and seed
// is the seed project's nixpacks.toml through Generate with
// NIXPACKS_PYTHON_VERSION=3.13, as a variant passes it.
func TestGolden(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("testdata/*/want")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 8 {
		t.Fatalf("only %d golden cases", len(dirs))
	}
	for _, w := range dirs {
		dir := filepath.Dir(w)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			plan, opts := loadCase(t, dir)
			out, err := Render(plan, opts...)
			if err != nil {
				t.Fatal(err)
			}
			// The parts a build in steps uses make up the same file, wherever it is cut.
			for _, cut := range []string{"", "setup", "install", "build"} {
				for _, own := range []bool{false, true} {
					if b, a, st := out.Split(cut, own); b+a+st != out.Dockerfile {
						t.Errorf("Split(%q, %v) does not make up the Dockerfile:\n%s", cut, own, lineDiff(out.Dockerfile, b+a+st))
					}
				}
			}
			got := out.Files()
			want := readWant(t, dir)
			for _, name := range slices.Sorted(maps.Keys(got)) {
				w, ok := want[name]
				switch {
				case !ok:
					t.Errorf("rendered %s, which the golden does not have:\n%s", name, got[name])
				case w != got[name]:
					t.Errorf("%s differs from the golden:\n%s", name, lineDiff(w, got[name]))
				default:
					continue
				}
				if *update {
					p := filepath.Join(dir, "want", strings.TrimPrefix(name, OutputDir+"/")) + ".got"
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, []byte(got[name]), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			for name := range want {
				if _, ok := got[name]; !ok {
					t.Errorf("the golden has %s, which was not rendered", name)
				}
			}
		})
	}
}

// lineDiff shows the first differing lines with visible line ends.
func lineDiff(want, got string) string {
	wl, gl := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(wl), len(gl)) && shown < 8; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			b.WriteString("  line " + strconv.Itoa(i+1) + "\n    want " + quote(w) + "\n    got  " + quote(g) + "\n")
			shown++
		}
	}
	return b.String()
}

func quote(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
