package nixpacks

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// VenvDir is where the Python provider creates its virtual environment.
const VenvDir = "/opt/venv"

const defaultPythonPkg = "python3"

// pythonPkgFor is get_nix_python_package's version table.
func pythonPkgFor(major, minor string) string {
	switch major + "." + minor {
	case "3.13", "3.12", "3.11", "3.10", "3.9", "3.8", "3.7":
		return "python" + major + minor
	case "2.7":
		return "python27"
	}
	return defaultPythonPkg
}

var pythonVersionRE = regexp.MustCompile(`^(?:[\sa-zA-Z-"']*)(\d*)(?:\.*)(\d*)(?:\.*\d*)(?:["']?)$`)
var pipfileVersionRE = regexp.MustCompile(`(python_version|python_full_version) = ['|"]([0-9|.]*)`)

// pythonPackage picks the interpreter the way get_nix_python_package does,
// including its else-if chain: NIXPACKS_PYTHON_VERSION loses to runtime.txt, a
// Pipfile or .tool-versions in the app root (only .python-version yields to it).
// source says where the version came from.
func pythonPackage(a app, env map[string]string) (pkg, source string) {
	custom, hasCustom := env["NIXPACKS_PYTHON_VERSION"]
	custom = strings.ReplaceAll(custom, "\n", "")
	source = "NIXPACKS_PYTHON_VERSION"
	switch {
	case !hasCustom && a.includesFile(".python-version"):
		custom, hasCustom, source = a.read(".python-version"), true, ".python-version"
	case a.includesFile("runtime.txt"):
		custom, hasCustom, source = a.read("runtime.txt"), true, "runtime.txt"
	case a.includesFile("Pipfile"):
		m := pipfileVersionRE.FindStringSubmatch(a.read("Pipfile"))
		hasCustom, source = m != nil, "Pipfile"
		if m != nil {
			custom = m[2]
		}
	case a.includesFile(".tool-versions"):
		hasCustom, source = false, ".tool-versions"
		for _, line := range strings.Split(a.read(".tool-versions"), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && f[0] == "python" {
				parts := strings.Split(f[1], ".")
				if len(parts) >= 2 {
					custom, hasCustom = parts[0]+"."+parts[1], true
				}
			}
		}
	}
	if !hasCustom {
		return defaultPythonPkg, "default"
	}
	m := pythonVersionRE.FindStringSubmatch(strings.TrimSpace(custom))
	if m == nil {
		return defaultPythonPkg, source
	}
	return pythonPkgFor(m[1], m[2]), source
}

// usesDep is uses_dep: a lower-cased substring search of the dependency files.
func usesDep(a app, dep string) bool {
	for _, f := range []string{"requirements.txt", "pyproject.toml", "Pipfile"} {
		if a.includesFile(f) && strings.Contains(strings.ToLower(a.read(f)), dep) {
			return true
		}
	}
	return false
}

func pyFilesMatch(a app, re *regexp.Regexp) bool {
	for _, f := range a.files(ext(".py")) {
		if re.MatchString(a.read(f)) {
			return true
		}
	}
	return false
}

var (
	djangoPostgresRE = regexp.MustCompile(`django.db.backends.postgresql`)
	djangoMySQLRE    = regexp.MustCompile(`django\.db\.backends\.mysql|django_psdb_engine`)
	wsgiAppRE        = regexp.MustCompile(`WSGI_APPLICATION = ["|'](.*).application["|']`)
)

func isDjango(a app) bool { return a.includesFile("manage.py") && usesDep(a, "django") }

func usesPostgres(a app) bool {
	return pyFilesMatch(a, djangoPostgresRE) || usesDep(a, "psycopg2") || usesDep(a, "psycopg")
}

