package project

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tree writes files (slash path → content) under a new directory.
func tree(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func TestFindAppRoot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		want    string
		wantErr string
	}{
		{"at the root", map[string]string{"requirements.txt": "", "backend/requirements.txt": ""}, ".", ""},
		{"one directory down", map[string]string{"nixpacks.toml": "", "backend/requirements.txt": ""}, "backend", ""},
		{"hidden directories do not count", map[string]string{".venv/requirements.txt": "", "app/requirements.txt": ""}, "app", ""},
		{"a directory named requirements.txt does not count", map[string]string{"requirements.txt/x": "", "app/requirements.txt": ""}, "app", ""},
		{"none", map[string]string{"README": ""}, "", "no requirements.txt in"},
		{"two candidates", map[string]string{"a/requirements.txt": "", "b/requirements.txt": ""}, "", "requirements.txt in a, b:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := FindAppRoot(tree(t, tt.files))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("FindAppRoot = %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FindAppRoot = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestInspect(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{
		"nixpacks.toml":            "[phases.setup]\nnixPkgs = [\"python311\", \"gcc\"]\n\n[start]\ncmd = \"cd backend && gunicorn app:app\"\n",
		"package.json":             "{not json",
		"backend/requirements.txt": "# web\nFlask==3.0  # pinned\nnumpy>=1.26\n-r more.txt\n\nPsycopg2_Binary\ngunicorn\n",
		"backend/Dockerfile":       "FROM python:3.11-slim\n",
		"Dockerfile":               "FROM scratch\n",
	})
	p, err := Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if !equalAny(got, want) {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	check("AppRoot", p.AppRoot, "backend")
	check("Python", p.Python, "3.11")
	check("Requires", p.Requires, []string{"flask", "numpy", "psycopg2-binary", "gunicorn"})
	check("Native", p.Native, []string{"numpy", "psycopg2"})
	check("Start", p.Start, "cd backend && gunicorn app:app")
	check("StartInAppRoot", p.StartInAppRoot(), "gunicorn app:app")
	check("Dockerfile", p.Dockerfile, "backend/Dockerfile")
	check("PackageJSON", p.PackageJSON, true)
	check("Notes", p.Notes, []string{"package.json does not parse as JSON"})
	if p.Config == nil {
		t.Error("Config is nil; nixpacks.toml was not read")
	}

	bare, err := Inspect(tree(t, map[string]string{"requirements.txt": "uvicorn\n"}))
	if err != nil {
		t.Fatal(err)
	}
	check("bare Python", bare.Python, DefaultPython)
	check("bare Config", bare.Config == nil, true)
	check("bare Dockerfile", bare.Dockerfile, "")
	check("bare Provider", bare.Provider, "python")
	check("bare StartInAppRoot", bare.StartInAppRoot(), "uvicorn app:app --host 0.0.0.0 --port $PORT")
}

func TestInspectRefuses(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{"file": "", "bad/nixpacks.toml": "[phases.setup\n", "bad/requirements.txt": ""})
	for _, tt := range []struct{ dir, want string }{
		{filepath.Join(dir, "missing"), "no such file"},
		{filepath.Join(dir, "file"), "is not a directory"},
		{filepath.Join(dir, "bad"), "nixpacks.toml"},
	} {
		if _, err := Inspect(tt.dir); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Inspect(%s) = %v, want an error containing %q", tt.dir, err, tt.want)
		}
	}
}

func TestStartInAppRoot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		root, start string
		requires    []string
		want        string
	}{
		{"backend", "cd backend && python -m gunicorn app:app", nil, "python -m gunicorn app:app"},
		{"backend", "cd ./backend && python main.py", nil, "python main.py"},
		{".", "python main.py", nil, "python main.py"},
		{"backend", "cd elsewhere && python main.py", []string{"gunicorn"}, "gunicorn --bind 0.0.0.0:$PORT app:app"},
		{".", "", []string{"flask", "uvicorn"}, "uvicorn app:app --host 0.0.0.0 --port $PORT"},
		{".", "", nil, "python app.py"},
	}
	for _, tt := range tests {
		p := &Project{AppRoot: tt.root, Start: tt.start, Requires: tt.requires}
		if got := p.StartInAppRoot(); got != tt.want {
			t.Errorf("root %s start %q requires %v: StartInAppRoot = %q, want %q", tt.root, tt.start, tt.requires, got, tt.want)
		}
	}
}

func TestNativeImports(t *testing.T) {
	t.Parallel()
	dir := tree(t, map[string]string{
		"requirements.txt":     "numpy\n",
		"api/requirements.txt": "pandas\nnumpy\n",
		"web/requirements.txt": "flask\n",
	})
	if got, want := NativeImports(dir), []string{"numpy", "pandas"}; !slices.Equal(got, want) {
		t.Errorf("NativeImports = %v, want %v", got, want)
	}
}

func equalAny(a, b any) bool {
	as, aok := a.([]string)
	bs, bok := b.([]string)
	if aok && bok {
		return slices.Equal(as, bs)
	}
	return a == b
}

// The version a nixPkgs entry selects comes from the Nixpacks model's
// attribute names; an interpreter the harness has no images for selects none.
func TestPythonOf(t *testing.T) {
	t.Parallel()
	for pkg, want := range map[string]string{"python3": "3.13", "python313": "3.13", "python311": "3.11", "python312": "", "gcc": "", "": ""} {
		if got := pythonOf(pkg); got != want {
			t.Errorf("pythonOf(%q) = %q, want %q", pkg, got, want)
		}
	}
}

func TestDistribution(t *testing.T) {
	t.Parallel()
	for module, want := range map[string]string{
		"numpy": "numpy", "PIL": "pillow", "cv2": "opencv4", "yaml": "pyyaml",
		// A submodule's distribution is its top-level package's.
		"PyQt5.QtGui": "pyqt5", "PIL.Image": "pillow", "psycopg2.extras": "psycopg2",
	} {
		if got := Distribution(module); got != want {
			t.Errorf("Distribution(%q) = %q, want %q", module, got, want)
		}
	}
}
