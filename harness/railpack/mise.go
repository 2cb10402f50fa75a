package railpack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// Resolver turns a fuzzy version ("3.13", "latest") into the release mise
// would install, as `mise latest python@3.13` does for Railpack at plan time.
type Resolver interface {
	Resolve(ctx context.Context, tool, fuzzy string) (string, error)
}

// StaticVersions resolves against a fixed list of releases per tool (what an
// offline builder image has installed, or a snapshot of mise's list).
type StaticVersions map[string][]string

// Resolve returns the highest listed version that fuzzy is a prefix of, by
// dotted components ("3.1" matches 3.1.4, not 3.13.0).
func (s StaticVersions) Resolve(_ context.Context, tool, fuzzy string) (string, error) {
	versions := slices.Clone(s[tool])
	sort.Slice(versions, func(i, j int) bool { return versionLess(versions[i], versions[j]) })
	for i := len(versions) - 1; i >= 0; i-- {
		if fuzzy == "latest" || versions[i] == fuzzy || strings.HasPrefix(versions[i], fuzzy+".") {
			return versions[i], nil
		}
	}
	return "", &VersionError{Tool: tool, Requested: fuzzy, Available: versions}
}

func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil && na != nb {
			return na < nb
		}
		if ea != nil || eb != nil {
			if pa[i] != pb[i] {
				return pa[i] < pb[i]
			}
		}
	}
	return len(pa) < len(pb)
}

// VersionError is a tool version mise cannot provide: Railpack's plan fails
// with it before anything is built.
type VersionError struct {
	Tool, Requested string
	// Source is where the version came from (".python-version", "RAILPACK_PYTHON_VERSION" …).
	Source    string
	Available []string
}

func (e *VersionError) Error() string {
	msg := fmt.Sprintf("mise has no %s matching %q", e.Tool, e.Requested)
	if e.Source != "" {
		msg += " (from " + e.Source + ")"
	}
	if len(e.Available) > 0 {
		msg += "; available: " + strings.Join(e.Available, ", ")
	}
	return msg + "; pin a version mise provides"
}

func (g *generator) toolRef(name, def string) *tool {
	for _, t := range g.tools {
		if t.name == name {
			return t
		}
	}
	t := &tool{name: name, version: def, source: "railpack default"}
	g.tools = append(g.tools, t)
	return t
}

func (g *generator) applyConfigPackages() {
	for _, name := range slices.Sorted(maps.Keys(g.cfg.Packages)) {
		t := g.toolRef(name, g.cfg.Packages[name])
		t.version, t.source = g.cfg.Packages[name], "custom config"
	}
}

var (
	pipfileFullRe  = regexp.MustCompile(`python_full_version\s*=\s*['"]([0-9.]*)"?`)
	pipfileShortRe = regexp.MustCompile(`python_version\s*=\s*['"]([0-9.]*)"?`)
	semverRe       = regexp.MustCompile(`(\d+(?:\.\d+)?(?:\.\d+)?)`)
)

// misePackages is InstallMisePackages: the default, then Pipfile, then
// runtime.txt, then mise's own files, then RAILPACK_PYTHON_VERSION, each
// overriding the one before.
func (g *generator) misePackages() {
	a := g.a
	python := g.toolRef("python", DefaultPythonVersion)
	if s, ok := a.read("Pipfile"); ok {
		if m := pipfileFullRe.FindStringSubmatch(s); len(m) > 1 {
			python.version, python.source = m[1], "Pipfile > python_full_version"
		} else if m := pipfileShortRe.FindStringSubmatch(s); len(m) > 1 {
			python.version, python.source = m[1], "Pipfile > python_version"
		}
	}
	if s, ok := a.read("runtime.txt"); ok {
		// An unparsable runtime.txt yields "", which resolves as "latest".
		python.version, python.source = "", "runtime.txt"
		if m := semverRe.FindStringSubmatch(strings.TrimSpace(s)); len(m) > 1 {
			python.version = m[1]
		}
	}
	names := []string{"python"}
	if a.has("pdm.lock") || a.has("Pipfile") {
		g.toolRef("pipx", "latest")
		g.setting("pipx.uvx", true)
		g.toolRef("uv", "latest")
		names = append(names, "pipx", "uv")
	}
	if a.has("poetry.lock") {
		g.toolRef("poetry", "latest")
		names = append(names, "poetry")
	}
	if a.has("pdm.lock") {
		g.toolRef("pipx:pdm", "latest")
		names = append(names, "pipx:pdm")
	}
	if a.has("uv.lock") {
		g.toolRef("uv", "latest")
		names = append(names, "uv")
	}
	if a.has("Pipfile") {
		g.toolRef("pipx:pipenv", "latest")
		names = append(names, "pipx:pipenv")
	}
	found := g.miseFileVersions()
	for _, n := range names {
		if v, ok := found[n]; ok {
			t := g.toolRef(n, "")
			t.version, t.source = v[0], v[1]
		}
	}
	if v := g.configVar("PYTHON_VERSION"); v != "" {
		python.version, python.source = v, "RAILPACK_PYTHON_VERSION"
	}
}

