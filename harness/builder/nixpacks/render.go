package nixpacks

import (
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate/python"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// LibsProfileScript is where Nixpacks' nix expression writes nixLibs'
// LD_LIBRARY_PATH for an archive: the environment's etc/profile.d script, which
// the base image's /root/.profile sources, so only login shells (bash -l) read it.
func LibsProfileScript(archive string) string {
	return "/root/.nix-profile/etc/profile.d/" + archive + "-env.sh"
}

// Plan is the variant's Nixpacks plan as `nixpacks build` makes it: the app
// root's config file, the NIXPACKS_* variables, the variant's overrides as the
// CLI's plan, the Python provider; Dir is the subdirectory Nixpacks moved to
// ("" for the root).
type Plan struct {
	Plan *generate.BuildPlan
	Dir  string
	Env  map[string]string
	// Providers are the providers whose plans Nixpacks merged, in order.
	Providers []string
}

// MakePlan makes the variant's plan from its app root.
func MakePlan(sc *scenario.Scenario, v scenario.Variant, rootAbs string) (*Plan, error) {
	env := map[string]string{}
	for k, val := range sc.Env {
		// Railway hands every service variable to Nixpacks; only NIXPACKS_* ones
		// change its plan, and the rest (secrets among them) must not become
		// build arguments, which the image's history keeps.
		if strings.HasPrefix(k, "NIXPACKS_") {
			env[k] = val
		}
	}
	if v.Python != "" {
		env["NIXPACKS_PYTHON_VERSION"] = v.Python
	}
	o := v.Nixpacks
	// The platform's start command setting is Nixpacks' --start-cmd, which
	// wins over the config's [start].cmd.
	if start := recipe.StartFor(sc, v, ""); start != "" {
		o.StartCmd = start
	}
	g, err := generate.GenerateWithCLI(rootFS{os.DirFS(rootAbs), rootAbs}, env, cliPlan(o), providers()...)
	if err != nil {
		return nil, err
	}
	return &Plan{Plan: g.Plan, Dir: g.Dir, Env: env, Providers: g.Providers}, nil
}

// providers are Nixpacks' in its detection order: the Python provider, and
// every other one as detectOnly.
func providers() []generate.Provider {
	var out []generate.Provider
	for _, name := range nixpacks.ProviderOrder() {
		if name == "python" {
			out = append(out, python.Provider{})
			continue
		}
		out = append(out, detectOnly(name))
	}
	return out
}

// detectOnly is a provider Nixpacks has and bootmatrix does not model beyond
// its detection: when it wins, it installs nothing for Python, which is what
// decides a Python backend's outcome (no python, no venv). Its plan has an
// empty setup phase, as a real provider's plan has phases, so that Nixpacks
// does not move on to a lone subdirectory.
type detectOnly string

func (d detectOnly) Name() string { return string(d) }

func (d detectOnly) Detect(app fs.FS, _ map[string]string) (bool, error) {
	r, ok := app.(rootFS)
	if !ok {
		return false, fmt.Errorf("provider %s: the app is not a directory on disk", d)
	}
	return nixpacks.Detects(r.dir, string(d)), nil
}

func (d detectOnly) Plan(fs.FS, map[string]string) (*generate.BuildPlan, []string, error) {
	return &generate.BuildPlan{Phases: map[string]*generate.Phase{"setup": generate.NewPhase("setup")}}, nil, nil
}

// rootFS is the app root as a file system that remembers its directory, also
// in the subdirectory Nixpacks moves to (fs.Sub calls Sub).
type rootFS struct {
	fs.FS
	dir string
}

func (r rootFS) Sub(name string) (fs.FS, error) {
	s, err := fs.Sub(r.FS, name)
	if err != nil {
		return nil, err
	}
	return rootFS{s, filepath.Join(r.dir, filepath.FromSlash(name))}, nil
}

// cliPlan is the variant's overrides as a plan merged after the config file's,
// the way Nixpacks merges a later configuration: a list with "..." extends,
// one without replaces, an absent field leaves the config's alone.
func cliPlan(o scenario.NixpacksOverrides) *generate.BuildPlan {
	p := &generate.BuildPlan{Phases: map[string]*generate.Phase{}}
	if o.NixPkgs != nil || o.NixLibs != nil || o.AptPkgs != nil || o.NixpkgsArchive != "" {
		ph := generate.NewPhase("setup")
		ph.NixPkgs, ph.NixLibs, ph.AptPkgs = o.NixPkgs, o.NixLibs, o.AptPkgs
		if o.NixpkgsArchive != "" {
			ph.NixpkgsArchive = generate.Str(o.NixpkgsArchive)
		}
		p.Phases["setup"] = ph
	}
	if o.InstallCmds != nil {
		ph := generate.NewPhase("install")
		ph.DependsOn, ph.Cmds = []string{"setup"}, o.InstallCmds
		p.Phases["install"] = ph
	}
	if o.BuildCmds != nil {
		ph := generate.NewPhase("build")
		ph.DependsOn, ph.Cmds = []string{"install"}, o.BuildCmds
		p.Phases["build"] = ph
	}
	if len(p.Phases) == 0 {
		p.Phases = nil
	}
	if o.StartCmd != "" || o.RunImage != "" || o.StartUser != "" {
		p.Start = &generate.StartPhase{}
		if o.StartCmd != "" {
			p.Start.Cmd = generate.Str(o.StartCmd)
		}
		if o.RunImage != "" {
			p.Start.RunImage = generate.Str(o.RunImage)
		}
		if o.StartUser != "" {
			p.Start.User = generate.Str(o.StartUser)
		}
	}
	return p
}

// commands are every phase's commands in build order.
func (p *Plan) commands() []string {
	phases, err := p.Plan.SortedPhases()
	if err != nil {
		return nil
	}
	var cmds []string
	for _, ph := range phases {
		cmds = append(cmds, ph.Cmds...)
	}
	return cmds
}

// lists gathers what every phase installs from Nix.
func (p *Plan) lists() (pkgs, libs []string, libArchive string) {
	for _, name := range slices.Sorted(maps.Keys(p.Plan.Phases)) {
		ph := p.Plan.Phases[name]
		pkgs = append(pkgs, generate.RemoveAutos(ph.NixPkgs)...)
		l := generate.RemoveAutos(ph.NixLibs)
		if len(l) > 0 && libArchive == "" {
			libArchive = generate.NixpkgsArchive
			if ph.NixpkgsArchive != nil {
				libArchive = *ph.NixpkgsArchive
			}
		}
		libs = append(libs, l...)
	}
	return nixpacks.Dedupe(pkgs), nixpacks.Dedupe(libs), libArchive
}

// archives are the nixpkgs revisions the plan's Nix phases import.
func (p *Plan) archives() []string {
	var out []string
	for _, ph := range p.Plan.Phases {
		if !ph.UsesNix() {
			continue
		}
		rev := generate.NixpkgsArchive
		if ph.NixpkgsArchive != nil {
			rev = *ph.NixpkgsArchive
		}
		if !slices.Contains(out, rev) {
			out = append(out, rev)
		}
	}
	sort.Strings(out)
	return out
}

// Render builds what `nixpacks build` builds from the variant's app root: the
// Dockerfile and .nixpacks/*.nix files Nixpacks writes, built in the runner's
// stages. Setup is the Dockerfile up to and including the setup phase (the Nix
// environment, apt packages, variables); Install, on Setup's image, is the
// package source, then the later phases and the start part; Final, for a
// runImage, is the start image, which copies from Install's (stage 0 there).
// Offline, the only differences are the substitution table's: the base image,
// the archives' URLs and pip's package source.
func (Builder) Render(sc *scenario.Scenario, v scenario.Variant, subs recipe.Substitutions) (*recipe.Recipe, error) {
	root, rootAbs, err := recipe.AppRoot(sc, v)
	if err != nil {
		return nil, err
	}
	var notes []string
	cfg, err := nixpacks.LoadConfig(rootAbs)
	if err != nil {
		return nil, err
	}
	if root != "." {
		for _, name := range nixpacks.ConfigFileNames {
			if _, err := os.Stat(filepath.Join(sc.Project.Dir, name)); err == nil {
				notes = append(notes, fmt.Sprintf("root is %s: the project's top-level %s is not read (Nixpacks reads the config from the app root only)", root, name))
			}
		}
	}
	p, err := MakePlan(sc, v, rootAbs)
	if err != nil {
		return nil, fmt.Errorf("nixpacks plan: %w", err)
	}
	notes = append(notes, planNotes(p)...)
	if len(p.Plan.Phases) == 0 {
		return noPlan(root, rootAbs, notes)
	}
	buildDir := rootAbs
	if p.Dir != "" {
		buildDir = filepath.Join(rootAbs, filepath.FromSlash(p.Dir))
	}

	var links []string
	ctx, err := recipe.WalkContext(buildDir, recipe.DropLinks(&links))
	if err != nil {
		return nil, err
	}
	if len(links) > 0 {
		sort.Strings(links)
		notes = append(notes, fmt.Sprintf("symlinks left out of the image, as Nixpacks' copy of the app leaves them out: %s", strings.Join(links, ", ")))
	}
	cmds := p.commands()
	reqs := requirements.Files(cmds)
	if _, ok := ctx["requirements.txt"]; ok {
		reqs = append([]string{"requirements.txt"}, reqs...)
	}
	pinned, err := recipe.PinFiles(ctx, nixpacks.Dedupe(reqs), v.Pins)
	if err != nil {
		return nil, err
	}
	if len(v.Pins) > 0 {
		if len(pinned) == 0 {
			return nil, fmt.Errorf("%s: pins %v: the install reads no requirement file in %s (install commands: %q)", sc.File, v.Pins, buildDir, cmds)
		}
		notes = append(notes, fmt.Sprintf("pins %v written into %s", v.Pins, strings.Join(pinned, ", ")))
	}

	logicalBase := v.Base
	if logicalBase == "" && p.Plan.BuildImage != nil {
		logicalBase = *p.Plan.BuildImage
	}
	if logicalBase == "" {
		logicalBase = recipe.LogicalNixpacks
	}
	opts := []generate.Option{
		generate.WithBaseImage(recipe.ResolveImage(subs, logicalBase, &notes)),
		generate.WithImages(func(ref string) string { return recipe.ResolveImage(subs, ref, &notes) }),
	}
	var fetches []string
	switch {
	case subs.NixpkgsMirror != "":
		url := func(rev string) string { return subs.NixpkgsMirror + "/" + rev + ".tar.gz" }
		for _, rev := range p.archives() {
			fetches = append(fetches, url(rev))
		}
		opts = append(opts, generate.WithArchiveURL(url))
	case subs.NixpkgsArchives != nil:
		for _, rev := range p.archives() {
			if _, ok := subs.NixpkgsArchives[rev]; !ok {
				// Where the pin was written: the variant's override, else the config file.
				at := fmt.Sprintf("%s:%d: nixpacks.nixpkgsArchive", sc.File, v.Line)
				if v.Nixpacks.NixpkgsArchive != rev && cfg != nil {
					at = cfg.File + ": nixpkgsArchive"
				}
				return nil, fmt.Errorf("%s: nixpkgs archive %s: the offline kit carries only %s (Nixpacks' Python and default pins); pin one of those with nixpkgsArchive, or run online (--online), where Nixpacks fetches any archive from GitHub",
					at, rev, strings.Join(slices.Sorted(maps.Keys(subs.NixpkgsArchives)), " and "))
			}
		}
		opts = append(opts, generate.WithArchiveURL(func(rev string) string { return subs.NixpkgsArchives[rev] }))
	default:
		for _, rev := range p.archives() {
			fetches = append(fetches, generate.ArchiveURL(rev))
		}
	}
	out, err := generate.Render(p.Plan, opts...)
	if err != nil {
		return nil, fmt.Errorf("nixpacks render: %w", err)
	}
	for name, text := range out.Files() {
		if name == generate.OutputDir+"/Dockerfile" {
			continue // the runner builds the parts below, not this file
		}
		ctx[name] = recipe.File{Data: []byte(text), Mode: 0o644}
	}

	runImage := p.Plan.Start != nil && p.Plan.Start.RunImage != nil
	setup, rest, start := out.Split("setup", runImage)
	install := recipe.InstallDockerfile()
	pip, pipArgs := subs.PipLines()
	install = append(install, pip...)

	shell, err := recipe.ShellFor(v, recipe.LoginShell)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	planStart := ""
	if p.Plan.Start != nil && p.Plan.Start.Cmd != nil {
		planStart = *p.Plan.Start.Cmd
	}
	pkgs, libs, libArchive := p.lists()
	script := ""
	if libArchive != "" {
		script = LibsProfileScript(libArchive)
	}
	startCmd := recipe.StartFor(sc, v, planStart)
	var texts []string
	for _, f := range reqs {
		texts = append(texts, string(ctx[f].Data))
	}
	_, with := withPackages(planPython(v, pkgs), texts, cmds, sc.Imports, startCmd)
	r := &recipe.Recipe{
		Setup:   recipe.Build{Dockerfile: setup, Context: ctx, Args: out.BuildArgs, Fetches: fetches},
		Install: &recipe.Build{Dockerfile: recipe.Join(install) + rest, Context: ctx, Args: pipArgs},
		Shell:   shell,
		Start:   startCmd,
		Workdir: recipe.AppDir,
		Python:  recipe.PythonFor(startCmd),
		Facts: Facts{NixPkgs: pkgs, NixLibs: libs, LibsScript: script, OverPython: overPython(p, buildDir),
			WithPackagesExpr: with},
	}
	if runImage {
		r.Final = &recipe.Build{Dockerfile: recipe.Join(recipe.InstallDockerfile()) + start, Context: map[string]recipe.File{}}
		notes = append(notes, fmt.Sprintf("runImage %s: the app runs there without /nix, as Nixpacks' start image would", *p.Plan.Start.RunImage))
	}
	if p.Plan.Start != nil && p.Plan.Start.User != nil {
		notes = append(notes, fmt.Sprintf("[start] user %s: the image runs as %s, whose login shell reads /home/%s/.profile, not the /root/.profile that carries the Nix profile and the venv's PATH", *p.Plan.Start.User, *p.Plan.Start.User, *p.Plan.Start.User))
	}
	r.Caveats = providerCaveats(p.Providers, buildDir)
	if subs.Mode == recipe.ModeOffline {
		r.Caveats = append(r.Caveats, kitCaveats(libs, libArchive)...)
	}
	if r.Start == "" {
		// nixpacks build bails after printing the plan (src/lib.rs: "No start
		// command could be found"), unless --no-error-without-start.
		return &recipe.Recipe{Builder: Name, Facts: r.Facts, Caveats: r.Caveats,
			Refusal: &recipe.Refusal{Tool: "nixpacks", Output: "Error: No start command could be found\n", Exit: 1, Facts: result.Facts{NoStartCommand: true}},
			Notes:   append(notes, "no start command in the scenario, the variant or the plan: Nixpacks stops before building, as a deploy's build does")}, nil
	}
	r.Notes = notes
	return r, nil
}

// planNotes say which of Nixpacks' choices made the plan.
func planNotes(p *Plan) []string {
	var notes []string
	if p.Dir != "" {
		notes = append(notes, fmt.Sprintf("the app root gave no phases and has one subdirectory, so Nixpacks builds %s instead", p.Dir))
	}
	if p.Plan.Variables["NIXPACKS_METADATA"] == "" {
		notes = append(notes, "no provider detected at the app root (no main.py, requirements.txt, pyproject.toml or Pipfile there): only the config file and the overrides make the plan, on nixpkgs "+generate.NixpkgsArchive[:7])
	}
	if md := p.Plan.Variables["NIXPACKS_METADATA"]; md != "" {
		notes = append(notes, "NIXPACKS_METADATA="+md+": the providers that made the plan, with their labels")
		if name, _, _ := strings.Cut(md, ","); name != "python" {
			notes = append(notes, fmt.Sprintf("provider %s wins (it comes before python in Nixpacks' order); only the Python provider's plan is modelled, so nothing Python-specific is installed", name))
		}
	}
	if v := p.Env["NIXPACKS_PYTHON_VERSION"]; v != "" && !strings.HasPrefix(p.Plan.Variables["NIXPACKS_METADATA"], "python") {
		notes = append(notes, fmt.Sprintf("python %s is NIXPACKS_PYTHON_VERSION, which only the Python provider reads: the nixPkgs entries decide the interpreter here", v))
	}
	return notes
}

// noPlan is `nixpacks build` on an app with no phases: no provider detected and
// no config or overrides that add a phase (a start command alone is none).
// Nixpacks then prints what lib.rs's create_docker_image prints, the app
// directory's entries, and exits 1 before Docker is called; the deploy's build
// fails with that text. A start command does not help: Nixpacks counts phases.
func noPlan(root, rootAbs string, notes []string) (*recipe.Recipe, error) {
	ents, err := os.ReadDir(rootAbs)
	if err != nil {
		return nil, fmt.Errorf("nixpacks plan: %w", err)
	}
	var b strings.Builder
	b.WriteString("\nNixpacks was unable to generate a build plan for this app.\nPlease check the documentation for supported languages: https://nixpacks.com\n")
	b.WriteString("\nThe contents of the app directory are:\n\n")
	// Nixpacks lists them in read_dir's order, which the file system decides;
	// sorted, the output is the same on every machine.
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		fmt.Fprintf(&b, "  %s\n", name)
	}
	var roots []string
	for _, d := range pythonRoots(rootAbs) {
		roots = append(roots, path.Join(root, d))
	}
	return &recipe.Recipe{
		Builder: Name,
		Refusal: &recipe.Refusal{Tool: "nixpacks", Output: b.String(), Exit: 1, Facts: result.Facts{NoBuildPlan: true}},
		Notes:   append(notes, "Nixpacks finds no build plan here and stops before building, as a deploy's build does"),
		Facts:   Facts{Roots: roots},
	}, nil
}

