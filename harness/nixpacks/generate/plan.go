// Package generate renders a Nixpacks build plan into the files that
// `nixpacks build --out` writes: .nixpacks/Dockerfile, one
// .nixpacks/nixpkgs-<archive>.nix per nixpkgs archive, the static assets
// under .nixpacks/assets and .nixpacks/build.sh.
//
// It is a line-for-line port of railwayapp/nixpacks at commit
// f51d7fd5872e6937a98870b5339ff3ce641499e3 (2025-08-04, "Update Bun to
// stable status and nixpkgs archive (#1350)"):
//   - src/nixpacks/plan/{mod,phase,merge,utils,topological_sort}.rs for the plan
//     (BuildPlan, Phase, StartPhase, merging with "..."/"@auto", pinning,
//     phase order, the NIXPACKS_* environment plan);
//   - src/nixpacks/plan/generator.rs and src/providers/procfile.rs for
//     Generate: config file, environment, providers and Procfile merged and
//     pinned, with a lone subdirectory retried (providers are registered by
//     the caller; the Python one is in ./python);
//   - src/main.rs get_default_cache_key for DefaultCacheKey;
//   - src/nixpacks/builder/docker/{dockerfile_generation,utils,cache}.rs for
//     the Dockerfile;
//   - src/nixpacks/nix/mod.rs for the nix expressions;
//   - src/nixpacks/images.rs for the default images;
//   - src/nixpacks/builder/docker/docker_image_builder.rs for the file layout
//     under --out and build.sh.
//
// Option/None in the Rust types is a nil slice or map here, and an empty
// but non-nil one is Some(empty): Nixpacks renders the two differently
// (`"nixOverlays": []` in a plan, `ENV NIXPACKS_PATH=:$NIXPACKS_PATH` for
// `paths = []`), so code building plans must keep the distinction.
package generate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// Archives and images Nixpacks pins when a plan does not name its own.
const (
	// NixpkgsArchive is nix/mod.rs NIXPKGS_ARCHIVE, given to every phase that
	// uses Nix and names no archive.
	NixpkgsArchive = "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db"
	// LegacyOpenSSLArchive is NIXPACKS_ARCHIVE_LEGACY_OPENSSL. Phase::pin
	// picks it when the build is on the Debian base image (NIXPACKS_DEBIAN).
	LegacyOpenSSLArchive = "a0b7e70db7a55088d3de0cc370a59f9fbcc906c3"

	UbuntuBaseImage  = "ghcr.io/railwayapp/nixpacks:ubuntu-1745885067"
	DebianBaseImage  = "ghcr.io/railwayapp/nixpacks:debian-1745885067"
	DefaultBaseImage = UbuntuBaseImage
	// StandaloneImage is what StartPhase::run_in_slim_image uses.
	StandaloneImage = "ubuntu:noble"
)

// BuildPlan is Nixpacks' BuildPlan with the JSON names `nixpacks plan` prints.
type BuildPlan struct {
	Providers    []string
	BuildImage   *string
	Variables    map[string]string
	StaticAssets map[string]string
	// Phases is keyed by phase name; Nixpacks keeps them in a BTreeMap, so
	// every walk over them here is in sorted key order.
	Phases map[string]*Phase
	Start  *StartPhase
}

// Phase is one build phase.
type Phase struct {
	Name             *string
	DependsOn        []string
	NixPkgs          []string
	NixLibs          []string
	NixOverlays      []string
	NixpkgsArchive   *string
	AptPkgs          []string
	Cmds             []string
	OnlyIncludeFiles []string
	CacheDirectories []string
	Paths            []string
}

// StartPhase is the plan's [start] table.
type StartPhase struct {
	Cmd              *string
	RunImage         *string
	OnlyIncludeFiles []string
	User             *string
}

// Str returns a pointer to s, for the optional string fields.
func Str(s string) *string { return &s }

// GetName is Phase::get_name.
func (p *Phase) GetName() string {
	if p.Name == nil {
		return ""
	}
	return *p.Name
}

// UsesNix is Phase::uses_nix: any nixPkgs or nixLibs.
func (p *Phase) UsesNix() bool { return len(p.NixPkgs) > 0 || len(p.NixLibs) > 0 }

// RunsDockerCommands is Phase::runs_docker_commands: any cmds or paths.
func (p *Phase) RunsDockerCommands() bool { return len(p.Cmds) > 0 || len(p.Paths) > 0 }

// NewPhase is Phase::new.
func NewPhase(name string) *Phase { return &Phase{Name: Str(name)} }

