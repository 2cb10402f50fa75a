// Package python is the Nixpacks Python provider's plan decisions
// (src/providers/python.rs at railwayapp/nixpacks
// f51d7fd5872e6937a98870b5339ff3ce641499e3), kept as data where Nixpacks
// keeps constants and tables, and as one pure function over the app's files
// (an fs.FS) and the NIXPACKS_* environment that returns the provider's
// build plan.
package python

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate"
)

// The pinned nixpkgs revisions and the defaults python.rs names.
const (
	// Archive is PYTHON_NIXPKGS_ARCHIVE: Python 3.10 to 3.13 and the default
	// python3 come from it.
	Archive = "bc8f8d1be58e8c8383e683a06e1e1e57893fff87"
	// LegacyArchive is LEGACY_PYTHON_NIXPKGS_ARCHIVE (also Nixpacks'
	// NIXPKGS_ARCHIVE): Python 2.7 and 3.7 to 3.9.
	LegacyArchive = "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db"

	DefaultPackage = "python3"
	VenvDir        = "/opt/venv"
	PoetryVersion  = "1.3.1"
	PDMVersion     = "2.13.3"
	UVVersion      = "0.4.30"
	PipCacheDir    = "/root/.cache/pip"
	UVCacheDir     = "/root/.cache/uv"
	PDMCacheDir    = "/root/.cache/pdm"
)

// Interpreter is one row of get_nix_python_package's version match.
type Interpreter struct {
	Major, Minor string
	Package      string
	Archive      string
}

// Interpreters is the version table. Any other version, and no version,
// gives DefaultPackage from Archive. (Nixpacks also matches 2 with a missing
// minor, but its regex always captures the minor, as "", so a bare "2" gets
// the default; that row is left out here for the same reason.)
var Interpreters = []Interpreter{
	{"3", "13", "python313", Archive},
	{"3", "12", "python312", Archive},
	{"3", "11", "python311", Archive},
	{"3", "10", "python310", Archive},
	{"3", "9", "python39", LegacyArchive},
	{"3", "8", "python38", LegacyArchive},
	{"3", "7", "python37", LegacyArchive},
	{"2", "7", "python27", LegacyArchive},
}

// Variables is default_python_environment_variables.
var Variables = map[string]string{
	"PYTHONFAULTHANDLER":            "1",
	"PYTHONUNBUFFERED":              "1",
	"PYTHONHASHSEED":                "random",
	"PYTHONDONTWRITEBYTECODE":       "1",
	"PIP_NO_CACHE_DIR":              "1",
	"PIP_DISABLE_PIP_VERSION_CHECK": "1",
	"PIP_DEFAULT_TIMEOUT":           "100",
}

// SetupLibs and SetupPkgs are what every Python setup phase gets after the
// interpreter and the detected extras ("many Python packages need
// stdenv.cc.cc.lib and zlib").
var (
	SetupLibs = []string{"zlib", "stdenv.cc.cc.lib"}
	SetupPkgs = []string{"gcc"}
)

// Manager is a package manager NIXPACKS_PYTHON_PACKAGE_MANAGER can name.
type Manager string

const (
	Requirements Manager = "requirements"
	Setuptools   Manager = "setuptools"
	Poetry       Manager = "poetry"
	PDM          Manager = "pdm"
	UV           Manager = "uv"
	Pipenv       Manager = "pipenv"
	// Skip is "skip", and what auto-detection gives when no file matches:
	// an install phase with no commands.
	Skip Manager = "skip"
)

// Install is what one package manager's install phase holds.
type Install struct {
	// Cmd follows "python -m venv --copies /opt/venv && . /opt/venv/bin/activate && ".
	Cmd              string
	CacheDirectories []string
	OnlyIncludeFiles []string
}

// Installs is the install phase per manager; every one also puts
// /opt/venv/bin on the paths. Pipenv's command depends on Pipfile.lock and
// is PipenvLocked or PipenvUnlocked.
var Installs = map[Manager]Install{
	Requirements: {Cmd: "pip install -r requirements.txt", CacheDirectories: []string{PipCacheDir}},
	Poetry:       {Cmd: "pip install poetry==$NIXPACKS_POETRY_VERSION && poetry install --no-dev --no-interaction --no-ansi", CacheDirectories: []string{PipCacheDir}},
	PDM:          {Cmd: "pip install pdm==$NIXPACKS_PDM_VERSION && pdm install --prod", CacheDirectories: []string{PDMCacheDir, PipCacheDir}},
	UV:           {Cmd: "pip install uv==$NIXPACKS_UV_VERSION && uv sync --no-dev --frozen", CacheDirectories: []string{UVCacheDir}},
	Setuptools:   {Cmd: "pip install --upgrade build setuptools && pip install .", CacheDirectories: []string{PipCacheDir}, OnlyIncludeFiles: []string{"pyproject.toml"}},
	Pipenv:       {CacheDirectories: []string{PipCacheDir}},
}

