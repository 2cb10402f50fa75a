package nixpacks

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Plan is the build plan Nixpacks would produce, flattened for rendering.
type Plan struct {
	// Provider is the provider whose defaults apply ("python"), or "" when none was detected.
	Provider string
	// NixPkgs, NixLibs and AptPkgs gather every phase's lists, "..." resolved, duplicates dropped.
	NixPkgs, NixLibs, AptPkgs []string
	// InstallCmds and BuildCmds are the install and build phases' commands.
	InstallCmds, BuildCmds []string
	StartCmd, RunImage     string
	// Variables become image environment (Nixpacks: ARG + ENV before the phases).
	Variables map[string]string
	// Paths are PATH additions, in phase order.
	Paths []string
	// Notes say which choices were made and why, for the report.
	Notes []string

	// Dir is the directory, relative to the app root, Nixpacks ended up building:
	// "." unless the root produced no phases and had exactly one subdirectory,
	// in which case Nixpacks retries there.
	Dir string
	// BuildImage is the config's buildImage; empty means the default Nixpacks base image.
	BuildImage string
	// ConfigFile is the config file that was read, empty when none.
	ConfigFile string
	// Steps are the phases that run commands, in the order Nixpacks runs them
	// (dependency order, ties by name). Every command is its own RUN.
	Steps []Step
}

// Step is one phase's commands.
type Step struct {
	Phase string
	Cmds  []string
}

// Overrides are a later configuration merged onto the plan the way Nixpacks
// merges one: a list containing "..." extends the earlier one at that place, a
// list without it replaces it. Nil means not set. (A scenario's nixpacks
// overrides become these in the nixpacks builder.)
type Overrides struct {
	NixPkgs     []string
	NixLibs     []string
	AptPkgs     []string
	InstallCmds []string
	BuildCmds   []string
	StartCmd    string
	RunImage    string
}

// BuildPlan builds the plan for appRoot the way Nixpacks' generator does:
// provider plan, then the Procfile, then the config file, merged in that order
// with the "..." rules; then the variant's overrides are merged on top of that
// result with the same rules (so "..." in an override splices what the config
// file produced, and a list without it replaces it). python is the variant's
// Python version ("3.11"), treated like NIXPACKS_PYTHON_VERSION; on top of what
// Nixpacks does, a bare "python3" left in nixPkgs is replaced by the matching
// pythonXY so the variant's version is the one installed (noted in Notes).
func BuildPlan(appRoot string, cfg *Config, python string, overrides Overrides) (*Plan, error) {
	p, err := buildPlan1(appRoot, cfg, python, overrides)
	if err != nil {
		return nil, err
	}
	if p.Dir != "" {
		return p, nil
	}
	p.Dir = "."
	return p, nil
}