// ParsePlan reads a plan as `nixpacks plan` prints it or as nixpacks.json
// holds it (BuildPlan::from_json), aliases included, and names each phase
// after its key (resolve_phase_names).
func ParsePlan(data []byte) (*BuildPlan, error) {
	var p BuildPlan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, err
	}
	p.resolvePhaseNames()
	return &p, nil
}

type jsonPlan struct {
	Providers    []string          `json:"providers"`
	BuildImage   *string           `json:"buildImage"`
	Variables    map[string]string `json:"variables"`
	StaticAssets map[string]string `json:"staticAssets"`
	Phases       map[string]*Phase `json:"phases"`
	Start        *StartPhase       `json:"start"`
}

type jsonPhase struct {
	Name             *string  `json:"name"`
	DependsOn        []string `json:"dependsOn"`
	NixPkgs          []string `json:"nixPkgs"`
	NixPackages      []string `json:"nixPackages"`
	NixLibs          []string `json:"nixLibs"`
	NixLibraries     []string `json:"nixLibraries"`
	NixOverlays      []string `json:"nixOverlays"`
	NixpkgsArchive   *string  `json:"nixpkgsArchive"`
	AptPkgs          []string `json:"aptPkgs"`
	AptPackages      []string `json:"aptPackages"`
	Cmds             []string `json:"cmds"`
	Commands         []string `json:"commands"`
	OnlyIncludeFiles []string `json:"onlyIncludeFiles"`
	CacheDirectories []string `json:"cacheDirectories"`
	Paths            []string `json:"paths"`
	EnvPaths         []string `json:"envPaths"`
}

type jsonStart struct {
	Cmd              *string  `json:"cmd"`
	RunImage         *string  `json:"runImage"`
	OnlyIncludeFiles []string `json:"onlyIncludeFiles"`
	User             *string  `json:"user"`
}

// UnmarshalJSON reads a plan; unknown keys are ignored, as serde does.
func (p *BuildPlan) UnmarshalJSON(data []byte) error {
	var j jsonPlan
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*p = BuildPlan(j)
	return nil
}

// UnmarshalJSON accepts each field under its name or its serde alias
// (nixPackages, nixLibraries, aptPackages, commands, envPaths); giving both
// is the duplicate-field error serde reports.
func (p *Phase) UnmarshalJSON(data []byte) error {
	var j jsonPhase
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	var errs []error
	alias := func(name, aliasName string, v, a []string) []string {
		if v != nil && a != nil {
			errs = append(errs, fmt.Errorf("duplicate field `%s` (also given as `%s`)", name, aliasName))
		}
		if v == nil {
			return a
		}
		return v
	}
	*p = Phase{
		Name:             j.Name,
		DependsOn:        j.DependsOn,
		NixPkgs:          alias("nixPkgs", "nixPackages", j.NixPkgs, j.NixPackages),
		NixLibs:          alias("nixLibs", "nixLibraries", j.NixLibs, j.NixLibraries),
		NixOverlays:      j.NixOverlays,
		NixpkgsArchive:   j.NixpkgsArchive,
		AptPkgs:          alias("aptPkgs", "aptPackages", j.AptPkgs, j.AptPackages),
		Cmds:             alias("cmds", "commands", j.Cmds, j.Commands),
		OnlyIncludeFiles: j.OnlyIncludeFiles,
		CacheDirectories: j.CacheDirectories,
		Paths:            alias("paths", "envPaths", j.Paths, j.EnvPaths),
	}
	return errors.Join(errs...)
}

// UnmarshalJSON reads [start].
func (s *StartPhase) UnmarshalJSON(data []byte) error {
	var j jsonStart
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*s = StartPhase(j)
	return nil
}

// MarshalJSON writes the plan the way `nixpacks plan` does (serde with
// skip_serializing_none): fields in declaration order, None left out,
// Some(empty) kept. Use JSON for serde_json's pretty layout.
func (p *BuildPlan) MarshalJSON() ([]byte, error) {
	w := &objWriter{}
	w.field("providers", p.Providers, p.Providers != nil)
	w.field("buildImage", p.BuildImage, p.BuildImage != nil)
	w.field("variables", p.Variables, p.Variables != nil)
	w.field("staticAssets", p.StaticAssets, p.StaticAssets != nil)
	w.field("phases", p.Phases, p.Phases != nil)
	w.field("start", p.Start, p.Start != nil)
	return w.done()
}