// The two Pipenv install commands.
const (
	PipenvLocked   = "PIPENV_VENV_IN_PROJECT=1 pipenv install --deploy"
	PipenvUnlocked = "PIPENV_VENV_IN_PROJECT=1 pipenv install --skip-lock"
)

// CreateVenv is the prefix of every install command.
const CreateVenv = "python -m venv --copies " + VenvDir + " && . " + VenvDir + "/bin/activate && "

// StartOrder is start()'s detection order, first match wins: Django
// (manage.py and a django dependency) runs migrations then gunicorn on
// WSGI_APPLICATION's module; then main.py; then pyproject.toml's
// [project] packages[0], py_modules[0], name, as `python -m`.
var StartOrder = []string{"django", "main.py", "pyproject.toml"}

// App is the project as the provider reads it, rooted at the app directory.
type App struct {
	FS fs.FS
}

// IncludesFile is App::includes_file: a regular file at name.
func (a App) IncludesFile(name string) bool {
	st, err := fs.Stat(a.FS, name)
	return err == nil && st.Mode().IsRegular()
}

// ReadFile is App::read_file, CRLF turned into LF.
func (a App) ReadFile(name string) (string, error) {
	b, err := fs.ReadFile(a.FS, name)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}

func (a App) pyFiles() []string {
	var out []string
	_ = fs.WalkDir(a.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && path.Ext(p) == ".py" {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func (a App) findMatch(re *regexp.Regexp) bool {
	for _, f := range a.pyFiles() {
		if s, err := a.ReadFile(f); err == nil && re.MatchString(s) {
			return true
		}
	}
	return false
}

// UsesDep is uses_dep: a lower-cased substring search of requirements.txt,
// pyproject.toml and Pipfile (so "cairo" also matches "pycairo").
func (a App) UsesDep(dep string) bool {
	for _, f := range []string{"requirements.txt", "pyproject.toml", "Pipfile"} {
		if a.IncludesFile(f) {
			s, _ := a.ReadFile(f)
			if strings.Contains(strings.ToLower(s), dep) {
				return true
			}
		}
	}
	return false
}

var (
	postgresRE = regexp.MustCompile(`django.db.backends.postgresql`)
	mysqlRE    = regexp.MustCompile(`django\.db\.backends\.mysql|django_psdb_engine`)
	wsgiRE     = regexp.MustCompile(`WSGI_APPLICATION = ["|'](.*).application["|']`)
	versionRE  = regexp.MustCompile(`^(?:[\sa-zA-Z-"']*)(\d*)(?:\.*)(\d*)(?:\.*\d*)(?:["']?)$`)
	pipfileRE  = regexp.MustCompile(`(python_version|python_full_version) = ['|"]([0-9|.]*)`)
	spaceRE    = regexp.MustCompile(`\s+`)
)

// Detect is PythonProvider::detect.
func Detect(a App) bool {
	return a.IncludesFile("main.py") || a.IncludesFile("requirements.txt") ||
		a.IncludesFile("pyproject.toml") || a.IncludesFile("Pipfile")
}

func (a App) isDjango() bool { return a.IncludesFile("manage.py") && a.UsesDep("django") }

func (a App) usesPostgres() bool {
	return a.findMatch(postgresRE) || a.UsesDep("psycopg2") || a.UsesDep("psycopg")
}

// Metadata is PythonProvider::metadata: the labels after "python" in
// NIXPACKS_METADATA.
func Metadata(a App) []string {
	var m []string
	for _, l := range []struct {
		on   bool
		name string
	}{{a.isDjango(), "django"}, {a.usesPostgres(), "postgres"}, {a.IncludesFile("poetry.lock"), "poetry"}, {a.IncludesFile("pdm.lock"), "pdm"}} {
		if l.on {
			m = append(m, l.name)
		}
	}
	return m
}

// Interpreter picks the nix package and archive (get_nix_python_package).
// The order is Nixpacks' else-if chain: NIXPACKS_PYTHON_VERSION, but
// runtime.txt, a Pipfile or .tool-versions in the app override it (only
// .python-version yields to it), and a Pipfile without a python_version
// clears it. source says where the version came from ("" for none).
func (a App) Interpreter(env map[string]string) (pkg, archive, source string, err error) {
	custom, has := configVar(env, "PYTHON_VERSION")
	if has {
		source = "NIXPACKS_PYTHON_VERSION"
	}
	switch {
	case !has && a.IncludesFile(".python-version"):
		custom, err = a.ReadFile(".python-version")
		has, source = true, ".python-version"
	case a.IncludesFile("runtime.txt"):
		custom, err = a.ReadFile("runtime.txt")
		has, source = true, "runtime.txt"
	case a.IncludesFile("Pipfile"):
		var s string
		s, err = a.ReadFile("Pipfile")
		m := pipfileRE.FindStringSubmatch(s)
		has, source = m != nil, "Pipfile"
		if m != nil {
			custom = m[2]
		}
	case a.IncludesFile(".tool-versions"):
		var s string
		s, err = a.ReadFile(".tool-versions")
		v, ok := toolVersions(s)["python"]
		has, source = ok, ".tool-versions"
		if ok {
			parts := strings.Split(v, ".")
			if len(parts) < 2 {
				// Nixpacks indexes parts[1] here and panics.
				return "", "", source, fmt.Errorf(".tool-versions: python %q has no minor version", v)
			}
			custom = parts[0] + "." + parts[1]
		}
	}
	if err != nil {
		return "", "", source, err
	}
	if !has {
		return DefaultPackage, Archive, "", nil
	}
	m := versionRE.FindStringSubmatch(strings.TrimSpace(custom))
	if m != nil {
		for _, row := range Interpreters {
			if row.Major == m[1] && row.Minor == m[2] {
				return row.Package, row.Archive, source, nil
			}
		}
	}
	return DefaultPackage, Archive, source, nil
}

// toolVersions is asdf.rs parse_tool_versions_content.
func toolVersions(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") {
			continue
		}
		parts := spaceRE.Split(line, 2)
		if len(parts) == 2 {
			out[parts[0]] = parts[1]
		}
	}
	return out
}

func configVar(env map[string]string, name string) (string, bool) {
	v, ok := env["NIXPACKS_"+name]
	return strings.ReplaceAll(v, "\n", ""), ok
}

// ManagerFor is PackageManager::from_env then resolve. An unknown value is
// warned about by Nixpacks and auto-detected; warning says so.
func (a App) ManagerFor(env map[string]string) (m Manager, warning string) {
	v, ok := configVar(env, "PYTHON_PACKAGE_MANAGER")
	v = strings.ToLower(v)
	if ok && v != "auto" {
		if _, known := Installs[Manager(v)]; known || Manager(v) == Skip {
			return Manager(v), ""
		}
		warning = fmt.Sprintf("Warning: Unknown package manager '%s'. Using auto-detection.", v)
	}
	switch {
	case a.IncludesFile("requirements.txt"):
		return Requirements, warning
	case a.IncludesFile("pyproject.toml") && a.IncludesFile("poetry.lock"):
		return Poetry, warning
	case a.IncludesFile("pyproject.toml") && a.IncludesFile("pdm.lock"):
		return PDM, warning
	case a.IncludesFile("pyproject.toml") && a.IncludesFile("uv.lock"):
		return UV, warning
	case a.IncludesFile("pyproject.toml"):
		return Setuptools, warning
	case a.IncludesFile("Pipfile"):
		return Pipenv, warning
	}
	return Skip, warning
}

// ErrNoWSGI is get_django_app_name's error, in Nixpacks' words.
var ErrNoWSGI = errors.New("Failed to find your WSGI_APPLICATION django setting. Add this to continue.") //nolint:staticcheck // Nixpacks' own message, kept verbatim

// Start is PythonProvider::start; "" when nothing matches.
func (a App) Start() (string, error) {
	if a.isDjango() {
		for _, f := range a.pyFiles() {
			s, err := a.ReadFile(f)
			if err != nil {
				return "", err
			}
			if m := wsgiRE.FindStringSubmatch(s); m != nil {
				return "python manage.py migrate && gunicorn " + m[1], nil
			}
		}
		return "", ErrNoWSGI
	}
	if a.IncludesFile("main.py") {
		return "python main.py", nil
	}
	if a.IncludesFile("pyproject.toml") {
		s, err := a.ReadFile("pyproject.toml")
		if err != nil {
			return "", err
		}
		var py struct {
			Project *struct {
				Name      *string  `toml:"name"`
				Packages  []string `toml:"packages"`
				PyModules []string `toml:"py_modules"`
			} `toml:"project"`
		}
		if toml.Unmarshal([]byte(s), &py) == nil && py.Project != nil {
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

// Provider registers the Python provider with generate.Generate.
type Provider struct{}

// Name is "python".
func (Provider) Name() string { return "python" }

// Detect is PythonProvider::detect.
func (Provider) Detect(app fs.FS, _ map[string]string) (bool, error) {
	return Detect(App{FS: app}), nil
}

// Plan is PythonProvider::get_build_plan and metadata; warnings go nowhere,
// as Nixpacks only prints them.
func (Provider) Plan(app fs.FS, env map[string]string) (*generate.BuildPlan, []string, error) {
	a := App{FS: app}
	p, _, err := Plan(a, env)
	if err != nil {
		return nil, nil, err
	}
	return p, Metadata(a), nil
}

// Plan is PythonProvider::get_build_plan; the generator adds
// NIXPACKS_METADATA ("python" and Metadata). warnings are what Nixpacks
// prints to stderr.
func Plan(a App, env map[string]string) (plan *generate.BuildPlan, warnings []string, err error) {
	pkg, archive, _, err := a.Interpreter(env)
	if err != nil {
		return nil, nil, err
	}
	// Phase::setup(None) then add_nix_pkgs: nixOverlays becomes Some([]),
	// which the plan then prints as "nixOverlays": [].
	setup := generate.NewPhase("setup")
	setup.NixOverlays = []string{}
	setup.NixPkgs = []string{pkg}
	if a.usesPostgres() {
		setup.NixPkgs = append(setup.NixPkgs, "postgresql_16.dev")
	}
	if a.isDjango() && a.findMatch(mysqlRE) {
		setup.NixPkgs = append(setup.NixPkgs, "libmysqlclient.dev")
	}
	if a.IncludesFile("Pipfile") {
		setup.NixPkgs = append(setup.NixPkgs, "pipenv")
	}
	setup.NixpkgsArchive = generate.Str(archive)
	if a.UsesDep("cairo") {
		setup.NixLibs = append(setup.NixLibs, "cairo")
	}
	if a.UsesDep("pydub") {
		setup.NixPkgs = append(setup.NixPkgs, "ffmpeg-headless")
	}
	if a.UsesDep("pdf2image") {
		setup.NixPkgs = append(setup.NixPkgs, "poppler_utils")
	}
	setup.NixLibs = append(setup.NixLibs, SetupLibs...)
	setup.NixPkgs = append(setup.NixPkgs, SetupPkgs...)

	install := generate.NewPhase("install")
	install.DependsOn = []string{"setup"}
	m, warning := a.ManagerFor(env)
	if warning != "" {
		warnings = append(warnings, warning)
	}
	if m != Skip {
		in := Installs[m]
		cmd := in.Cmd
		if m == Pipenv {
			cmd = PipenvUnlocked
			if a.IncludesFile("Pipfile.lock") {
				cmd = PipenvLocked
			}
		}
		install.Cmds = []string{CreateVenv + cmd}
		install.OnlyIncludeFiles = cloneOrNil(in.OnlyIncludeFiles)
		install.Paths = []string{VenvDir + "/bin"}
		// add_cache_directory dedupes through a HashSet and sorts.
		install.CacheDirectories = slices.Sorted(slices.Values(in.CacheDirectories))
	}

	plan = &generate.BuildPlan{Phases: map[string]*generate.Phase{"setup": setup, "install": install}}
	start, err := a.Start()
	if err != nil {
		return nil, warnings, err
	}
	if start != "" {
		plan.Start = &generate.StartPhase{Cmd: generate.Str(start)}
	}
	plan.AddVariables(Variables)
	if a.IncludesFile("poetry.lock") {
		v := PoetryVersion
		if tv, ok := a.toolVersion("poetry"); ok {
			v = tv
		}
		plan.AddVariables(map[string]string{"NIXPACKS_POETRY_VERSION": v})
	}
	if a.IncludesFile("pdm.lock") {
		plan.AddVariables(map[string]string{"NIXPACKS_PDM_VERSION": PDMVersion})
	}
	if a.IncludesFile("uv.lock") {
		v := UVVersion
		if tv, ok := a.toolVersion("uv"); ok {
			v = tv
		}
		plan.AddVariables(map[string]string{"NIXPACKS_UV_VERSION": v, "UV_PROJECT_ENVIRONMENT": VenvDir})
	}
	return plan, warnings, nil
}

func (a App) toolVersion(tool string) (string, bool) {
	if !a.IncludesFile(".tool-versions") {
		return "", false
	}
	s, err := a.ReadFile(".tool-versions")
	if err != nil {
		return "", false
	}
	v, ok := toolVersions(s)[tool]
	return v, ok
}

func cloneOrNil(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string{}, s...)
}
