package nixpacks

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate"
)

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

// FuzzReadConfig feeds arbitrary bytes to the config reader, and to the port
// of Nixpacks' own config reading and rendering: none may panic or take long.
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
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		if p, err := generate.ParsePlanTOML(data); err == nil {
			_, _ = generate.Render(p)
		}
		_, err := ParseConfig("fuzz.toml", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error is not a ConfigError: %v", err)
			}
			return
		}
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
