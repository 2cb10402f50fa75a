package railpack

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func generate(t testing.TB, files map[string]string, opts ...Option) *Result {
	t.Helper()
	res, err := Generate(context.Background(), writeProject(t, files), opts...)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return res
}

func step(t testing.TB, p *BuildPlan, name string) Step {
	t.Helper()
	for _, s := range p.Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no step %q in %v", name, p.Steps)
	return Step{}
}

func TestPythonVersionPrecedence(t *testing.T) {
	// InstallMisePackages: default < Pipfile < runtime.txt < mise files <
	// RAILPACK_PYTHON_VERSION, and "packages" in the config above them all.
	base := map[string]string{"requirements.txt": "flask\n"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name        string
		files       map[string]string
		env         map[string]string
		wantVersion string
		wantSource  string
	}{
		{"default", base, nil, "3.13", "railpack default"},
		{"Pipfile python_version", with(map[string]string{"Pipfile": "[requires]\npython_version = \"3.10\"\n"}), nil, "3.10", "Pipfile > python_version"},
		{"Pipfile full version first", with(map[string]string{"Pipfile": "[requires]\npython_version = \"3.10\"\npython_full_version = \"3.10.4\"\n"}), nil, "3.10.4", "Pipfile > python_full_version"},
		{"runtime.txt over Pipfile", with(map[string]string{"Pipfile": "[requires]\npython_version = \"3.10\"\n", "runtime.txt": "python-3.11.2\n"}), nil, "3.11.2", "runtime.txt"},
		{"unparsable runtime.txt asks for latest", with(map[string]string{"runtime.txt": "python\n"}), nil, "", "runtime.txt"},
		{".python-version over runtime.txt", with(map[string]string{"runtime.txt": "python-3.11.2\n", ".python-version": "# pinned\n3.12.1\n"}), nil, "3.12.1", ".python-version"},
		{".tool-versions over .python-version", with(map[string]string{".python-version": "3.12\n", ".tool-versions": "nodejs 22\npython 3.11.9 # prod\n"}), nil, "3.11.9", ".tool-versions"},
		{"mise.toml over .tool-versions", with(map[string]string{".tool-versions": "python 3.11.9\n", "mise.toml": "[tools]\npython = \"3.10\"\n"}), nil, "3.10", "mise.toml"},
		{"mise.toml table form", with(map[string]string{"mise.toml": "[tools]\npython = { version = \"3.12\" }\n"}), nil, "3.12", "mise.toml"},
		{"RAILPACK_PYTHON_VERSION over the files", with(map[string]string{".python-version": "3.11\n", "mise.toml": "[tools]\npython = \"3.10\"\n"}), map[string]string{"RAILPACK_PYTHON_VERSION": " 3.12 "}, "3.12", "RAILPACK_PYTHON_VERSION"},
		{"config packages over everything", with(map[string]string{".python-version": "3.11\n", DefaultConfigFile: `{"packages": {"python": "3.10"}}`}), map[string]string{"RAILPACK_PYTHON_VERSION": "3.12"}, "3.10", "custom config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := generate(t, tc.files, WithEnv(tc.env))
			got := res.ResolvedPackages["python"]
			if got == nil || got.RequestedVersion != tc.wantVersion || got.Source != tc.wantSource {
				t.Errorf("python = %+v, want %q from %q", got, tc.wantVersion, tc.wantSource)
			}
		})
	}
}

