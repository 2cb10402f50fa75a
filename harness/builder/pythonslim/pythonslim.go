// Package pythonslim is the plain Python image builder: the app root copied to
// /app and its requirements.txt installed with the image's pip, on
// python:<version>-slim (Debian).
package pythonslim

import (
	"fmt"

	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Render is the plain Python image: the app root copied to /app and its
// requirements.txt installed with the image's pip (no venv, no Nix).
func (Builder) Render(sc *scenario.Scenario, v scenario.Variant, subs recipe.Substitutions) (*recipe.Recipe, error) {
	root, rootAbs, err := recipe.AppRoot(sc, v)
	if err != nil {
		return nil, err
	}
	logical := v.Base
	if logical == "" {
		if v.Python == "" {
			return nil, fmt.Errorf("%s line %d: the python-slim builder needs a python version (3.11 or 3.13) or a base image", sc.File, v.Line)
		}
		logical = "python:" + v.Python + "-slim"
	}
	ctx, err := recipe.WalkContext(rootAbs)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx["requirements.txt"]; !ok {
		return nil, fmt.Errorf("%s: the python-slim builder installs %s/requirements.txt, which does not exist (set root to the directory that has it)", sc.File, root)
	}
	var notes []string
	pinned, err := recipe.PinFiles(ctx, []string{"requirements.txt"}, v.Pins)
	if err != nil {
		return nil, err
	}
	if len(pinned) > 0 {
		notes = append(notes, fmt.Sprintf("pins %v written into %s/requirements.txt", v.Pins, root))
	}
	start := recipe.StartFor(sc, v, "")
	if start == "" {
		return nil, fmt.Errorf("%s: the python-slim builder has no start command of its own: set start in the scenario or the variant", sc.File)
	}
	setup := []string{"FROM " + recipe.ResolveImage(subs, logical, &notes)}
	pip, pipArgs := subs.PipLines()
	install := recipe.InstallDockerfile()
	if subs.Mode == recipe.ModeOffline {
		setup = append(setup, pip...)
	} else {
		install = append(install, pip...)
	}
	setup = append(setup, "WORKDIR "+recipe.AppDir, "COPY . "+recipe.AppDir)
	install = append(install, "RUN pip install -r requirements.txt")

	shell, err := recipe.ShellFor(v, recipe.PlainShell)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	return &recipe.Recipe{
		Setup:   recipe.Build{Dockerfile: recipe.Join(setup), Context: ctx},
		Install: &recipe.Build{Dockerfile: recipe.Join(install), Context: map[string]recipe.File{}, Args: pipArgs},
		Shell:   shell,
		Start:   start,
		Workdir: recipe.AppDir,
		Python:  recipe.PythonFor(start),
		Notes:   notes,
		Facts:   debian.Facts{},
	}, nil
}