// pythonProviderPlan is PythonProvider::get_build_plan.
func pythonProviderPlan(a app, env map[string]string) (*buildPlan, []string, error) {
	var notes []string
	pyPkg, source := pythonPackage(a, env)
	if want, ok := env["NIXPACKS_PYTHON_VERSION"]; ok && source != "NIXPACKS_PYTHON_VERSION" && source != "default" {
		notes = append(notes, fmt.Sprintf("Python %s was asked for, but Nixpacks reads the version from %s here (its version lookup prefers that file): %s", want, source, pyPkg))
	}

	setup := &phase{name: "setup", nixPkgs: []string{pyPkg}}
	var labels []string
	if isDjango(a) {
		labels = append(labels, "django")
	}
	if usesPostgres(a) {
		setup.nixPkgs = append(setup.nixPkgs, "postgresql_16.dev")
		labels = append(labels, "postgres")
	}
	if isDjango(a) && pyFilesMatch(a, djangoMySQLRE) {
		setup.nixPkgs = append(setup.nixPkgs, "libmysqlclient.dev")
	}
	if a.includesFile("Pipfile") {
		setup.nixPkgs = append(setup.nixPkgs, "pipenv")
	}
	if usesDep(a, "cairo") {
		setup.nixLibs = append(setup.nixLibs, "cairo")
	}
	if usesDep(a, "pydub") {
		setup.nixPkgs = append(setup.nixPkgs, "ffmpeg-headless")
	}
	if usesDep(a, "pdf2image") {
		setup.nixPkgs = append(setup.nixPkgs, "poppler_utils")
	}
	// Nixpacks' comment: many Python packages need stdenv.cc.cc.lib (libstdc++) and zlib.
	setup.nixLibs = append(setup.nixLibs, "zlib", "stdenv.cc.cc.lib")
	setup.nixPkgs = append(setup.nixPkgs, "gcc")

	install, err := pythonInstall(a, env)
	if err != nil {
		return nil, nil, err
	}

	vars := map[string]string{
		"PYTHONFAULTHANDLER":            "1",
		"PYTHONUNBUFFERED":              "1",
		"PYTHONHASHSEED":                "random",
		"PYTHONDONTWRITEBYTECODE":       "1",
		"PIP_NO_CACHE_DIR":              "1",
		"PIP_DISABLE_PIP_VERSION_CHECK": "1",
		"PIP_DEFAULT_TIMEOUT":           "100",
	}
	if a.includesFile("poetry.lock") {
		vars["NIXPACKS_POETRY_VERSION"] = "1.3.1"
		labels = append(labels, "poetry")
	}
	if a.includesFile("pdm.lock") {
		vars["NIXPACKS_PDM_VERSION"] = "2.13.3"
		labels = append(labels, "pdm")
	}
	if a.includesFile("uv.lock") {
		vars["NIXPACKS_UV_VERSION"] = "0.4.30"
		vars["UV_PROJECT_ENVIRONMENT"] = VenvDir
	}
	vars["NIXPACKS_METADATA"] = strings.Join(append([]string{"python"}, labels...), ",")

	bp := &buildPlan{
		variables: vars,
		phases:    map[string]*phase{"setup": setup, "install": install},
	}
	start, err := pythonStart(a)
	if err != nil {
		return nil, nil, err
	}
	if start != "" {
		bp.start = &startPhase{cmd: &start}
	}
	return bp, notes, nil
}

func pythonInstall(a app, env map[string]string) (*phase, error) {
	createEnv := "python -m venv --copies " + VenvDir
	activate := ". " + VenvDir + "/bin/activate"
	install := &phase{name: "install", dependsOn: []string{"setup"}}
	manager := strings.ToLower(env["NIXPACKS_PYTHON_PACKAGE_MANAGER"])
	if manager == "" || manager == "auto" {
		switch {
		case a.includesFile("requirements.txt"):
			manager = "requirements"
		case a.includesFile("pyproject.toml") && a.includesFile("poetry.lock"):
			manager = "poetry"
		case a.includesFile("pyproject.toml") && a.includesFile("pdm.lock"):
			manager = "pdm"
		case a.includesFile("pyproject.toml") && a.includesFile("uv.lock"):
			manager = "uv"
		case a.includesFile("pyproject.toml"):
			manager = "setuptools"
		case a.includesFile("Pipfile"):
			manager = "pipenv"
		default:
			manager = "skip"
		}
	}
	var cmd string
	switch manager {
	case "requirements":
		cmd = createEnv + " && " + activate + " && pip install -r requirements.txt"
	case "poetry":
		cmd = createEnv + " && " + activate + " && pip install poetry==$NIXPACKS_POETRY_VERSION && poetry install --no-dev --no-interaction --no-ansi"
	case "pdm":
		cmd = createEnv + " && " + activate + " && pip install pdm==$NIXPACKS_PDM_VERSION && pdm install --prod"
	case "uv":
		cmd = createEnv + " && " + activate + " && pip install uv==$NIXPACKS_UV_VERSION && uv sync --no-dev --frozen"
	case "setuptools":
		cmd = createEnv + " && " + activate + " && pip install --upgrade build setuptools && pip install ."
	case "pipenv":
		if a.includesFile("Pipfile.lock") {
			cmd = createEnv + " && " + activate + " && PIPENV_VENV_IN_PROJECT=1 pipenv install --deploy"
		} else {
			cmd = createEnv + " && " + activate + " && PIPENV_VENV_IN_PROJECT=1 pipenv install --skip-lock"
		}
	case "skip":
		return install, nil
	default:
		// Nixpacks warns and auto-detects; an unknown value here is a scenario mistake worth stopping on.
		return nil, fmt.Errorf("NIXPACKS_PYTHON_PACKAGE_MANAGER=%q is not one of auto, requirements, setuptools, poetry, pdm, uv, pipenv, skip", manager)
	}
	install.cmds = []string{cmd}
	install.paths = []string{VenvDir + "/bin"}
	return install, nil
}

