package railpack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Constants of core/providers/python/python.go.
const (
	DefaultPythonVersion = "3.13"
	uvCacheDir           = "/opt/uv-cache"
	pipCacheDir          = "/opt/pip-cache"
	VenvPath             = "/app/.venv"
	localBinPath         = "/root/.local/bin"
	playwrightCacheDir   = "/root/.cache/ms-playwright"
)

// Step names Railpack gives the Python plan.
const (
	StepAptBuild   = "packages:apt:build"
	StepMise       = "packages:mise"
	StepInstall    = "install"
	StepBuild      = "build"
	StepAptRuntime = "packages:apt:runtime"
)

// MiseOutputs are the paths the deploy image receives from the mise step
// (MiseStepBuilder.GetOutputPaths).
var MiseOutputs = []string{"/mise/shims", "/mise/installs", "/usr/local/bin/mise", "/etc/mise/config.toml", "/root/.local/state/mise"}

// NoProviderError is a project in which Railpack detects no provider.
type NoProviderError struct{ Dir string }

func (e *NoProviderError) Error() string {
	return fmt.Sprintf("%s: Railpack detects no provider: no requirements.txt, pyproject.toml, Pipfile or main.py/app.py/start.py/bot.py/hello.py/server.py in the app root; add one, or point the project root at the directory that has it", e.Dir)
}

// Option configures Generate.
type Option func(*options)

type options struct {
	env             map[string]string
	resolver        Resolver
	railpackVersion string
	overlay         *Config
}

// WithOverlay lays o over the config read from railpack.json and the
// variables, as an edit of the file would (Overlay).
func WithOverlay(o *Config) Option { return func(opts *options) { opts.overlay = o } }

// WithEnv sets the service variables the build sees (RAILPACK_* among them).
func WithEnv(env map[string]string) Option {
	return func(o *options) { o.env = maps.Clone(env) }
}

// WithResolver resolves mise versions. Without one, a version is left as
// requested ("3.13"): mise then installs the newest matching release itself.
func WithResolver(r Resolver) Option { return func(o *options) { o.resolver = r } }

// WithRailpackVersion sets RAILPACK_VERSION in the deploy variables ("dev" by default, as in Railpack's own tests).
func WithRailpackVersion(v string) Option { return func(o *options) { o.railpackVersion = v } }

// Generate makes the plan Railpack makes for the Python project in dir.
func Generate(ctx context.Context, dir string, opts ...Option) (*Result, error) {
	o := options{railpackVersion: "dev"}
	for _, opt := range opts {
		opt(&o)
	}
	if o.env == nil {
		o.env = map[string]string{}
	}
	cfg, err := LoadConfig(dir, o.env)
	if err != nil {
		return nil, fmt.Errorf("railpack config: %w", err)
	}
	if o.overlay != nil {
		cfg = Overlay(cfg, o.overlay)
	}
	g := &generator{a: app{root: dir}, env: o.env, cfg: cfg, res: &Result{Metadata: map[string]string{}}}
	detected := g.detect()
	if !detected && cfg.Provider == nil {
		return nil, &NoProviderError{Dir: dir}
	}
	if detected {
		g.res.Metadata["providers"] = "python"
		g.res.DetectedProviders = []string{"python"}
	}
	g.res.Warnings = append(g.res.Warnings, cfg.Ignored...)
	g.res.ConfigFile = cfg.File
	if err := g.plan(ctx, o.resolver, o.railpackVersion); err != nil {
		return nil, err
	}
	return g.res, nil
}

type generator struct {
	a   app
	env map[string]string
	cfg *Config
	res *Result

	tools    []*tool
	settings map[string]any

	buildApt  []string
	deployApt []string
}

type tool struct {
	name, version, source string
}

var mainPythonFiles = []string{"main.py", "app.py", "start.py", "bot.py", "hello.py", "server.py"}

func (g *generator) mainFile() string {
	for _, f := range mainPythonFiles {
		if g.a.has(f) {
			return f
		}
	}
	return ""
}

func (g *generator) detect() bool {
	return g.mainFile() != "" || g.a.has("requirements.txt") || g.a.has("pyproject.toml") || g.a.has("Pipfile")
}

func (g *generator) configVar(name string) string { return strings.TrimSpace(g.env["RAILPACK_"+name]) }

