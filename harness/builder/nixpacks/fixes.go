package nixpacks

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate/python"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
	"github.com/bootmatrix/bootmatrix/harness/shellquote"
)

// FixKinds: the changes to nixpacks.toml that put Nix's libraries where the
// loader looks, or install where PEP 668 allows.
func (Builder) FixKinds() []diagnose.FixKind {
	return []diagnose.FixKind{
		diagnose.FixAddNixLibs, diagnose.FixAddNixPkgs, diagnose.FixMoveNixPkgToNixLibs, diagnose.FixLoginShell,
		diagnose.FixUseVenvInstall, diagnose.FixBreakSystemPackages, diagnose.FixNixPythonPackage,
		diagnose.FixSetAppRoot, diagnose.FixAddPythonProvider,
	}
}

// Materialize merges the variant's nixpacks overrides into the app root's
// nixpacks.toml (each "..." spliced so the file merges to what file then
// override did) and writes the start command there as [start].cmd.
func (Builder) Materialize(sc *scenario.Scenario, v scenario.Variant, dir, root string, touched *[]string) (scenario.Variant, bool, error) {
	start := v.Start
	if start == "" {
		start = sc.Start
	}
	nv := v
	nv.Nixpacks = scenario.NixpacksOverrides{}
	if !hasOverrides(v.Nixpacks) && start == "" {
		return nv, false, nil
	}
	err := editConfigIn(dir, root, func(t *tomlText, cfg *nixpacks.Config) error {
		o := v.Nixpacks
		lists := []struct {
			ov      []string
			phase   string
			aliases []string
			cur     func(*nixpacks.PhaseConfig) []string
		}{
			{o.NixPkgs, "setup", keyNixPkgs, func(p *nixpacks.PhaseConfig) []string { return p.NixPkgs }},
			{o.NixLibs, "setup", keyNixLibs, func(p *nixpacks.PhaseConfig) []string { return p.NixLibs }},
			{o.AptPkgs, "setup", keyAptPkgs, func(p *nixpacks.PhaseConfig) []string { return p.AptPkgs }},
			{o.InstallCmds, "install", keyCmds, func(p *nixpacks.PhaseConfig) []string { return p.Cmds }},
			{o.BuildCmds, "build", keyCmds, func(p *nixpacks.PhaseConfig) []string { return p.Cmds }},
		}
		for _, l := range lists {
			if l.ov == nil {
				continue
			}
			var cur []string
			if ph := phaseOf(cfg, l.phase); ph != nil {
				cur = l.cur(ph)
			}
			t.set("phases."+l.phase, l.aliases, tomlList(nixpacks.Splice(l.ov, cur)))
		}
		if o.StartCmd != "" {
			t.set("start", keyStartCmd, tomlString(o.StartCmd))
		}
		if o.RunImage != "" {
			t.set("start", keyRunImage, tomlString(o.RunImage))
		}
		if o.StartUser != "" {
			t.set("start", keyStartUser, tomlString(o.StartUser))
		}
		if o.NixpkgsArchive != "" {
			t.set("phases.setup", keyArchive, tomlString(o.NixpkgsArchive))
		}
		// The scenario's start command wins over the file's, as the platform's
		// start command setting does; in the file it is one more line a fix can edit.
		if start != "" {
			t.set("start", keyStartCmd, tomlString(start))
		}
		return nil
	}, touched)
	if err != nil {
		return v, false, err
	}
	nv.Start = ""
	return nv, true, nil
}

func hasOverrides(o scenario.NixpacksOverrides) bool {
	return o.NixPkgs != nil || o.NixLibs != nil || o.AptPkgs != nil || o.InstallCmds != nil ||
		o.BuildCmds != nil || o.StartCmd != "" || o.RunImage != "" || o.StartUser != "" || o.NixpkgsArchive != ""
}

// Describe reads the baseline's plan: its start command (the scenario's, else
// the plan's) and its interpreter's version.
func (Builder) Describe(base *builder.FixBase) (string, string, error) {
	s, err := readFixState(base)
	if err != nil {
		return "", "", fmt.Errorf("variant %q: %w", base.Variant.Name, err)
	}
	start := base.Variant.Start
	if start == "" {
		start = base.Scenario.Start
	}
	if start == "" {
		start = s.plan.StartCmd
	}
	return start, s.pythonVersion(), nil
}

