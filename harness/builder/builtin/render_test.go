package builtin

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	"github.com/bootmatrix/bootmatrix/harness/builder/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/builder/railpack"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

var reg = Registry()

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func projectDir(t testing.TB, name string) string {
	t.Helper()
	d, err := filepath.Abs(filepath.Join("testdata", "projects", name))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func testScenario(t testing.TB, project, root string) *scenario.Scenario {
	t.Helper()
	return &scenario.Scenario{
		File:    "scenarios/test/scenario.yaml",
		Dir:     "scenarios/test",
		Name:    "test",
		Project: scenario.Project{Dir: projectDir(t, project), Root: root},
		Port:    8000,
	}
}

// dump renders everything a recipe says, in a stable text form, with the
// machine-specific project path replaced.
func dump(r *recipe.Recipe, projDir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# builder: %s\n# shell: %q\n# start: %s\n# workdir: %s\n# python: %s\n", r.Builder, r.Shell, r.Start, r.Workdir, r.Python)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "# note: %s\n", n)
	}
	for _, c := range r.Caveats {
		fmt.Fprintf(&b, "# caveat: %s\n", c)
	}
	builds := []struct {
		name string
		b    *recipe.Build
	}{{"setup", &r.Setup}, {"install", r.Install}, {"final", r.Final}}
	var data []string
	dataBody := map[string][]byte{}
	for _, bl := range builds {
		if bl.b == nil {
			fmt.Fprintf(&b, "\n# ===== %s: none =====\n", bl.name)
			continue
		}
		fmt.Fprintf(&b, "\n# ===== %s =====\n", bl.name)
		for _, k := range slices.Sorted(maps.Keys(bl.b.Args)) {
			fmt.Fprintf(&b, "# build-arg %s=%s\n", k, bl.b.Args[k])
		}
		for _, k := range slices.Sorted(maps.Keys(bl.b.Context)) {
			f := bl.b.Context[k]
			if f.Source != "" {
				rel, _ := filepath.Rel(projDir, f.Source)
				fmt.Fprintf(&b, "# context %s <- %s (%o)\n", k, filepath.ToSlash(rel), f.Mode)
			} else {
				fmt.Fprintf(&b, "# context %s <- generated (%o)\n", k, f.Mode)
				data = append(data, bl.name+":"+k)
				dataBody[bl.name+":"+k] = f.Data
			}
		}
		b.WriteString(bl.b.Dockerfile)
	}
	for _, k := range data {
		fmt.Fprintf(&b, "\n# ===== generated %s =====\n%s", k, dataBody[k])
	}
	return strings.ReplaceAll(b.String(), projDir, "<project>")
}

