package platform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestRailwayJSONLines: values of a nested railway.json keep their lines; an
// unknown key is a problem at its line, a known one Railway reads for other
// things is not.
func TestRailwayJSONLines(t *testing.T) {
	t.Parallel()
	dir := project(t, map[string]string{"api/railway.json": "{\n  \"build\": {\n    \"builder\": \"nixpacks\",\n    \"buildCommand\": \"make\"\n  },\n  \"deploy\": {\n    \"numReplicas\": 2,\n    \"startCommand\": \"gunicorn app:app\",\n    \"healthCheck\": \"/h\"\n  }\n}\n"})
	c, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Builder.Value != Nixpacks || c.Builder.From != "api/railway.json:3 (build.builder)" {
		t.Errorf("builder %+v", c.Builder)
	}
	if c.StartCommand.From != "api/railway.json:8 (deploy.startCommand)" || c.Root.Value != "api" {
		t.Errorf("start %+v root %+v", c.StartCommand, c.Root)
	}
	if got := strings.Join(c.Problems, "\n"); got != "api/railway.json:9: deploy.healthCheck: not a Railway setting bootmatrix knows; ignored" {
		t.Errorf("problems %q", got)
	}
}

// TestRenderConflicts: the old env key against runtime, a second web
// service and a runtime bootmatrix does not build are one line each.
func TestRenderConflicts(t *testing.T) {
	t.Parallel()
	dir := project(t, map[string]string{"render.yaml": "services:\n  - type: web\n    runtime: node\n    env: python\n  - type: web\n    runtime: python\n"})
	c, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`render.yaml:5: services[1]: another web service; only the first (line 2) is read`,
		`render.yaml:4 (services.env): services.env "python" conflicts with services.runtime "node" (env is its old name); runtime is used`,
		`render.yaml:3 (services.runtime): runtime "node" is not one bootmatrix builds (python, docker); the current row uses python`,
	}
	if got := strings.Join(c.Problems, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("problems\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if c.Root.Value != "." {
		t.Errorf("root %+v", c.Root)
	}
}

func TestNoPlatformFile(t *testing.T) {
	t.Parallel()
	if c, err := Read(project(t, map[string]string{"requirements.txt": "x\n"})); c != nil || err != nil {
		t.Errorf("Read = %+v, %v", c, err)
	}
}