// MarshalJSON writes a phase as serde does.
func (p *Phase) MarshalJSON() ([]byte, error) {
	w := &objWriter{}
	w.field("name", p.Name, p.Name != nil)
	w.field("dependsOn", p.DependsOn, p.DependsOn != nil)
	w.field("nixPkgs", p.NixPkgs, p.NixPkgs != nil)
	w.field("nixLibs", p.NixLibs, p.NixLibs != nil)
	w.field("nixOverlays", p.NixOverlays, p.NixOverlays != nil)
	w.field("nixpkgsArchive", p.NixpkgsArchive, p.NixpkgsArchive != nil)
	w.field("aptPkgs", p.AptPkgs, p.AptPkgs != nil)
	w.field("cmds", p.Cmds, p.Cmds != nil)
	w.field("onlyIncludeFiles", p.OnlyIncludeFiles, p.OnlyIncludeFiles != nil)
	w.field("cacheDirectories", p.CacheDirectories, p.CacheDirectories != nil)
	w.field("paths", p.Paths, p.Paths != nil)
	return w.done()
}

// MarshalJSON writes [start] as serde does.
func (s *StartPhase) MarshalJSON() ([]byte, error) {
	w := &objWriter{}
	w.field("cmd", s.Cmd, s.Cmd != nil)
	w.field("runImage", s.RunImage, s.RunImage != nil)
	w.field("onlyIncludeFiles", s.OnlyIncludeFiles, s.OnlyIncludeFiles != nil)
	w.field("user", s.User, s.User != nil)
	return w.done()
}

type objWriter struct {
	buf bytes.Buffer
	n   int
	err error
}

func (w *objWriter) field(name string, v any, present bool) {
	if !present || w.err != nil {
		return
	}
	if w.n == 0 {
		w.buf.WriteByte('{')
	} else {
		w.buf.WriteByte(',')
	}
	w.n++
	k, _ := json.Marshal(name)
	w.buf.Write(k)
	w.buf.WriteByte(':')
	b, err := marshalNoEscape(v)
	if err != nil {
		w.err = err
		return
	}
	w.buf.Write(b)
}

func (w *objWriter) done() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	if w.n == 0 {
		return []byte("{}"), nil
	}
	w.buf.WriteByte('}')
	return w.buf.Bytes(), nil
}

// marshalNoEscape is json.Marshal without Go's HTML escaping of <, > and &,
// which serde_json does not do (a start command with && must stay readable).
func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// JSON is BuildPlan::to_json without its remove_phase_names: serde_json's
// to_string_pretty layout (two-space indent, `"key": value`), map keys
// sorted as in a BTreeMap. Nixpacks' plan snapshots keep the names, so this
// does too; call RemovePhaseNames first for `nixpacks plan`'s own output.
func (p *BuildPlan) JSON() (string, error) {
	raw, err := marshalNoEscape(p)
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return "", err
	}
	return out.String(), nil
}

// RemovePhaseNames is remove_phase_names: `nixpacks plan` prints phases
// without their name field.
func (p *BuildPlan) RemovePhaseNames() {
	if p.Phases == nil {
		p.Phases = map[string]*Phase{}
	}
	for _, ph := range p.Phases {
		ph.Name = nil
	}
}

func (p *BuildPlan) resolvePhaseNames() {
	if p.Phases == nil {
		p.Phases = map[string]*Phase{}
	}
	for name, ph := range p.Phases {
		if ph == nil {
			ph = &Phase{}
			p.Phases[name] = ph
		}
		ph.Name = Str(name)
	}
}

// Clone is a deep copy that keeps nil and empty apart.
func (p *BuildPlan) Clone() *BuildPlan {
	if p == nil {
		return nil
	}
	c := &BuildPlan{
		Providers:    cloneSlice(p.Providers),
		BuildImage:   cloneStr(p.BuildImage),
		Variables:    maps.Clone(p.Variables),
		StaticAssets: maps.Clone(p.StaticAssets),
	}
	if p.Phases != nil {
		c.Phases = make(map[string]*Phase, len(p.Phases))
		for k, ph := range p.Phases {
			c.Phases[k] = ph.Clone()
		}
	}
	if p.Start != nil {
		c.Start = &StartPhase{Cmd: cloneStr(p.Start.Cmd), RunImage: cloneStr(p.Start.RunImage),
			OnlyIncludeFiles: cloneSlice(p.Start.OnlyIncludeFiles), User: cloneStr(p.Start.User)}
	}
	return c
}