func TestRenderGolden(t *testing.T) {
	t.Parallel()
	online := recipe.Online(map[string]string{"PIP_INDEX_URL": "https://pypi.example.test/simple", "HOME": "/root"})
	tests := []struct {
		golden  string
		project string
		root    string
		v       scenario.Variant
		subs    recipe.Substitutions
		start   string
	}{
		// The seed: nixpacks.toml at the repository root, requirements.txt in backend/.
		{"nixpacks-seed-no-provider", "seed", ".", scenario.Variant{Name: "seed", Builder: "nixpacks", Python: "3.11", Pins: []string{"numpy==1.26.4"}}, recipe.Offline(), ""},
		{"nixpacks-seed-nixlibs-override", "seed", ".", scenario.Variant{Name: "seed-libs", Builder: "nixpacks", Python: "3.11",
			Nixpacks: scenario.NixpacksOverrides{NixLibs: []string{"...", "stdenv.cc.cc.lib"}}}, recipe.Offline(), ""},
		{"nixpacks-backend-py311", "seed", "backend", scenario.Variant{Name: "backend-311", Builder: "nixpacks", Python: "3.11", Pins: []string{"numpy==1.26.4"}}, recipe.Offline(), "gunicorn --bind 0.0.0.0:$PORT app:app"},
		{"nixpacks-backend-py313", "seed", "backend", scenario.Variant{Name: "backend-313", Builder: "nixpacks", Python: "3.13"}, recipe.Offline(), "gunicorn --bind 0.0.0.0:$PORT app:app"},
		{"nixpacks-backend-splice", "seed", "backend", scenario.Variant{Name: "splice", Builder: "nixpacks", Python: "3.11",
			Nixpacks: scenario.NixpacksOverrides{NixPkgs: []string{"...", "openblas"}, NixLibs: []string{"glibc", "..."}, BuildCmds: []string{"python -c 'import numpy'"}}}, recipe.Offline(), "gunicorn app:app"},
		{"nixpacks-backend-libs-replaced", "seed", "backend", scenario.Variant{Name: "libs-replaced", Builder: "nixpacks", Python: "3.11",
			Nixpacks: scenario.NixpacksOverrides{NixLibs: []string{"zlib"}}}, recipe.Offline(), "gunicorn app:app"},
		{"nixpacks-backend-lib-in-nixpkgs", "seed", "backend", scenario.Variant{Name: "lib-in-pkgs", Builder: "nixpacks", Python: "3.11", Shell: scenario.ShellPlain,
			Nixpacks: scenario.NixpacksOverrides{NixPkgs: []string{"...", "stdenv.cc.cc.lib"}, NixLibs: []string{}}}, recipe.Offline(), "gunicorn app:app"},
		{"nixpacks-backend-runimage", "seed", "backend", scenario.Variant{Name: "runimage", Builder: "nixpacks", Python: "3.11",
			Nixpacks: scenario.NixpacksOverrides{RunImage: "debian:bookworm-slim"}}, recipe.Offline(), "gunicorn app:app"},
		{"nixpacks-backend-apt", "seed", "backend", scenario.Variant{Name: "apt", Builder: "nixpacks", Python: "3.11",
			Nixpacks: scenario.NixpacksOverrides{AptPkgs: []string{"libstdc++6"}}}, recipe.Offline(), "gunicorn app:app"},
		{"nixpacks-backend-online", "seed", "backend", scenario.Variant{Name: "online", Builder: "nixpacks", Python: "3.11"}, online, "gunicorn app:app"},
		{"nixpacks-node-wins", "nodewins", ".", scenario.Variant{Name: "node", Builder: "nixpacks", Python: "3.11", Pins: []string{"numpy==1.26.4"}}, recipe.Offline(), ""},
		{"slim-311-offline", "seed", "backend", scenario.Variant{Name: "slim-311", Builder: "python-slim", Python: "3.11", Pins: []string{"NumPy==1.26.4", "requests==2.31.0"}}, recipe.Offline(), "gunicorn --bind 0.0.0.0:$PORT app:app"},
		{"slim-313-online-login", "seed", "backend", scenario.Variant{Name: "slim-313", Builder: "python-slim", Python: "3.13", Shell: scenario.ShellLogin}, online, "gunicorn app:app"},
		{"dockerfile-offline", "dfproj", ".", scenario.Variant{Name: "df", Builder: "dockerfile", Dockerfile: "Dockerfile", BuildArgs: map[string]string{"PY": "3.13"}, Pins: []string{"numpy==1.26.4"}}, recipe.Offline(), ""},
		{"dockerfile-online", "dfproj", ".", scenario.Variant{Name: "df-online", Builder: "dockerfile", Dockerfile: "Dockerfile"}, online, ""},
		{"railpack-backend-offline", "seed", "backend", scenario.Variant{Name: "rp", Builder: "railpack", Python: "3.13", Pins: []string{"numpy==2.2.4"}}, recipe.Offline(), "gunicorn --bind 0.0.0.0:$PORT app:app"},
		{"railpack-backend-deploy-apt", "seed", "backend", scenario.Variant{Name: "rp-apt", Builder: "railpack",
			Settings: map[string]any{"railpack": railpack.Overrides{Deploy: railpack.DeployOverrides{AptPackages: []string{"...", "libgomp1"}}}}}, recipe.Offline(), ""},
		{"railpack-backend-online", "seed", "backend", scenario.Variant{Name: "rp-online", Builder: "railpack"}, online, "gunicorn app:app"},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			sc := testScenario(t, tt.project, tt.root)
			sc.Start = tt.start
			r, err := reg.Render(sc, tt.v, tt.subs)
			if err != nil {
				t.Fatal(err)
			}
			got := dump(r, sc.Project.Dir)
			file := filepath.Join("testdata", "golden", tt.golden+".Dockerfile")
			if *update {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRenderGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs from the rendering (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", file, got, want)
			}
		})
	}
}