func (g *generator) truthy(name string) bool {
	v := strings.ToLower(g.configVar(name))
	return v == "1" || v == "true"
}

// usesDep is the provider's deliberately naive check: the name appears,
// case-insensitively, anywhere in any requirements.txt, pyproject.toml or
// Pipfile in the tree. "psycopg2-binary" therefore also "uses" psycopg2.
func (g *generator) usesDep(dep string) bool {
	dep = strings.ToLower(dep)
	for _, f := range g.a.walk(func(rel string) bool {
		b := path.Base(rel)
		return b == "requirements.txt" || b == "pyproject.toml" || b == "Pipfile"
	}) {
		if s, ok := g.a.read(f); ok && strings.Contains(strings.ToLower(s), dep) {
			return true
		}
	}
	return false
}

var (
	djangoPostgresRe = regexp.MustCompile(`django.db.backends.postgresql`)
	djangoMysqlRe    = regexp.MustCompile(`django.db.backends.mysql`)
)

func (g *generator) usesBinaryPsycopg() bool {
	return g.usesDep("psycopg2-binary") || g.usesDep("psycopg[binary]")
}

func (g *generator) usesPostgres() bool {
	if g.usesBinaryPsycopg() {
		return false
	}
	return g.usesDep("psycopg2") || g.usesDep("psycopg") || len(g.a.pyFilesMatching(djangoPostgresRe)) > 0
}

func (g *generator) usesMysql() bool {
	return g.usesDep("mysqlclient") || len(g.a.pyFilesMatching(djangoMysqlRe)) > 0
}

// Apt packages some dependencies need (pythonBuildDepRequirements and
// pythonRuntimeDepRequirements in python.go).
var (
	buildDeps   = map[string][]string{"pycairo": {"libcairo2-dev"}}
	runtimeDeps = map[string][]string{
		"pycairo":   {"libcairo2"},
		"pdf2image": {"poppler-utils"},
		"pydub":     {"ffmpeg"},
		"pymovie":   {"ffmpeg", "qt5-qmake", "qtbase5-dev", "qtbase5-dev-tools", "qttools5-dev-tools", "libqt5core5a", "python3-pyqt5"},
	}
	playwrightRuntimeDeps = []string{"libasound2", "libatk-bridge2.0-0", "libatk1.0-0", "libatspi2.0-0", "libcairo2", "libcups2", "libdbus-1-3", "libdrm2", "libgbm1", "libglib2.0-0", "libnspr4", "libnss3", "libpango-1.0-0", "libx11-6", "libxcb1", "libxcomposite1", "libxdamage1", "libxext6", "libxfixes3", "libxkbcommon0", "libxrandr2"}
)

func pythonEnv() map[string]string {
	return map[string]string{
		"PYTHONFAULTHANDLER":            "1",
		"PYTHONUNBUFFERED":              "1",
		"PYTHONHASHSEED":                "random",
		"PYTHONDONTWRITEBYTECODE":       "1",
		"PIP_DISABLE_PIP_VERSION_CHECK": "1",
		"PIP_DEFAULT_TIMEOUT":           "100",
	}
}

