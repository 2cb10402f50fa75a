package generate_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate/python"
)

// TestGenerateFixtures runs the generator on small projects written for
// this test: a config file without a provider (TOML and JSON), a Procfile
// over the Python provider, and a config-only build phase with a start
// user. Each case names the Nixpacks plan snapshot that covers the same
// decision (tests/snapshots/generate_plan_tests__<snapshot>.snap at
// railwayapp/nixpacks f51d7fd); testdata/generate/<case>/plan.json is
// written from the plan code and compared whole, archive and base image
// included.
func TestGenerateFixtures(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		// config_toml_file: variables, a setup phase pinned to the default
		// archive, a custom phase and a start command, all from nixpacks.toml.
		"config-toml",
		// config_json_file: the same from nixpacks.json.
		"config-json",
		// python_procfile: the Procfile's web process is the start command,
		// over the Python provider's plan.
		"procfile",
		// custom_user: a config-only [phases.build] gets dependsOn install
		// from the merge, and [start] keeps its user.
		"start-user",
	} {
		dir := "testdata/generate/" + name
		g, err := generate.Generate(os.DirFS(dir+"/app"), nil, python.Provider{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := g.Plan.JSON()
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(dir + "/plan.json")
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(string(data), "\n"); got != want {
			t.Errorf("%s: plan differs from plan.json:\ngot:\n%s\nwant:\n%s", name, got, want)
		}
	}
}

// plan/mod.rs get_plan_from_environment: the NIXPACKS_* variables give the
// same plan as a nixpacks.toml that says the same, with "..." kept where
// the environment extends a list. Commas and spaces both split PKGS and
// APT_PKGS; LIBS splits on spaces only.
func TestFromEnvironmentNixpacks(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"NIXPACKS_PKGS":               "jq,ripgrep fd",
		"NIXPACKS_APT_PKGS":           "libpq5,tzdata",
		"NIXPACKS_LIBS":               "libxml2 libffi",
		"NIXPACKS_INSTALL_CMD":        "make deps",
		"NIXPACKS_INSTALL_CACHE_DIRS": ".cache/deps",
		"NIXPACKS_BUILD_CMD":          "make all",
		"NIXPACKS_BUILD_CACHE_DIRS":   "/root/.cache/objects,out/tmp",
		"NIXPACKS_START_CMD":          "./bin/serve --port 8080",
	}
	want, err := generate.ParsePlanTOML([]byte(`
[phases.setup]
nixPkgs = ["jq", "ripgrep", "fd", "..."]
aptPkgs = ["libpq5", "tzdata", "..."]
nixLibs = ["libxml2", "libffi", "..."]

[phases.install]
dependsOn = ["setup"]
cmds = ["make deps"]
cacheDirectories = [".cache/deps"]

[phases.build]
dependsOn = ["install"]
cmds = ["make all"]
cacheDirectories = ["/root/.cache/objects", "out/tmp"]

[start]
cmd = "./bin/serve --port 8080"
`))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := want.JSON()
	g, _ := generate.FromEnvironment(env).JSON()
	if g != w {
		t.Errorf("from environment:\n%s\nwant:\n%s", g, w)
	}
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	app := fstest.MapFS{
		"backend/main.py":          {Data: []byte("")},
		"backend/requirements.txt": {Data: []byte("numpy\n")},
		"backend/nixpacks.toml":    {Data: []byte("providers = [\"...\"]\n[phases.setup]\nnixLibs = [\"...\", \"libGL\"]\n[start]\nuser = \"app\"\n")},
		"backend/Procfile":         {Data: []byte("worker: python worker.py\nrelease: python migrate.py\n")},
	}
	g, err := generate.Generate(app, map[string]string{"NIXPACKS_PYTHON_VERSION": "3.11"}, python.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	p := g.Plan
	if g.Dir != "backend" {
		t.Errorf("dir %q: a root with only backend/ is built from there", g.Dir)
	}
	setup := p.Phases["setup"]
	if got := strings.Join(setup.NixPkgs, " "); got != "python311 gcc" {
		t.Errorf("nixPkgs %q", got)
	}
	if got := strings.Join(setup.NixLibs, " "); got != "zlib stdenv.cc.cc.lib libGL" {
		t.Errorf("nixLibs %q", got)
	}
	rel := p.Phases["release"]
	if rel == nil || strings.Join(rel.Cmds, "|") != "python migrate.py" || strings.Join(rel.DependsOn, " ") != "setup install build" {
		t.Errorf("release %+v", rel)
	}
	if *p.Start.Cmd != "python worker.py" || *p.Start.User != "app" {
		t.Errorf("start %+v", p.Start)
	}
	if p.Variables["NIXPACKS_PYTHON_VERSION"] != "3.11" || p.Variables["NIXPACKS_METADATA"] != "python" {
		t.Errorf("variables %v", p.Variables)
	}
	// An environment plan gives the root a phase, so Nixpacks builds the
	// root (which has no app) instead of backend/.
	g, err = generate.Generate(app, map[string]string{"NIXPACKS_APT_PKGS": "libpq5"}, python.Provider{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Dir != "" || g.Plan.Phases["install"] != nil || strings.Join(g.Plan.Phases["setup"].AptPkgs, " ") != "libpq5" {
		t.Errorf("with NIXPACKS_APT_PKGS: dir %q, phases %v", g.Dir, g.Plan.Phases)
	}
	if _, err := generate.Generate(fstest.MapFS{"nixpacks.toml": {Data: []byte("providers = [\"node\"]\n")}}, nil, python.Provider{}); err == nil || err.Error() != "Provider node not found" {
		t.Errorf("unknown provider: %v", err)
	}
	if _, err := generate.Generate(fstest.MapFS{"nixpacks.toml": {Data: []byte("[phases.setup\n")}}, nil); err == nil || !strings.Contains(err.Error(), "nixpacks.toml") || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad toml: %v", err)
	}
}