// TestRenderKitCaveats: only the offline kit's Nixpacks image carries the glibc
// caveat; online the real image decides, and without glibc in nixLibs there is
// nothing to decide.
func TestRenderKitCaveats(t *testing.T) {
	t.Parallel()
	online := recipe.Online(map[string]string{"HOME": "/root"})
	libs := func(l ...string) scenario.Variant {
		return scenario.Variant{Name: "v", Builder: "nixpacks", Python: "3.11", Nixpacks: scenario.NixpacksOverrides{NixLibs: l}}
	}
	for _, tc := range []struct {
		name string
		v    scenario.Variant
		subs recipe.Substitutions
		want int
	}{
		{"offline, glibc in nixLibs", libs("...", "glibc"), recipe.Offline(), 1},
		{"online, glibc in nixLibs", libs("...", "glibc"), online, 0},
		{"offline, the provider's nixLibs", libs("..."), recipe.Offline(), 0},
		{"offline, glibc in nixPkgs only", scenario.Variant{Name: "v", Builder: "nixpacks", Python: "3.11",
			Nixpacks: scenario.NixpacksOverrides{NixPkgs: []string{"...", "glibc"}}}, recipe.Offline(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sc := testScenario(t, "seed", "backend")
			sc.Start = "gunicorn app:app"
			r, err := reg.Render(sc, tc.v, tc.subs)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Caveats) != tc.want {
				t.Fatalf("caveats %q, want %d", r.Caveats, tc.want)
			}
		})
	}
}

