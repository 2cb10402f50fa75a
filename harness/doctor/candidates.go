package doctor

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder/dockerfile"
	nixpacksbuilder "github.com/bootmatrix/bootmatrix/harness/builder/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// draft is a candidate before it is written: what it changes in the files
// (edit, run on a copy of the baseline) and in the platform's settings (variant).
type draft struct {
	id       string
	kind     diagnose.FixKind
	summary  string
	settings []string
	edit     func(dir string, touched *[]string) error
	variant  func(v *scenario.Variant)
}

// fixKind is one kind of fix the doctor writes: adding a kind is one entry
// in fixKinds.
type fixKind struct {
	kind diagnose.FixKind
	// always is for the kinds tried whatever the failure: the changes that
	// sidestep Nix's library layout altogether. The others answer the classes
	// whose catalogue entry offers them, and whatever the diagnosis proposed.
	always bool
	// drafts writes the kind's candidates (how it edits the copy of the
	// project, and the platform settings it needs); none when the kind does not
	// apply to the baseline. The candidate's diff is what the edit changed.
	drafts func(s *state) []draft
}

// fixKinds are in the catalogue's order, smallest change first: the last
// tie-break when two proven fixes change as many lines.
var fixKinds = []fixKind{
	{kind: diagnose.FixAddNixLibs, drafts: (*state).addNixLibs},
	{kind: diagnose.FixMoveNixPkgToNixLibs, drafts: (*state).moveToNixLibs},
	{kind: diagnose.FixLoginShell, drafts: (*state).loginShell},
	{kind: diagnose.FixUseVenvInstall, drafts: (*state).venvInstall},
	{kind: diagnose.FixBreakSystemPackages, drafts: (*state).breakSystemPackages},
	{kind: diagnose.FixNixPythonPackage, always: true, drafts: (*state).nixPythonPackages},
	{kind: diagnose.FixPinRequirement, drafts: func(s *state) []draft { return s.pins(diagnose.FixPinRequirement) }},
	{kind: diagnose.FixUnpinRequirement, drafts: func(s *state) []draft { return s.pins(diagnose.FixUnpinRequirement) }},
	{kind: diagnose.FixBuilderPythonSlim, always: true, drafts: (*state).pythonSlim},
	{kind: diagnose.FixBuilderDockerfile, always: true, drafts: (*state).projectDockerfile},
}

// lookupKind is k's entry in fixKinds and its rank there; false for a kind
// the doctor cannot write.
func lookupKind(k diagnose.FixKind) (fixKind, int, bool) {
	for i, x := range fixKinds {
		if x.kind == k {
			return x, i, true
		}
	}
	return fixKind{}, len(fixKinds), false
}

func kindRank(k diagnose.FixKind) int {
	_, i, _ := lookupKind(k)
	return i
}

// state is what the generators know of the baseline and its failure.
type state struct {
	b       *baseline
	plan    *nixpacks.Plan // nil unless nixpacks
	cfg     *nixpacks.Config
	first   *result.Stage
	missing []result.MissingLib
	reqs    []string // requirement files the install reads, relative to the project
	imports []string
}

// kindsFor are the fix kinds to try: the first failure's, in the diagnosis's
// order, then the general ones.
func kindsFor(start result.Variant) []diagnose.FixKind {
	var out []diagnose.FixKind
	add := func(k diagnose.FixKind) {
		for _, x := range out {
			if x == k {
				return
			}
		}
		out = append(out, k)
	}
	for _, f := range start.Fixes {
		add(diagnose.FixKind(f.ID))
	}
	if first := start.FirstFailure(); first != nil {
		if c, ok := diagnose.Lookup(first.Class); ok {
			for _, k := range c.Fixes {
				add(k)
			}
		}
	}
	for _, fk := range fixKinds {
		if fk.always {
			add(fk.kind)
		}
	}
	return out
}

// drafts generates the candidates for kinds, in that order; a kind that does
// not apply to this variant, or that the doctor cannot write, generates nothing.
func (s *state) drafts(kinds []diagnose.FixKind) []draft {
	var out []draft
	for _, k := range kinds {
		if fk, _, ok := lookupKind(k); ok {
			out = append(out, fk.drafts(s)...)
		}
	}
	return out
}

