// Package nixpacks is the Nixpacks builder: what Nixpacks builds from a
// project's app root (its nixpacks.toml merged with the provider's plan and the
// variant's overrides), on Nixpacks' base image or the offline Nix stand-in.
// The diagnosis gets Nix facts: the store, nixPkgs and nixLibs.
package nixpacks

import (
	"path"
	"path/filepath"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Name is the builder's name in a scenario.
const Name scenario.BuilderName = "nixpacks"

// Builder is the Nixpacks builder; its zero value is ready.
type Builder struct{}

// Name is "nixpacks".
func (Builder) Name() scenario.BuilderName { return Name }

// Settings: the nixpacks overrides, and base (another logical base image).
func (Builder) Settings() []string {
	return []string{scenario.SettingNixpacks, scenario.SettingBase}
}

// Complete has no defaults to add: the plan supplies them when rendering.
func (Builder) Complete(*scenario.Variant) {}

// CheckProject reads the app root's Nixpacks config as Nixpacks will, and reports
// every problem in it at its file, line and column, so that a broken
// nixpacks.toml is found with the scenario's other problems before anything runs
// rather than at render time, one at a time. An app root with nothing Nixpacks
// can plan is no input error: it is a deploy's real outcome (Nixpacks prints
// "unable to generate a build plan" and the build fails), which the build stage
// reports with the subdirectories to try instead.
func (Builder) CheckProject(dir string, v scenario.Variant) []scenario.SettingProblem {
	if _, err := nixpacks.LoadConfig(filepath.Join(dir, filepath.FromSlash(v.Root))); err != nil {
		return configProblems(err)
	}
	return nil
}

// configProblems turns a config that Nixpacks would refuse into the loader's
// problems, each in the config file; an error that is not about the content
// (the file cannot be read) points at the variant's root.
func configProblems(err error) []scenario.SettingProblem {
	ces := nixpacks.Problems(err)
	if len(ces) == 0 {
		return []scenario.SettingProblem{{Setting: "root", Msg: err.Error(), Hint: "make the app root's Nixpacks config readable"}}
	}
	out := make([]scenario.SettingProblem, len(ces))
	for i, ce := range ces {
		out[i] = scenario.SettingProblem{File: ce.File, Line: ce.Line, Column: ce.Column, Msg: ce.Msg,
			Hint: `Nixpacks would fail with "Failed to parse Nixpacks config file"; fix the file (https://nixpacks.com/docs/configuration/file)`}
	}
	return out
}

// RequirementFiles are requirements.txt and the files the plan's commands
// install from, in the plan's directory under the app root.
func (Builder) RequirementFiles(sc *scenario.Scenario, v scenario.Variant) ([]string, error) {
	root, rootAbs, err := recipe.AppRoot(sc, v)
	if err != nil {
		return nil, err
	}
	if _, err := nixpacks.LoadConfig(rootAbs); err != nil {
		return nil, err
	}
	p, err := MakePlan(sc, v, rootAbs)
	if err != nil {
		return nil, err
	}
	return recipe.RequirementFiles(sc.Project.Dir, path.Join(root, p.Dir), p.commands()), nil
}
