package railpack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeProject creates a project from name → content and returns its directory.
func writeProject(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestParseConfigProblems(t *testing.T) {
	tests := []struct {
		name string
		json string
		// want are the problem lines, in order; each must match exactly.
		want []string
	}{
		{
			name: "missing closing brace",
			json: "{\n  \"deploy\": {\"aptPackages\": [\"libpq5\"]}\n",
			want: []string{`railpack.json:3:1: invalid JSON: unexpected end of file in an object, expected , or }; Railpack stops with "error reading railpack.json as JSON"; fix the syntax (comments and trailing commas are allowed)`},
		},
		{
			name: "unquoted value",
			json: "{\n  \"provider\": python\n}\n",
			want: []string{`railpack.json:2:15: invalid JSON: unexpected 'p', expected a value (strings need double quotes); Railpack stops with "error reading railpack.json as JSON"; fix the syntax (comments and trailing commas are allowed)`},
		},
		{
			name: "empty file",
			json: "  \n",
			want: []string{`railpack.json:2:1: invalid JSON: the file is empty; an empty config is {}; Railpack stops with "error reading railpack.json as JSON"; fix the syntax (comments and trailing commas are allowed)`},
		},
		{
			name: "unknown provider",
			json: `{"provider": "pyhton"}`,
			want: []string{`railpack.json:1:14: provider: unknown provider "pyhton": Railpack logs "Provider not found" and plans with no provider, so the build fails; use one of php, golang, java, rust, ruby, elixir, python, deno, dotnet, node, gleam, cpp, staticfile, shell ("python" here)`},
		},
		{
			name: "provider other than python",
			json: `{"provider": "node"}`,
			want: []string{`railpack.json:1:14: provider: provider "node" is a Railpack provider, but only python is modelled; remove the key to let Railpack detect Python, or set "provider": "python"`},
		},
		{
			name: "provider not a string",
			json: `{"provider": 3}`,
			want: []string{`railpack.json:1:14: provider: must be a string, not a number; put the value in double quotes`},
		},
		{
			name: "deploy.aptPackages as a string",
			json: "{\n  \"deploy\": {\n    \"aptPackages\": \"libgomp1 libgl1\"\n  }\n}",
			want: []string{`railpack.json:3:20: deploy.aptPackages: must be a list of strings, not a string; write it as a list: ["...", "libgomp1", "libgl1"]`},
		},
		{
			name: "deploy.aptPackages entry not a string",
			json: `{"deploy": {"aptPackages": ["...", 5]}}`,
			want: []string{`railpack.json:1:36: deploy.aptPackages[1]: must be a string, not a number; each entry is one package name in double quotes`},
		},
		{
			name: "buildAptPackages as an object",
			json: `{"buildAptPackages": {"libpq-dev": true}}`,
			want: []string{`railpack.json:1:22: buildAptPackages: must be a list of strings, not an object; e.g. ["...", "libgomp1"]`},
		},
		{
			name: "deploy as a list",
			json: `{"deploy": ["libpq5"]}`,
			want: []string{`railpack.json:1:12: deploy: must be an object, not a list; e.g. "deploy": {"aptPackages": ["...", "libgomp1"]}`},
		},
		{
			name: "package version as a number",
			json: `{"packages": {"python": 3.12}}`,
			want: []string{`railpack.json:1:25: packages.python: must be a string, not a number; quote the value, e.g. "3.12" rather than 3.12`},
		},
		{
			name: "deploy variable as a boolean",
			json: `{"deploy": {"variables": {"DEBUG": true}}}`,
			want: []string{`railpack.json:1:36: deploy.variables.DEBUG: must be a string, not a boolean; quote the value, e.g. "3.12" rather than 3.12`},
		},
		{
			name: "top level is a list",
			json: `["libpq5"]`,
			want: []string{`railpack.json:1:1: must be an object, not a list; the file must be one JSON object, e.g. {"deploy": {"aptPackages": ["..."]}}`},
		},
		{
			name: "every problem at once",
			json: "{\n  \"provider\": \"pyton\",\n  \"buildAptPackages\": \"libxml2-dev\",\n  \"deploy\": {\"aptPackages\": {\"libxml2\": 1}, \"startCommand\": [\"gunicorn\"]}\n}",
			want: []string{
				`railpack.json:2:15: provider: unknown provider "pyton": Railpack logs "Provider not found" and plans with no provider, so the build fails; use one of php, golang, java, rust, ruby, elixir, python, deno, dotnet, node, gleam, cpp, staticfile, shell ("python" here)`,
				`railpack.json:3:23: buildAptPackages: must be a list of strings, not a string; write it as a list: ["...", "libxml2-dev"]`,
				`railpack.json:4:29: deploy.aptPackages: must be a list of strings, not an object; e.g. ["...", "libgomp1"]`,
				`railpack.json:4:61: deploy.startCommand: must be a string, not a list; put the value in double quotes`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, problems := ParseConfig("railpack.json", []byte(tc.json))
			if cfg != nil {
				t.Errorf("a config with problems must not be returned, got %+v", cfg)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestParseConfigAccepts(t *testing.T) {
	src := `{
  // comments and trailing commas, as hujson allows
  "$schema": "https://schema.railpack.com",
  "Provider": "Python",
  "buildAptPackages": ["...", "libxslt1-dev",],
  "packages": {"python": "3.12"},
  "deploy": {
    "AptPackages": ["...", "libgomp1"],
    "startCommand": "gunicorn app:app",
    "variables": {"WEB_CONCURRENCY": "2"},
    "inputs": [],
    "colour": "blue"
  },
  "steps": {"build": {"commands": ["make"]}}
}`
	cfg, problems := ParseConfig("railpack.json", []byte(src))
	if len(problems) > 0 {
		t.Fatalf("unexpected problems: %v", problems)
	}
	if cfg.Provider == nil || *cfg.Provider != "python" {
		t.Errorf("provider = %v, want python (matched case-insensitively)", cfg.Provider)
	}
	if want := []string{"...", "libxslt1-dev"}; !reflect.DeepEqual(cfg.BuildAptPackages, want) {
		t.Errorf("buildAptPackages = %q, want %q", cfg.BuildAptPackages, want)
	}
	if want := []string{"...", "libgomp1"}; !reflect.DeepEqual(cfg.Deploy.AptPackages, want) {
		t.Errorf("deploy.aptPackages = %q, want %q (keys match case-insensitively, as encoding/json matches them)", cfg.Deploy.AptPackages, want)
	}
	if cfg.Deploy.StartCmd != "gunicorn app:app" || cfg.Deploy.Variables["WEB_CONCURRENCY"] != "2" || cfg.Packages["python"] != "3.12" {
		t.Errorf("config = %+v", cfg)
	}
	wantIgnored := []string{
		"railpack.json:11:15 deploy.inputs: accepted by Railpack, not modelled here",
		"railpack.json:12:5 deploy.colour: not a Railpack key, Railpack ignores it",
		"railpack.json:14:12 steps: accepted by Railpack, not modelled here",
	}
	if !reflect.DeepEqual(cfg.Ignored, wantIgnored) {
		t.Errorf("ignored:\n got %q\nwant %q", cfg.Ignored, wantIgnored)
	}
}

func TestLoadConfigReportsFileAndEnvironmentTogether(t *testing.T) {
	dir := writeProject(t, map[string]string{"ops/railpack.json": `{"deploy": {"aptPackages": "libpq5"}}`})
	env := map[string]string{"RAILPACK_CONFIG_FILE": "ops/railpack.json", "RAILPACK_BUILD_CMD": "echo 'built'"}
	_, err := LoadConfig(dir, env)
	var ce *ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want a *ConfigError, got %v", err)
	}
	want := "environment: RAILPACK_BUILD_CMD: contains a single quote: Railpack runs it as sh -c '<command>' without escaping, so the command is cut at the quote; use double quotes inside the command\n" +
		filepath.Join(dir, "ops", "railpack.json") + `:1:28: deploy.aptPackages: must be a list of strings, not a string; write it as a list: ["...", "libpq5"]`
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant:\n%s", err, want)
	}

	_, err = LoadConfig(dir, map[string]string{"RAILPACK_CONFIG_FILE": "railpack.prod.json"})
	if err == nil || !strings.Contains(err.Error(), `RAILPACK_CONFIG_FILE: config file "railpack.prod.json" does not exist`) {
		t.Errorf("a named config file that is missing must be a problem, got %v", err)
	}
}

func TestMergeFileOverEnvironment(t *testing.T) {
	// core.GetConfig merges options, environment, then file: the file's
	// non-empty values win, and maps merge key by key.
	dir := writeProject(t, map[string]string{DefaultConfigFile: `{"deploy": {"aptPackages": ["libgomp1"], "variables": {"A": "file"}}, "packages": {"uv": "0.5.11"}}`})
	cfg, err := LoadConfig(dir, map[string]string{
		"RAILPACK_DEPLOY_APT_PACKAGES": "... libgl1",
		"RAILPACK_BUILD_APT_PACKAGES":  "libgl1-mesa-dev",
		"RAILPACK_PACKAGES":            "python@3.12 poetry",
		"RAILPACK_START_CMD":           "python -m app",
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"libgomp1"}; !reflect.DeepEqual(cfg.Deploy.AptPackages, want) {
		t.Errorf("deploy.aptPackages = %q, want the file's %q", cfg.Deploy.AptPackages, want)
	}
	if want := []string{"libgl1-mesa-dev"}; !reflect.DeepEqual(cfg.BuildAptPackages, want) {
		t.Errorf("buildAptPackages = %q, want the variable's %q", cfg.BuildAptPackages, want)
	}
	if want := map[string]string{"python": "3.12", "poetry": "latest", "uv": "0.5.11"}; !reflect.DeepEqual(cfg.Packages, want) {
		t.Errorf("packages = %v, want %v", cfg.Packages, want)
	}
	if cfg.Deploy.StartCmd != "python -m app" {
		t.Errorf("start = %q", cfg.Deploy.StartCmd)
	}
}

func TestGenerateBadInput(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		env   map[string]string
		res   Resolver
		check func(t *testing.T, err error)
	}{
		{
			name:  "malformed railpack.json names the file",
			files: map[string]string{"requirements.txt": "flask\n", DefaultConfigFile: "{\"deploy\": {\n"},
			check: func(t *testing.T, err error) {
				var ce *ConfigError
				if !errors.As(err, &ce) || len(ce.Problems) != 1 || filepath.Base(ce.Problems[0].File) != DefaultConfigFile || ce.Problems[0].Line != 2 {
					t.Errorf("want one problem in railpack.json at line 2, got %v", err)
				}
			},
		},
		{
			name:  "no provider",
			files: map[string]string{"README.md": "docs only\n"},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, ErrNoProvider) {
					t.Errorf("want ErrNoProvider, got %v", err)
				}
			},
		},
		{
			name:  "a .python-version mise cannot provide",
			files: map[string]string{"requirements.txt": "flask\n", ".python-version": "3.9\n", "main.py": ""},
			res:   StaticVersions{"python": {"3.12.8", "3.13.1"}},
			check: func(t *testing.T, err error) {
				var ve *VersionError
				if !errors.As(err, &ve) {
					t.Fatalf("want a *VersionError, got %v", err)
				}
				if ve.Tool != "python" || ve.Requested != "3.9" || ve.Source != ".python-version" {
					t.Errorf("version error = %+v", ve)
				}
				if want := `railpack plan: mise has no python matching "3.9" (from .python-version); available: 3.12.8, 3.13.1; pin a version mise provides`; err.Error() != want {
					t.Errorf("message:\n%s\nwant\n%s", err, want)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeProject(t, tc.files)
			_, err := Generate(context.Background(), dir, WithEnv(tc.env), WithResolver(tc.res))
			if err == nil {
				t.Fatal("want an error, got a plan")
			}
			tc.check(t, err)
		})
	}
}
