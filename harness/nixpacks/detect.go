package nixpacks

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// app is Nixpacks' App: a directory whose root files decide the provider.
type app struct {
	root string
}

func (a app) includesFile(name string) bool {
	info, err := os.Stat(filepath.Join(a.root, filepath.FromSlash(name)))
	return err == nil && info.Mode().IsRegular()
}

func (a app) includesDir(name string) bool {
	info, err := os.Stat(filepath.Join(a.root, filepath.FromSlash(name)))
	return err == nil && info.IsDir()
}

func (a app) read(name string) string {
	b, err := os.ReadFile(filepath.Join(a.root, filepath.FromSlash(name)))
	if err != nil {
		return ""
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// skipDirs are left out of whole-tree searches. Nixpacks walks with the ignore
// crate, which honours .gitignore; these are the directories a .gitignore
// normally excludes, so results match for ordinary projects.
var skipDirs = map[string]bool{".git": true, "node_modules": true, ".venv": true, "venv": true, "__pycache__": true}

// files lists regular files under the root (slash paths, sorted) whose name matches.
func (a app) files(match func(rel string) bool) []string {
	var out []string
	_ = filepath.WalkDir(a.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != a.root && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(a.root, p)
		rel = filepath.ToSlash(rel)
		if match(rel) {
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func (a app) hasFile(match func(rel string) bool) bool { return len(a.files(match)) > 0 }

func ext(exts ...string) func(string) bool {
	return func(rel string) bool {
		for _, e := range exts {
			if strings.HasSuffix(rel, e) {
				return true
			}
		}
		return false
	}
}

var denoImport = regexp.MustCompile(`import .+ from (?:"|'|` + "`" + `)https://deno.land/[^"` + "`" + `']+\.(?:ts|js|tsx|jsx)(?:"|'|` + "`" + `);?`)
var lunaticRunner = regexp.MustCompile(`runner\s*=\s*"lunatic"`)

type detector struct {
	name   string
	detect func(a app) bool
}

// providerOrder is get_providers() in src/lib.rs: the first provider that
// detects wins ("Only match a single provider... for now").
var providerOrder = []detector{
	{"crystal", func(a app) bool { return a.includesFile("shard.yml") }},
	{"csharp", func(a app) bool { return a.hasFile(ext(".csproj")) }},
	{"dart", func(a app) bool { return a.includesFile("pubspec.yaml") }},
	{"elixir", func(a app) bool { return a.includesFile("mix.exs") }},
	{"deno", func(a app) bool {
		if a.includesFile("deno.json") || a.includesFile("deno.jsonc") {
			return true
		}
		for _, f := range a.files(ext(".ts", ".tsx", ".js", ".jsx")) {
			if denoImport.MatchString(a.read(f)) {
				return true
			}
		}
		return false
	}},
	{"fsharp", func(a app) bool { return a.hasFile(ext(".fsproj")) }},
	{"clojure", func(a app) bool { return a.includesFile("project.clj") || a.includesFile("build.clj") }},
	{"gleam", func(a app) bool { return a.includesFile("gleam.toml") && a.includesFile("manifest.toml") }},
	{"go", func(a app) bool { return a.includesFile("main.go") || a.includesFile("go.mod") }},
	{"haskell", func(a app) bool { return a.includesFile("package.yaml") && a.hasFile(ext(".hs")) }},
	{"haunt", func(a app) bool { return a.includesFile("haunt.scm") }},
	{"java", func(a app) bool {
		// The directory checks are what Nixpacks does (includes_directory), odd as they look.
		return a.includesFile("pom.xml") || a.includesDir("pom.atom") || a.includesDir("pom.clj") ||
			a.includesDir("pom.groovy") || a.includesFile("pom.rb") || a.includesFile("pom.scala") ||
			a.includesFile("pom.yaml") || a.includesFile("pom.yml") || a.includesFile("gradlew")
	}},
	{"lunatic", func(a app) bool {
		return a.includesFile("Cargo.toml") && lunaticRunner.MatchString(a.read(".cargo/config.toml"))
	}},
	{"scala", func(a app) bool { return a.includesFile("build.sbt") }},
	{"php", func(a app) bool { return a.includesFile("composer.json") || a.includesFile("index.php") }},
	{"ruby", func(a app) bool { return a.includesFile("Gemfile") }},
	{"node", func(a app) bool { return a.includesFile("package.json") }},
	{"python", func(a app) bool {
		return a.includesFile("main.py") || a.includesFile("requirements.txt") ||
			a.includesFile("pyproject.toml") || a.includesFile("Pipfile")
	}},
	{"rust", func(a app) bool { return a.includesFile("Cargo.toml") }},
	{"swift", func(a app) bool { return a.includesFile("Package.swift") }},
	{"staticfile", func(a app) bool {
		return a.includesFile("Staticfile") || a.includesDir("public") || a.includesDir("index") ||
			a.includesDir("dist") || a.includesFile("index.html")
	}},
	{"zig", func(a app) bool { return a.hasFile(ext(".zig")) }},
	{"cobol", func(a app) bool { return a.hasFile(ext(".cbl")) }},
}

// Detect returns the provider Nixpacks would pick for appRoot, or "" when none
// matches. Only files at appRoot count for Python (main.py, requirements.txt,
// pyproject.toml, Pipfile; not setup.py, which Nixpacks does not look at); a
// root package.json makes Node win because Node comes first.
func Detect(appRoot string) (string, error) {
	info, err := os.Stat(appRoot)
	if err != nil {
		return "", err
	}
	if !info.IsDir() {
		return "", &os.PathError{Op: "detect", Path: appRoot, Err: fs.ErrInvalid}
	}
	a := app{root: appRoot}
	for _, d := range providerOrder {
		if d.detect(a) {
			return d.name, nil
		}
	}
	return "", nil
}

// ProviderOrder lists Nixpacks' providers in its detection order
// (providers/mod.rs get_providers).
func ProviderOrder() []string {
	out := make([]string, len(providerOrder))
	for i, d := range providerOrder {
		out[i] = d.name
	}
	return out
}

// Detects reports whether the named provider detects appRoot.
func Detects(appRoot, name string) bool {
	a := app{root: appRoot}
	for _, d := range providerOrder {
		if d.name == name {
			return d.detect(a)
		}
	}
	return false
}