func (g *generator) plan(ctx context.Context, resolver Resolver, railpackVersion string) error {
	a := g.a
	g.settings = map[string]any{}
	caches := map[string]*Cache{}

	// Versions, in Railpack's order: each later source overrides the earlier.
	g.applyConfigPackages()
	g.misePackages()

	// install and build steps
	install := Step{Name: StepInstall, Inputs: []Layer{{Step: StepMise}}, Variables: map[string]string{}}
	install.Secrets = g.secretsWithPrefixes("PYTHON", "PIP", "PIPX", "UV", "PDM", "POETRY")
	build := Step{Name: StepBuild, Secrets: []string{"*"}}
	var outputs []string
	switch {
	case a.has("requirements.txt"):
		caches["pip"] = &Cache{Directory: pipCacheDir, Type: "shared"}
		install.Caches = []string{"pip"}
		maps.Copy(install.Variables, pythonEnv())
		maps.Copy(install.Variables, map[string]string{"PIP_CACHE_DIR": pipCacheDir, "VIRTUAL_ENV": VenvPath})
		install.Commands = append(install.Commands, execCmd("python -m venv "+VenvPath), pathCmd(VenvPath+"/bin"))
		g.copyInstallFiles(&install)
		install.Commands = append(install.Commands, execCmd("pip install -r requirements.txt"))
		outputs = []string{VenvPath}
	case a.has("pyproject.toml") && a.has("uv.lock"):
		caches["uv"] = &Cache{Directory: uvCacheDir, Type: "shared"}
		install.Caches = []string{"uv"}
		maps.Copy(install.Variables, map[string]string{"UV_COMPILE_BYTECODE": "1", "UV_LINK_MODE": "copy", "UV_CACHE_DIR": uvCacheDir, "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": VenvPath})
		maps.Copy(install.Variables, pythonEnv())
		g.copyInstallFiles(&install)
		install.Commands = append(install.Commands, pathCmd(localBinPath), pathCmd(VenvPath+"/bin"), execCmd("uv sync --locked --no-dev --no-install-project"))
		build.Commands = append(build.Commands, execCmd("uv sync --locked --no-dev --no-editable"))
		outputs = []string{VenvPath}
	case a.has("pyproject.toml") && a.has("poetry.lock"):
		maps.Copy(install.Variables, pythonEnv())
		maps.Copy(install.Variables, map[string]string{"VIRTUAL_ENV": VenvPath, "POETRY_VIRTUALENVS_PATH": VenvPath, "POETRY_VIRTUALENVS_IN_PROJECT": "true"})
		g.copyInstallFiles(&install)
		install.Commands = append(install.Commands, pathCmd(localBinPath), pathCmd(VenvPath+"/bin"), execCmd("poetry install --no-interaction --no-ansi --only main --no-root"))
		outputs = []string{VenvPath}
	case a.has("pyproject.toml") && a.has("pdm.lock"):
		maps.Copy(install.Variables, pythonEnv())
		install.Variables["PDM_CHECK_UPDATE"] = "false"
		g.copyInstallFiles(&install)
		install.Commands = append(install.Commands, pathCmd(localBinPath), pathCmd(VenvPath+"/bin"), execCmd("pdm install --check --prod --no-editable"))
		outputs = []string{VenvPath}
	case a.has("Pipfile"):
		maps.Copy(install.Variables, pythonEnv())
		maps.Copy(install.Variables, map[string]string{"PIPENV_CHECK_UPDATE": "false", "PIPENV_VENV_IN_PROJECT": "1", "PIPENV_IGNORE_VIRTUALENVS": "1"})
		install.Commands = append(install.Commands, pathCmd(localBinPath), pathCmd(VenvPath+"/bin"))
		if a.has("Pipfile.lock") {
			install.Commands = append(install.Commands, copyCmd("Pipfile"), copyCmd("Pipfile.lock"), execCmd("pipenv install --deploy --ignore-pipfile"))
		} else {
			install.Commands = append(install.Commands, copyCmd("Pipfile"), execCmd("pipenv install --skip-lock"))
		}
		outputs = []string{VenvPath}
	default:
		// A pyproject.toml with no lock file, or only a main.py: Railpack
		// installs nothing and still copies the source.
		g.res.Warnings = append(g.res.Warnings, "no requirements.txt, uv.lock, poetry.lock, pdm.lock or Pipfile: Railpack installs no dependencies")
	}

	if g.truthy("PYTHON_PLAYWRIGHT_INSTALL") {
		install.Commands = append(install.Commands, execCmd("playwright install --only-shell"))
		outputs = append(outputs, playwrightCacheDir)
	} else if g.usesProductionDep("playwright") {
		g.res.Warnings = append(g.res.Warnings, "Set `RAILPACK_PYTHON_PLAYWRIGHT_INSTALL=1` to install Playwright browsers")
	}

	g.res.Metadata["pythonPackageManager"] = metadataManager(a)
	g.res.Metadata["pythonRuntime"] = g.runtime()
	if a.has(".dockerignore") {
		g.res.Metadata["dockerIgnore"] = "true"
	}
	build.Inputs = []Layer{{Step: StepInstall}, {Local: true, Include: []string{"."}}}
	// A step config without "..." replaces the provider's commands
	// (applyConfig, plan.Spread); the variables make exactly such a config
	// (GenerateConfigFromEnvironment).
	if c := g.cfg.InstallCmd; c != "" {
		install.Commands = []Command{copyCmd("."), execNamed("sh -c '"+c+"'", c)}
	}
	if c := g.cfg.BuildCmd; c != "" {
		build.Commands = []Command{copyCmd("."), execNamed("sh -c '"+c+"'", c)}
	}

	startCmd := g.startCommand()
	if web := g.procfileCommand(); web != "" {
		startCmd = web
	}
	deployVars := pythonEnv()

	// Runtime apt packages (AddRuntimeDeps), then build ones (GetBuilderDeps).
	for _, dep := range slices.Sorted(maps.Keys(runtimeDeps)) {
		if g.usesDep(dep) {
			g.deployApt = append(g.deployApt, runtimeDeps[dep]...)
		}
	}
	if g.truthy("PYTHON_PLAYWRIGHT_INSTALL") {
		g.deployApt = append(g.deployApt, playwrightRuntimeDeps...)
	}
	postgres, mysql := g.usesPostgres(), g.usesMysql()
	if postgres {
		g.deployApt = append(g.deployApt, "libpq5")
	}
	if mysql {
		g.deployApt = append(g.deployApt, "default-mysql-client")
	}
	for _, dep := range slices.Sorted(maps.Keys(buildDeps)) {
		if g.usesDep(dep) {
			g.buildApt = append(g.buildApt, buildDeps[dep]...)
		}
	}
	if postgres {
		g.buildApt = append(g.buildApt, "libpq-dev")
	}
	if mysql {
		g.buildApt = append(g.buildApt, "default-libmysqlclient-dev")
	}
	g.setting("python.compile", false)

	// applyConfig (core/generate/context.go): config is laid over what the
	// provider decided.
	g.applyConfigPackages()
	g.applyBuildApt()
	if g.cfg.Deploy.StartCmd != "" {
		startCmd = g.cfg.Deploy.StartCmd
	}
	if g.cfg.Deploy.AptPackages != nil && !slices.Contains(g.cfg.Deploy.AptPackages, "...") {
		g.res.Warnings = append(g.res.Warnings, "Add `...` to `deploy.aptPackages` to retain Railpack packages")
	}
	g.res.ProviderDeployApt = slices.Clone(g.deployApt)
	g.deployApt = spreadStrings(g.cfg.Deploy.AptPackages, g.deployApt)
	for _, p := range g.res.ProviderDeployApt {
		if !slices.Contains(g.deployApt, p) {
			g.res.DroppedDeployApt = append(g.res.DroppedDeployApt, p)
		}
	}
	maps.Copy(deployVars, g.cfg.Deploy.Variables)

	resolved, err := g.resolve(ctx, resolver)
	if err != nil {
		return err
	}
	g.res.ResolvedPackages = resolved

	// Steps, in the order GenerateContext.Generate builds them.
	p := &BuildPlan{Caches: caches, Secrets: dedupe(g.cfg.Secrets)}
	miseBase := Layer{Image: BuilderImage}
	if len(g.buildApt) > 0 {
		p.Steps = append(p.Steps, aptStep(StepAptBuild, miseBase, g.buildApt))
		miseBase = Layer{Step: StepAptBuild}
	}
	mise, err := g.miseStep(miseBase, resolved)
	if err != nil {
		return err
	}
	p.Steps = append(p.Steps, mise, install, build)

	deployBase := Layer{Image: RuntimeImage}
	if len(g.deployApt) > 0 {
		p.Steps = append(p.Steps, aptStep(StepAptRuntime, deployBase, g.deployApt))
		deployBase = Layer{Step: StepAptRuntime}
	}
	if len(g.buildApt) > 0 || len(g.deployApt) > 0 {
		caches["apt"] = &Cache{Directory: "/var/cache/apt", Type: "locked"}
		caches["apt-lists"] = &Cache{Directory: "/var/lib/apt/lists", Type: "locked"}
	}
	deployVars["RAILPACK_VERSION"] = railpackVersion
	p.Deploy = Deploy{
		Base: deployBase,
		Inputs: []Layer{
			stepLayer(StepMise, slices.Clone(MiseOutputs), nil),
			// With no install outputs this layer has no include: Railpack's
			// Normalize keeps it, and it copies nothing.
			stepLayer(StepBuild, outputs, nil),
			stepLayer(StepBuild, []string{"."}, []string{strings.TrimPrefix(VenvPath, "/app/")}),
		},
		StartCmd:  startCmd,
		Variables: deployVars,
		Paths:     g.cfg.Deploy.Paths,
	}
	if len(p.Caches) == 0 {
		p.Caches = nil
	}
	if startCmd == "" {
		g.res.Warnings = append(g.res.Warnings, NoStartWarning)
	}
	g.res.Plan = p
	return nil
}