// TestRenderFacts pins the behaviours the golden files show, so a careless
// -update cannot silently bless a regression.
func TestRenderFacts(t *testing.T) {
	t.Parallel()
	render := func(project, root string, v scenario.Variant, subs recipe.Substitutions) *recipe.Recipe {
		t.Helper()
		sc := testScenario(t, project, root)
		sc.Start = "gunicorn app:app"
		r, err := reg.Render(sc, v, subs)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	contains := func(what, s, sub string) {
		t.Helper()
		if !strings.Contains(s, sub) {
			t.Errorf("%s lacks %q:\n%s", what, sub, s)
		}
	}
	lacks := func(what, s, sub string) {
		t.Helper()
		if strings.Contains(s, sub) {
			t.Errorf("%s has %q:\n%s", what, sub, s)
		}
	}

	const legacy, pyArchive = "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db", "bc8f8d1be58e8c8383e683a06e1e1e57893fff87"
	seed := render("seed", ".", scenario.Variant{Name: "seed", Builder: "nixpacks", Python: "3.11", Pins: []string{"numpy==1.26.4"}}, recipe.Offline())
	contains("seed setup", seed.Setup.Dockerfile, "FROM bootmatrix-kit/nixpacks:ubuntu\n\nENTRYPOINT [\"/bin/bash\", \"-l\", \"-c\"]\nWORKDIR /app/\n")
	// no provider at the root: the setup phase is on Nixpacks' default archive
	contains("seed setup", seed.Setup.Dockerfile, "COPY .nixpacks/nixpkgs-"+legacy+".nix .nixpacks/nixpkgs-"+legacy+".nix\nRUN nix-env -if .nixpacks/nixpkgs-"+legacy+".nix && nix-collect-garbage -d\n")
	nixFile := string(seed.Setup.Context[".nixpacks/nixpkgs-"+legacy+".nix"].Data)
	contains("seed nix file", nixFile, `import (fetchTarball "file:///opt/bootmatrix/nixpkgs/`+legacy+`.tar.gz")`)
	contains("seed nix file", nixFile, "        gcc python311 stdenv.cc.cc.lib\n")
	lacks("seed setup (no provider: no venv)", seed.Setup.Dockerfile+seed.Install.Dockerfile, "/opt/venv")
	contains("seed install", seed.Install.Dockerfile, "ARG BASE\nFROM ${BASE}\nCOPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse\n")
	contains("seed install", seed.Install.Dockerfile, "# install phase\nCOPY . /app/.\nRUN  cd backend && pip install --break-system-packages -r requirements.txt\n")
	contains("seed install", seed.Install.Dockerfile, "CMD [\"gunicorn app:app\"]\n")
	if got := string(seed.Setup.Context["backend/requirements.txt"].Data); got != "# numpy for the embeddings\nnumpy==1.26.4\ngunicorn\n" {
		t.Errorf("seed pinned backend/requirements.txt = %q", got)
	}
	if !reflect.DeepEqual(seed.Shell, []string{"bash", "-l", "-c"}) || seed.Start != "gunicorn app:app" {
		t.Errorf("seed shell/start = %q / %q", seed.Shell, seed.Start)
	}
	if _, ok := seed.Setup.Context["nixpacks.toml"]; !ok {
		t.Error("root \".\": the whole project is the context")
	}
	if seed.Setup.Args["NIXPACKS_PYTHON_VERSION"] != "3.11" {
		t.Errorf("seed build args %v", seed.Setup.Args)
	}

	be := render("seed", "backend", scenario.Variant{Name: "be", Builder: "nixpacks", Python: "3.13"}, recipe.Offline())
	beNix := string(be.Setup.Context[".nixpacks/nixpkgs-"+pyArchive+".nix"].Data)
	contains("backend nix file", beNix, `APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [ stdenv.cc.cc.lib zlib ] }";`)
	contains("backend nix file", beNix, "        gcc python313\n")
	contains("backend install", be.Install.Dockerfile, "ENV NIXPACKS_PATH=/opt/venv/bin:$NIXPACKS_PATH\nCOPY . /app/.\nRUN  python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt\n")
	contains("backend install", be.Install.Dockerfile, "RUN printf '\\nPATH=/opt/venv/bin:$PATH' >> /root/.profile\n")
	lacks("backend setup", be.Setup.Dockerfile, "--mount=type=cache") // the classic builder has no cache mounts
	if _, ok := be.Setup.Context["nixpacks.toml"]; ok {
		t.Error("root backend: the repo-root nixpacks.toml must not be in the context")
	}

	run := render("seed", "backend", scenario.Variant{Name: "run", Builder: "nixpacks", Python: "3.11", Nixpacks: scenario.NixpacksOverrides{RunImage: "debian:bookworm-slim", StartUser: "app"}}, recipe.Offline())
	if run.Final == nil {
		t.Fatal("runImage: no Final build")
	}
	contains("final", run.Final.Dockerfile, "ARG BASE\nFROM ${BASE}\n# start\nFROM bootmatrix-kit/debian:bookworm\n")
	contains("final", run.Final.Dockerfile, "COPY --from=0 /etc/ssl/certs /etc/ssl/certs\nRUN true\nCOPY --from=0 /app/ /app/\nRUN useradd -m -s /bin/bash app\nUSER app\n")
	lacks("runImage install", run.Install.Dockerfile, "# start")

	if _, err := reg.Render(testScenario(t, "seed", "backend"), scenario.Variant{Name: "a", Builder: "nixpacks", Python: "3.13", Line: 7,
		Nixpacks: scenario.NixpacksOverrides{NixpkgsArchive: "0123456789abcdef0123456789abcdef01234567"}}, recipe.Offline()); err == nil ||
		!strings.Contains(err.Error(), "scenario.yaml:7: nixpacks.nixpkgsArchive: nixpkgs archive 0123456789abcdef0123456789abcdef01234567: the offline kit carries only "+legacy+" and "+pyArchive) {
		t.Errorf("an archive the kit does not carry: %v", err)
	}
	onNix := render("seed", "backend", scenario.Variant{Name: "on", Builder: "nixpacks", Python: "3.13",
		Nixpacks: scenario.NixpacksOverrides{NixpkgsArchive: "0123456789abcdef0123456789abcdef01234567"}}, recipe.Online(nil))
	contains("online nix file", string(onNix.Setup.Context[".nixpacks/nixpkgs-0123456789abcdef0123456789abcdef01234567.nix"].Data),
		`fetchTarball "https://github.com/NixOS/nixpkgs/archive/0123456789abcdef0123456789abcdef01234567.tar.gz"`)
	contains("online setup", onNix.Setup.Dockerfile, "FROM ghcr.io/railwayapp/nixpacks:ubuntu-1745885067\n")
	if want := []string{"https://github.com/NixOS/nixpkgs/archive/0123456789abcdef0123456789abcdef01234567.tar.gz"}; !reflect.DeepEqual(onNix.Setup.Fetches, want) {
		t.Errorf("online setup fetches %v, want %v", onNix.Setup.Fetches, want)
	}
	mirrored, err := recipe.Online(nil).WithNixpkgsMirror("http://127.0.0.1:9/nix")
	if err != nil {
		t.Fatal(err)
	}
	mir := render("seed", "backend", scenario.Variant{Name: "mir", Builder: "nixpacks", Python: "3.13"}, mirrored)
	contains("mirrored nix file", string(mir.Setup.Context[".nixpacks/nixpkgs-"+pyArchive+".nix"].Data), `fetchTarball "http://127.0.0.1:9/nix/`+pyArchive+`.tar.gz"`)
	if want := []string{"http://127.0.0.1:9/nix/" + pyArchive + ".tar.gz"}; !reflect.DeepEqual(mir.Setup.Fetches, want) {
		t.Errorf("mirrored setup fetches %v, want %v", mir.Setup.Fetches, want)
	}

	on := render("seed", "backend", scenario.Variant{Name: "on", Builder: "python-slim", Python: "3.11"}, recipe.Online(map[string]string{"PIP_INDEX_URL": "https://u:secret@idx.test/simple"}))
	lacks("online setup", on.Setup.Dockerfile+on.Install.Dockerfile, "secret")
	if on.Install.Args["PIP_INDEX_URL"] != "https://u:secret@idx.test/simple" {
		t.Errorf("online install args = %v", on.Install.Args)
	}
	contains("online setup", on.Setup.Dockerfile, "FROM python:3.11-slim\n")
	lacks("online setup", on.Setup.Dockerfile, "wheelhouse")

	df := render("dfproj", ".", scenario.Variant{Name: "df", Builder: "dockerfile", Dockerfile: "Dockerfile"}, recipe.Offline())
	contains("dockerfile", df.Setup.Dockerfile, "FROM bootmatrix-kit/python:3.11-slim AS deps\nCOPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse\nENV ")
	contains("dockerfile", df.Setup.Dockerfile, "FROM deps AS test\nRUN")
	contains("dockerfile", df.Setup.Dockerfile, "FROM --platform=linux/amd64 bootmatrix-kit/debian:bookworm\nCOPY --from=deps")
	contains("dockerfile", df.Setup.Dockerfile, "    && echo FROM inside a continuation stays as it is\n")
	if df.Install != nil || df.Workdir != "/srv" || df.Start != "gunicorn app:app" {
		t.Errorf("dockerfile: install %v workdir %q start %q", df.Install, df.Workdir, df.Start)
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		project string
		root    string
		start   string
		v       scenario.Variant
		want    []string
	}{
		{"slim needs a start", "seed", "backend", "", scenario.Variant{Name: "s", Builder: "python-slim", Python: "3.11"},
			[]string{`variant "s"`, "scenarios/test/scenario.yaml", "no start command"}},
		{"slim needs requirements at the root", "seed", ".", "x", scenario.Variant{Name: "s", Builder: "python-slim", Python: "3.11"},
			[]string{`variant "s"`, "requirements.txt, which does not exist"}},
		{"slim needs a python", "seed", "backend", "x", scenario.Variant{Name: "s", Builder: "python-slim", Line: 12},
			[]string{"line 12", "needs a python version"}},
		{"root outside the project", "seed", "../..", "x", scenario.Variant{Name: "r", Builder: "nixpacks"},
			[]string{`variant "r"`, "inside the project"}},
		{"root missing", "seed", "frontend", "x", scenario.Variant{Name: "r", Builder: "nixpacks"},
			[]string{"is not a directory"}},
		{"unknown builder", "seed", ".", "x", scenario.Variant{Name: "u", Builder: "heroku", Line: 3},
			[]string{`unknown builder "heroku"`, "line 3"}},
		{"bad pin", "seed", "backend", "x", scenario.Variant{Name: "p", Builder: "nixpacks", Pins: []string{"==1.0"}},
			[]string{`variant "p"`, "not a requirement line"}},
		{"pins but nothing read", "nodewins", ".", "x", scenario.Variant{Name: "p", Builder: "dockerfile", Dockerfile: "package.json", Pins: []string{"numpy==1"}},
			[]string{"package.json: no FROM line"}},
		{"dockerfile missing", "dfproj", ".", "x", scenario.Variant{Name: "d", Builder: "dockerfile", Dockerfile: "docker/Dockerfile"},
			[]string{`variant "d"`, "docker/Dockerfile"}},
		{"dockerfile with base", "dfproj", ".", "x", scenario.Variant{Name: "d", Builder: "dockerfile", Dockerfile: "Dockerfile", Base: "python:3.13-slim"},
			[]string{"does not apply to the dockerfile builder"}},
		{"bad shell", "seed", "backend", "x", scenario.Variant{Name: "sh", Builder: "nixpacks", Shell: "zsh"},
			[]string{`shell "zsh"`}},
	}
	for _, tt := range tests {
		sc := testScenario(t, tt.project, tt.root)
		sc.Start = tt.start
		_, err := reg.Render(sc, tt.v, recipe.Offline())
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tt.name, err, w)
			}
		}
	}
}

func TestRenderPinsNeedARequirementsFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nixpacks.toml"), []byte("[phases.install]\ncmds = [\"pip install flask\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := &scenario.Scenario{File: "s.yaml", Project: scenario.Project{Dir: dir, Root: "."}, Start: "x"}
	_, err := reg.Render(sc, scenario.Variant{Name: "p", Builder: "nixpacks", Pins: []string{"numpy==1"}}, recipe.Offline())
	if err == nil || !strings.Contains(err.Error(), "reads no requirement file") {
		t.Errorf("err = %v, want one saying no requirements file is read", err)
	}
}

// TestRenderCarriesFacts: each builder's recipe hands the classifier its own
// facts, the merged plan's lists for Nixpacks (the project's nixpacks.toml
// counts as much as the variant's overrides).
func TestRenderCarriesFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		project, root string
		v             scenario.Variant
		want          diagnose.BuilderFacts
		shell         scenario.Shell
	}{
		{"seed", ".", scenario.Variant{Name: "n", Builder: "nixpacks", Python: "3.11", Nixpacks: scenario.NixpacksOverrides{NixLibs: []string{"...", "zlib"}}},
			nixpacks.Facts{NixPkgs: []string{"python311", "gcc", "stdenv.cc.cc.lib"}, NixLibs: []string{"zlib"}, LibsScript: nixpacks.LibsProfileScript("5148520bfab61f99fd25fb9ff7bfbb50dad3c9db"),
				WithPackagesExpr: "(python311.withPackages (ps: [ps.gunicorn]))"}, scenario.ShellLogin},
		{"seed", "backend", scenario.Variant{Name: "s", Builder: "python-slim", Python: "3.11"}, debian.Facts{}, scenario.ShellPlain},
		{"dfproj", ".", scenario.Variant{Name: "d", Builder: "dockerfile", Dockerfile: "Dockerfile", Shell: scenario.ShellLogin}, debian.Facts{OfferSlim: true}, scenario.ShellLogin},
	}
	for _, tc := range tests {
		sc := testScenario(t, tc.project, tc.root)
		sc.Start = "gunicorn app:app"
		rc, err := reg.Render(sc, tc.v, recipe.Offline())
		if err != nil {
			t.Fatal(err)
		}
		ctx := rc.DiagnoseContext()
		if ctx.Builder != tc.v.Builder || ctx.Shell != tc.shell || !reflect.DeepEqual(ctx.Facts, tc.want) {
			t.Errorf("%s: context %+v, want builder %s shell %s facts %+v", tc.v.Name, ctx, tc.v.Builder, tc.shell, tc.want)
		}
	}
}

