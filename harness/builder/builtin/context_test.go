package builtin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// TestRenderContextAsDockerBuild: every builder reads its context through
// recipe.WalkContext, so .dockerignore decides for all of them; links stay links
// except for Nixpacks, whose copy of the app leaves them out, which it notes.
func TestRenderContextAsDockerBuild(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"requirements.txt": "flask\n",
		"app.py":           "print()\n",
		"secret.env":       "KEY=1\n",
		".dockerignore":    "secret.env\n",
		"Dockerfile":       "FROM python:3.13-slim\nWORKDIR /app\nCOPY . /app\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("nowhere", filepath.Join(dir, "dangling")); err != nil {
		t.Fatal(err)
	}
	sc := &scenario.Scenario{File: "s.yaml", Project: scenario.Project{Dir: dir, Root: "."}, Start: "python app.py"}
	for _, tc := range []struct {
		v        scenario.Variant
		link     bool
		linkNote bool
	}{
		{scenario.Variant{Name: "slim", Builder: "python-slim", Python: "3.13"}, true, false},
		{scenario.Variant{Name: "df", Builder: "dockerfile", Dockerfile: "Dockerfile"}, true, false},
		{scenario.Variant{Name: "nix", Builder: "nixpacks", Python: "3.13"}, false, true},
	} {
		rc, err := reg.Render(sc, tc.v, recipe.Offline())
		if err != nil {
			t.Fatalf("%s: %v", tc.v.Name, err)
		}
		ctx := rc.Setup.Context
		if _, ok := ctx["secret.env"]; ok {
			t.Errorf("%s: secret.env, listed in .dockerignore, is in the context", tc.v.Name)
		}
		if _, ok := ctx["app.py"]; !ok {
			t.Errorf("%s: app.py missing from the context", tc.v.Name)
		}
		if _, ok := ctx["dangling"]; ok != tc.link {
			t.Errorf("%s: dangling link in context = %v, want %v", tc.v.Name, ok, tc.link)
		}
		noted := strings.Contains(strings.Join(rc.Notes, "\n"), "symlinks left out of the image, as Nixpacks' copy of the app leaves them out: dangling")
		if noted != tc.linkNote {
			t.Errorf("%s: link note %v, want %v (notes %q)", tc.v.Name, noted, tc.linkNote, rc.Notes)
		}
	}
}