func buildPlan1(appRoot string, cfg *Config, python string, ov Overrides) (*Plan, error) {
	a := app{root: appRoot}
	out := &Plan{}
	cfgName := "the config"
	if cfg != nil {
		out.ConfigFile = cfg.File
		cfgName = cfg.File
		for _, ig := range cfg.Ignored {
			out.Notes = append(out.Notes, "ignored (accepted by Nixpacks, not part of the plan): "+ig)
		}
	}

	env := map[string]string{}
	if python != "" {
		env["NIXPACKS_PYTHON_VERSION"] = python
	}
	filePlan := fromConfig(cfg)
	for k, v := range filePlan.variables {
		env[k] = v // Nixpacks adds the file's variables to the environment providers see.
	}

	detected, err := Detect(appRoot)
	if err != nil {
		return nil, fmt.Errorf("detecting provider: %w", err)
	}
	var det []string
	if detected != "" {
		det = []string{detected}
	}
	manual := []string{"..."}
	if filePlan.providers != nil {
		manual = filePlan.providers
	}
	providers := removeAutos(fill(det, manual))
	for _, name := range providers {
		if !knownProvider(name) {
			return nil, fmt.Errorf("%s: providers: Provider %s not found (Nixpacks stops here; use a provider name such as python)", cfgName, name)
		}
	}

	providerPlan := &buildPlan{}
	switch {
	case len(providers) == 0:
		out.Notes = append(out.Notes, fmt.Sprintf("no provider detected at the app root %s (no main.py, requirements.txt, pyproject.toml or Pipfile there): no defaults, only %s applies", appRoot, describeCfg(cfg)))
	case providers[0] == "python":
		pp, notes, err := pythonProviderPlan(a, env)
		if err != nil {
			return nil, err
		}
		providerPlan = pp
		out.Provider = "python"
		out.Notes = append(out.Notes, notes...)
		out.Notes = append(out.Notes, "provider python: its setup (python, gcc; libs zlib, stdenv.cc.cc.lib), venv install and PATH defaults apply")
	default:
		out.Provider = providers[0]
		providerPlan.variables = map[string]string{"NIXPACKS_METADATA": providers[0]}
		out.Notes = append(out.Notes, fmt.Sprintf("provider %s wins (it comes before python in Nixpacks' order); only the Python provider's defaults are modelled, so nothing python-specific is added: the plan is %s", providers[0], describeCfg(cfg)))
	}
	for i, name := range providers {
		if i > 0 && name == "python" {
			return nil, fmt.Errorf("%s: providers %v puts python after %s: Nixpacks would add prefixed python:* phases, which this model does not reproduce; list python first", cfgName, providers, providers[0])
		}
	}
	if len(providers) > 1 {
		out.Notes = append(out.Notes, fmt.Sprintf("providers %v: only the first one's plan is modelled", providers))
	}

	procPlan, err := procfilePlan(a)
	if err != nil {
		return nil, err
	}
	plan := mergePlans(providerPlan, procPlan, filePlan)
	plan = merge(plan, overridesPlan(ov))
	if len(env) > 0 {
		if plan.variables == nil {
			plan.variables = map[string]string{}
		}
		for k, v := range env {
			plan.variables[k] = v
		}
	}
	plan.pin()

	if len(plan.phases) == 0 {
		if sub, ok := loneSubdir(appRoot); ok {
			subRoot := filepath.Join(appRoot, sub)
			subCfg, err := LoadConfig(subRoot)
			if err != nil {
				return nil, err
			}
			sp, err := buildPlan1(subRoot, subCfg, python, ov)
			if err != nil {
				return nil, err
			}
			if sp.Dir == "" {
				sp.Dir = sub
			} else {
				sp.Dir = filepath.ToSlash(filepath.Join(sub, sp.Dir))
			}
			sp.Notes = append([]string{fmt.Sprintf("the app root %s gave no phases and has one subdirectory, so Nixpacks builds %s instead", appRoot, sub)}, sp.Notes...)
			return sp, nil
		}
	}

	if python != "" {
		if want := pythonPkgForVersion(python); want != defaultPythonPkg {
			for _, name := range slices.Sorted(maps.Keys(plan.phases)) {
				ph := plan.phases[name]
				for i, pkg := range ph.nixPkgs {
					if pkg == defaultPythonPkg {
						ph.nixPkgs[i] = want
						out.Notes = append(out.Notes, fmt.Sprintf("phases.%s nixPkgs: python3 replaced by %s for Python %s", name, want, python))
					}
				}
			}
		}
	}

	phases, err := plan.sortedPhases()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgName, err)
	}
	sawBuild := false
	for _, ph := range phases {
		out.NixPkgs = append(out.NixPkgs, ph.nixPkgs...)
		out.NixLibs = append(out.NixLibs, ph.nixLibs...)
		out.AptPkgs = append(out.AptPkgs, ph.aptPkgs...)
		out.Paths = append(out.Paths, ph.paths...)
		if len(ph.cmds) > 0 {
			out.Steps = append(out.Steps, Step{Phase: ph.name, Cmds: append([]string(nil), ph.cmds...)})
			if ph.name == "build" {
				sawBuild = true
			}
			if ph.name == "install" && sawBuild {
				out.Notes = append(out.Notes, "the build phase runs before install: phases from a config file have no dependsOn without a provider, so Nixpacks orders them by name (add dependsOn = [\"install\"] to [phases.build] to change that)")
			}
		}
		switch ph.name {
		case "install":
			out.InstallCmds = append([]string(nil), ph.cmds...)
		case "build":
			out.BuildCmds = append([]string(nil), ph.cmds...)
		}
	}
	out.NixPkgs = Dedupe(out.NixPkgs)
	out.NixLibs = Dedupe(out.NixLibs)
	out.AptPkgs = Dedupe(out.AptPkgs)
	out.Paths = Dedupe(out.Paths)
	if plan.start != nil {
		if plan.start.cmd != nil {
			out.StartCmd = *plan.start.cmd
		}
		if plan.start.runImage != nil {
			out.RunImage = *plan.start.runImage
		}
	}
	if plan.buildImage != nil {
		out.BuildImage = *plan.buildImage
	}
	out.Variables = plan.variables
	return out, nil
}