func (g *generator) setting(key string, v any) {
	head, tail, nested := strings.Cut(key, ".")
	if !nested {
		g.settings[key] = v
		return
	}
	m, ok := g.settings[head].(map[string]any)
	if !ok {
		m = map[string]any{}
		g.settings[head] = m
	}
	m[tail] = v
}

// miseFileVersions reads the versions `mise ls --current` reports for the app
// directory. Railpack runs mise itself; this reads the three files Python
// projects use, in mise's precedence: mise.toml over .tool-versions over the
// idiomatic .python-version. It returns tool → {version, source}.
func (g *generator) miseFileVersions() map[string][2]string {
	out := map[string][2]string{}
	if s, ok := g.a.read(".python-version"); ok {
		for _, line := range strings.Split(s, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				out["python"] = [2]string{line, ".python-version"}
				break
			}
		}
	}
	if s, ok := g.a.read(".tool-versions"); ok {
		for _, line := range strings.Split(s, "\n") {
			line, _, _ = strings.Cut(line, "#")
			if f := strings.Fields(line); len(f) >= 2 {
				out[f[0]] = [2]string{f[1], ".tool-versions"}
			}
		}
	}
	for _, name := range []string{".config/mise/config.toml", ".config/mise.toml", ".mise/config.toml", "mise/config.toml", ".mise.toml", "mise.toml"} {
		s, ok := g.a.read(name)
		if !ok {
			continue
		}
		var doc struct {
			Tools map[string]any `toml:"tools"`
		}
		if toml.Unmarshal([]byte(s), &doc) != nil {
			continue
		}
		for k, v := range doc.Tools {
			switch v := v.(type) {
			case string:
				out[k] = [2]string{v, name}
			case []any:
				if len(v) > 0 {
					if s, ok := v[0].(string); ok {
						out[k] = [2]string{s, name}
					}
				}
			case map[string]any:
				if s, ok := v["version"].(string); ok {
					out[k] = [2]string{s, name}
				}
			}
		}
	}
	return out
}

// fuzzy is resolveToFuzzyVersion (core/resolver/version.go).
func fuzzy(v string) string {
	v = strings.TrimSpace(v)
	if v == "" || v == "*" {
		return "latest"
	}
	if strings.Contains(v, ">=") || strings.Contains(v, "<") {
		parts := strings.Fields(v)
		for i, part := range parts {
			if after, ok := strings.CutPrefix(part, ">="); ok {
				if after == "" && i+1 < len(parts) {
					after = parts[i+1]
				}
				return strings.Split(strings.TrimSpace(after), ".")[0]
			}
		}
	}
	if after, ok := strings.CutPrefix(v, "^"); ok {
		return strings.Split(after, ".")[0]
	}
	v = strings.TrimPrefix(v, "~")
	v = strings.TrimPrefix(v, "v")
	v = strings.ReplaceAll(v, ".x", "")
	return strings.TrimRight(v, ".")
}

func (g *generator) resolve(ctx context.Context, r Resolver) (map[string]*ResolvedPackage, error) {
	out := map[string]*ResolvedPackage{}
	for _, t := range g.tools {
		f := fuzzy(t.version)
		v := f
		if r != nil {
			var err error
			if v, err = r.Resolve(ctx, t.name, f); err != nil {
				var ve *VersionError
				if errors.As(err, &ve) {
					ve.Source, ve.Requested = t.source, t.version
					return nil, fmt.Errorf("railpack plan: %w", ve)
				}
				return nil, fmt.Errorf("resolving %s %s from %s: %w", t.name, t.version, t.source, err)
			}
		}
		out[t.name] = &ResolvedPackage{Name: t.name, RequestedVersion: t.version, ResolvedVersion: v, Source: t.source}
	}
	return out, nil
}

// Mise config files Railpack copies into the mise step when present
// (miseConfigFiles, miseIdiomaticFiles and miseConfigGlobs in mise_step_builder.go).
var (
	miseConfigFiles    = []string{"mise.toml", ".mise.toml", "mise/config.toml", ".mise/config.toml", ".config/mise.toml", ".config/mise/config.toml", ".tool-versions"}
	miseIdiomaticFiles = []string{".python-version", ".python-versions", ".node-version", ".nvmrc", ".ruby-version", "Gemfile", ".go-version", ".java-version", ".sdkmanrc", ".exenv-version", ".deno-version", "rust-toolchain.toml", ".bun-version", ".yvmrc", "global.json"}
	miseConfigGlobs    = []string{"mise.*.toml", ".mise.*.toml", ".config/mise/conf.d/*.toml"}
	idiomaticTools     = []string{"python", "node", "ruby", "elixir", "go", "java", "yarn", "bun", "deno", "dotnet", "rust"}
)