func TestFuzzyAndStaticResolution(t *testing.T) {
	for in, want := range map[string]string{"": "latest", "*": "latest", ">=3.11": "3", ">= 3.11 <4": "3", "^3.12": "3", "~3.12.1": "3.12.1", "v3.12": "3.12", "3.x": "3", "3.12.": "3.12"} {
		if got := fuzzy(in); got != want {
			t.Errorf("fuzzy(%q) = %q, want %q", in, got, want)
		}
	}
	sv := StaticVersions{"python": {"3.9.20", "3.13.1", "3.1.4", "3.12.8", "3.13.0"}}
	for in, want := range map[string]string{"3": "3.13.1", "3.1": "3.1.4", "3.13": "3.13.1", "3.12.8": "3.12.8", "latest": "3.13.1"} {
		if got, err := sv.Resolve(context.Background(), "python", in); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := sv.Resolve(context.Background(), "python", "3.14"); err == nil {
		t.Error("3.14 is not listed and must not resolve")
	}
}

func TestStartCommand(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  string
	}{
		{"main file only", map[string]string{"requirements.txt": "requests\n", "start.py": ""}, nil, "python start.py"},
		{"main.py before app.py", map[string]string{"requirements.txt": "requests\n", "app.py": "", "main.py": ""}, nil, "python main.py"},
		{"fastapi needs uvicorn", map[string]string{"requirements.txt": "fastapi\n", "main.py": ""}, nil, "python main.py"},
		{"fastapi with uvicorn, always main:app", map[string]string{"requirements.txt": "fastapi\nuvicorn[standard]\n", "app.py": ""}, nil, "uvicorn main:app --host 0.0.0.0 --port ${PORT:-8000}"},
		{"flask wins over fastapi", map[string]string{"requirements.txt": "fastapi\nuvicorn\nflask\ngunicorn\n", "main.py": ""}, nil, "gunicorn --bind 0.0.0.0:${PORT:-8000} main:app"},
		{"django from WSGI_APPLICATION", map[string]string{"requirements.txt": "Django==5.1\n", "manage.py": "", "shop/settings.py": "WSGI_APPLICATION = 'shop.wsgi.application'\n"}, nil, "python manage.py migrate && gunicorn --bind 0.0.0.0:${PORT:-8000} shop.wsgi:application"},
		{"django app name from the variable", map[string]string{"requirements.txt": "django\n", "manage.py": ""}, map[string]string{"RAILPACK_DJANGO_APP_NAME": "site.wsgi"}, "python manage.py migrate && gunicorn --bind 0.0.0.0:${PORT:-8000} site.wsgi:application"},
		{"Procfile web over the provider", map[string]string{"requirements.txt": "x\n", "main.py": "", "Procfile": "worker: python worker.py\nweb: gunicorn app:app\n"}, nil, "gunicorn app:app"},
		{"Procfile worker when no web", map[string]string{"requirements.txt": "x\n", "Procfile": "worker: python worker.py\n"}, nil, "python worker.py"},
		{"config over Procfile", map[string]string{"requirements.txt": "x\n", "Procfile": "web: a\n", DefaultConfigFile: `{"deploy": {"startCommand": "b"}}`}, nil, "b"},
		{"RAILPACK_START_CMD", map[string]string{"requirements.txt": "x\n", "main.py": ""}, map[string]string{"RAILPACK_START_CMD": "python -m svc"}, "python -m svc"},
		{"none", map[string]string{"requirements.txt": "x\n"}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := generate(t, tc.files, WithEnv(tc.env))
			if got := res.Plan.Deploy.StartCmd; got != tc.want {
				t.Errorf("start = %q, want %q", got, tc.want)
			}
			if tc.want == "" && !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, "no start command") }) {
				t.Errorf("a plan without a start command must say so, warnings %q", res.Warnings)
			}
		})
	}
}