// Drafts writes the candidates of kind k for a Nixpacks baseline.
func (Builder) Drafts(k diagnose.FixKind, base *builder.FixBase) []builder.Draft {
	if base.Variant.Builder != Name {
		return nil
	}
	s, err := readFixState(base)
	if err != nil {
		return nil // Describe reported it
	}
	switch k {
	case diagnose.FixAddNixLibs:
		return s.addNixLibs()
	case diagnose.FixAddNixPkgs:
		return s.addNixPkgs()
	case diagnose.FixMoveNixPkgToNixLibs:
		return s.moveToNixLibs()
	case diagnose.FixLoginShell:
		return s.loginShell()
	case diagnose.FixUseVenvInstall:
		return s.venvInstall()
	case diagnose.FixBreakSystemPackages:
		return s.breakSystemPackages()
	case diagnose.FixNixPythonPackage:
		return s.nixPythonPackages()
	case diagnose.FixSetAppRoot:
		return s.setAppRoot()
	case diagnose.FixAddPythonProvider:
		return s.addPythonProvider()
	}
	return nil
}

// addPythonProvider writes providers = ["...", "python"] where another
// provider won over Python's for an app Python's detects too: "..." keeps the
// detected one (its build of assets, say), and Python's plan is merged in.
func (s *fixState) addPythonProvider() []builder.Draft {
	if s.plan.Provider == "" || s.plan.Provider == "python" || s.cfg != nil && s.cfg.Providers != nil ||
		!python.Detect(python.App{FS: os.DirFS(filepath.Join(s.Dir, filepath.FromSlash(s.Root)))}) {
		return nil
	}
	return []builder.Draft{{ID: "add-python-provider", Kind: diagnose.FixAddPythonProvider,
		Summary: fmt.Sprintf(`add providers = ["...", "python"] to nixpacks.toml: the %s provider Nixpacks detected stays and Python's plan (python, a venv, the requirements) joins it`, s.plan.Provider),
		Edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("", []string{"providers"}, `["...", "python"]`)
			return nil
		})}}
}

// setAppRoot moves the service to each subdirectory where Nixpacks' Python
// provider detects an app, when the app root itself gives no plan: a platform
// setting, no file changes.
func (s *fixState) setAppRoot() []builder.Draft {
	if !s.noPlan {
		return nil
	}
	// The start command is the platform's setting, not the old root's file, which
	// Nixpacks stops reading once the root moves.
	start := s.Start
	var out []builder.Draft
	for _, d := range pythonRoots(filepath.Join(s.Dir, filepath.FromSlash(s.Root))) {
		r := path.Join(s.Root, d)
		out = append(out, builder.Draft{ID: "root-" + strings.ReplaceAll(r, "/", "-"), Kind: diagnose.FixSetAppRoot,
			Summary:  fmt.Sprintf("set the service's root directory to %s, where Nixpacks' Python provider detects the app (a platform setting)", r),
			Settings: []string{"root directory: " + r},
			Variant: func(v *scenario.Variant) {
				v.Root = r
				if start != "" {
					v.Start = start
				}
			}})
	}
	return out
}

// fixState is what the drafts know of a Nixpacks baseline.
type fixState struct {
	*builder.FixBase
	plan fixPlan
	cfg  *nixpacks.Config
	// noPlan: the baseline's app root gives Nixpacks no phases, as the variant's
	// overrides may not; only a draft that moves the root changes that.
	noPlan bool
}

// fixPlan is what the drafts read of the baseline's Nixpacks plan.
type fixPlan struct {
	// StartCmd is the plan's own start command (config file or provider),
	// without the platform's setting.
	StartCmd string
	// Provider is the provider that made the plan, "" for none.
	Provider string
	NixPkgs  []string
}

// readFixState reads the copy's plan as Nixpacks makes it from the files alone:
// the baseline's overrides and start command are in its nixpacks.toml by now.
func readFixState(base *builder.FixBase) (*fixState, error) {
	rootAbs := filepath.Join(base.Dir, filepath.FromSlash(base.Root))
	cfg, err := nixpacks.LoadConfig(rootAbs)
	if err != nil {
		return nil, err
	}
	sc := *base.Scenario
	sc.Start = ""
	v := base.Variant
	v.Start, v.Nixpacks = "", scenario.NixpacksOverrides{}
	p, err := MakePlan(&sc, v, rootAbs)
	if err != nil {
		return nil, err
	}
	fp := fixPlan{}
	if p.Plan.Start != nil && p.Plan.Start.Cmd != nil {
		fp.StartCmd = *p.Plan.Start.Cmd
	}
	fp.Provider, _, _ = strings.Cut(p.Plan.Variables["NIXPACKS_METADATA"], ",")
	fp.NixPkgs, _, _ = p.lists()
	return &fixState{FixBase: base, plan: fp, cfg: cfg, noPlan: len(p.Plan.Phases) == 0}, nil
}