func (s *state) nix() bool { return s.b.v.Builder == nixpacksbuilder.Name && s.plan != nil }

func (s *state) setupList(get func(*nixpacks.PhaseConfig) []string) []string {
	if ph := phaseOf(s.cfg, "setup"); ph != nil {
		return get(ph)
	}
	return nil
}

func (s *state) editConfig(f func(*tomlText, *nixpacks.Config) error) func(string, *[]string) error {
	return func(dir string, touched *[]string) error { return editConfigIn(dir, s.b.root, f, touched) }
}

// missingAttrs are the Nix attributes providing the missing libraries.
func (s *state) missingAttrs() []string {
	var out []string
	for _, m := range s.missing {
		a := m.Provider
		if a == "" {
			a = nixpacksbuilder.NixAttrFor(m.Library)
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

// withLibs is a nixLibs list that keeps the provider's libraries ("...") and has attrs.
func withLibs(cur, attrs []string) []string {
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

func (s *state) addNixLibs() []draft {
	attrs := s.missingAttrs()
	if !s.nix() || len(attrs) == 0 {
		return nil
	}
	cur := s.setupList(func(p *nixpacks.PhaseConfig) []string { return p.NixLibs })
	next := withLibs(cur, attrs)
	if equal(cur, next) {
		return nil
	}
	summary := fmt.Sprintf("add %s to nixLibs in %s: its lib directory goes on LD_LIBRARY_PATH (\"...\" keeps the provider's own libraries)", strings.Join(attrs, ", "), s.b.configPath())
	if cur != nil && !nixpacks.HasSplice(cur) {
		summary = fmt.Sprintf("nixLibs %s replaces the provider's libraries: add \"...\" (and %s) in %s", tomlList(cur), strings.Join(attrs, ", "), s.b.configPath())
	}
	return []draft{{id: "add-nixlibs", kind: diagnose.FixAddNixLibs, summary: summary,
		edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("phases.setup", keyNixLibs, tomlList(next))
			return nil
		})}}
}

func (s *state) moveToNixLibs() []draft {
	attrs := s.missingAttrs()
	pkgs := s.setupList(func(p *nixpacks.PhaseConfig) []string { return p.NixPkgs })
	if !s.nix() || len(attrs) == 0 || pkgs == nil {
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
	libs := withLibs(s.setupList(func(p *nixpacks.PhaseConfig) []string { return p.NixLibs }), moved)
	return []draft{{id: "move-nixpkg-to-nixlibs", kind: diagnose.FixMoveNixPkgToNixLibs,
		summary: fmt.Sprintf("move %s from nixPkgs to nixLibs in %s: nixPkgs only links it into the profile, which the loader never searches", strings.Join(moved, ", "), s.b.configPath()),
		edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("phases.setup", keyNixPkgs, tomlList(keep))
			t.set("phases.setup", keyNixLibs, tomlList(libs))
			return nil
		})}}
}

// loginShell wraps the start command in bash -l -c. The platform still starts
// it without a login shell; the probes of the candidate run in one, since the
// wrapped command gives the app exactly that environment.
func (s *state) loginShell() []draft {
	if !s.nix() || s.b.v.Shell != scenario.ShellPlain || s.plan.StartCmd == "" || strings.HasPrefix(s.plan.StartCmd, "bash -l") {
		return nil
	}
	cmd := "bash -l -c " + shellQuote(s.plan.StartCmd)
	return []draft{{id: "login-shell", kind: diagnose.FixLoginShell,
		summary: fmt.Sprintf("start the app in a login shell (%s) so /etc/profile.d exports nixLibs' LD_LIBRARY_PATH", cmd),
		edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("start", keyStartCmd, tomlString(cmd))
			return nil
		}),
		variant: func(v *scenario.Variant) { v.Shell = scenario.ShellLogin }}}
}

var (
	pipInstallRE = regexp.MustCompile(`\b(pip3?|python3? -m pip) install\b`)
	bspRE        = regexp.MustCompile(`\s+--break-system-packages\b`)
)