// pythonRoots are the app root's subdirectories where Nixpacks' Python
// provider detects an app: the roots a monorepo's service could be given.
func pythonRoots(rootAbs string) []string {
	ents, err := os.ReadDir(rootAbs)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() && !builder.Skipped(e.Name()) && python.Detect(python.App{FS: os.DirFS(filepath.Join(rootAbs, e.Name()))}) {
			out = append(out, e.Name())
		}
	}
	return out
}

// overPython names the provider whose plan Nixpacks made when the Python
// provider detects the app too and lost to it for coming later in the order (a
// Python app with a package.json: node wins); "" otherwise.
func overPython(p *Plan, buildDir string) string {
	name, _, _ := strings.Cut(p.Plan.Variables["NIXPACKS_METADATA"], ",")
	if name == "" || name == "python" || !python.Detect(python.App{FS: os.DirFS(buildDir)}) {
		return ""
	}
	return name
}

// planPython is the python attribute the variant's packages would go with: its
// python's, else the plan's interpreter, else the default.
func planPython(v scenario.Variant, pkgs []string) string {
	if a := nixpacks.PythonAttr(v.Python); a != "" {
		return a
	}
	for _, p := range pkgs {
		if pythonAttrRE.MatchString(p) {
			return p
		}
	}
	return nixpacks.PythonAttr(project.DefaultPython)
}