func phaseOf(cfg *nixpacks.Config, name string) *nixpacks.PhaseConfig {
	if cfg == nil || cfg.Phases == nil {
		return nil
	}
	return cfg.Phases[name]
}

// configPath is the app root's nixpacks.toml, relative to the project.
func (s *fixState) configPath() string { return path.Join(s.Root, "nixpacks.toml") }

func (s *fixState) setupList(get func(*nixpacks.PhaseConfig) []string) []string {
	if ph := phaseOf(s.cfg, "setup"); ph != nil {
		return get(ph)
	}
	return nil
}

func (s *fixState) editConfig(f func(*tomlText, *nixpacks.Config) error) func(string, *[]string) error {
	return func(dir string, touched *[]string) error { return editConfigIn(dir, s.Root, f, touched) }
}

// editConfigIn edits the nixpacks.toml of the app root under dir (creating
// it) and checks that Nixpacks would still read it. A nixpacks.json is not
// edited: the edit fails.
func editConfigIn(dir, root string, f func(*tomlText, *nixpacks.Config) error, touched *[]string) error {
	rel := path.Join(root, "nixpacks.toml")
	abs := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(root), "nixpacks.json")); err == nil {
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("%s/nixpacks.json: only nixpacks.toml is edited; convert the file to TOML", root)
		}
	}
	data, err := os.ReadFile(abs)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(data)
	var cfg *nixpacks.Config
	if text != "" {
		if cfg, err = nixpacks.ParseConfig(rel, []byte(text)); err != nil {
			return err
		}
	}
	t := newTOMLText(text)
	if err := f(t, cfg); err != nil {
		return err
	}
	out := t.String()
	if _, err := nixpacks.ParseConfig(rel, []byte(out)); err != nil {
		return fmt.Errorf("editing %s produced a file Nixpacks would refuse: %w", rel, err)
	}
	if err := builder.WriteText(dir, rel, out); err != nil {
		return err
	}
	*touched = append(*touched, rel)
	return nil
}