// TestRenderNoBuildPlan: an app root where Nixpacks detects no provider and
// nothing adds a phase (a monorepo's root; a start command is no phase) renders
// no images but what Nixpacks prints before it exits 1, and the subdirectories
// where its Python provider would detect the app, relative to the project.
func TestRenderNoBuildPlan(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"repo/backend/requirements.txt": "gunicorn\n",
		"repo/backend/app.py":           "",
		"repo/frontend/package.json":    "{}\n",
		"repo/docs/index.md":            "",
		"repo/README.md":                "",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc := &scenario.Scenario{File: "s.yaml", Project: scenario.Project{Dir: dir, Root: "."}, Start: "gunicorn app:app"}
	rc, err := reg.Render(sc, scenario.Variant{Name: "np", Builder: "nixpacks", Python: "3.13", Root: "repo"}, recipe.Offline())
	if err != nil {
		t.Fatal(err)
	}
	if rc.Refusal == nil || !rc.Refusal.Facts.NoBuildPlan {
		t.Fatalf("recipe builds an image where Nixpacks finds no plan: %+v", rc.Setup)
	}
	want := "\nNixpacks was unable to generate a build plan for this app.\nPlease check the documentation for supported languages: https://nixpacks.com\n" +
		"\nThe contents of the app directory are:\n\n  README.md\n  backend/\n  docs/\n  frontend/\n"
	if rc.Refusal.Output != want || rc.Refusal.Exit != 1 {
		t.Errorf("no-plan output (exit %d):\n%q\nwant\n%q", rc.Refusal.Exit, rc.Refusal.Output, want)
	}
	if got := rc.Facts.(nixpacks.Facts).Roots; !slices.Equal(got, []string{"repo/backend"}) {
		t.Errorf("roots %v, want [repo/backend]", got)
	}

	// With the root on the backend, the Python provider plans it.
	rc, err = reg.Render(sc, scenario.Variant{Name: "ok", Builder: "nixpacks", Python: "3.13", Root: "repo/backend"}, recipe.Offline())
	if err != nil || rc.Refusal != nil {
		t.Errorf("backend root: refused %+v, err %v", rc.Refusal, err)
	}
}

