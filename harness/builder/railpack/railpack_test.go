package railpack_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/builder/railpack"
	rp "github.com/bootmatrix/bootmatrix/harness/railpack"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRenderBadConfig: each railpack.json Railpack would refuse fails the
// variant's render with a line naming the file, the line and the key, while
// the scenario loads and its other variants render.
func TestRenderBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, config string
		want         []string
	}{
		{"malformed", "{\n  \"deploy\": {\"aptPackages\": [\"...\",]\n}\n", []string{"app/railpack.json:4:1", "invalid JSON"}},
		{"unknown provider", "{\n  \"provider\": \"cobol\"\n}\n", []string{"app/railpack.json:2:15", "provider", `"cobol"`}},
		{"apt packages of the wrong type", "{\n  \"deploy\": {\"aptPackages\": \"libpq5\"}\n}\n", []string{"app/railpack.json:2:29", "deploy.aptPackages", "list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, dir, map[string]string{"app/requirements.txt": "gunicorn\n", "app/app.py": "app = None\n", "app/railpack.json": tt.config,
				"s.yaml": "schemaVersion: 1\nname: t\nproject: {dir: ., root: app}\nstart: python app.py\nmatrix:\n  include:\n" +
					"    - {name: rp, builder: railpack}\n    - {name: slim, builder: python-slim, python: \"3.13\"}\n"})
			sc, err := scenario.Load(filepath.Join(dir, "s.yaml"), scenario.WithBuilders(builtin.Registry()))
			if err != nil {
				t.Fatalf("the scenario must load so the other variants run: %v", err)
			}
			reg := builtin.Registry()
			_, err = reg.Render(sc, sc.Variants[0], recipe.Offline())
			if err == nil {
				t.Fatal("rendered a variant whose railpack.json Railpack refuses")
			}
			for _, w := range append([]string{`variant "rp"`}, tt.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var ce *rp.ConfigError
			if !errors.As(err, &ce) {
				t.Errorf("error %v does not wrap the config's problems", err)
			}
			if _, err := reg.Render(sc, sc.Variants[1], recipe.Offline()); err != nil {
				t.Errorf("the other variant: %v", err)
			}
		})
	}
}

// TestOverridesBadInput: a railpack overrides object is checked where it is
// written in the scenario.
func TestOverridesBadInput(t *testing.T) {
	t.Parallel()
	const head = "schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  include:\n"
	tests := []struct{ entry, want string }{
		{`    - {builder: railpack, railpack: {deploy: {aptPackages: libpq5}}}`, "6:60: matrix.include[0].railpack.deploy.aptPackages: expected a list of strings, found a scalar"},
		{`    - {builder: railpack, railpack: {provider: cobol}}`, `6:48: matrix.include[0].railpack.provider: unknown provider "cobol"`},
		{`    - {builder: railpack, railpack: {aptPackages: [x]}}`, "6:38: matrix.include[0].railpack.aptPackages: unknown field"},
		{`    - {builder: railpack, railpack: {env: {PORT: "1"}}}`, "matrix.include[0].railpack.env.PORT: PORT is not a RAILPACK_* variable"},
		{`    - {builder: nixpacks, railpack: {deploy: {aptPackages: [x]}}}`, "railpack applies to the railpack builder, not nixpacks"},
	}
	for _, tt := range tests {
		_, err := scenario.Parse("inline.yaml", []byte(head+tt.entry+"\n"), scenario.WithBuilders(builtin.Registry()), scenario.WithCheckFiles(false))
		var ve *scenario.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("%s: err %v, want a validation error", tt.entry, err)
			continue
		}
		var got []string
		for _, p := range ve.Problems {
			got = append(got, fmt.Sprintf("%d:%d: %s: %s — %s", p.Line, p.Column, p.Field, p.Msg, p.Hint))
		}
		if !strings.Contains(strings.Join(got, "\n"), tt.want) {
			t.Errorf("%s: problems\n%s\nlack %q", tt.entry, strings.Join(got, "\n"), tt.want)
		}
	}
}

// TestOverridesLaidOverTheFile: the variant's deploy.aptPackages with "..."
// extends the file's list; the variant's name says what it changes.
func TestOverridesLaidOverTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, map[string]string{"requirements.txt": "psycopg2\n", "main.py": "\n", "railpack.json": `{"deploy": {"aptPackages": ["...", "libxml2"]}}`,
		"s.yaml": "schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  builder: [railpack]\n  railpack: [{deploy: {aptPackages: [\"...\", libgomp1]}}]\n"})
	sc, err := scenario.Load(filepath.Join(dir, "s.yaml"), scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		t.Fatal(err)
	}
	v := sc.Variants[0]
	if v.Name != "railpack-deploy-apt-defaults-libgomp1" {
		t.Errorf("name %q", v.Name)
	}
	rc, err := builtin.Registry().Render(sc, v, recipe.Offline())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rc.Setup.Dockerfile, `"apt-get update && apt-get install -y libgomp1 libpq5 libxml2"`) {
		t.Errorf("deploy apt step is not the file's list extended by the variant's:\n%s", rc.Setup.Dockerfile)
	}
	f := rc.Facts.(railpack.Facts)
	if len(f.Dropped) != 0 {
		t.Errorf("dropped %v with \"...\" in both lists", f.Dropped)
	}
}

// TestConfigJSON: the railpack.json written for a variant's overrides keeps
// lists on one line, so a later fix to one of them is a one-line diff.
func TestConfigJSON(t *testing.T) {
	t.Parallel()
	text, err := railpack.ConfigJSON(&rp.Config{Deploy: rp.DeployConfig{AptPackages: []string{"libgomp1", `a"b`}, StartCmd: "gunicorn app:app"}})
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"$schema\": \"https://schema.railpack.com\",\n  \"deploy\": {\n    \"aptPackages\": [\"libgomp1\", \"a\\\"b\"],\n    \"startCommand\": \"gunicorn app:app\"\n  }\n}\n"
	if text != want {
		t.Errorf("got\n%s\nwant\n%s", text, want)
	}
	if _, ps := rp.ParseConfig("railpack.json", []byte(text)); len(ps) > 0 {
		t.Errorf("the file does not parse: %v", ps)
	}
}
