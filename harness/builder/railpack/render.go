package railpack

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	rp "github.com/bootmatrix/bootmatrix/harness/railpack"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// standInWheels is where the railpack-builder stand-in keeps a setuptools
// wheel built from upstream's source: pip's isolated build of an sdist needs
// setuptools, which PyPI has and the kit's wheelhouse has not.
const standInWheels = "/opt/bootmatrix/python-wheels"

// deployShell is how Railpack's image starts: ENTRYPOINT ["/bin/bash", "-c"],
// not a login shell.
var deployShell = []string{"/bin/bash", "-c"}

// Render makes Railpack's plan for the variant's app root and renders it as
// one multi-stage Dockerfile (the Setup build; its last stage is the deploy
// image). Install and Final are nil: Railpack installs in the builder stages.
func (Builder) Render(sc *scenario.Scenario, v scenario.Variant, subs recipe.Substitutions) (*recipe.Recipe, error) {
	root, rootAbs, err := recipe.AppRoot(sc, v)
	if err != nil {
		return nil, err
	}
	o := OverridesOf(v)
	env := variantEnv(sc, v, o)
	res, err := rp.Generate(context.Background(), rootAbs, rp.WithEnv(env), rp.WithOverlay(o.Config()))
	if err != nil {
		return nil, planError(sc, root, err)
	}
	var notes []string
	if vars := railpackVars(env); len(vars) > 0 {
		sort.Strings(vars)
		notes = append(notes, "Railpack variables: "+strings.Join(vars, ", "))
	}
	for _, w := range res.Warnings {
		if w == rp.NoStartWarning {
			// The plan alone cannot know the platform's start command; the note
			// below, written once the start is resolved, says it when none is set.
			continue
		}
		notes = append(notes, "railpack: "+w)
	}
	ctx, err := recipe.WalkContext(rootAbs)
	if err != nil {
		return nil, err
	}
	var reqs []string
	if _, ok := ctx["requirements.txt"]; ok {
		reqs = []string{"requirements.txt"}
	}
	pinned, err := recipe.PinFiles(ctx, reqs, v.Pins)
	if err != nil {
		return nil, err
	}
	if len(v.Pins) > 0 {
		if len(pinned) == 0 {
			return nil, fmt.Errorf("%s: pins %v: the Railpack install in %s reads no requirements.txt", sc.File, v.Pins, root)
		}
		notes = append(notes, fmt.Sprintf("pins %v written into %s/requirements.txt", v.Pins, root))
	}

	img := rp.Images{
		Builder:   recipe.ResolveImage(subs, recipe.RailpackBuilderImage, &notes),
		Runtime:   recipe.ResolveImage(subs, recipe.RailpackRuntimeImage, &notes),
		StepLines: map[string][]string{},
	}
	pip, pipArgs := subs.PipLines()
	if len(pip) > 0 {
		lines := append([]string{"# what Railpack passes as secrets and caches: where pip finds packages"}, pip...)
		if subs.Mode == recipe.ModeOffline {
			lines = append(lines, `ENV PIP_FIND_LINKS="`+recipe.WheelhouseMount+" "+standInWheels+`"`)
		}
		img.StepLines[rp.StepInstall] = lines
		if subs.Mode != recipe.ModeOffline {
			// ARGs end with their stage; the build step installs the project.
			img.StepLines[rp.StepBuild] = lines
		}
	}
	df, err := rp.Dockerfile(res.Plan, img)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	shell, err := recipe.ShellFor(v, deployShell)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	start := recipe.StartFor(sc, v, res.Plan.Deploy.StartCmd)
	if start == "" {
		notes = append(notes, "no start command in the scenario, the variant or the plan: Railpack's image starts /bin/bash and exits, and on Railway the build fails; set deploy.startCommand or add a main.py")
	}
	f := Facts{ConfigFile: res.ConfigFile, DeployApt: deployApt(res.Plan), Dropped: res.DroppedDeployApt,
		Python: res.ResolvedPackages["python"]}
	if f.Python != nil && f.Python.ResolvedVersion == "" {
		notes = append(notes, fmt.Sprintf("python %s (from %s): mise picks the newest matching release when it installs", f.Python.RequestedVersion, f.Python.Source))
	}
	return &recipe.Recipe{
		Setup:   recipe.Build{Dockerfile: df, Context: ctx, Args: pipArgs},
		Shell:   shell,
		Start:   start,
		Workdir: recipe.AppDir,
		Python:  recipe.PythonFor(start),
		Notes:   notes,
		Facts:   f,
	}, nil
}

// deployApt are the packages of the plan's runtime apt step.
func deployApt(p *rp.BuildPlan) []string {
	for _, s := range p.Steps {
		if s.Name != rp.StepAptRuntime || len(s.Commands) == 0 {
			continue
		}
		_, list, _ := strings.Cut(s.Commands[0].CustomName, ": ")
		return slices.Collect(strings.FieldsSeq(list))
	}
	return nil
}