func describeCfg(cfg *Config) string {
	if cfg == nil {
		return "nothing (no nixpacks.toml there either)"
	}
	return cfg.File
}

// pythonPkgForVersion maps "3.11" (or "3.11.4") to python311.
func pythonPkgForVersion(v string) string {
	m := pythonVersionRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return defaultPythonPkg
	}
	return pythonPkgFor(m[1], m[2])
}

func overridesPlan(ov Overrides) *buildPlan {
	bp := &buildPlan{}
	add := func(name string) *phase {
		if bp.phases == nil {
			bp.phases = map[string]*phase{}
		}
		if bp.phases[name] == nil {
			bp.phases[name] = &phase{name: name}
		}
		return bp.phases[name]
	}
	if ov.NixPkgs != nil {
		add("setup").nixPkgs = append([]string{}, ov.NixPkgs...)
	}
	if ov.NixLibs != nil {
		add("setup").nixLibs = append([]string{}, ov.NixLibs...)
	}
	if ov.AptPkgs != nil {
		add("setup").aptPkgs = append([]string{}, ov.AptPkgs...)
	}
	if ov.InstallCmds != nil {
		add("install").cmds = append([]string{}, ov.InstallCmds...)
	}
	if ov.BuildCmds != nil {
		add("build").cmds = append([]string{}, ov.BuildCmds...)
	}
	if ov.StartCmd != "" || ov.RunImage != "" {
		bp.start = &startPhase{}
		if ov.StartCmd != "" {
			s := ov.StartCmd
			bp.start.cmd = &s
		}
		if ov.RunImage != "" {
			s := ov.RunImage
			bp.start.runImage = &s
		}
	}
	return bp
}

// loneSubdir reports the only directory at root, counting every entry as
// Nixpacks does (hidden ones included).
func loneSubdir(root string) (string, bool) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return "", false
	}
	var dirs []string
	for _, e := range entries {
		info, err := os.Stat(filepath.Join(root, e.Name()))
		if err == nil && info.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) != 1 {
		return "", false
	}
	return dirs[0], true
}

// Dedupe drops repeated entries, keeping the first of each in place, as
// Nixpacks does when it merges package lists.
func Dedupe(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// procfilePlan is ProcfileProvider: web, else worker, else the first process by
// name starts the app; release runs after build.
func procfilePlan(a app) (*buildPlan, error) {
	bp := &buildPlan{}
	if !a.includesFile("Procfile") {
		return bp, nil
	}
	procs := map[string]string{}
	for i, line := range strings.Split(a.read("Procfile"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected \"name: command\"", filepath.Join(a.root, "Procfile"), i+1)
		}
		procs[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if rel, ok := procs["release"]; ok {
		bp.phases = map[string]*phase{"release": {name: "release", dependsOn: []string{"setup", "install", "build"}, cmds: []string{"...", rel}}}
		delete(procs, "release")
	}
	var cmd string
	switch {
	case procs["web"] != "":
		cmd = procs["web"]
	case procs["worker"] != "":
		cmd = procs["worker"]
	case len(procs) > 0:
		names := make([]string, 0, len(procs))
		for k := range procs {
			names = append(names, k)
		}
		sort.Strings(names)
		cmd = procs[names[0]]
	}
	if cmd != "" {
		bp.start = &startPhase{cmd: &cmd}
	}
	return bp, nil
}
