package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

const initFile = "bootmatrix.yaml"

func newInitCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter bootmatrix.yaml for the project in DIR (default: .)",
		Long: `init reads DIR's nixpacks.toml, requirements.txt (in DIR or one directory down),
Dockerfile and package.json, and writes DIR/bootmatrix.yaml: the configuration as it
is today plus the usual fixes for a Python app that will not boot on a Nix-based
builder (nixLibs with stdenv.cc.cc.lib in a login or plain shell, a venv install,
Nix's own Python packages, python-slim, the project's Dockerfile), each commented.
It refuses to overwrite an existing file without --force.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			out := filepath.Join(dir, initFile)
			if _, err := os.Stat(out); err == nil && !force {
				return usageErr(fmt.Errorf("%s exists: pass --force to overwrite it", out))
			}
			p, err := inspectProject(dir)
			if err != nil {
				return usageErr(err)
			}
			data, err := p.scenarioFile().encode()
			if err != nil {
				return envErr(err)
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return envErr(fmt.Errorf("init: %w", err))
			}
			// Loading what was just written catches a template that drifted from the schema.
			if _, err := scenario.Load(out, scenario.WithClasses(diagnose.ClassIDs())); err != nil {
				return envErr(fmt.Errorf("init wrote %s but it does not load (please report this): %w", out, err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %s\nnext: bootmatrix list %s, then bootmatrix run %s, then bootmatrix pin %s to keep the outcomes as expectations\n", out, p.summary(), out, out, out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing bootmatrix.yaml")
	return cmd
}

// starter is the project as init sees it: what harness/project found, and
// the choices of the scenario init writes for it.
type starter struct{ *project.Project }

func inspectProject(dir string) (*starter, error) {
	p, err := project.Inspect(dir)
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	return &starter{p}, nil
}

// projectRoot is project.root: the repository root when a nixpacks.toml there
// configures the build (as on the platform), else the app directory itself.
func (p *starter) projectRoot() string {
	if p.Config != nil {
		return "."
	}
	return p.AppRoot
}

func (p *starter) cd() string {
	if p.AppRoot == p.projectRoot() {
		return ""
	}
	return "cd " + p.AppRoot + " && "
}

func (p *starter) summary() string {
	parts := []string{"app root " + p.AppRoot, "Python " + p.Python}
	if p.Config != nil {
		parts = append(parts, "nixpacks.toml read")
	}
	if p.Dockerfile != "" {
		parts = append(parts, "Dockerfile "+p.Dockerfile)
	}
	return strings.Join(parts, ", ")
}

// scenarioFile is the starter scenario for the project: the configuration
// as it is today, then the usual fixes for a Python app that will not boot on
// a Nix-based builder, each variant with a comment saying what it tries.
func (p *starter) scenarioFile() *starterFile {
	py := p.Python
	pyPkg := "python" + strings.ReplaceAll(py, ".", "")
	pyVariantStart := p.StartInAppRoot()
	f := &starterFile{
		SchemaVersion: scenario.SchemaVersion,
		Name:          sanitizeName(filepath.Base(absOr(p.Dir))),
		Project:       starterProject{Dir: ".", Root: p.projectRoot()},
		Imports:       quotedList(p.Native),
		Port:          8080,
		Health:        starterHealth{Path: "/health", Status: 200},
		comments:      map[string]string{},
	}

	header := []string{
		"Written by `bootmatrix init`: the project's configuration as it is today and",
		"the usual fixes for a Python app that will not boot on a Nix-based builder.",
		"Edit freely; reference: docs/scenario-schema.md. Run: bootmatrix run " + initFile,
	}
	read := "No nixpacks.toml: the Nixpacks variants use the Python provider's defaults."
	if p.Config != nil {
		read = fmt.Sprintf("Read: %s.", filepath.Base(p.Config.File))
	}
	header = append(header, read+fmt.Sprintf(" Requirements: %s/requirements.txt.", p.AppRoot))
	if p.PackageJSON {
		header = append(header,
			fmt.Sprintf("package.json is present: Nixpacks detects provider %q at the repository root;", p.Provider),
			"the variants below build the Python app only.")
	}
	for _, n := range p.Notes {
		header = append(header, fmt.Sprintf("Note: %s.", n))
	}
	f.comments["schemaVersion"] = comment(header...)
	if len(p.Native) == 0 {
		f.comments["port"] = comment("No native packages detected in requirements.txt: list the modules to import here.",
			"imports: [numpy]")
	} else {
		f.comments["imports"] = comment("Each is imported in a fresh interpreter, started the way the platform starts the app.")
	}
	f.comments["health"] = comment("The endpoint the boot stage polls: change path/body to what your app answers.")
	// A blank line before the variants, then why none has an expect yet.
	f.comments["matrix"] = "\n" + comment(
		"No variant has an expect yet, so a run cannot fail on any of them (the report",
		"shows \"– none\"). After a first run, `bootmatrix pin "+initFile+"` writes each",
		"variant's outcome as its expect; from then on a run that does otherwise exits 1.")

	// start is the start command of the variants that keep nixpacks.toml's
	// when it has one.
	start := quoted("")
	if p.Start == "" {
		start = quoted(p.cd() + pyVariantStart)
	}
	add := func(v starterVariant, why ...string) {
		if len(f.Matrix.Include) > 0 {
			why = append([]string{""}, why...)
		}
		v.comment = comment(why...)
		f.Matrix.Include = append(f.Matrix.Include, v)
	}

	add(starterVariant{Name: "current", Builder: "nixpacks", Python: quoted(py), Start: start},
		"The configuration as committed (nixpacks.toml, Nixpacks' Python provider).")

	install := p.cd() + "pip install --break-system-packages -r requirements.txt"
	for _, shell := range []string{"login", "plain"} {
		why := []string{"The same image started without a login shell: the profile script does not run."}
		if shell == "login" {
			why = []string{"nixLibs puts stdenv.cc.cc.lib (libstdc++.so.6, libgcc_s.so.1) on LD_LIBRARY_PATH",
				"through /etc/profile.d: only a login shell (bash -l) reads it."}
		}
		add(starterVariant{Name: "nixlibs-" + shell + "-shell", Builder: "nixpacks", Python: quoted(py), Shell: shell,
			Nixpacks: &starterNixpacks{NixLibs: nixList{"...", "stdenv.cc.cc.lib"}, InstallCmds: quotedList{install}},
			Start:    start}, why...)
	}

	venvStart := p.Start
	if venvStart == "" {
		venvStart = p.cd() + pyVariantStart
	}
	add(starterVariant{Name: "venv-install", Builder: "nixpacks", Python: quoted(py),
		Nixpacks: &starterNixpacks{InstallCmds: quotedList{p.cd() + "python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt"}},
		Start:    quoted("export PATH=/opt/venv/bin:$PATH && " + venvStart)},
		"pip into a virtualenv (what Nixpacks' provider does by default): avoids PEP 668's",
		"externally-managed-environment; wheels with native code still need libstdc++.")

	pkgs := quotedList{pyPkg}
	for _, m := range p.Native {
		pkgs = append(pkgs, pyPkg+"Packages."+m)
	}
	// pip installs what is not native, judged per requirement: module names
	// (psycopg2) differ from requirement names (psycopg2-binary).
	var rest []string
	for _, r := range p.Requires {
		if len(scenario.NativeImports([]byte(r))) == 0 {
			rest = append(rest, r)
		}
	}
	nixInstall := quotedList{}
	if len(rest) > 0 {
		nixInstall = quotedList{p.cd() + "pip install --break-system-packages " + strings.Join(rest, " ")}
	}
	add(starterVariant{Name: "nix-python-packages", Builder: "nixpacks", Python: quoted(py),
		Nixpacks: &starterNixpacks{NixPkgs: pkgs, InstallCmds: nixInstall},
		Start:    start},
		"Nix's own Python packages for the native modules: their RUNPATH points into the",
		"store, so the loader finds libstdc++ without LD_LIBRARY_PATH; pip installs the rest.")

	add(starterVariant{Name: "python-slim", Builder: "python-slim", Python: quoted(py), Root: p.AppRoot, Start: quoted(pyVariantStart)},
		fmt.Sprintf("A Debian-based python:%s-slim image: libstdc++6 is in /usr/lib.", py))

	if p.Dockerfile != "" {
		add(starterVariant{Name: "dockerfile", Builder: "dockerfile", Python: quoted(py), Root: p.AppRoot, Dockerfile: p.Dockerfile},
			"The project's own Dockerfile; its FROM lines decide the base image.")
	} else {
		f.trailer = comment("", "No Dockerfile found; to try one, add:",
			fmt.Sprintf("  - {name: dockerfile, builder: dockerfile, root: %s, dockerfile: %s/Dockerfile}", p.AppRoot, p.AppRoot))
	}
	return f
}

func absOr(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

var nameBad = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitizeName(s string) string {
	s = strings.Trim(nameBad.ReplaceAllString(s, "-"), "-")
	if s == "" || s == "." {
		return "app"
	}
	return s
}