func TestDatabaseAptPackages(t *testing.T) {
	aptPkgs := func(p *BuildPlan, name string) string {
		for _, s := range p.Steps {
			if s.Name == name {
				return strings.TrimPrefix(s.Commands[0].CustomName, "install apt packages: ")
			}
		}
		return ""
	}
	tests := []struct {
		name               string
		files              map[string]string
		env                map[string]string
		wantBuild, wantRun string
	}{
		{"psycopg2", map[string]string{"requirements.txt": "psycopg2==2.9.10\n"}, nil, "libpq-dev", "libpq5"},
		{"psycopg 3", map[string]string{"requirements.txt": "psycopg==3.2.3\n"}, nil, "libpq-dev", "libpq5"},
		{"psycopg2-binary", map[string]string{"requirements.txt": "psycopg2-binary==2.9.10\n"}, nil, "", ""},
		{"psycopg[binary]", map[string]string{"requirements.txt": "psycopg[binary]==3.2.3\n"}, nil, "", ""},
		{"binary anywhere wins, even beside psycopg2", map[string]string{"requirements.txt": "psycopg2==2.9.10\n", "tools/requirements.txt": "psycopg2-binary\n"}, nil, "", ""},
		{"django postgres backend in code", map[string]string{"requirements.txt": "django\n", "app/settings.py": "ENGINE = 'django.db.backends.postgresql'\n"}, nil, "libpq-dev", "libpq5"},
		{"mysqlclient", map[string]string{"requirements.txt": "mysqlclient\n"}, nil, "default-libmysqlclient-dev", "default-mysql-client"},
		{"pycairo", map[string]string{"requirements.txt": "pycairo\n"}, nil, "libcairo2-dev", "libcairo2"},
		{"pydub and pdf2image", map[string]string{"requirements.txt": "pydub\npdf2image\n"}, nil, "", "ffmpeg poppler-utils"},
		{"deploy list without ... drops libpq5", map[string]string{"requirements.txt": "psycopg2\n", DefaultConfigFile: `{"deploy": {"aptPackages": ["libgomp1"]}}`}, nil, "libpq-dev", "libgomp1"},
		{"an empty deploy list drops the runtime step", map[string]string{"requirements.txt": "psycopg2\n", DefaultConfigFile: `{"deploy": {"aptPackages": []}}`}, nil, "libpq-dev", ""},
		{"build list without ... still keeps libpq-dev", map[string]string{"requirements.txt": "psycopg2\n", DefaultConfigFile: `{"buildAptPackages": ["libgomp1"]}`}, nil, "libgomp1 libpq-dev", "libpq5"},
		{"RAILPACK_DEPLOY_APT_PACKAGES with ...", map[string]string{"requirements.txt": "psycopg2\n"}, map[string]string{"RAILPACK_DEPLOY_APT_PACKAGES": "libgl1 ... libgl1"}, "libpq-dev", "libgl1 libpq5"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := generate(t, tc.files, WithEnv(tc.env))
			if got := aptPkgs(res.Plan, StepAptBuild); got != tc.wantBuild {
				t.Errorf("build apt = %q, want %q", got, tc.wantBuild)
			}
			if got := aptPkgs(res.Plan, StepAptRuntime); got != tc.wantRun {
				t.Errorf("runtime apt = %q, want %q", got, tc.wantRun)
			}
			wantBase := Layer{Image: RuntimeImage}
			if tc.wantRun != "" {
				wantBase = Layer{Step: StepAptRuntime}
			}
			if !reflect.DeepEqual(res.Plan.Deploy.Base, wantBase) {
				t.Errorf("deploy base = %+v, want %+v", res.Plan.Deploy.Base, wantBase)
			}
		})
	}
}

func TestPackageManagers(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		wantTools []string
		wantCmds  []string
		wantLocal bool
	}{
		{"requirements.txt wins over a uv.lock", map[string]string{"requirements.txt": "x\n", "pyproject.toml": "", "uv.lock": ""}, []string{"python", "uv"}, []string{"python -m venv /app/.venv", "pip install -r requirements.txt"}, false},
		{"pdm", map[string]string{"pyproject.toml": "[project]\n", "pdm.lock": ""}, []string{"python", "pipx", "uv", "pipx:pdm"}, []string{"pdm install --check --prod --no-editable"}, false},
		{"pipenv with a lock", map[string]string{"Pipfile": "[packages]\n", "Pipfile.lock": "{}"}, []string{"python", "pipx", "uv", "pipx:pipenv"}, []string{"pipenv install --deploy --ignore-pipfile"}, false},
		{"pipenv without a lock", map[string]string{"Pipfile": "[packages]\n"}, []string{"python", "pipx", "uv", "pipx:pipenv"}, []string{"pipenv install --skip-lock"}, false},
		{"a local file:// requirement needs the whole source", map[string]string{"requirements.txt": "mylib @ file:///app/libs/mylib\n"}, []string{"python"}, []string{"python -m venv /app/.venv", "pip install -r requirements.txt"}, true},
		{"a uv workspace needs the whole source", map[string]string{"pyproject.toml": "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n", "uv.lock": ""}, []string{"python", "uv"}, []string{"uv sync --locked --no-dev --no-install-project"}, true},
		{"pyproject without a lock installs nothing", map[string]string{"pyproject.toml": "[project]\n", "main.py": ""}, []string{"python"}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := generate(t, tc.files)
			var tools []string
			for name := range res.ResolvedPackages {
				tools = append(tools, name)
			}
			slices.Sort(tools)
			want := slices.Clone(tc.wantTools)
			slices.Sort(want)
			if !reflect.DeepEqual(tools, want) {
				t.Errorf("mise tools = %q, want %q", tools, want)
			}
			install := step(t, res.Plan, StepInstall)
			var cmds []string
			for _, c := range install.Commands {
				if c.Kind() == "exec" {
					cmds = append(cmds, c.Cmd)
				}
			}
			if !reflect.DeepEqual(cmds, tc.wantCmds) {
				t.Errorf("install commands = %q, want %q", cmds, tc.wantCmds)
			}
			local := slices.ContainsFunc(install.Inputs, func(l Layer) bool { return l.Local })
			if local != tc.wantLocal {
				t.Errorf("install reads the whole source = %v, want %v (inputs %+v)", local, tc.wantLocal, install.Inputs)
			}
		})
	}
}

