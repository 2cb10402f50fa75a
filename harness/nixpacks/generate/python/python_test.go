package python

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate"
)

// TestPlanFixtures runs the generator with the provider on small projects
// written for this test, one per decision Nixpacks' own Python plan
// snapshots cover (tests/snapshots/generate_plan_tests__<snapshot>.snap at
// railwayapp/nixpacks f51d7fd), and compares the pinned plan with
// testdata/<case>/plan.json, written from python.rs and the plan code. The
// comparison is on the whole JSON, archive and base image included.
func TestPlanFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, archive string }{
		// python: requirements.txt and main.py, the defaults.
		{"requirements", Archive},
		// python_2: .python-version 2.7 picks python27 from the legacy
		// archive; no dependency file means an install phase without commands.
		{"python27", LegacyArchive},
		// python_setuptools: a pyproject.toml without a lock file installs
		// with pip from only pyproject.toml and starts [project] name.
		{"setuptools", Archive},
		// python_django: manage.py and Django start migrate then gunicorn on
		// WSGI_APPLICATION's module; psycopg adds postgresql_16.dev.
		{"django", Archive},
		// python_postgres: a psycopg2 requirement adds postgresql_16.dev.
		{"postgres", Archive},
		// python_poetry: poetry.lock selects poetry and its version variable.
		{"poetry", Archive},
		// python_pipfile: the Pipfile's python_version picks the interpreter,
		// adds pipenv, and Pipfile.lock makes the install --deploy.
		{"pipfile", Archive},
		// python_uv: uv.lock selects uv with its cache and variables;
		// .python-version picks python312.
		{"uv", Archive},
		// python_numpy: numpy needs nothing beyond the default libraries.
		{"numpy", Archive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g, err := generate.Generate(os.DirFS("testdata/"+tt.name+"/app"), nil, Provider{})
			if err != nil {
				t.Fatal(err)
			}
			if a := g.Plan.Phases["setup"].NixpkgsArchive; a == nil || *a != tt.archive {
				t.Errorf("setup archive %v, want %s", a, tt.archive)
			}
			got, err := g.Plan.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if want := wantPlan(t, "testdata/"+tt.name+"/plan.json"); got != want {
				t.Errorf("plan differs from %s/plan.json:\ngot:\n%s\nwant:\n%s", tt.name, got, want)
			}
		})
	}
}

func wantPlan(t testing.TB, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(string(data), "\n")
}

func TestInterpreter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		files        map[string]string
		env          map[string]string
		pkg, archive string
	}{
		{"default", nil, nil, "python3", Archive},
		{"env 3.13", nil, map[string]string{"NIXPACKS_PYTHON_VERSION": "3.13"}, "python313", Archive},
		{"env 3.11.4", nil, map[string]string{"NIXPACKS_PYTHON_VERSION": "3.11.4"}, "python311", Archive},
		{"env 3.9 is legacy", nil, map[string]string{"NIXPACKS_PYTHON_VERSION": "3.9"}, "python39", LegacyArchive},
		{"env beats .python-version", map[string]string{".python-version": "3.10\n"}, map[string]string{"NIXPACKS_PYTHON_VERSION": "3.12"}, "python312", Archive},
		{"runtime.txt beats env", map[string]string{"runtime.txt": "python-3.10.2"}, map[string]string{"NIXPACKS_PYTHON_VERSION": "3.12"}, "python310", Archive},
		{"Pipfile without version clears env", map[string]string{"Pipfile": "[packages]\n"}, map[string]string{"NIXPACKS_PYTHON_VERSION": "3.12"}, "python3", Archive},
		{".tool-versions", map[string]string{".tool-versions": "python 3.11.9\n"}, nil, "python311", Archive},
		{"unknown version", nil, map[string]string{"NIXPACKS_PYTHON_VERSION": "3.14"}, "python3", Archive},
		{"bare 2 is not python27", nil, map[string]string{"NIXPACKS_PYTHON_VERSION": "2"}, "python3", Archive},
	}
	for _, tt := range tests {
		fsys := fstest.MapFS{}
		for k, v := range tt.files {
			fsys[k] = &fstest.MapFile{Data: []byte(v)}
		}
		pkg, archive, _, err := App{FS: fsys}.Interpreter(tt.env)
		if err != nil || pkg != tt.pkg || archive != tt.archive {
			t.Errorf("%s: %s %s %v, want %s %s", tt.name, pkg, archive, err, tt.pkg, tt.archive)
		}
	}
}

func TestManagerAndStart(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"pyproject.toml": {Data: []byte("[project]\nname = \"svc\"\npy_modules = [\"app\"]\n")},
		"pdm.lock":       {Data: []byte("")},
	}
	a := App{FS: fsys}
	if m, _ := a.ManagerFor(nil); m != PDM {
		t.Errorf("manager %s, want pdm", m)
	}
	if m, w := a.ManagerFor(map[string]string{"NIXPACKS_PYTHON_PACKAGE_MANAGER": "conda"}); m != PDM || !strings.Contains(w, "Unknown package manager 'conda'") {
		t.Errorf("unknown manager: %s %q", m, w)
	}
	if m, _ := a.ManagerFor(map[string]string{"NIXPACKS_PYTHON_PACKAGE_MANAGER": "Skip"}); m != Skip {
		t.Errorf("skip: %s", m)
	}
	if s, _ := a.Start(); s != "python -m app" {
		t.Errorf("start %q, want py_modules[0]", s)
	}
	p, _, err := Plan(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := p.Phases["install"]
	if got := strings.Join(in.CacheDirectories, " "); got != "/root/.cache/pdm /root/.cache/pip" {
		t.Errorf("pdm cache dirs %q", got)
	}
	if p.Variables["NIXPACKS_PDM_VERSION"] != PDMVersion || strings.Join(Metadata(a), ",") != "pdm" {
		t.Errorf("variables %v", p.Variables)
	}
	fsys["main.py"] = &fstest.MapFile{Data: []byte("")}
	if s, _ := a.Start(); s != "python main.py" {
		t.Errorf("main.py must win over pyproject: %q", s)
	}
	fsys["manage.py"] = &fstest.MapFile{Data: []byte("")}
	fsys["requirements.txt"] = &fstest.MapFile{Data: []byte("Django\npycairo\n")}
	if _, err := a.Start(); err == nil {
		t.Error("django without WSGI_APPLICATION must fail as Nixpacks does")
	}
	fsys["app/settings.py"] = &fstest.MapFile{Data: []byte("WSGI_APPLICATION = 'app.wsgi.application'\n")}
	p, _, err = Plan(a, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := *p.Start.Cmd; got != "python manage.py migrate && gunicorn app.wsgi" {
		t.Errorf("django start %q", got)
	}
	if got := strings.Join(p.Phases["setup"].NixLibs, " "); got != "cairo zlib stdenv.cc.cc.lib" {
		t.Errorf("nixLibs %q", got)
	}
}
