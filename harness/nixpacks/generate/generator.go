package generate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

// Provider is one Nixpacks provider as the plan generator calls it
// (src/providers/mod.rs). A provider is a value registered by passing it to
// Generate; the generator has no list of its own.
type Provider interface {
	Name() string
	Detect(app fs.FS, env map[string]string) (bool, error)
	// Plan is get_build_plan (nil for None); metadata are the labels
	// NIXPACKS_METADATA lists after the provider's name.
	Plan(app fs.FS, env map[string]string) (plan *BuildPlan, metadata []string, err error)
}

// Generated is a plan as the generator returns it.
type Generated struct {
	Plan *BuildPlan
	// Dir is "" or the only subdirectory the plan was made from: a root that
	// gives no phases and holds exactly one directory is tried again there.
	Dir string
	// Providers are the providers whose plans were merged, in order.
	Providers []string
}

// Generate is NixpacksBuildPlanGenerator::get_build_plan (generator.rs:59)
// for an app with no CLI plan: the config file's plan and the NIXPACKS_*
// environment's, the providers' (the first of providers that detects, unless
// the plan's providers list says otherwise; later ones get prefixed phases),
// the Procfile's, merged in that order; every environment variable (the
// config's [variables] included) added to the plan; pinned, on Debian when
// NIXPACKS_DEBIAN is truthy. providers must be in Nixpacks' detection order
// (providers/mod.rs get_providers).
func Generate(app fs.FS, env map[string]string, providers ...Provider) (*Generated, error) {
	return GenerateWithCLI(app, env, nil, providers...)
}

// GenerateWithCLI is Generate with a CLI plan: what `nixpacks build` takes
// from its flags (--pkgs, --libs, --apt, --install-cmd, --build-cmd,
// --start-cmd) or from --config, merged after the config file's and the
// environment's plans (generator.rs: plan_before_providers).
func GenerateWithCLI(app fs.FS, env map[string]string, cli *BuildPlan, providers ...Provider) (*Generated, error) {
	file, err := ReadConfig(app, env)
	if err != nil {
		return nil, err
	}
	if cli == nil {
		cli = &BuildPlan{}
	}
	before := MergePlans(file, FromEnvironment(env), cli)
	newEnv := maps.Clone(env)
	if newEnv == nil {
		newEnv = map[string]string{}
	}
	maps.Copy(newEnv, before.Variables)

	fromProviders, used, err := providersPlan(app, newEnv, before.Providers, providers)
	if err != nil {
		return nil, err
	}
	procfile, err := ProcfilePlan(app)
	if err != nil {
		return nil, err
	}
	plan := MergePlans(fromProviders, procfile, before)
	if len(newEnv) > 0 {
		plan.AddVariables(newEnv)
	}
	plan.Pin(isTruthy(newEnv, "DEBIAN"))
	if len(plan.Phases) == 0 {
		if dir, ok := loneDir(app); ok {
			sub, err := fs.Sub(app, dir)
			if err != nil {
				return nil, err
			}
			g, err := GenerateWithCLI(sub, env, cli, providers...)
			if err != nil {
				return nil, err
			}
			g.Dir = path.Join(dir, g.Dir)
			return g, nil
		}
	}
	return &Generated{Plan: plan, Providers: used}, nil
}

// ProviderNames is get_all_providers: the first provider that detects,
// spliced into the plan's providers list at "..." (no list is ["..."]).
func ProviderNames(app fs.FS, env map[string]string, manual []string, providers []Provider) ([]string, error) {
	var detected []string
	for _, p := range providers {
		ok, err := p.Detect(app, env)
		if err != nil {
			return nil, fmt.Errorf("provider %s: %w", p.Name(), err)
		}
		if ok {
			detected = []string{p.Name()}
			break
		}
	}
	if manual == nil {
		manual = []string{"..."}
	}
	return RemoveAutos(FillAuto(detected, manual)), nil
}