// missingAttrs are the Nix attributes providing the missing libraries.
func (s *fixState) missingAttrs() []string {
	var out []string
	for _, m := range s.Missing {
		a := m.Provider
		if a == "" {
			a = NixAttrFor(m.Library)
		}
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// provides reports whether a list entry provides attr (gcc's runtime has several names).
func provides(entry, attr string) bool {
	return entry == attr || slices.Contains(nixpacks.GCCRuntimeAttrs, entry) && slices.Contains(nixpacks.GCCRuntimeAttrs, attr)
}

// withSplice is a nixLibs or nixPkgs list that keeps the provider's own ("...") and has attrs.
func withSplice(cur, attrs []string) []string {
	out := append([]string{}, cur...)
	if !nixpacks.HasSplice(out) {
		out = append([]string{nixpacks.Marker}, out...)
	}
	for _, a := range attrs {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// setupListFix is a setup list of nixpacks.toml that a draft adds attributes to,
// and how the draft reads.
type setupListFix struct {
	id   string
	kind diagnose.FixKind
	name string // as nixpacks.toml spells it
	key  []string
	get  func(*nixpacks.PhaseConfig) []string
	why  string // what adding does, after "add X to <name> in <file>"
	// whyMany is why for more than one attribute; empty when why reads for any number.
	whyMany string
	whose   string // what "..." keeps: the provider's "packages" or "libraries"
}

var (
	nixPkgsFix = setupListFix{id: "add-nixpkgs", kind: diagnose.FixAddNixPkgs, name: "nixPkgs", key: keyNixPkgs,
		get: func(p *nixpacks.PhaseConfig) []string { return p.NixPkgs }, why: " for the build", whose: "packages"}
	nixLibsFix = setupListFix{id: "add-nixlibs", kind: diagnose.FixAddNixLibs, name: "nixLibs", key: keyNixLibs,
		get: func(p *nixpacks.PhaseConfig) []string { return p.NixLibs }, why: ": its lib directory goes on LD_LIBRARY_PATH",
		whyMany: ": their lib directories go on LD_LIBRARY_PATH", whose: "libraries"}
)

// addTo is the draft that puts attrs into l, with "..." so the provider's own entries
// stay; none when there is nothing to add or the list has it all.
func (s *fixState) addTo(l setupListFix, attrs []string) []builder.Draft {
	if len(attrs) == 0 {
		return nil
	}
	cur := s.setupList(l.get)
	next := withSplice(cur, attrs)
	if equal(cur, next) {
		return nil
	}
	added := slices.DeleteFunc(slices.Clone(attrs), func(a string) bool { return slices.Contains(cur, a) })
	why := l.why
	if len(added) > 1 && l.whyMany != "" {
		why = l.whyMany
	}
	summary := fmt.Sprintf("add %s to %s in %s%s (\"...\" keeps the provider's own %s)", strings.Join(added, ", "), l.name, s.configPath(), why, l.whose)
	if cur != nil && !nixpacks.HasSplice(cur) {
		and := ""
		if len(added) > 0 {
			and = " (and " + strings.Join(added, ", ") + ")"
		}
		summary = fmt.Sprintf("%s %s replaces the provider's %s: add \"...\"%s in %s", l.name, tomlList(cur), l.whose, and, s.configPath())
	}
	return []builder.Draft{{ID: l.id, Kind: l.kind, Summary: summary,
		Edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("phases.setup", l.key, tomlList(next))
			return nil
		})}}
}

// addNixPkgs puts what the diagnosis says a build lacks (postgresql_16.dev and gcc
// for psycopg2's sdist) into nixPkgs.
func (s *fixState) addNixPkgs() []builder.Draft {
	var attrs []string
	for _, f := range s.Fixes {
		if f.ID == string(diagnose.FixAddNixPkgs) {
			attrs = append(attrs, f.Packages...)
		}
	}
	return s.addTo(nixPkgsFix, attrs)
}

// addNixLibs puts the attributes providing the missing libraries into nixLibs.
func (s *fixState) addNixLibs() []builder.Draft { return s.addTo(nixLibsFix, s.missingAttrs()) }

func (s *fixState) moveToNixLibs() []builder.Draft {
	attrs := s.missingAttrs()
	pkgs := s.setupList(func(p *nixpacks.PhaseConfig) []string { return p.NixPkgs })
	if len(attrs) == 0 || pkgs == nil {
		return nil
	}
	var moved, keep []string
	for _, p := range pkgs {
		hit := false
		for _, a := range attrs {
			if provides(p, a) {
				hit = true
			}
		}
		if hit {
			moved = append(moved, p)
		} else {
			keep = append(keep, p)
		}
	}
	if len(moved) == 0 {
		return nil
	}
	libs := withSplice(s.setupList(func(p *nixpacks.PhaseConfig) []string { return p.NixLibs }), moved)
	return []builder.Draft{{ID: "move-nixpkg-to-nixlibs", Kind: diagnose.FixMoveNixPkgToNixLibs,
		Summary: fmt.Sprintf("move %s from nixPkgs to nixLibs in %s: nixPkgs only links it into the profile, which the loader never searches", strings.Join(moved, ", "), s.configPath()),
		Edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("phases.setup", keyNixPkgs, tomlList(keep))
			t.set("phases.setup", keyNixLibs, tomlList(libs))
			return nil
		})}}
}

// loginShell wraps the start command in bash -l -c. The platform still starts
// it without a login shell; the probes of the candidate run in one, since the
// wrapped command gives the app exactly that environment.
func (s *fixState) loginShell() []builder.Draft {
	if s.Variant.Shell != scenario.ShellPlain || s.plan.StartCmd == "" || strings.HasPrefix(s.plan.StartCmd, "bash -l") {
		return nil
	}
	cmd := "bash -l -c " + shellquote.Quote(s.plan.StartCmd)
	return []builder.Draft{{ID: "login-shell", Kind: diagnose.FixLoginShell,
		Summary: fmt.Sprintf("start the app in a login shell (%s) so /etc/profile.d exports nixLibs' LD_LIBRARY_PATH", cmd),
		Edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("start", keyStartCmd, tomlString(cmd))
			return nil
		}),
		Variant: func(v *scenario.Variant) { v.Shell = scenario.ShellLogin }}}
}

