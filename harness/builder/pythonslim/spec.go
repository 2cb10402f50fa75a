package pythonslim

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Name is the builder's name in a scenario.
const Name scenario.BuilderName = "python-slim"

// Builder is the python-slim builder; its zero value is ready.
type Builder struct{}

// Name is "python-slim".
func (Builder) Name() scenario.BuilderName { return Name }

// Settings: base, another logical base image than python:<version>-slim.
func (Builder) Settings() []string { return []string{scenario.SettingBase} }

// Complete has no defaults to add.
func (Builder) Complete(*scenario.Variant) {}

// CheckProject wants the requirements.txt the install reads.
func (Builder) CheckProject(dir string, v scenario.Variant) []scenario.SettingProblem {
	fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(v.Root), "requirements.txt"))
	if err == nil && fi.Mode().IsRegular() {
		return nil
	}
	return []scenario.SettingProblem{{Setting: "root",
		Msg:  fmt.Sprintf("no requirements.txt in app root %q (builder python-slim installs from it)", v.Root),
		Hint: "set root to the directory that has requirements.txt"}}
}

// RequirementFiles is the app root's requirements.txt.
func (Builder) RequirementFiles(sc *scenario.Scenario, v scenario.Variant) ([]string, error) {
	root, _, err := recipe.AppRoot(sc, v)
	if err != nil {
		return nil, err
	}
	return recipe.RequirementFiles(sc.Project.Dir, root, nil), nil
}