// NoStartWarning is the warning of a plan without a start command. A caller
// that also knows the platform's start command (which replaces the plan's) says
// it instead, once that is resolved.
const NoStartWarning = "no start command: Railpack starts /bin/bash, and on Railway the build fails; set deploy.startCommand or add a main.py"

func metadataManager(a app) string {
	switch {
	case a.has("poetry.lock"):
		return "poetry"
	case a.has("pdm.lock"):
		return "pdm"
	case a.has("uv.lock"):
		return "uv"
	}
	return "pip"
}

func (g *generator) runtime() string {
	switch {
	case g.isDjango():
		return "django"
	case g.usesDep("flask"):
		return "flask"
	case g.usesDep("fastapi"):
		return "fastapi"
	case g.usesDep("python-fasthtml"):
		return "fasthtml"
	}
	return "python"
}

func (g *generator) isDjango() bool { return g.a.has("manage.py") && g.usesDep("django") }

var wsgiRe = regexp.MustCompile(`WSGI_APPLICATION = ["'](.*).application["']`)

// startCommand is GetStartCommand: a later framework match replaces an
// earlier one, so a project with Flask and FastAPI gets gunicorn.
func (g *generator) startCommand() string {
	cmd := ""
	if g.isDjango() {
		name := g.configVar("DJANGO_APP_NAME")
		if name == "" {
			for _, f := range g.a.walk(func(rel string) bool { return strings.HasSuffix(rel, ".py") }) {
				s, _ := g.a.read(f)
				if m := wsgiRe.FindStringSubmatch(s); len(m) > 1 {
					name = m[1]
					break
				}
			}
		}
		if name != "" {
			cmd = fmt.Sprintf("python manage.py migrate && gunicorn --bind 0.0.0.0:${PORT:-8000} %s:application", name)
		}
	}
	main := g.mainFile()
	if g.usesDep("python-fasthtml") && main != "" && g.usesDep("uvicorn") {
		cmd = "uvicorn main:app --host 0.0.0.0 --port ${PORT:-8000}"
	}
	if g.usesDep("fastapi") && main != "" && g.usesDep("uvicorn") {
		cmd = "uvicorn main:app --host 0.0.0.0 --port ${PORT:-8000}"
	}
	if g.usesDep("flask") && main != "" && g.usesDep("gunicorn") {
		cmd = "gunicorn --bind 0.0.0.0:${PORT:-8000} main:app"
	}
	if cmd == "" && main != "" {
		cmd = "python " + main
	}
	return cmd
}

