package doctor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFromProject(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, text := range map[string]string{
		"nixpacks.toml":            "[phases.install]\ncmds = [\"cd backend && pip install -r requirements.txt\"]\n\n[start]\ncmd = \"cd backend && gunicorn app:app\"\n",
		"backend/requirements.txt": "numpy==1.26.4\ngunicorn\n",
		"backend/app.py":           "app = None\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc, v, err := FromProject(ProjectSpec{Dir: dir, Python: "3.11", Pins: []string{"numpy==2.2.4"}})
	if err != nil {
		t.Fatal(err)
	}
	// The app is one directory below the root: its native packages still count.
	if !slices.Equal(sc.Imports, []string{"numpy"}) {
		t.Errorf("Imports = %v, want [numpy]", sc.Imports)
	}
	if v.Name != "project" || v.Python != "3.11" || !slices.Equal(v.Pins, []string{"numpy==2.2.4"}) {
		t.Errorf("variant = %s python %s pins %v, want project, 3.11, [numpy==2.2.4]", v.Name, v.Python, v.Pins)
	}
	if sc.Health.Path != "/health" {
		t.Errorf("health path = %q, want /health", sc.Health.Path)
	}

	if _, _, err := FromProject(ProjectSpec{Dir: filepath.Join(dir, "backend", "app.py")}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("FromProject(a file) = %v, want a not-a-directory error", err)
	}
	if _, _, err := FromProject(ProjectSpec{Dir: dir, Pins: []string{"==1"}}); err == nil || !strings.Contains(err.Error(), "flags") {
		t.Errorf("FromProject(bad pin) = %v, want an error naming the flags", err)
	}
}
