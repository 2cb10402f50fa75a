package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
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
			if err := os.WriteFile(out, []byte(p.scenarioYAML()), 0o644); err != nil {
				return envErr(fmt.Errorf("init: %w", err))
			}
			// Loading what was just written catches a template that drifted from the schema.
			if _, err := scenario.Load(out, scenario.WithClasses(diagnose.ClassIDs()), scenario.WithBuilders(builtin.Registry())); err != nil {
				return envErr(fmt.Errorf("init wrote %s but it does not load (please report this): %w", out, err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %s\nnext: bootmatrix list %s, then bootmatrix run %s\n", out, p.summary(), out, out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing bootmatrix.yaml")
	return cmd
}

// project is what init learned about the code in a directory.
type project struct {
	dir        string
	appRoot    string // relative to dir, "." or one directory down, where requirements.txt is
	python     string
	requires   []string // requirement names, file order
	native     []string // modules of native packages (numpy, …)
	cfg        *nixpacks.Config
	start      string // start command from nixpacks.toml, run from dir
	dockerfile string // relative to dir, "" when there is none
	packageJS  bool
	provider   string // what Nixpacks detects at dir
	notes      []string
}

var reqName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*`)

func inspectProject(dir string) (*project, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("init: %s is not a directory: give the project's directory", dir)
	}
	p := &project{dir: dir, python: "3.13"}
	root, err := findAppRoot(dir)
	if err != nil {
		return nil, err
	}
	p.appRoot = root
	req, _ := os.ReadFile(filepath.Join(dir, root, "requirements.txt"))
	p.native = scenario.NativeImports(req)
	sc := bufio.NewScanner(bytes.NewReader(req))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
			continue
		}
		if n := reqName.FindString(line); n != "" {
			p.requires = append(p.requires, n)
		}
	}
	for _, name := range nixpacks.ConfigFileNames {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		cfg, err := nixpacks.ReadConfig(path)
		if err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
		p.cfg = cfg
		break
	}
	if p.cfg != nil {
		if p.cfg.Start != nil && p.cfg.Start.Cmd != nil {
			p.start = *p.cfg.Start.Cmd
		}
		if s := p.cfg.Phases["setup"]; s != nil {
			for _, pkg := range s.NixPkgs {
				if v := nixPython(pkg); v != "" {
					p.python = v
				}
			}
		}
	}
	for _, cand := range []string{filepath.Join(root, "Dockerfile"), "Dockerfile"} {
		if isRegular(filepath.Join(dir, cand)) {
			p.dockerfile = filepath.ToSlash(filepath.Clean(cand))
			break
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		p.packageJS = true
		var pj struct{ Name string }
		if json.Unmarshal(data, &pj) != nil {
			p.notes = append(p.notes, "package.json does not parse as JSON")
		}
	}
	p.provider, _ = nixpacks.Detect(dir)
	return p, nil
}

// findAppRoot returns where requirements.txt is: dir itself, else the one
// subdirectory that has it (the seed's layout: nixpacks.toml at the root, the app in backend/).
func findAppRoot(dir string) (string, error) {
	if isRegular(filepath.Join(dir, "requirements.txt")) {
		return ".", nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", fmt.Errorf("init: %w", err)
	}
	var found []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && isRegular(filepath.Join(dir, e.Name(), "requirements.txt")) {
			found = append(found, e.Name())
		}
	}
	sort.Strings(found)
	switch len(found) {
	case 0:
		return "", fmt.Errorf("init: no requirements.txt in %s or one directory down: bootmatrix needs a Python app with a requirements file", dir)
	case 1:
		return found[0], nil
	default:
		return "", fmt.Errorf("init: requirements.txt in %s: run init in the app's directory or edit project.root afterwards", strings.Join(found, ", "))
	}
}

func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

func nixPython(pkg string) string {
	switch pkg {
	case "python3", "python313":
		return "3.13"
	case "python311":
		return "3.11"
	}
	return ""
}

// rootedStart is the start command for variants whose app root is the app
// directory rather than the repository root: a leading "cd <root> && " is dropped.
func (p *project) rootedStart() string {
	s := p.start
	if p.appRoot != "." {
		for _, pre := range []string{"cd " + p.appRoot + " && ", "cd ./" + p.appRoot + " && "} {
			s = strings.TrimPrefix(s, pre)
		}
	}
	if s == "" || strings.HasPrefix(s, "cd ") {
		return p.defaultStart()
	}
	return s
}

func (p *project) defaultStart() string {
	for _, r := range p.requires {
		if strings.EqualFold(r, "gunicorn") {
			return "gunicorn --bind 0.0.0.0:$PORT app:app"
		}
		if strings.EqualFold(r, "uvicorn") {
			return "uvicorn app:app --host 0.0.0.0 --port $PORT"
		}
	}
	return "python app.py"
}

// projectRoot is project.root: the repository root when a nixpacks.toml there
// configures the build (as on the platform), else the app directory itself.
func (p *project) projectRoot() string {
	if p.cfg != nil {
		return "."
	}
	return p.appRoot
}

func (p *project) cd() string {
	if p.appRoot == p.projectRoot() {
		return ""
	}
	return "cd " + p.appRoot + " && "
}

func (p *project) summary() string {
	parts := []string{"app root " + p.appRoot, "Python " + p.python}
	if p.cfg != nil {
		parts = append(parts, "nixpacks.toml read")
	}
	if p.dockerfile != "" {
		parts = append(parts, "Dockerfile "+p.dockerfile)
	}
	return strings.Join(parts, ", ")
}

// yq quotes a string for YAML: a JSON string is a valid double-quoted YAML
// scalar, and without HTML escaping "&&" stays readable.
func yq(s string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

func yl(items ...string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = yq(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func (p *project) scenarioYAML() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	name := sanitizeName(filepath.Base(absOr(p.dir)))
	py := p.python
	pyPkg := "python" + strings.ReplaceAll(py, ".", "")
	pyVariantStart := p.rootedStart()

	w("# Written by `bootmatrix init`: the project's configuration as it is today and\n")
	w("# the usual fixes for a Python app that will not boot on a Nix-based builder.\n")
	w("# Edit freely; reference: docs/scenario-schema.md. Run: bootmatrix run %s\n", initFile)
	if p.cfg != nil {
		w("# Read: %s.", filepath.Base(p.cfg.File))
	} else {
		w("# No nixpacks.toml: the Nixpacks variants use the Python provider's defaults.")
	}
	w(" Requirements: %s/requirements.txt.\n", p.appRoot)
	if p.packageJS {
		w("# package.json is present: Nixpacks detects provider %q at the repository root;\n", p.provider)
		w("# the variants below build the Python app only.\n")
	}
	for _, n := range p.notes {
		w("# Note: %s.\n", n)
	}
	w("schemaVersion: 1\n")
	w("name: %s\n", name)
	w("project:\n  dir: .\n  root: %s\n", p.projectRoot())
	if len(p.native) == 0 {
		w("# No native packages detected in requirements.txt: list the modules to import here.\n")
		w("# imports: [numpy]\n")
	} else {
		w("# Each is imported in a fresh interpreter, started the way the platform starts the app.\n")
		w("imports: %s\n", yl(p.native...))
	}
	w("port: 8080\n")
	w("# The endpoint the boot stage polls: change path/body to what your app answers.\n")
	w("health: {path: /health, status: 200}\n")
	w("\nmatrix:\n  include:\n")

	w("    # The configuration as committed (nixpacks.toml, Nixpacks' Python provider).\n")
	w("    - name: current\n      builder: nixpacks\n      python: %s\n", yq(py))
	if p.start == "" {
		w("      start: %s\n", yq(p.cd()+pyVariantStart))
	}

	install := p.cd() + "pip install --break-system-packages -r requirements.txt"
	w("\n    # nixLibs puts stdenv.cc.cc.lib (libstdc++.so.6, libgcc_s.so.1) on LD_LIBRARY_PATH\n")
	w("    # through /etc/profile.d: only a login shell (bash -l) reads it.\n")
	for _, shell := range []string{"login", "plain"} {
		w("    - name: nixlibs-%s-shell\n      builder: nixpacks\n      python: %s\n      shell: %s\n", shell, yq(py), shell)
		w("      nixpacks:\n        nixLibs: [\"...\", stdenv.cc.cc.lib]\n        installCmds: %s\n", yl(install))
		if p.start == "" {
			w("      start: %s\n", yq(p.cd()+pyVariantStart))
		}
		if shell == "login" {
			w("\n    # The same image started without a login shell: the profile script does not run.\n")
		}
	}

	venvStart := p.start
	if venvStart == "" {
		venvStart = p.cd() + pyVariantStart
	}
	w("\n    # pip into a virtualenv (what Nixpacks' provider does by default): avoids PEP 668's\n")
	w("    # externally-managed-environment; wheels with native code still need libstdc++.\n")
	w("    - name: venv-install\n      builder: nixpacks\n      python: %s\n", yq(py))
	w("      nixpacks:\n        installCmds: %s\n", yl(p.cd()+"python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt"))
	w("      start: %s\n", yq("export PATH=/opt/venv/bin:$PATH && "+venvStart))

	w("\n    # Nix's own Python packages for the native modules: their RUNPATH points into the\n")
	w("    # store, so the loader finds libstdc++ without LD_LIBRARY_PATH; pip installs the rest.\n")
	pkgs := []string{pyPkg}
	for _, m := range p.native {
		pkgs = append(pkgs, pyPkg+"Packages."+m)
	}
	// pip installs what is not native, judged per requirement: module names
	// (psycopg2) differ from requirement names (psycopg2-binary).
	var rest []string
	for _, r := range p.requires {
		if len(scenario.NativeImports([]byte(r))) == 0 {
			rest = append(rest, r)
		}
	}
	w("    - name: nix-python-packages\n      builder: nixpacks\n      python: %s\n", yq(py))
	w("      nixpacks:\n        nixPkgs: %s\n", yl(pkgs...))
	if len(rest) > 0 {
		w("        installCmds: %s\n", yl(p.cd()+"pip install --break-system-packages "+strings.Join(rest, " ")))
	} else {
		w("        installCmds: []\n")
	}
	if p.start == "" {
		w("      start: %s\n", yq(p.cd()+pyVariantStart))
	}

	w("\n    # A Debian-based python:%s-slim image: libstdc++6 is in /usr/lib.\n", py)
	w("    - name: python-slim\n      builder: python-slim\n      python: %s\n      root: %s\n      start: %s\n", yq(py), p.appRoot, yq(pyVariantStart))

	if p.dockerfile != "" {
		w("\n    # The project's own Dockerfile; its FROM lines decide the base image.\n")
		w("    - name: dockerfile\n      builder: dockerfile\n      python: %s\n      root: %s\n      dockerfile: %s\n", yq(py), p.appRoot, p.dockerfile)
	} else {
		w("\n    # No Dockerfile found; to try one, add:\n")
		w("    # - {name: dockerfile, builder: dockerfile, root: %s, dockerfile: %s/Dockerfile}\n", p.appRoot, p.appRoot)
	}
	return b.String()
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
