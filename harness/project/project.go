// Package project inspects a user's Python project as it is on disk: where
// the app is, what it requires, which of its packages are native, and which
// build configuration it carries (nixpacks.toml, a Dockerfile, a package.json
// that changes what Nixpacks detects). `bootmatrix init` writes a starter
// scenario from it and `bootmatrix doctor --project` takes it as its starting
// point, so both read a project the same way.
package project

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// DefaultPython is the version assumed when the project names none, as
// Nixpacks' Python provider does.
const DefaultPython = "3.13"

// Project is what Inspect learned about the code in a directory.
type Project struct {
	Dir string
	// AppRoot is where requirements.txt is, relative to Dir: "." or one
	// directory down (the layout of a repository with nixpacks.toml at the
	// root and the app in backend/).
	AppRoot string
	// Python is the version nixpacks.toml's setup phase selects, else DefaultPython.
	Python string
	// Requires are the requirement names of AppRoot/requirements.txt,
	// normalised as pip compares them, in file order.
	Requires []string
	// Native are the import names of the native packages among Requires (numpy, …).
	Native []string
	// Config is the nixpacks.toml (or .json) at Dir; nil when there is none.
	Config *nixpacks.Config
	// Start is Config's start command, run from Dir; "" when it sets none.
	Start string
	// Dockerfile is the project's Dockerfile relative to Dir (the app root's
	// first, then Dir's); "" when there is none.
	Dockerfile string
	// PackageJSON reports a package.json at Dir: Nixpacks then detects another provider.
	PackageJSON bool
	// Provider is what Nixpacks detects at Dir.
	Provider string
	// Notes are problems found on the way that do not stop the inspection.
	Notes []string
}

// Inspect reads the project in dir. It fails when dir is not a directory,
// when no requirements.txt is found where AppRoot may be, and when the
// nixpacks configuration does not parse.
func Inspect(dir string) (*Project, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory: give the project's directory", dir)
	}
	p := &Project{Dir: dir, Python: DefaultPython}
	if p.AppRoot, err = FindAppRoot(dir); err != nil {
		return nil, err
	}
	req, _ := os.ReadFile(filepath.Join(dir, p.AppRoot, "requirements.txt"))
	p.Native = scenario.NativeImports(req)
	p.Requires = requirementNames(req)
	for _, name := range nixpacks.ConfigFileNames {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		cfg, err := nixpacks.ReadConfig(path)
		if err != nil {
			return nil, err
		}
		p.Config = cfg
		break
	}
	if p.Config != nil {
		if p.Config.Start != nil && p.Config.Start.Cmd != nil {
			p.Start = *p.Config.Start.Cmd
		}
		if s := p.Config.Phases["setup"]; s != nil {
			for _, pkg := range s.NixPkgs {
				if v := pythonOf(pkg); v != "" {
					p.Python = v
				}
			}
		}
	}
	for _, cand := range []string{filepath.Join(p.AppRoot, "Dockerfile"), "Dockerfile"} {
		if isRegular(filepath.Join(dir, cand)) {
			p.Dockerfile = filepath.ToSlash(filepath.Clean(cand))
			break
		}
	}
	if data, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		p.PackageJSON = true
		var pj struct{ Name string }
		if json.Unmarshal(data, &pj) != nil {
			p.Notes = append(p.Notes, "package.json does not parse as JSON")
		}
	}
	p.Provider, _ = nixpacks.Detect(dir)
	return p, nil
}

// requirementNames are the names the lines of a requirements file are
// about, in file order; options (-r, -e) and comments name none.
func requirementNames(text []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(text))
	for sc.Scan() {
		if n := requirements.Name(sc.Text()); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// FindAppRoot returns where requirements.txt is: dir itself, else the one
// subdirectory that has it. Several candidates are an error, since which of
// them the platform builds is a setting only the user knows.
func FindAppRoot(dir string) (string, error) {
	if isRegular(filepath.Join(dir, "requirements.txt")) {
		return ".", nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
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
		return "", fmt.Errorf("no requirements.txt in %s or one directory down: bootmatrix needs a Python app with a requirements file", dir)
	case 1:
		return found[0], nil
	default:
		return "", fmt.Errorf("requirements.txt in %s: run init in the app's directory or edit project.root afterwards", strings.Join(found, ", "))
	}
}

// NativeImports are the native modules required in root/requirements.txt
// and in the requirements.txt of every directory one level below root, in
// that order. Unlike Inspect it does not insist on a single app directory:
// a project taken as it is may carry several, and each can fail to import.
func NativeImports(root string) []string {
	files, _ := filepath.Glob(filepath.Join(root, "*", "requirements.txt"))
	var out []string
	for _, f := range append([]string{filepath.Join(root, "requirements.txt")}, files...) {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range scenario.NativeImports(data) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

func isRegular(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// Pythons are the versions a project may select with its interpreter's Nix
// attribute, the default first (the ones the harness has images for).
var Pythons = []string{DefaultPython, "3.11"}

// pythonOf is the version a nixPkgs entry selects: python3 is Nixpacks'
// default, python311 is 3.11 by the Nix model's attribute names.
func pythonOf(pkg string) string {
	if pkg == "python3" {
		return DefaultPython
	}
	for _, v := range Pythons {
		if nixpacks.PythonAttr(v) == pkg {
			return v
		}
	}
	return ""
}

// ScenarioRoot is a scenario's project.root for the project: the repository
// root when a nixpacks.toml there configures the build (as on the platform),
// else the app directory itself.
func (p *Project) ScenarioRoot() string {
	if p.Config != nil {
		return "."
	}
	return p.AppRoot
}

// CdAppRoot is what a command run from ScenarioRoot starts with to run in the
// app root: "cd backend && ", or "" when the two are the same.
func (p *Project) CdAppRoot() string {
	if p.AppRoot == p.ScenarioRoot() {
		return ""
	}
	return "cd " + p.AppRoot + " && "
}

// StartInAppRoot is the start command for a build whose working directory
// is the app root rather than Dir: a leading "cd <AppRoot> && " is dropped,
// and a command that still changes directory, or none, gives DefaultStart.
func (p *Project) StartInAppRoot() string {
	s := p.Start
	if p.AppRoot != "." {
		for _, pre := range []string{"cd " + p.AppRoot + " && ", "cd ./" + p.AppRoot + " && "} {
			s = strings.TrimPrefix(s, pre)
		}
	}
	if s == "" || strings.HasPrefix(s, "cd ") {
		return p.DefaultStart()
	}
	return s
}

// DefaultStart guesses the start command from the server the project requires.
func (p *Project) DefaultStart() string {
	for _, r := range p.Requires {
		if strings.EqualFold(r, "gunicorn") {
			return "gunicorn --bind 0.0.0.0:$PORT app:app"
		}
		if strings.EqualFold(r, "uvicorn") {
			return "uvicorn app:app --host 0.0.0.0 --port $PORT"
		}
	}
	return "python app.py"
}

// distributions maps the import names whose distribution (and Nix Python
// package) is named otherwise; the rest are the import name lower-cased.
var distributions = map[string]string{"PIL": "pillow", "yaml": "pyyaml", "cv2": "opencv4", "sklearn": "scikit-learn", "psycopg2": "psycopg2"}

// Distribution is the distribution that provides an import name, as pip and
// nixpkgs' pythonPackages name it: PIL is pillow.
func Distribution(module string) string {
	// A submodule comes with its top-level package: PyQt5.QtGui is PyQt5's.
	module, _, _ = strings.Cut(module, ".")
	if d, ok := distributions[module]; ok {
		return d
	}
	return strings.ToLower(module)
}
