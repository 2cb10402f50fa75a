// Package railpack is the Railpack builder: the plan Railpack's Python
// provider makes from the app root (harness/railpack: railpack.json, the
// RAILPACK_* variables, the variant's railpack overrides), rendered as one
// multi-stage Dockerfile on railpack-builder and railpack-runtime, or the
// offline kit's stand-ins. The diagnosis gets Debian facts in Railpack's terms:
// what the builder image has that the deploy image lacks, and deploy.aptPackages.
package railpack

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"strings"

	rp "github.com/bootmatrix/bootmatrix/harness/railpack"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Name is the builder's name in a scenario.
const Name scenario.BuilderName = "railpack"

// Setting is the builder's own setting: the railpack overrides object.
const Setting = "railpack"

// Builder is the Railpack builder; its zero value is ready.
type Builder struct{}

// Name is "railpack".
func (Builder) Name() scenario.BuilderName { return Name }

// Settings: the railpack overrides. Base is refused: Railpack's images are
// fixed by its release (the kit substitutes them offline).
func (Builder) Settings() []string { return []string{Setting} }

// Refusal explains why base does not apply.
func (Builder) Refusal(setting string) (string, string) {
	if setting == scenario.SettingBase {
		return "base does not apply to the railpack builder: Railpack builds on railpack-builder and deploys on railpack-runtime",
			"remove base; to change the images online, map ghcr.io/railwayapp/railpack-builder:… in the scenario's images"
	}
	return "", ""
}

// Complete has no defaults to add: the plan supplies them when rendering.
func (Builder) Complete(*scenario.Variant) {}

// CheckProject checks nothing before the run: a railpack.json Railpack
// would refuse, an unknown provider or a root with no provider fails this
// variant's render with a line naming the file, line and key, and the rest of
// the matrix still runs (Problems lists the same for a caller that wants them
// up front).
func (Builder) CheckProject(string, scenario.Variant) []scenario.SettingProblem { return nil }

// Problems are what Railpack's plan would refuse for v in the project at dir,
// each at its file and line.
func Problems(dir string, v scenario.Variant) []scenario.SettingProblem {
	root := filepath.Join(dir, filepath.FromSlash(v.Root))
	o := OverridesOf(v)
	_, err := rp.Generate(context.Background(), root, rp.WithEnv(variantEnv(nil, v, o)), rp.WithOverlay(o.Config()))
	return planProblems(err)
}

// planProblems turns a plan Railpack would refuse into the loader's problems.
func planProblems(err error) []scenario.SettingProblem {
	if err == nil {
		return nil
	}
	var ce *rp.ConfigError
	if errors.As(err, &ce) {
		out := make([]scenario.SettingProblem, 0, len(ce.Problems))
		for _, p := range ce.Problems {
			sp := scenario.SettingProblem{Msg: p.Msg, Hint: p.Hint}
			if p.Key != "" {
				sp.Msg = p.Key + ": " + p.Msg
			}
			if p.File == "environment" {
				sp.Msg = "the scenario's variables: " + sp.Msg
			} else {
				sp.File, sp.Line, sp.Column = p.File, p.Line, p.Col
			}
			if sp.Hint == "" {
				sp.Hint = "Railpack would stop here; fix the file (https://railpack.com/config/file)"
			}
			out = append(out, sp)
		}
		return out
	}
	var np *rp.NoProviderError
	if errors.As(err, &np) {
		return []scenario.SettingProblem{{Setting: "root", Msg: np.Error(), Hint: "set root to the directory that has requirements.txt or pyproject.toml"}}
	}
	return []scenario.SettingProblem{{Setting: "root", Msg: err.Error(), Hint: "Railpack's plan fails here"}}
}

// RequirementFiles are the app root's requirement files the install reads.
func (Builder) RequirementFiles(sc *scenario.Scenario, v scenario.Variant) ([]string, error) {
	root, _, err := recipe.AppRoot(sc, v)
	if err != nil {
		return nil, err
	}
	return recipe.RequirementFiles(sc.Project.Dir, root, []string{"pip install -r requirements.txt"}), nil
}

// variantEnv are the variables the build sees: the scenario's (every service
// variable reaches Railpack), the variant's python as RAILPACK_PYTHON_VERSION,
// then the overrides' own.
func variantEnv(sc *scenario.Scenario, v scenario.Variant, o Overrides) map[string]string {
	env := map[string]string{}
	if sc != nil {
		maps.Copy(env, sc.Env)
	}
	if v.Python != "" {
		env["RAILPACK_PYTHON_VERSION"] = v.Python
	}
	maps.Copy(env, o.Env)
	return env
}

// railpackVars are the RAILPACK_* names of env, for notes.
func railpackVars(env map[string]string) []string {
	var out []string
	for k := range env {
		if strings.HasPrefix(k, "RAILPACK_") {
			out = append(out, k)
		}
	}
	return out
}

// planError names the scenario and the app root, with the project's files
// named relative to the project directory.
func planError(sc *scenario.Scenario, root string, err error) error {
	msg := strings.ReplaceAll(err.Error(), filepath.Clean(sc.Project.Dir)+string(filepath.Separator), "")
	return fmt.Errorf("%s: railpack plan for app root %s: %w", sc.File, root, relError{msg, err})
}

// relError is err with the project's paths made relative; errors.As still
// finds what it wraps.
type relError struct {
	msg string
	err error
}

func (e relError) Error() string { return e.msg }
func (e relError) Unwrap() error { return e.err }
