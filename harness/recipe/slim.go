package recipe

import (
	"fmt"

	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// renderSlim is the plain Python image: the app root copied to /app and its
// requirements.txt installed with the image's pip (no venv, no Nix).
func renderSlim(sc *scenario.Scenario, v scenario.Variant, subs Substitutions) (*Recipe, error) {
	root, rootAbs, err := appRoot(sc, v)
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
	ctx, err := walkContext(rootAbs)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx["requirements.txt"]; !ok {
		return nil, fmt.Errorf("%s: the python-slim builder installs %s/requirements.txt, which does not exist (set root to the directory that has it)", sc.File, root)
	}
	var notes []string
	pinned, err := pinFiles(ctx, []string{"requirements.txt"}, v.Pins)
	if err != nil {
		return nil, err
	}
	if len(pinned) > 0 {
		notes = append(notes, fmt.Sprintf("pins %v written into %s/requirements.txt", v.Pins, root))
	}
	start := startFor(sc, v, "")
	if start == "" {
		return nil, fmt.Errorf("%s: the python-slim builder has no start command of its own: set start in the scenario or the variant", sc.File)
	}
	setup := []string{"FROM " + resolveImage(subs, logical, &notes)}
	pip, pipArgs := subs.pipLines()
	install := installDockerfile()
	if subs.Mode == ModeOffline {
		setup = append(setup, pip...)
	} else {
		install = append(install, pip...)
	}
	setup = append(setup, "WORKDIR "+AppDir, "COPY . "+AppDir)
	install = append(install, "RUN pip install -r requirements.txt")

	shell, err := shellFor(v, plainShell)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	return &Recipe{
		Setup:   Build{Dockerfile: join(setup), Context: ctx},
		Install: &Build{Dockerfile: join(install), Context: map[string]File{}, Args: pipArgs},
		Shell:   shell,
		Start:   start,
		Workdir: AppDir,
		Python:  "python",
		Notes:   notes,
	}, nil
}