// procfileCommand is the procfile provider: web, else worker, else any.
func (g *generator) procfileCommand() string {
	s, ok := g.a.read("Procfile")
	if !ok {
		return ""
	}
	procs := map[string]string{}
	var order []string
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		k = strings.TrimSpace(k)
		procs[k] = strings.TrimSpace(v)
		order = append(order, k)
	}
	if procs["web"] != "" {
		return procs["web"]
	}
	if procs["worker"] != "" {
		return procs["worker"]
	}
	for _, k := range order {
		if procs[k] != "" {
			return procs[k]
		}
	}
	return ""
}

var installPatterns = []string{"requirements.txt", "pyproject.toml", "Pipfile", "poetry.lock", "uv.lock", "pdm.lock"}

// copyInstallFiles copies only the dependency files into the install step, so
// that step stays cached while the source changes, unless a dependency
// points at local files; then the whole source is an input.
func (g *generator) copyInstallFiles(install *Step) {
	if g.installNeedsAllFiles() {
		install.Inputs = append(install.Inputs, Layer{Local: true, Include: []string{"."}})
		return
	}
	for _, f := range installPatterns {
		if g.a.has(f) {
			install.Commands = append(install.Commands, copyCmd(f))
		}
	}
}

func (g *generator) installNeedsAllFiles() bool {
	if s, ok := g.a.read("requirements.txt"); ok {
		return strings.Contains(s, "file://")
	}
	s, ok := g.a.read("pyproject.toml")
	if !ok {
		return false
	}
	if strings.Contains(s, "file://") || strings.Contains(s, "path = ") {
		return true
	}
	var doc struct {
		Tool struct {
			UV map[string]any `toml:"uv"`
		} `toml:"tool"`
	}
	if toml.Unmarshal([]byte(s), &doc) == nil {
		_, ok := doc.Tool.UV["workspace"]
		return ok
	}
	return false
}

var depNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*`)
var depSepRe = regexp.MustCompile(`[-_.]+`)

func normDep(s string) string { return depSepRe.ReplaceAllString(strings.ToLower(s), "-") }

// usesProductionDep parses the manifest the install reads (dependencies.go),
// unlike usesDep.
func (g *generator) usesProductionDep(dep string) bool {
	specMatches := func(spec string) bool { return normDep(depNameRe.FindString(strings.TrimSpace(spec))) == normDep(dep) }
	if s, ok := g.a.read("requirements.txt"); ok {
		return slices.ContainsFunc(strings.Split(s, "\n"), specMatches)
	}
	if g.a.has("pyproject.toml") {
		for _, f := range g.a.walk(func(rel string) bool { return path.Base(rel) == "pyproject.toml" }) {
			s, _ := g.a.read(f)
			var m struct {
				Project struct {
					Dependencies []string `toml:"dependencies"`
				} `toml:"project"`
				Tool struct {
					Poetry struct {
						Dependencies map[string]any `toml:"dependencies"`
					} `toml:"poetry"`
				} `toml:"tool"`
			}
			if toml.Unmarshal([]byte(s), &m) != nil {
				continue
			}
			if slices.ContainsFunc(m.Project.Dependencies, specMatches) {
				return true
			}
			for k := range m.Tool.Poetry.Dependencies {
				if normDep(k) == normDep(dep) {
					return true
				}
			}
		}
		return false
	}
	if s, ok := g.a.read("Pipfile"); ok {
		var m struct {
			Packages map[string]any `toml:"packages"`
		}
		if toml.Unmarshal([]byte(s), &m) == nil {
			for k := range m.Packages {
				if normDep(k) == normDep(dep) {
					return true
				}
			}
		}
	}
	return false
}

func (g *generator) secretsWithPrefixes(prefixes ...string) []string {
	var out []string
	for name := range g.env {
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				out = append(out, name)
				break
			}
		}
	}
	sort.Strings(out)
	return dedupe(out)
}

// applyBuildApt is applyBuildAptPackages: at this commit a list without "..."
// still keeps the provider's packages (Railpack logs a deprecation and
// prepends "..." itself), unlike deploy.aptPackages.
func (g *generator) applyBuildApt() {
	cfg := g.cfg.BuildAptPackages
	if cfg == nil {
		return
	}
	if !slices.Contains(cfg, "...") {
		g.res.Warnings = append(g.res.Warnings, "`buildAptPackages` without a `...` entry will replace Railpack packages in the future")
		cfg = append([]string{"..."}, cfg...)
	}
	g.buildApt = spreadStrings(cfg, g.buildApt)
}

// spreadStrings is plan.SpreadStrings: nil keeps right, "..." inserts right,
// anything else replaces it.
func spreadStrings(left, right []string) []string {
	if left == nil {
		return right
	}
	out := []string{}
	for _, v := range left {
		if v == "..." {
			out = append(out, right...)
		} else {
			out = append(out, v)
		}
	}
	return out
}

// aptStep is NewAptInstallCommand in its own step: packages deduplicated and
// sorted, run through sh -c because of the &&.
func aptStep(name string, base Layer, pkgs []string) Step {
	pkgs = dedupe(pkgs)
	sort.Strings(pkgs)
	list := strings.Join(pkgs, " ")
	return Step{
		Name:     name,
		Inputs:   []Layer{base},
		Commands: []Command{execNamed("sh -c 'apt-get update && apt-get install -y "+list+"'", "install apt packages: "+list)},
		Caches:   []string{"apt", "apt-lists"},
	}
}

// ErrNoProvider is matched by errors.Is for a *NoProviderError.
var ErrNoProvider = errors.New("railpack: no provider")

// Is lets errors.Is(err, ErrNoProvider) match.
func (e *NoProviderError) Is(target error) bool { return target == ErrNoProvider }