var (
	pipInstallRE = regexp.MustCompile(`\b(pip3?|python3? -m pip) install\b`)
	bspRE        = regexp.MustCompile(`\s+--break-system-packages\b`)
)

// installCmds are the file's install commands, nil when the file sets none.
func (s *fixState) installCmds() []string {
	if ph := phaseOf(s.cfg, "install"); ph != nil {
		return ph.Cmds
	}
	return nil
}

func (s *fixState) venvInstall() []builder.Draft {
	cmds := s.installCmds()
	if cmds == nil || !pipInstallRE.MatchString(strings.Join(cmds, "\n")) || strings.Contains(strings.Join(cmds, "\n"), "venv") {
		return nil
	}
	if s.plan.Provider == "python" {
		return []builder.Draft{{ID: "use-venv-install", Kind: diagnose.FixUseVenvInstall,
			Summary: fmt.Sprintf("remove the custom install command from %s, so the Python provider's own install (python -m venv --copies /opt/venv, pip install -r requirements.txt) runs", s.configPath()),
			Edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
				t.remove("phases.install", keyCmds)
				return nil
			})}}
	}
	var next []string
	for _, c := range cmds {
		if pipInstallRE.MatchString(c) {
			c = "python -m venv --copies /opt/venv && . /opt/venv/bin/activate && " + bspRE.ReplaceAllString(c, "")
		}
		next = append(next, c)
	}
	start := s.plan.StartCmd
	if start != "" && !strings.Contains(start, "/opt/venv") {
		start = ". /opt/venv/bin/activate && " + start
	}
	return []builder.Draft{{ID: "use-venv-install", Kind: diagnose.FixUseVenvInstall,
		Summary: fmt.Sprintf("install into a venv as the Python provider does (python -m venv --copies /opt/venv) and start from it, in %s", s.configPath()),
		Edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("phases.install", keyCmds, tomlList(next))
			if start != "" {
				t.set("start", keyStartCmd, tomlString(start))
			}
			return nil
		})}}
}

// withBreakSystemPackages adds the flag to every pip install outside a venv.
func withBreakSystemPackages(cmds []string) ([]string, bool) {
	var out []string
	changed := false
	for _, c := range cmds {
		if pipInstallRE.MatchString(c) && !strings.Contains(c, "--break-system-packages") && !strings.Contains(c, "venv") {
			c = pipInstallRE.ReplaceAllString(c, "$0 --break-system-packages")
			changed = true
		}
		out = append(out, c)
	}
	return out, changed
}

func (s *fixState) breakSystemPackages() []builder.Draft {
	next, changed := withBreakSystemPackages(s.installCmds())
	if !changed {
		return nil
	}
	return []builder.Draft{{ID: "break-system-packages", Kind: diagnose.FixBreakSystemPackages,
		Summary: fmt.Sprintf("pass --break-system-packages to pip in %s's install command", s.configPath()),
		Edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("phases.install", keyCmds, tomlList(next))
			return nil
		})}}
}

var pythonAttrRE = regexp.MustCompile(`^python3(\d+)$`)

// pythonAttr is the plan's interpreter attribute (python313), defaulting as Nixpacks does.
func (s *fixState) pythonAttr() string {
	if a := nixpacks.PythonAttr(s.Variant.Python); a != "" {
		return a
	}
	for _, p := range s.plan.NixPkgs {
		if pythonAttrRE.MatchString(p) {
			return p
		}
	}
	return nixpacks.PythonAttr(project.DefaultPython)
}

// pythonVersion is the version of pythonAttr ("3.13"): the one whose
// attribute it is.
func (s *fixState) pythonVersion() string {
	if s.Variant.Python != "" {
		return s.Variant.Python
	}
	a := s.pythonAttr()
	if m := pythonAttrRE.FindStringSubmatch(a); m != nil && nixpacks.PythonAttr("3."+m[1]) == a {
		return "3." + m[1]
	}
	return project.DefaultPython
}