func (g *generator) supportingMiseFiles() []string {
	var files []string
	add := func(f string) {
		if !slices.Contains(files, f) {
			files = append(files, f)
		}
	}
	for _, f := range slices.Concat(miseConfigFiles, miseIdiomaticFiles) {
		if g.a.has(f) {
			add(f)
		}
	}
	for _, p := range miseConfigGlobs {
		for _, f := range g.a.glob(p) {
			add(f)
		}
	}
	for _, f := range slices.Clone(files) {
		if strings.HasSuffix(f, ".toml") {
			dir := "."
			if i := strings.LastIndex(f, "/"); i >= 0 {
				dir = f[:i]
			}
			lock := "mise.lock"
			if dir != "." {
				lock = dir + "/mise.lock"
			}
			if g.a.has(lock) {
				add(lock)
			}
		}
	}
	return files
}

// MiseConfigAsset is the asset name of the generated /etc/mise/config.toml.
const MiseConfigAsset = "generated-mise-toml"

func (g *generator) miseStep(base Layer, resolved map[string]*ResolvedPackage) (Step, error) {
	s := Step{Name: StepMise, Inputs: []Layer{base}}
	s.Commands = append(s.Commands, pathCmd("/mise/shims"))
	s.Variables = map[string]string{
		"MISE_DATA_DIR":     "/mise",
		"MISE_CONFIG_DIR":   "/mise",
		"MISE_CACHE_DIR":    "/mise/cache",
		"MISE_SHIMS_DIR":    "/mise/shims",
		"MISE_INSTALLS_DIR": "/mise/installs",
	}
	if v := g.env["MISE_VERBOSE"]; v != "" {
		s.Variables["MISE_VERBOSE"] = v
	}
	g.setting("node.verify", false)
	g.setting("paranoid", true)
	g.setting("trusted_config_paths", []string{"/app"})
	g.setting("idiomatic_version_file_enable_tools", idiomaticTools)
	g.setting("minimum_release_age", "14d")
	for _, f := range g.supportingMiseFiles() {
		s.Commands = append(s.Commands, copyCmd(f))
	}
	tools := map[string]string{}
	for name, r := range resolved {
		tools[name] = r.ResolvedVersion
	}
	s.Assets = map[string]string{MiseConfigAsset: miseTOML(tools, g.settings)}
	names := slices.Sorted(maps.Keys(tools))
	s.Commands = append(s.Commands,
		fileCmd("/etc/mise/config.toml", MiseConfigAsset, "create mise config"),
		execNamed("mise install", "install mise packages: "+strings.Join(names, ", ")))
	return s, nil
}

// miseTOML writes what BurntSushi/toml's encoder writes for mise.MiseConfig:
// [tools] then [settings], keys sorted, plain keys before sub-tables, two
// spaces of indent per level, a blank line between top-level tables.
func miseTOML(tools map[string]string, settings map[string]any) string {
	var b strings.Builder
	b.WriteString("[tools]\n")
	for _, k := range slices.Sorted(maps.Keys(tools)) {
		fmt.Fprintf(&b, "  %s = %s\n", tomlKey(k), strconv.Quote(tools[k]))
	}
	if len(settings) > 0 {
		b.WriteString("\n[settings]\n")
		writeTOMLTable(&b, "settings", settings, 1)
	}
	return b.String()
}

func writeTOMLTable(b *strings.Builder, prefix string, m map[string]any, depth int) {
	indent := strings.Repeat("  ", depth)
	var subs []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if _, ok := m[k].(map[string]any); ok {
			subs = append(subs, k)
			continue
		}
		fmt.Fprintf(b, "%s%s = %s\n", indent, tomlKey(k), tomlValue(m[k]))
	}
	for _, k := range subs {
		name := prefix + "." + tomlKey(k)
		fmt.Fprintf(b, "%s[%s]\n", indent, name)
		writeTOMLTable(b, name, m[k].(map[string]any), depth+1)
	}
}

var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func tomlKey(k string) string {
	if bareKey.MatchString(k) {
		return k
	}
	return strconv.Quote(k)
}

func tomlValue(v any) string {
	switch v := v.(type) {
	case string:
		return strconv.Quote(v)
	case bool:
		return strconv.FormatBool(v)
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	return fmt.Sprint(v)
}