// Clone is a deep copy of the phase.
func (p *Phase) Clone() *Phase {
	if p == nil {
		return nil
	}
	return &Phase{
		Name: cloneStr(p.Name), DependsOn: cloneSlice(p.DependsOn), NixPkgs: cloneSlice(p.NixPkgs),
		NixLibs: cloneSlice(p.NixLibs), NixOverlays: cloneSlice(p.NixOverlays),
		NixpkgsArchive: cloneStr(p.NixpkgsArchive), AptPkgs: cloneSlice(p.AptPkgs), Cmds: cloneSlice(p.Cmds),
		OnlyIncludeFiles: cloneSlice(p.OnlyIncludeFiles), CacheDirectories: cloneSlice(p.CacheDirectories),
		Paths: cloneSlice(p.Paths),
	}
}

// cloneSlice keeps nil as nil (None) and empty as empty (Some([])).
func cloneSlice(s []string) []string {
	if s == nil {
		return nil
	}
	return append(make([]string, 0, len(s)), s...)
}

func cloneStr(s *string) *string {
	if s == nil {
		return nil
	}
	return Str(*s)
}

// FillAuto is fill_auto_in_vec: each "..." or "@auto" in replacer is kept
// and followed by original; a nil replacer keeps original.
func FillAuto(original, replacer []string) []string {
	if replacer == nil {
		return cloneSlice(original)
	}
	out := make([]string, 0, len(replacer))
	for _, x := range replacer {
		out = append(out, x)
		if x == "..." || x == "@auto" {
			out = append(out, original...)
		}
	}
	return out
}

// RemoveAutos is remove_autos_from_vec.
func RemoveAutos(v []string) []string {
	if v == nil {
		return nil
	}
	out := make([]string, 0, len(v))
	for _, x := range v {
		if x != "..." && x != "@auto" {
			out = append(out, x)
		}
	}
	return out
}

// Merge is BuildPlan::merge(a, b): b's values win, lists are spliced into
// b's "..." (a list without it replaces a's), a phase new to a named
// install or build gets dependsOn setup or install.
func Merge(a, b *BuildPlan) *BuildPlan {
	n := a.Clone()
	if n == nil {
		n = &BuildPlan{}
	}
	b = b.Clone()
	if b == nil {
		b = &BuildPlan{}
	}
	n.Providers = FillAuto(n.Providers, b.Providers)
	if b.BuildImage != nil {
		n.BuildImage = b.BuildImage
	}
	n.StaticAssets = mergeMaps(n.StaticAssets, b.StaticAssets)
	n.Variables = mergeMaps(n.Variables, b.Variables)
	if n.Phases == nil {
		n.Phases = b.Phases
	} else {
		for _, name := range slices.Sorted(maps.Keys(b.Phases)) {
			ph, ok := n.Phases[name]
			delete(n.Phases, name)
			if !ok {
				ph = NewPhase(name)
				switch name {
				case "install":
					ph.DependsOn = []string{"setup"}
				case "build":
					ph.DependsOn = []string{"install"}
				}
			}
			m := mergePhase(ph, b.Phases[name])
			n.Phases[m.GetName()] = m
		}
	}
	switch {
	case n.Start == nil:
		n.Start = b.Start
	case b.Start != nil:
		s := n.Start
		if b.Start.Cmd != nil {
			s.Cmd = b.Start.Cmd
		}
		if b.Start.RunImage != nil {
			s.RunImage = b.Start.RunImage
		}
		s.OnlyIncludeFiles = FillAuto(s.OnlyIncludeFiles, b.Start.OnlyIncludeFiles)
		if b.Start.User != nil {
			s.User = b.Start.User
		}
	}
	n.resolvePhaseNames()
	return n
}

// MergePlans is BuildPlan::merge_plans: a left fold from an empty plan.
func MergePlans(plans ...*BuildPlan) *BuildPlan {
	acc := &BuildPlan{}
	for _, p := range plans {
		acc = Merge(acc, p)
	}
	return acc
}

func mergeMaps(a, b map[string]string) map[string]string {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	maps.Copy(a, b)
	return a
}

func mergePhase(a, b *Phase) *Phase {
	p := a.Clone()
	if b == nil {
		return p
	}
	if b.NixpkgsArchive != nil {
		p.NixpkgsArchive = b.NixpkgsArchive
	}
	p.Cmds = FillAuto(p.Cmds, b.Cmds)
	p.DependsOn = FillAuto(p.DependsOn, b.DependsOn)
	p.NixPkgs = FillAuto(p.NixPkgs, b.NixPkgs)
	p.NixLibs = FillAuto(p.NixLibs, b.NixLibs)
	p.AptPkgs = FillAuto(p.AptPkgs, b.AptPkgs)
	p.NixOverlays = FillAuto(p.NixOverlays, b.NixOverlays)
	p.OnlyIncludeFiles = FillAuto(p.OnlyIncludeFiles, b.OnlyIncludeFiles)
	p.CacheDirectories = FillAuto(p.CacheDirectories, b.CacheDirectories)
	p.Paths = FillAuto(p.Paths, b.Paths)
	return p
}