// pythonStart is PythonProvider::start: Django, then main.py, then pyproject's module.
func pythonStart(a app) (string, error) {
	if isDjango(a) {
		for _, f := range a.files(ext(".py")) {
			if m := wsgiAppRE.FindStringSubmatch(a.read(f)); m != nil {
				return "python manage.py migrate && gunicorn " + m[1], nil
			}
		}
		return "", fmt.Errorf("%s: Failed to find your WSGI_APPLICATION django setting. Add this to continue", filepath.Join(a.root, "manage.py"))
	}
	if a.includesFile("main.py") {
		return "python main.py", nil
	}
	if a.includesFile("pyproject.toml") {
		var py struct {
			Project *struct {
				Name      *string  `toml:"name"`
				Packages  []string `toml:"packages"`
				PyModules []string `toml:"py_modules"`
			} `toml:"project"`
		}
		data, err := os.ReadFile(filepath.Join(a.root, "pyproject.toml"))
		if err == nil && toml.Unmarshal(data, &py) == nil && py.Project != nil {
			switch {
			case len(py.Project.Packages) > 0:
				return "python -m " + py.Project.Packages[0], nil
			case len(py.Project.PyModules) > 0:
				return "python -m " + py.Project.PyModules[0], nil
			case py.Project.Name != nil:
				return "python -m " + *py.Project.Name, nil
			}
		}
	}
	return "", nil
}

// PythonAttr is the nixpkgs attribute of a CPython version: "3.11" or "3.11.4"
// → "python311"; "" for anything that is not 3.<minor>. Unlike the provider's
// choice (pythonPkgFor), it does not fall back to python3: it names what a
// store path or a version says, for explanations and fixes.
func PythonAttr(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 || parts[0] != "3" || parts[1] == "" {
		return ""
	}
	for _, r := range parts[1] {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return "python3" + parts[1]
}

// GCCRuntimeAttrs are attributes whose store path holds gcc's runtime libraries
// (libstdc++, libgcc_s): any of them provides what another names.
var GCCRuntimeAttrs = []string{"stdenv.cc.cc.lib", "stdenv.cc.cc", "gcc-unwrapped.lib", "gcc-unwrapped", "gcc.cc.lib", "gcc.cc"}

// pypiToNix are PyPI distributions whose nixpkgs python package has another
// name: a "-binary" wheel is the same library built from source in nixpkgs.
var pypiToNix = map[string]string{
	"psycopg2-binary":        "psycopg2",
	"psycopg-binary":         "psycopg",
	"opencv-python":          "opencv4",
	"opencv-python-headless": "opencv4",
	"opencv-contrib-python":  "opencv4",
	"pillow":                 "pillow",
	"scikit-learn":           "scikit-learn",
	"beautifulsoup4":         "beautifulsoup4",
}

// PythonPackageAttr is the attribute of a PyPI distribution in a nixpkgs
// python package set (ps.<attr> in withPackages): its normalised name, or the
// name nixpkgs gives it where that differs.
func PythonPackageAttr(dist string) string {
	n := strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(strings.TrimSpace(dist)))
	if a, ok := pypiToNix[n]; ok {
		return a
	}
	return n
}