// installCmds are the file's install commands, nil when the file sets none.
func (s *state) installCmds() []string {
	if ph := phaseOf(s.cfg, "install"); ph != nil {
		return ph.Cmds
	}
	return nil
}

func (s *state) venvInstall() []draft {
	cmds := s.installCmds()
	if !s.nix() || cmds == nil || !pipInstallRE.MatchString(strings.Join(cmds, "\n")) || strings.Contains(strings.Join(cmds, "\n"), "venv") {
		return nil
	}
	if s.plan.Provider == "python" {
		return []draft{{id: "use-venv-install", kind: diagnose.FixUseVenvInstall,
			summary: fmt.Sprintf("remove the custom install command from %s, so the Python provider's own install (python -m venv --copies /opt/venv, pip install -r requirements.txt) runs", s.b.configPath()),
			edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
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
	return []draft{{id: "use-venv-install", kind: diagnose.FixUseVenvInstall,
		summary: fmt.Sprintf("install into a venv as the Python provider does (python -m venv --copies /opt/venv) and start from it, in %s", s.b.configPath()),
		edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
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

func (s *state) breakSystemPackages() []draft {
	next, changed := withBreakSystemPackages(s.installCmds())
	if !s.nix() || !changed {
		return nil
	}
	return []draft{{id: "break-system-packages", kind: diagnose.FixBreakSystemPackages,
		summary: fmt.Sprintf("pass --break-system-packages to pip in %s's install command", s.b.configPath()),
		edit: s.editConfig(func(t *tomlText, _ *nixpacks.Config) error {
			t.set("phases.install", keyCmds, tomlList(next))
			return nil
		})}}
}

var pythonAttrRE = regexp.MustCompile(`^python3(\d+)$`)

// pythonAttr is the plan's interpreter attribute (python313), defaulting as Nixpacks does.
func (s *state) pythonAttr() string {
	if a := nixpacks.PythonAttr(s.b.v.Python); a != "" {
		return a
	}
	if s.plan != nil {
		for _, p := range s.plan.NixPkgs {
			if pythonAttrRE.MatchString(p) {
				return p
			}
		}
	}
	return "python313"
}

// pythonVersion is the version of pythonAttr ("3.13").
func (s *state) pythonVersion() string {
	if s.b.v.Python != "" {
		return s.b.v.Python
	}
	if m := pythonAttrRE.FindStringSubmatch(s.pythonAttr()); m != nil {
		return "3." + m[1][1:]
	}
	return "3.13"
}

// distFor maps an import name to its distribution (and Nix python package) name.
var distFor = map[string]string{"PIL": "pillow", "yaml": "pyyaml", "cv2": "opencv4", "sklearn": "scikit-learn", "psycopg2": "psycopg2"}

func (s *state) nixPythonPackages() []draft {
	cmds := s.installCmds()
	if !s.nix() || len(s.imports) == 0 || cmds == nil || strings.Contains(strings.Join(cmds, "\n"), "venv") {
		// The provider's venv does not see Nix's python packages.
		return nil
	}
	py := s.pythonAttr()
	pkgs := s.setupList(func(p *nixpacks.PhaseConfig) []string { return p.NixPkgs })
	next := []string{}
	hasPy := false
	for _, p := range pkgs {
		if p == "python3" || pythonAttrRE.MatchString(p) {
			p, hasPy = py, true
		}
		if !slices.Contains(next, p) {
			next = append(next, p)
		}
	}
	if pkgs == nil {
		next = []string{"..."}
	}
	if !hasPy {
		next = append(next, py)
	}
	var attrs, dists []string
	for _, m := range s.imports {
		d := strings.ToLower(m)
		if x, ok := distFor[m]; ok {
			d = x
		}
		attrs = append(attrs, py+"Packages."+d)
		dists = append(dists, d)
		if !slices.Contains(next, py+"Packages."+d) {
			next = append(next, py+"Packages."+d)
		}
	}
	install, _ := withBreakSystemPackages(cmds)
	reqs := append([]string{}, s.reqs...)
	return []draft{{id: "nix-python-package", kind: diagnose.FixNixPythonPackage,
		summary: fmt.Sprintf("take %s from Nix (%s in nixPkgs, built against the store's libraries) and drop it from the requirements pip installs", strings.Join(dists, ", "), strings.Join(attrs, ", ")),
		edit: func(dir string, touched *[]string) error {
			err := editConfigIn(dir, s.b.root, func(t *tomlText, _ *nixpacks.Config) error {
				t.set("phases.setup", keyNixPkgs, tomlList(next))
				if !equal(install, cmds) {
					t.set("phases.install", keyCmds, tomlList(install))
				}
				return nil
			}, touched)
			if err != nil {
				return err
			}
			for _, f := range reqs {
				text, err := readText(dir, f)
				if err != nil {
					return err
				}
				for _, d := range dists {
					text, _ = requirements.Drop(text, d)
				}
				if err := writeFile(dir, f, text); err != nil {
					return err
				}
				*touched = append(*touched, f)
			}
			return nil
		}}}
}

var offeredRE = regexp.MustCompile(`satisfies the requirement ([A-Za-z0-9._-]+)\s*==\s*([^\s(]+) \(from versions: ([^)]*)\)`)

// pins changes a pinned requirement: to the newest version the failure says is
// on offer, or to no pin at all.
func (s *state) pins(k diagnose.FixKind) []draft {
	if s.first == nil || len(s.reqs) == 0 {
		return nil
	}
	type change struct{ name, line string }
	var changes []change
	if m := offeredRE.FindStringSubmatch(s.first.Output); m != nil {
		offered := strings.Split(m[3], ",")
		last := strings.TrimSpace(offered[len(offered)-1])
		switch {
		case k == diagnose.FixPinRequirement && last != "" && last != "none":
			changes = append(changes, change{requirements.Name(m[1]), m[1] + "==" + last})
		case k == diagnose.FixUnpinRequirement:
			changes = append(changes, change{requirements.Name(m[1]), m[1]})
		}
	} else if k == diagnose.FixUnpinRequirement {
		for _, f := range s.reqs {
			text, err := readText(s.b.dir, f)
			if err != nil {
				continue
			}
			for _, l := range strings.Split(text, "\n") {
				name := requirements.Name(l)
				if name != "" && strings.Contains(l, "==") && s.isImported(name) {
					changes = append(changes, change{name, strings.TrimSpace(l[:strings.Index(l, "==")])})
				}
			}
		}
	}
	if len(changes) == 0 {
		return nil
	}
	c := changes[0]
	id, what := "pin-requirement", "pin "+c.line
	if k == diagnose.FixUnpinRequirement {
		id, what = "unpin-requirement", "drop the version pin of "+c.name+" ("+c.line+")"
	}
	reqs := append([]string{}, s.reqs...)
	return []draft{{id: id, kind: k, summary: what + " in " + strings.Join(reqs, ", "),
		edit: func(dir string, touched *[]string) error {
			for _, f := range reqs {
				text, err := readText(dir, f)
				if err != nil {
					return err
				}
				found := false
				for _, l := range strings.Split(text, "\n") {
					found = found || requirements.Name(l) == c.name
				}
				if !found {
					continue
				}
				if err := writeFile(dir, f, requirements.ApplyPins(text, []string{c.line})); err != nil {
					return err
				}
				*touched = append(*touched, f)
			}
			return nil
		}}}
}

func (s *state) isImported(dist string) bool {
	for _, m := range s.imports {
		d := strings.ToLower(m)
		if x, ok := distFor[m]; ok {
			d = x
		}
		if requirements.Name(d) == dist {
			return true
		}
	}
	return false
}

// pythonSlim writes a Dockerfile at the app root on python:X.Y-slim that
// installs the same requirement files and starts the same command; a
// platform that finds a Dockerfile at the root builds it instead of Nixpacks.
func (s *state) pythonSlim() []draft {
	if s.b.v.Builder == dockerfile.Name || len(s.reqs) == 0 {
		return nil
	}
	start := s.b.v.Start
	if start == "" {
		start = s.b.sc.Start
	}
	if start == "" && s.plan != nil {
		start = s.plan.StartCmd
	}
	if start == "" {
		return nil
	}
	py := s.pythonVersion()
	var lines []string
	lines = append(lines,
		"# Debian's Python instead of Nix's: libstdc++ and the other C/C++ runtime",
		"# libraries are in /usr/lib, where the wheels' extension modules look.",
		"FROM python:"+py+"-slim",
		"WORKDIR /app",
		"COPY . /app")
	for _, f := range s.reqs {
		rel := strings.TrimPrefix(strings.TrimPrefix(f, s.b.root+"/"), "./")
		if s.b.root == "." {
			rel = f
		}
		lines = append(lines, "RUN pip install --no-cache-dir -r "+rel)
	}
	lines = append(lines, "CMD "+start)
	text := strings.Join(lines, "\n") + "\n"
	df := path.Join(s.b.root, "Dockerfile")
	return []draft{{id: "builder-python-slim", kind: diagnose.FixBuilderPythonSlim,
		summary:  fmt.Sprintf("build with a Dockerfile on python:%s-slim at %s (the platform builds a root Dockerfile instead of Nixpacks)", py, df),
		settings: nil,
		edit: func(dir string, touched *[]string) error {
			*touched = append(*touched, df)
			return writeFile(dir, df, text)
		},
		variant: func(v *scenario.Variant) {
			v.Builder, v.Dockerfile, v.Shell, v.Base = dockerfile.Name, df, "", ""
		}}}
}

// projectDockerfile switches to a Dockerfile the project already has: a
// platform setting (builder, Dockerfile path, root directory), no file change.
func (s *state) projectDockerfile() []draft {
	var found []string
	rootAbs := filepath.Join(s.b.dir, filepath.FromSlash(s.b.root))
	if _, err := os.Stat(filepath.Join(rootAbs, "Dockerfile")); err == nil {
		found = append(found, path.Join(s.b.root, "Dockerfile"))
	}
	entries, _ := os.ReadDir(rootAbs)
	for _, e := range entries {
		if e.IsDir() && !skipCopy[e.Name()] {
			if _, err := os.Stat(filepath.Join(rootAbs, e.Name(), "Dockerfile")); err == nil {
				found = append(found, path.Join(s.b.root, e.Name(), "Dockerfile"))
			}
		}
	}
	sort.Strings(found)
	for _, df := range found {
		if s.b.v.Builder == dockerfile.Name && path.Clean(filepath.ToSlash(s.b.v.Dockerfile)) == df {
			continue
		}
		dir := path.Dir(df)
		settings := []string{"builder: Dockerfile", "Dockerfile path: " + df}
		if dir != s.b.root {
			settings = append(settings, "root directory: "+dir)
		}
		return []draft{{id: "builder-dockerfile", kind: diagnose.FixBuilderDockerfile,
			summary:  fmt.Sprintf("build the project's own %s instead (a platform setting: %s)", df, strings.Join(settings, ", ")),
			settings: settings,
			variant: func(v *scenario.Variant) {
				v.Builder, v.Dockerfile, v.Root, v.Shell, v.Base = dockerfile.Name, df, dir, "", ""
			}}}
	}
	return nil
}

func equal(a, b []string) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// applied is a draft written out: the candidate's copy of the project, the
// scenario and variant that build it, the key of the images they render, and
// the files the edit touched (what its diff shows).
type applied struct {
	sc      *scenario.Scenario
	v       scenario.Variant
	key     string
	touched []string
}

// apply copies the baseline project to dir and makes the draft's change there.
// An error from the edit or the renderer means the candidate cannot be tried.
func (d draft) apply(b *baseline, dir string) (applied, error) {
	if err := copyTree(b.dir, dir); err != nil {
		return applied{}, err
	}
	var a applied
	if d.edit != nil {
		if err := d.edit(dir, &a.touched); err != nil {
			return applied{}, err
		}
	}
	csc := *b.sc
	csc.Project.Dir = dir
	a.sc = &csc
	a.v = b.v
	if d.variant != nil {
		d.variant(&a.v)
	}
	key, err := recipeKey(a.sc, a.v)
	if err != nil {
		return applied{}, err
	}
	a.key = key
	return a, nil
}