func TestMiseTOMLQuotesToolKeysAndNestsSettings(t *testing.T) {
	got := miseTOML(map[string]string{"python": "3.13.1", "pipx:pdm": "latest"}, map[string]any{"paranoid": true, "pipx": map[string]any{"uvx": true}})
	want := "[tools]\n  \"pipx:pdm\" = \"latest\"\n  python = \"3.13.1\"\n\n[settings]\n  paranoid = true\n  [settings.pipx]\n    uvx = true\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestShlex(t *testing.T) {
	for in, want := range map[string][]string{
		"pip install -r requirements.txt":                     {"pip", "install", "-r", "requirements.txt"},
		"sh -c 'apt-get update && apt-get install -y libpq5'": {"sh", "-c", "apt-get update && apt-get install -y libpq5"},
		`python -c "print(\"hi\")"  x\ y`:                     {"python", "-c", `print("hi")`, "x y"},
		"a'b'c # comment":                                     {"abc"},
	} {
		got, err := shlex(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("shlex(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := shlex("sh -c 'unclosed"); err == nil {
		t.Error("an unclosed quote must be an error")
	}
}

func TestDockerfileNeedsBothImages(t *testing.T) {
	res := generate(t, map[string]string{"requirements.txt": "x\n", "main.py": ""})
	if _, err := Dockerfile(res.Plan, Images{Builder: "b"}); err == nil {
		t.Error("a missing runtime image must be an error")
	}
	df, err := Dockerfile(res.Plan, OnlineImages)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FROM " + BuilderImage + " AS packages-mise\n", "FROM " + RuntimeImage + " AS deploy\n", "ENTRYPOINT [\"/bin/bash\",\"-c\"]\nCMD [\"python main.py\"]\n"} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if strings.Contains(df, "bash -l") || strings.Contains(df, "--login") {
		t.Error("Railpack starts without a login shell")
	}
}

func TestInstallAndBuildCommandVariablesReplaceTheProvidersCommands(t *testing.T) {
	res := generate(t, map[string]string{"pyproject.toml": "[project]\n", "uv.lock": "", "main.py": ""},
		WithEnv(map[string]string{"RAILPACK_BUILD_CMD": "python -m compileall .", "RAILPACK_INSTALL_CMD": "uv sync --frozen"}))
	want := []Command{copyCmd("."), execNamed("sh -c 'python -m compileall .'", "python -m compileall .")}
	if got := step(t, res.Plan, StepBuild).Commands; !reflect.DeepEqual(got, want) {
		t.Errorf("build commands = %+v, want %+v (uv's own sync is replaced, as a step config without \"...\" replaces it)", got, want)
	}
	want = []Command{copyCmd("."), execNamed("sh -c 'uv sync --frozen'", "uv sync --frozen")}
	if got := step(t, res.Plan, StepInstall).Commands; !reflect.DeepEqual(got, want) {
		t.Errorf("install commands = %+v, want %+v", got, want)
	}
	df, err := Dockerfile(res.Plan, testImages)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(df, "COPY . .\nRUN [\"sh\",\"-c\",\"python -m compileall .\"]\n") {
		t.Errorf("Dockerfile does not run the build command:\n%s", df)
	}
}