func providersPlan(app fs.FS, env map[string]string, manual []string, providers []Provider) (*BuildPlan, []string, error) {
	names, err := ProviderNames(app, env, manual, providers)
	if err != nil {
		return nil, nil, err
	}
	plan := &BuildPlan{}
	var metadata, used []string
	for n, name := range names {
		i := slices.IndexFunc(providers, func(p Provider) bool { return p.Name() == name })
		if i < 0 {
			return nil, nil, fmt.Errorf("Provider %s not found", name) //nolint:staticcheck // Nixpacks' own message
		}
		p := providers[i]
		pp, labels, err := p.Plan(app, env)
		if err != nil {
			return nil, nil, fmt.Errorf("provider %s: %w", name, err)
		}
		if pp == nil {
			continue
		}
		// All but the first provider have their phases prefixed.
		if n > 0 {
			pp.prefixPhases(name)
		}
		used = append(used, name)
		metadata = append(metadata, strings.Join(append([]string{name}, labels...), ","))
		plan = Merge(pp, plan)
	}
	if len(names) > 0 {
		plan.AddVariables(map[string]string{"NIXPACKS_METADATA": strings.Join(metadata, ",")})
	}
	return plan, used, nil
}

// prefixPhases is BuildPlan::prefix_phases.
func (p *BuildPlan) prefixPhases(prefix string) {
	if p.Phases == nil {
		return
	}
	out := map[string]*Phase{}
	for name, ph := range p.Phases {
		ph = ph.Clone()
		ph.Name = Str(prefix + ":" + name)
		if ph.DependsOn != nil {
			for i, d := range ph.DependsOn {
				ph.DependsOn[i] = prefix + ":" + d
			}
		}
		out[*ph.Name] = ph
	}
	p.Phases = out
}

// FromEnvironment is BuildPlan::from_environment: NIXPACKS_PKGS,
// NIXPACKS_APT_PKGS and NIXPACKS_LIBS extend the setup phase ("..."
// appended), NIXPACKS_INSTALL_CMD and NIXPACKS_BUILD_CMD (with their
// *_CACHE_DIRS) make install and build phases, NIXPACKS_START_CMD the start
// command. PKGS and APT_PKGS split on spaces and commas; LIBS on single
// spaces only, as Nixpacks does.
func FromEnvironment(env map[string]string) *BuildPlan {
	plan := &BuildPlan{Phases: map[string]*Phase{}}
	setup := NewPhase("setup")
	used := false
	if v, ok := configVar(env, "PKGS"); ok {
		setup.NixPkgs, used = append(splitEnv(v), "..."), true
	}
	if v, ok := configVar(env, "APT_PKGS"); ok {
		setup.AptPkgs, used = append(splitEnv(v), "..."), true
	}
	if v, ok := configVar(env, "LIBS"); ok {
		setup.NixLibs, used = append(strings.Split(v, " "), "..."), true
	}
	if used {
		plan.Phases["setup"] = setup
	}
	for _, ph := range []struct{ name, cmd, cache, dep string }{
		{"install", "INSTALL_CMD", "INSTALL_CACHE_DIRS", "setup"},
		{"build", "BUILD_CMD", "BUILD_CACHE_DIRS", "install"},
	} {
		cmd, ok := configVar(env, ph.cmd)
		if !ok {
			continue
		}
		p := &Phase{Name: Str(ph.name), Cmds: []string{cmd}, DependsOn: []string{ph.dep}}
		if dirs, ok := configVar(env, ph.cache); ok {
			for _, d := range splitEnv(dirs) {
				p.AddCacheDirectory(d)
			}
		}
		plan.Phases[ph.name] = p
	}
	if cmd, ok := configVar(env, "START_CMD"); ok {
		plan.Start = &StartPhase{Cmd: Str(cmd)}
	}
	return plan
}

// AddCacheDirectory is Phase::add_cache_directory: deduplicated, sorted.
func (p *Phase) AddCacheDirectory(dir string) {
	dirs := append(cloneSlice(p.CacheDirectories), dir)
	slices.Sort(dirs)
	p.CacheDirectories = slices.Compact(dirs)
}

func splitEnv(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
}

// configVar is Environment::get_config_variable: NIXPACKS_<name>, newlines removed.
func configVar(env map[string]string, name string) (string, bool) {
	v, ok := env["NIXPACKS_"+name]
	return strings.ReplaceAll(v, "\n", ""), ok
}