// AddVariables is BuildPlan::add_variables.
func (p *BuildPlan) AddVariables(vars map[string]string) {
	if p.Variables == nil {
		p.Variables = maps.Clone(vars)
		return
	}
	maps.Copy(p.Variables, vars)
}

// Pin is BuildPlan::pin, which the generator applies to every plan before
// it is printed or built: providers becomes [], the base image is filled
// in, each phase that uses Nix gets an archive, and "..."/"@auto" are
// dropped from every list. debian is NIXPACKS_DEBIAN; Nixpacks also passes
// it to Phase::pin as use_legacy_openssl, so on Debian the default archive
// is the legacy OpenSSL one.
func (p *BuildPlan) Pin(debian bool) {
	p.Providers = []string{}
	if p.BuildImage == nil {
		if debian {
			p.BuildImage = Str(DebianBaseImage)
		} else {
			p.BuildImage = Str(UbuntuBaseImage)
		}
	}
	p.resolvePhaseNames()
	for _, ph := range p.Phases {
		if ph.UsesNix() && ph.NixpkgsArchive == nil {
			if debian {
				ph.NixpkgsArchive = Str(LegacyOpenSSLArchive)
			} else {
				ph.NixpkgsArchive = Str(NixpkgsArchive)
			}
		}
		ph.Cmds = RemoveAutos(ph.Cmds)
		ph.DependsOn = RemoveAutos(ph.DependsOn)
		ph.NixPkgs = RemoveAutos(ph.NixPkgs)
		ph.NixLibs = RemoveAutos(ph.NixLibs)
		ph.AptPkgs = RemoveAutos(ph.AptPkgs)
		ph.NixOverlays = RemoveAutos(ph.NixOverlays)
		ph.OnlyIncludeFiles = RemoveAutos(ph.OnlyIncludeFiles)
		ph.CacheDirectories = RemoveAutos(ph.CacheDirectories)
		ph.Paths = RemoveAutos(ph.Paths)
	}
	if p.Start != nil {
		p.Start.OnlyIncludeFiles = RemoveAutos(p.Start.OnlyIncludeFiles)
	}
}

// ErrCircular is topological_sort's error, in Nixpacks' words.
var ErrCircular = errors.New("Circular dependency detected") //nolint:staticcheck // Nixpacks' own message, kept verbatim

// SortedPhases is get_sorted_phases (topological_sort.rs): rounds of the
// phases whose dependencies are all placed, each round in name order.
// A dependency on a phase that does not exist is ignored; a dependency
// listed twice is counted twice but released once, so Nixpacks reports it
// as circular, and so does this.
func (p *BuildPlan) SortedPhases() ([]*Phase, error) {
	names := slices.Sorted(maps.Keys(p.Phases))
	adj := map[string]map[string]bool{}
	indegree := map[string]int{}
	for _, n := range names {
		deps := map[string]bool{}
		count := 0
		for _, d := range p.Phases[n].DependsOn {
			deps[d] = true
			if _, ok := p.Phases[d]; ok {
				count++
			}
		}
		adj[n] = deps
		indegree[n] = count
	}
	var out []*Phase
	for len(indegree) > 0 {
		var ready []string
		for _, n := range slices.Sorted(maps.Keys(indegree)) {
			if indegree[n] == 0 {
				ready = append(ready, n)
			}
		}
		if len(ready) == 0 {
			return nil, ErrCircular
		}
		for _, n := range ready {
			delete(indegree, n)
			out = append(out, p.Phases[n])
		}
		for _, n := range ready {
			delete(adj, n)
			for dep, deps := range adj {
				if deps[n] {
					delete(deps, n)
					if _, ok := indegree[dep]; ok {
						indegree[dep]--
					}
				}
			}
		}
	}
	return out, nil
}

// phaseList is plan.phases.values(): every phase in name order.
func (p *BuildPlan) phaseList() []*Phase {
	out := make([]*Phase, 0, len(p.Phases))
	for _, n := range slices.Sorted(maps.Keys(p.Phases)) {
		out = append(out, p.Phases[n])
	}
	return out
}