// TestRenderProviderOverPython: where Node's provider wins over Python's for a
// root both detect, the facts name it; where Python's plan is made, they do not.
func TestRenderProviderOverPython(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{[]string{"package.json", "requirements.txt", "app.py"}, "node"},
		{[]string{"requirements.txt", "app.py"}, ""},
	} {
		dir := t.TempDir()
		for _, f := range tc.files {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("{}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		sc := &scenario.Scenario{File: "s.yaml", Project: scenario.Project{Dir: dir, Root: "."}, Start: "python app.py"}
		rc, err := reg.Render(sc, scenario.Variant{Name: "p", Builder: "nixpacks", Python: "3.13"}, recipe.Offline())
		if err != nil {
			t.Fatal(err)
		}
		if got := rc.Facts.(nixpacks.Facts).OverPython; got != tc.want {
			t.Errorf("%v: provider over python %q, want %q", tc.files, got, tc.want)
		}
	}
}

// Railpack's plan warns when it has no start command; a start command set on the
// platform (the scenario's or the variant's) is the one that runs, so exactly one
// note says there is none, and only when nothing sets one.
func TestRenderRailpackNoStartWarning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		start string
		want  bool
	}{{"", true}, {"gunicorn app:app", false}} {
		// No main.py, app.py or Procfile: the plan has no start command.
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("gunicorn\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		sc := &scenario.Scenario{File: "s.yaml", Name: "test", Project: scenario.Project{Dir: dir, Root: "."}, Port: 8000, Start: tc.start}
		r, err := reg.Render(sc, scenario.Variant{Name: "rp", Builder: "railpack"}, recipe.Offline())
		if err != nil {
			t.Fatal(err)
		}
		got := slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, "no start command") })
		if got != tc.want {
			t.Errorf("start %q: notes %q, want a no-start note: %v", tc.start, r.Notes, tc.want)
		}
		if n := len(slices.DeleteFunc(slices.Clone(r.Notes), func(n string) bool { return !strings.Contains(n, "no start command") })); n > 1 {
			t.Errorf("start %q: %d notes say there is no start command: %q", tc.start, n, r.Notes)
		}
	}
}
