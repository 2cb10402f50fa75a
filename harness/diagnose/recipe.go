package diagnose

import (
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// ContextForRecipe is what the classifier needs to know of how a variant was
// built: the merged Nix lists, not the scenario's overrides alone, since a
// library the project's nixpacks.toml lists is as much in play as one the
// variant adds.
func ContextForRecipe(rc *recipe.Recipe) Context {
	if rc == nil {
		return Context{}
	}
	return Context{Builder: rc.Builder, Shell: rc.ShellMode, NixPkgs: rc.NixPkgs, NixLibs: rc.NixLibs}
}

// Diagnoser annotates a runner's finished variants; it satisfies the runner's
// Diagnoser interface.
type Diagnoser struct{}

// Annotate classifies every failed stage of v; ctx says how it was built.
func (Diagnoser) Annotate(v *result.Variant, ctx Context) { Annotate(v, ctx) }