func isTruthy(env map[string]string, name string) bool {
	v, _ := configVar(env, name)
	return v == "1" || v == "true"
}

// ReadConfig is read_file_plan: NIXPACKS_CONFIG_FILE (which must exist),
// else nixpacks.toml, else nixpacks.json, at the app root; an empty plan
// when there is none.
func ReadConfig(app fs.FS, env map[string]string) (*BuildPlan, error) {
	name := ""
	if v, ok := configVar(env, "CONFIG_FILE"); ok {
		if !isFile(app, v) {
			return nil, fmt.Errorf("Config file %s does not exist", v) //nolint:staticcheck // Nixpacks' own message
		}
		name = v
	} else if isFile(app, "nixpacks.toml") {
		name = "nixpacks.toml"
	} else if isFile(app, "nixpacks.json") {
		name = "nixpacks.json"
	}
	if name == "" {
		return &BuildPlan{}, nil
	}
	data, err := fs.ReadFile(app, name)
	if err != nil {
		return nil, fmt.Errorf("Failed to read Nixpacks config file `%s`: %w", name, err) //nolint:staticcheck // Nixpacks' own message
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	var p *BuildPlan
	switch path.Ext(name) {
	case ".toml":
		p, err = ParsePlanTOML(data)
	case ".json":
		p, err = ParsePlan(data)
	default:
		return nil, fmt.Errorf("Unknown file type: %s", name) //nolint:staticcheck // Nixpacks' own message
	}
	if err != nil {
		return nil, fmt.Errorf("Failed to parse Nixpacks config file `%s`: %w", name, err) //nolint:staticcheck // Nixpacks' own message
	}
	return p, nil
}

// ParsePlanTOML is BuildPlan::from_toml: the same fields and aliases as the
// JSON form. Syntax errors carry TOML's line and column.
func ParsePlanTOML(data []byte) (*BuildPlan, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, fmt.Errorf("line %d, column %d: %s", line, col, de.Error())
		}
		return nil, err
	}
	j, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return ParsePlan(j)
}

// ProcfilePlan is ProcfileProvider::get_build_plan: the Procfile (YAML)
// gives the start command (web, else worker, else the first process by
// name) and a release phase after setup, install and build.
func ProcfilePlan(app fs.FS) (*BuildPlan, error) {
	plan := &BuildPlan{}
	if !isFile(app, "Procfile") {
		return plan, nil
	}
	data, err := fs.ReadFile(app, "Procfile")
	if err != nil {
		return nil, fmt.Errorf("Reading Procfile: %w", err) //nolint:staticcheck // Nixpacks' own message
	}
	procs := map[string]string{}
	if err := yaml.Unmarshal(bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n")), &procs); err != nil {
		return nil, fmt.Errorf("Reading Procfile: %w", err) //nolint:staticcheck // Nixpacks' own message
	}
	if rel, ok := procs["release"]; ok {
		plan.Phases = map[string]*Phase{"release": {Name: Str("release"),
			DependsOn: []string{"setup", "install", "build"}, Cmds: []string{"...", rel}}}
		delete(procs, "release")
	}
	var cmd *string
	switch {
	case len(procs) == 0:
	case hasKey(procs, "web"):
		cmd = Str(procs["web"])
	case hasKey(procs, "worker"):
		cmd = Str(procs["worker"])
	default:
		cmd = Str(procs[slices.Sorted(maps.Keys(procs))[0]])
	}
	if cmd != nil {
		plan.Start = &StartPhase{Cmd: cmd}
	}
	return plan, nil
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

func isFile(app fs.FS, name string) bool {
	st, err := fs.Stat(app, name)
	return err == nil && st.Mode().IsRegular()
}

// loneDir reports the only directory among the root's entries, hidden ones
// included, following symlinks (App::paths with is_dir).
func loneDir(app fs.FS) (string, bool) {
	entries, err := fs.ReadDir(app, ".")
	if err != nil {
		return "", false
	}
	var dirs []string
	for _, e := range entries {
		if st, err := fs.Stat(app, e.Name()); err == nil && st.IsDir() {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) != 1 {
		return "", false
	}
	return dirs[0], true
}
