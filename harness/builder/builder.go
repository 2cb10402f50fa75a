// Package builder is the one registry of platform builders. A builder turns a
// scenario's variant into a recipe (the Dockerfiles and build contexts the
// platform would make, and how commands run in the result), tells the scenario
// loader which settings it reads and what it needs of the project, names the
// requirement files its install reads, and hands the diagnosis its facts about
// the image (through the recipe). Each builder is its own package under
// harness/builder; harness/builder/builtin registers them.
//
// Adding a builder is its package and one line in builtin. What a builder may
// need and where it goes:
//
//   - Generated files (a Nix expression such as .nixpacks/nixpkgs-<rev>.nix,
//     assets) are Build.Context entries with Data; the runner sends them with
//     the project's files.
//   - Any number of stages: each Build's Dockerfile is the builder's own, so a
//     multi-stage file (a builder stage and a deploy stage) is one Setup build,
//     and Install/Final are optional.
//   - Settings of its own (railpack.json overrides): scenario.SettingOwner, the
//     values in Variant.Settings; the names in Settings so its variants read them.
//   - Its own diagnosis: a diagnose.BuilderFacts in Recipe.Facts. Nix images use
//     the nixpacks package's Facts (or their own with other lists or another
//     profile script); Debian images use debian.Facts, with the builder's own
//     wording for installing an apt package.
//   - Its candidate fixes (Fixer): the fix kinds it writes, each also an entry
//     of the doctor's kind table (harness/doctor/candidates.go), which ranks
//     them; its own settings written into the project's files; the drafts.
//   - Its part of the starter scenario `bootmatrix init` writes (Starter): the
//     variants it proposes for an inspected project, in file order.
package builder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Builder is one platform builder.
type Builder interface {
	// Name is what a scenario's builder field says ("nixpacks").
	Name() scenario.BuilderName
	// BuilderSpec is what the scenario loader asks: the settings the builder
	// reads, its defaults and what it needs of the project on disk. A builder
	// with settings of its own (overrides of its config file) also implements
	// scenario.SettingOwner and finds their values in Variant.Settings; one
	// with its own reason to refuse a setting implements scenario.Refuser.
	scenario.BuilderSpec
	// Render makes the recipe of one variant, with logical images resolved
	// through subs. A recipe's builds may carry files the builder generates in
	// their contexts (Build.Context entries with Data) and any number of stages
	// in each Dockerfile; Facts tell the diagnosis what the image is made of.
	Render(sc *scenario.Scenario, v scenario.Variant, subs recipe.Substitutions) (*recipe.Recipe, error)
	// RequirementFiles are the requirement files the variant's install reads,
	// relative to the project directory: what pins rewrite and fixes edit.
	RequirementFiles(sc *scenario.Scenario, v scenario.Variant) ([]string, error)
	// Fixer is the builder's part of the doctor: its settings written into
	// files, and the candidate fixes of its kinds.
	Fixer
	// Starter is the builder's part of the scenario init writes.
	Starter
}

// Registry holds the builders by name; its zero value has none.
type Registry struct {
	names  []scenario.BuilderName
	byName map[scenario.BuilderName]Builder
	deflt  scenario.BuilderName
}

// New registers bs, the first being the default builder (what a variant
// that names none gets). A duplicate or empty name is a programming error.
func New(bs ...Builder) *Registry {
	r := &Registry{byName: map[scenario.BuilderName]Builder{}}
	for _, b := range bs {
		n := b.Name()
		if n == "" || r.byName[n] != nil {
			panic(fmt.Sprintf("builder: name %q is empty or registered twice", n))
		}
		r.byName[n] = b
		r.names = append(r.names, n)
	}
	if len(r.names) > 0 {
		r.deflt = r.names[0]
	}
	return r
}

// Builders lists the builders in registration order.
func (r *Registry) Builders() []Builder {
	out := make([]Builder, len(r.names))
	for i, n := range r.names {
		out[i] = r.byName[n]
	}
	return out
}

// Names lists the builders in registration order.
func (r *Registry) Names() []scenario.BuilderName { return slices.Clone(r.names) }

// Default is the builder of a variant that names none.
func (r *Registry) Default() scenario.BuilderName { return r.deflt }

// Spec is the loader's view of a builder (scenario.Builders).
func (r *Registry) Spec(name scenario.BuilderName) (scenario.BuilderSpec, bool) {
	b, ok := r.byName[name]
	if !ok {
		return nil, false
	}
	return b, true
}

// Lookup returns the named builder; an unknown name is an error that lists the
// known ones, never a fall-through to some default.
func (r *Registry) Lookup(name scenario.BuilderName) (Builder, error) {
	if b, ok := r.byName[name]; ok {
		return b, nil
	}
	known := make([]string, len(r.names))
	for i, n := range r.names {
		known[i] = string(n)
	}
	return nil, fmt.Errorf("unknown builder %q (use %s)", name, strings.Join(known, ", "))
}

// Render renders one variant with its builder; it has the runner's Renderer
// signature. Errors name the variant and the file at fault.
func (r *Registry) Render(sc *scenario.Scenario, v scenario.Variant, subs recipe.Substitutions) (*recipe.Recipe, error) {
	if sc == nil {
		return nil, fmt.Errorf("variant %q: no scenario", v.Name)
	}
	b, err := r.Lookup(v.Builder)
	if err != nil {
		return nil, fmt.Errorf("variant %q (%s line %d): %w", v.Name, sc.File, v.Line, err)
	}
	if err := requirements.CheckPins(v.Pins); err != nil {
		return nil, fmt.Errorf("variant %q (%s): %w", v.Name, sc.File, err)
	}
	rc, err := b.Render(sc, v, subs)
	if err != nil {
		return nil, fmt.Errorf("variant %q: %w", v.Name, err)
	}
	rc.Builder = v.Builder
	rc.ShellMode = scenario.ShellPlain
	if len(rc.Shell) > 1 && rc.Shell[1] == "-l" {
		rc.ShellMode = scenario.ShellLogin
	}
	return rc, nil
}

// RequirementFiles asks the variant's builder which requirement files its install reads.
func (r *Registry) RequirementFiles(sc *scenario.Scenario, v scenario.Variant) ([]string, error) {
	b, err := r.Lookup(v.Builder)
	if err != nil {
		return nil, fmt.Errorf("variant %q: %w", v.Name, err)
	}
	return b.RequirementFiles(sc, v)
}