// nixPythonPackages takes every requirement from Nix as one interpreter,
// (pythonXY.withPackages (ps: [ps.a ps.b])), in place of the python entries in
// nixPkgs, and drops pip's install: a plain pythonXYPackages.<name> entry is
// linked into the profile, which nixpkgs' python never reads, and the
// withPackages python has no pip to run.
func (s *fixState) nixPythonPackages() []builder.Draft {
	cmds := s.installCmds()
	if len(s.Imports) == 0 || cmds == nil || strings.Contains(strings.Join(cmds, "\n"), "venv") {
		// The provider's venv does not see Nix's python packages.
		return nil
	}
	var texts []string
	for _, f := range s.Requirements {
		text, err := builder.ReadText(s.Dir, f)
		if err != nil {
			return nil
		}
		texts = append(texts, text)
	}
	dists, with := withPackages(s.pythonAttr(), texts, cmds, s.Imports, s.Start)
	var next []string
	for _, p := range s.setupList(func(p *nixpacks.PhaseConfig) []string { return p.NixPkgs }) {
		if p == "python3" || pythonAttrRE.MatchString(p) || strings.Contains(p, "Packages.") {
			continue // the interpreter and its packages are the withPackages entry now
		}
		next = append(next, p)
	}
	next = append(next, with)
	reqs := append([]string{}, s.Requirements...)
	root := s.Root
	return []builder.Draft{{ID: "nix-python-package", Kind: diagnose.FixNixPythonPackage,
		Summary: fmt.Sprintf("take %s from Nix as one python, %s in nixPkgs, and install nothing with pip", strings.Join(dists, ", "), with),
		Edit: func(dir string, touched *[]string) error {
			err := editConfigIn(dir, root, func(t *tomlText, _ *nixpacks.Config) error {
				t.set("phases.setup", keyNixPkgs, tomlList(next))
				t.set("phases.install", keyCmds, tomlList([]string{}))
				return nil
			}, touched)
			if err != nil {
				return err
			}
			for _, f := range reqs {
				text, err := builder.ReadText(dir, f)
				if err != nil {
					return err
				}
				for _, d := range dists {
					text, _ = requirements.Drop(text, d)
				}
				if err := builder.WriteText(dir, f, text); err != nil {
					return err
				}
				*touched = append(*touched, f)
			}
			return nil
		}}}
}

// pipInstallArgs are the requirements install commands name on pip's command
// line (pip install numpy gunicorn), not in a file.
// withPackages is the one nixPkgs entry that gives py the app's modules: the
// requirements' distributions, those the install commands pip-install, the
// imports' and the server the start command runs, one ps.<attribute> each
// (psycopg2-binary in the requirements and psycopg2 among the imports are both
// nixpkgs' psycopg2). dists are the distributions in that order.
func withPackages(py string, reqTexts, cmds, imports []string, start string) (dists []string, expr string) {
	add := func(d string) {
		if d = requirements.NormalizeName(d); d != "" && !slices.Contains(dists, d) {
			dists = append(dists, d)
		}
	}
	for _, text := range reqTexts {
		for _, line := range strings.Split(text, "\n") {
			add(requirements.Name(line))
		}
	}
	for _, d := range pipInstallArgs(cmds) {
		add(d)
	}
	for _, m := range imports {
		add(project.Distribution(m))
	}
	for _, server := range []string{"gunicorn", "uvicorn"} {
		if strings.Contains(start, server) {
			add(server)
		}
	}
	var ps []string
	for _, d := range dists {
		if a := "ps." + nixpacks.PythonPackageAttr(d); !slices.Contains(ps, a) {
			ps = append(ps, a)
		}
	}
	return dists, fmt.Sprintf("(%s.withPackages (ps: [%s]))", py, strings.Join(ps, " "))
}

func pipInstallArgs(cmds []string) []string {
	var out []string
	for _, c := range cmds {
		for _, part := range requirements.SplitShell(c) {
			f := strings.Fields(part)
			i := slices.Index(f, "install")
			if i < 1 || !strings.HasSuffix(f[i-1], "pip") && !strings.HasSuffix(f[i-1], "pip3") && f[i-1] != "pip" {
				continue
			}
			for j := i + 1; j < len(f); j++ {
				switch a := strings.Trim(f[j], `"'`); {
				case a == "-r" || a == "-c" || a == "--requirement" || a == "--constraint" || a == "-e":
					j++ // its value is a file
				case strings.HasPrefix(a, "-"):
				default:
					if n := requirements.Name(a); n != "" {
						out = append(out, n)
					}
				}
			}
		}
	}
	return out
}

// equal is slices.Equal that also tells a missing list from an empty one: a
// file's absent key and its "key = []" merge differently.
func equal(a, b []string) bool {
	return (a == nil) == (b == nil) && slices.Equal(a, b)
}
