package nixpacks

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFillMatchesNixpacks(t *testing.T) {
	t.Parallel()
	// The cases of fill_auto_in_vec's own tests and doc example.
	tests := []struct {
		name           string
		orig, replacer []string
		want           []string
	}{
		{"nil original", nil, []string{"x", "...", "z"}, []string{"x", "...", "z"}},
		{"nil replacer keeps", []string{"a", "b", "c"}, nil, []string{"a", "b", "c"}},
		{"splice in place", []string{"a", "b", "c"}, []string{"x", "...", "z"}, []string{"x", "...", "a", "b", "c", "z"}},
		{"@auto is a synonym", []string{"a"}, []string{"@auto", "b"}, []string{"@auto", "a", "b"}},
		{"empty replaces", []string{"a"}, []string{}, []string{}},
	}
	for _, tt := range tests {
		if got := fill(tt.orig, tt.replacer); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: fill(%q, %q) = %q, want %q", tt.name, tt.orig, tt.replacer, got, tt.want)
		}
	}
}

func TestMergeMatchesNixpacksTest(t *testing.T) {
	t.Parallel()
	// test_merge_plan's second case in merge.rs.
	a := mustParse(t, `
[phases.setup]
nixPkgs = ["nodejs", "yarn"]
[phases.build]
cmds = ["yarn run build"]
[start]
cmd = "yarn run start"
`)
	b := mustParse(t, `
[phases.setup]
nixPkgs = ["...", "cowsay"]
[start]
cmd = "yarn run client:start"
`)
	got := merge(fromConfig(a), fromConfig(b))
	if want := []string{"...", "nodejs", "yarn", "cowsay"}; !reflect.DeepEqual(got.phases["setup"].nixPkgs, want) {
		t.Errorf("setup nixPkgs = %q, want %q", got.phases["setup"].nixPkgs, want)
	}
	if !reflect.DeepEqual(got.phases["build"].cmds, []string{"yarn run build"}) {
		t.Errorf("build cmds = %q", got.phases["build"].cmds)
	}
	if got.start == nil || *got.start.cmd != "yarn run client:start" {
		t.Errorf("start = %+v, want the later plan's cmd", got.start)
	}
}

func mustParse(t testing.TB, s string) *Config {
	t.Helper()
	c, err := ParseConfig("nixpacks.toml", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dir, want string
	}{
		{"python-root", "python"},
		{"seed", ""}, // requirements.txt is in backend/, not at the root
		{"seed/backend", "python"},
		{"node-wins", "node"},
		{"main-py", "python"},
		{"pyproject-pkg", "python"},
		{"lone-subdir", ""},
	}
	for _, tt := range tests {
		got, err := Detect(filepath.Join("testdata", tt.dir))
		if err != nil {
			t.Fatalf("%s: %v", tt.dir, err)
		}
		if got != tt.want {
			t.Errorf("Detect(%s) = %q, want %q", tt.dir, got, tt.want)
		}
	}
	if _, err := Detect(filepath.Join("testdata", "missing")); err == nil {
		t.Error("Detect on a missing directory: want an error")
	}
}

const pipInstall = "python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt"

func TestBuildPlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		dir    string
		toml   string // inline config; "load" reads the directory's own file
		python string
		ov     Overrides
		check  func(t *testing.T, p *Plan)
	}{
		{name: "python defaults", dir: "python-root", check: func(t *testing.T, p *Plan) {
			eq(t, "Provider", p.Provider, "python")
			eq(t, "NixPkgs", p.NixPkgs, []string{"python3", "gcc"})
			eq(t, "NixLibs", p.NixLibs, []string{"zlib", "stdenv.cc.cc.lib"})
			eq(t, "InstallCmds", p.InstallCmds, []string{pipInstall})
			eq(t, "Paths", p.Paths, []string{"/opt/venv/bin"})
			eq(t, "Dir", p.Dir, ".")
			eq(t, "PIP_NO_CACHE_DIR", p.Variables["PIP_NO_CACHE_DIR"], "1")
		}},
		{name: "python 3.11 selects python311", dir: "python-root", python: "3.11", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python311", "gcc"})
			eq(t, "NIXPACKS_PYTHON_VERSION", p.Variables["NIXPACKS_PYTHON_VERSION"], "3.11")
		}},
		{name: "python 3.13 selects python313", dir: "python-root", python: "3.13", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python313", "gcc"})
		}},
		{name: "splice keeps defaults", dir: "python-root", python: "3.11", toml: "[phases.setup]\nnixPkgs = [\"glibc\", \"...\", \"openblas\"]\n", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"glibc", "python311", "gcc", "openblas"})
			eq(t, "NixLibs", p.NixLibs, []string{"zlib", "stdenv.cc.cc.lib"})
		}},
		{name: "list without splice replaces", dir: "python-root", toml: "[phases.setup]\nnixPkgs = [\"python311\", \"glibc\"]\n", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python311", "glibc"})
		}},
		{name: "nixLibs without splice drops stdenv.cc.cc.lib", dir: "python-root", toml: "[phases.setup]\nnixLibs = [\"zlib\"]\n", check: func(t *testing.T, p *Plan) {
			eq(t, "NixLibs", p.NixLibs, []string{"zlib"})
		}},
		{name: "library in nixPkgs is not a library path", dir: "python-root", toml: "[phases.setup]\nnixPkgs = [\"...\", \"stdenv.cc.cc.lib\"]\nnixLibs = [\"glibc\"]\n", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python3", "gcc", "stdenv.cc.cc.lib"})
			eq(t, "NixLibs", p.NixLibs, []string{"glibc"})
		}},
		{name: "override splices onto the config's result", dir: "python-root", toml: "[phases.setup]\nnixPkgs = [\"python311\", \"gcc\"]\n",
			ov: Overrides{NixPkgs: []string{"...", "stdenv.cc.cc.lib"}, NixLibs: []string{"...", "glibc"}}, check: func(t *testing.T, p *Plan) {
				eq(t, "NixPkgs", p.NixPkgs, []string{"python311", "gcc", "stdenv.cc.cc.lib"})
				eq(t, "NixLibs", p.NixLibs, []string{"zlib", "stdenv.cc.cc.lib", "glibc"})
			}},
		{name: "override replaces", dir: "python-root", ov: Overrides{NixLibs: []string{}, InstallCmds: []string{"pip install -r requirements.txt"}, StartCmd: "gunicorn app:app", RunImage: "debian:bookworm-slim"}, check: func(t *testing.T, p *Plan) {
			eq(t, "NixLibs", len(p.NixLibs), 0)
			eq(t, "InstallCmds", p.InstallCmds, []string{"pip install -r requirements.txt"})
			eq(t, "StartCmd", p.StartCmd, "gunicorn app:app")
			eq(t, "RunImage", p.RunImage, "debian:bookworm-slim")
		}},
		{name: "seed layout: no provider, only the file", dir: "seed", toml: "load", python: "3.11", check: func(t *testing.T, p *Plan) {
			eq(t, "Provider", p.Provider, "")
			eq(t, "NixPkgs", p.NixPkgs, []string{"python311", "gcc", "stdenv.cc.cc.lib"})
			eq(t, "NixLibs", len(p.NixLibs), 0)
			eq(t, "Paths", len(p.Paths), 0)
			eq(t, "InstallCmds", p.InstallCmds, []string{"cd backend && pip install --break-system-packages -r requirements.txt"})
			eq(t, "StartCmd", p.StartCmd, "cd backend && gunicorn --bind 0.0.0.0:$PORT app:app")
			eq(t, "python default vars absent", p.Variables["PYTHONUNBUFFERED"], "")
			hasNote(t, p, "no provider detected")
		}},
		{name: "seed with root backend: provider defaults", dir: "seed/backend", toml: "load", python: "3.11", check: func(t *testing.T, p *Plan) {
			eq(t, "Provider", p.Provider, "python")
			eq(t, "ConfigFile", p.ConfigFile, "")
			eq(t, "NixLibs", p.NixLibs, []string{"zlib", "stdenv.cc.cc.lib"})
		}},
		{name: "bare python3 follows the variant", dir: "seed", toml: "[phases.setup]\nnixPkgs = [\"python3\", \"gcc\"]\n", python: "3.11", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python311", "gcc"})
			hasNote(t, p, "python3 replaced by python311")
		}},
		{name: "explicit python311 stays under 3.13", dir: "seed", toml: "load", python: "3.13", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python311", "gcc", "stdenv.cc.cc.lib"})
		}},
		{name: "package.json makes node win", dir: "node-wins", toml: "load", python: "3.11", check: func(t *testing.T, p *Plan) {
			eq(t, "Provider", p.Provider, "node")
			eq(t, "NixPkgs", p.NixPkgs, []string{"python311"})
			eq(t, "InstallCmds", len(p.InstallCmds), 0)
			eq(t, "NixLibs", len(p.NixLibs), 0)
			eq(t, "StartCmd", p.StartCmd, "gunicorn app:app")
			hasNote(t, p, "provider node wins")
		}},
		{name: "runtime.txt beats the variable", dir: "runtime-txt", python: "3.11", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python313", "gcc"})
			hasNote(t, p, "runtime.txt")
		}},
		{name: "file variable beats the variant", dir: "python-root", python: "3.11", toml: "[variables]\nNIXPACKS_PYTHON_VERSION = \"3.13\"\nFOO = \"bar\"\n", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python313", "gcc"})
			eq(t, "FOO", p.Variables["FOO"], "bar")
		}},
		{name: "lone subdirectory is built instead", dir: "lone-subdir", check: func(t *testing.T, p *Plan) {
			eq(t, "Dir", p.Dir, "app")
			eq(t, "Provider", p.Provider, "python")
			eq(t, "StartCmd", p.StartCmd, "python main.py")
			hasNote(t, p, "one subdirectory")
		}},
		{name: "two subdirectories: nothing", dir: "no-config-subdir", check: func(t *testing.T, p *Plan) {
			eq(t, "Provider", p.Provider, "")
			eq(t, "Steps", len(p.Steps), 0)
			eq(t, "Dir", p.Dir, ".")
		}},
		{name: "no provider orders phases by name", dir: "noprovider-order", toml: "load", check: func(t *testing.T, p *Plan) {
			eq(t, "Steps", p.Steps, []Step{{"build", []string{"echo build"}}, {"install", []string{"echo install"}}})
			hasNote(t, p, "build phase runs before install")
		}},
		{name: "dependsOn restores order", dir: "noprovider-order", toml: "[phases.install]\ncmds = [\"a\"]\n[phases.build]\ncmds = [\"b\"]\ndependsOn = [\"install\"]\n", check: func(t *testing.T, p *Plan) {
			eq(t, "Steps", p.Steps, []Step{{"install", []string{"a"}}, {"build", []string{"b"}}})
		}},
		{name: "provider orders setup install build", dir: "python-root", toml: "[phases.build]\ncmds = [\"python -c 'import numpy'\"]\n", check: func(t *testing.T, p *Plan) {
			eq(t, "Steps", p.Steps, []Step{{"install", []string{pipInstall}}, {"build", []string{"python -c 'import numpy'"}}})
		}},
		{name: "install cmds splice", dir: "python-root", toml: "[phases.install]\ncmds = [\"...\", \"pip check\"]\n", check: func(t *testing.T, p *Plan) {
			eq(t, "InstallCmds", p.InstallCmds, []string{pipInstall, "pip check"})
		}},
		{name: "main.py without requirements", dir: "main-py", check: func(t *testing.T, p *Plan) {
			eq(t, "StartCmd", p.StartCmd, "python main.py")
			eq(t, "InstallCmds", len(p.InstallCmds), 0)
			eq(t, "Paths", len(p.Paths), 0)
		}},
		{name: "pyproject module", dir: "pyproject-pkg", check: func(t *testing.T, p *Plan) {
			eq(t, "StartCmd", p.StartCmd, "python -m svc_app")
			eq(t, "InstallCmds", p.InstallCmds, []string{"python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install --upgrade build setuptools && pip install ."})
		}},
		{name: "procfile and postgres", dir: "procfile", check: func(t *testing.T, p *Plan) {
			eq(t, "StartCmd", p.StartCmd, "gunicorn app:app")
			eq(t, "NixPkgs", p.NixPkgs, []string{"python3", "postgresql_16.dev", "gcc"})
			eq(t, "Steps", p.Steps, []Step{{"install", []string{pipInstall}}, {"release", []string{"python migrate.py"}}})
		}},
		{name: "providers forces node", dir: "python-root", toml: "providers = [\"node\"]\n", check: func(t *testing.T, p *Plan) {
			eq(t, "Provider", p.Provider, "node")
			eq(t, "NixPkgs", len(p.NixPkgs), 0)
		}},
		{name: "unknown keys are ignored but noted", dir: "python-root", toml: "[phases.setup]\nnixPkgs = [\"...\"]\nfoo = 1\n[deploy]\nx = 1\n", check: func(t *testing.T, p *Plan) {
			eq(t, "NixPkgs", p.NixPkgs, []string{"python3", "gcc"})
			hasNote(t, p, "nixpacks.toml:3:1 phases.setup.foo")
			hasNote(t, p, "nixpacks.toml:4:2 deploy")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join("testdata", tt.dir)
			var cfg *Config
			switch tt.toml {
			case "":
			case "load":
				var err error
				if cfg, err = LoadConfig(dir); err != nil {
					t.Fatal(err)
				}
			default:
				cfg = mustParse(t, tt.toml)
			}
			p, err := BuildPlan(dir, cfg, tt.python, tt.ov)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}

func TestBuildPlanErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, toml, want string }{
		{"unknown provider", "providers = [\"bogus\"]\n", "Provider bogus not found"},
		{"python after another provider", "providers = [\"node\", \"python\"]\n", "list python first"},
		{"cycle", "[phases.a]\ncmds = [\"x\"]\ndependsOn = [\"b\"]\n[phases.b]\ndependsOn = [\"a\"]\n", "circular dependency"},
	}
	for _, tt := range tests {
		_, err := BuildPlan(filepath.Join("testdata", "python-root"), mustParse(t, tt.toml), "", Overrides{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestReadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if c, err := ReadConfig(filepath.Join(dir, "absent.toml")); c != nil || err != nil {
		t.Errorf("missing file: got %v, %v; want nil, nil", c, err)
	}
	errTests := []struct {
		name, body, want string
	}{
		{"syntax.toml", "[phases.setup]\nnixPkgs = [\"python311\"\n", "syntax.toml:2:23: invalid TOML: array is incomplete"},
		{"string-for-list.toml", "[phases.setup]\nnixPkgs = \"python311\"\n", "string-for-list.toml:2:1: phases.setup.nixPkgs must be a list of strings, not a string"},
		{"number-in-list.toml", "\n[phases.install]\ncmds = [\"a\", 3]\n", "number-in-list.toml:3:1: phases.install.cmds[1] must be a string"},
		{"start-cmd.toml", "[start]\ncmd = [\"gunicorn\"]\n", "start-cmd.toml:2:1: start.cmd must be a string"},
		{"var.toml", "[variables]\nPORT = 8000\n", "var.toml:2:1: variables.PORT must be a string"},
		{"phase-not-table.toml", "phases = 1\n", "phase-not-table.toml:1:1: phases must be a table"},
		{"dup.toml", "[start]\ncmd = \"a\"\ncmd = \"b\"\n", "dup.toml:3:1"},
		{"bad.json", "{\"phases\": {\n  \"setup\": [}\n}", "bad.json:2:"},
	}
	for _, tt := range errTests {
		_, err := ReadConfig(write(tt.name, tt.body))
		var ce *ConfigError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "fix the file") {
			t.Errorf("%s: err = %v, want a ConfigError containing %q and what to do", tt.name, err, tt.want)
		}
	}
	c, err := ReadConfig(write("aliases.toml", "[phases.setup]\nnixPackages = [\"a\"]\nnixLibraries = [\"b\"]\naptPackages = [\"c\"]\n[phases.install]\ncommands = [\"d\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Phases["setup"]
	eq(t, "aliases", [][]string{s.NixPkgs, s.NixLibs, s.AptPkgs, c.Phases["install"].Cmds}, [][]string{{"a"}, {"b"}, {"c"}, {"d"}})
	c, err = ReadConfig(write("nixpacks.json", `{"phases": {"setup": {"nixPkgs": ["...", "x"]}}, "start": {"cmd": "y"}}`))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "json nixPkgs", c.Phases["setup"].NixPkgs, []string{"...", "x"})
	eq(t, "json start", *c.Start.Cmd, "y")
}

// FuzzReadConfig feeds arbitrary bytes to the config reader and every config
// it accepts to the planner: neither may panic or take long.
func FuzzReadConfig(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*", "nixpacks.toml"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[phases.a]\ndependsOn = [\"a\"]\ncmds = [\"x\"]\n"))
	f.Add([]byte("providers = [\"...\", \"python\"]\n[start]\nrunImage = \"x\"\n"))
	f.Add([]byte("a = { b = [1, 2, {c = 3}] }\n[[phases]]\n"))
	root := filepath.Join("testdata", "python-root")
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		cfg, err := ParseConfig("fuzz.toml", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error is not a ConfigError: %v", err)
			}
			return
		}
		_, _ = BuildPlan(root, cfg, "3.11", Overrides{NixPkgs: []string{"...", "x"}})
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v on %q", d, data)
		}
	})
}

func eq(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

func hasNote(t *testing.T, p *Plan, sub string) {
	t.Helper()
	for _, n := range p.Notes {
		if strings.Contains(n, sub) {
			return
		}
	}
	t.Errorf("no note contains %q; notes: %q", sub, p.Notes)
}
