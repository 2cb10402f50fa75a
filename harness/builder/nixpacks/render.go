package nixpacks

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
	"github.com/bootmatrix/bootmatrix/harness/shellquote"
)

// LibsProfileScript is where nixLibs' LD_LIBRARY_PATH is written: only login
// shells (bash -l) read it, as with Nixpacks' own profile.d script.
const LibsProfileScript = "/etc/profile.d/nixpacks-libs.sh"

// nixpacksShell is the SHELL of Nixpacks' base image (base/ubuntu/Dockerfile:
// SHELL ["/bin/bash", "-ol", "pipefail", "-c"]); images built on it inherit it,
// so every RUN of a Nixpacks build, install commands included, runs in a login
// shell that has read the profile scripts. The stand-in's bash is found through
// PATH, hence no /bin/.
const nixpacksShell = `SHELL ["bash", "-ol", "pipefail", "-c"]`

// Render builds what Nixpacks builds from the variant's app root:
// Setup installs the plan's Nix packages, writes the libraries' profile
// script, installs apt packages, sets variables and PATH, and copies the app;
// Install runs every phase's commands, one RUN each, in the plan's order
// (install, then build, as Nixpacks does); Final, for a runImage, copies /app
// into the run image, which has no /nix.
func (Builder) Render(sc *scenario.Scenario, v scenario.Variant, subs recipe.Substitutions) (*recipe.Recipe, error) {
	root, rootAbs, err := recipe.AppRoot(sc, v)
	if err != nil {
		return nil, err
	}
	var notes []string
	cfg, err := nixpacks.LoadConfig(rootAbs)
	if err != nil {
		return nil, err
	}
	if root != "." {
		for _, name := range nixpacks.ConfigFileNames {
			if _, err := os.Stat(filepath.Join(sc.Project.Dir, name)); err == nil {
				notes = append(notes, fmt.Sprintf("root is %s: the project's top-level %s is not read (Nixpacks reads the config from the app root only)", root, name))
			}
		}
	}
	plan, err := nixpacks.BuildPlan(rootAbs, cfg, v.Python, Overrides(v.Nixpacks))
	if err != nil {
		return nil, err
	}
	notes = append(notes, plan.Notes...)
	buildDir := rootAbs
	if plan.Dir != "." {
		buildDir = filepath.Join(rootAbs, filepath.FromSlash(plan.Dir))
	}

	var links []string
	ctx, err := recipe.WalkContext(buildDir, recipe.DropLinks(&links))
	if err != nil {
		return nil, err
	}
	if len(links) > 0 {
		sort.Strings(links)
		notes = append(notes, fmt.Sprintf("symlinks left out of the image, as Nixpacks' copy of the app leaves them out: %s", strings.Join(links, ", ")))
	}
	var cmds []string
	for _, s := range plan.Steps {
		cmds = append(cmds, s.Cmds...)
	}
	reqs := requirements.Files(cmds)
	if _, ok := ctx["requirements.txt"]; ok {
		reqs = append([]string{"requirements.txt"}, reqs...)
	}
	pinned, err := recipe.PinFiles(ctx, nixpacks.Dedupe(reqs), v.Pins)
	if err != nil {
		return nil, err
	}
	if len(v.Pins) > 0 {
		if len(pinned) == 0 {
			return nil, fmt.Errorf("%s: pins %v: the install reads no requirements file in %s (install commands: %q)", sc.File, v.Pins, buildDir, cmds)
		}
		notes = append(notes, fmt.Sprintf("pins %v written into %s", v.Pins, strings.Join(pinned, ", ")))
	}

	logicalBase := v.Base
	if logicalBase == "" {
		logicalBase = plan.BuildImage
	}
	if logicalBase == "" {
		logicalBase = recipe.LogicalNixpacks
	}
	setup := []string{"FROM " + recipe.ResolveImage(subs, logicalBase, &notes), nixpacksShell}
	pip, pipArgs := subs.PipLines()
	if subs.Mode == recipe.ModeOffline {
		setup = append(setup, pip...)
	}
	if len(plan.NixPkgs) > 0 {
		attrs := make([]string, len(plan.NixPkgs))
		for i, p := range plan.NixPkgs {
			attrs[i] = "nixpkgs." + p
		}
		setup = append(setup, "RUN nix-env -iA "+strings.Join(attrs, " "))
	}
	if len(plan.NixLibs) > 0 {
		setup = append(setup, libsRun(plan.NixLibs))
	}
	if len(plan.AptPkgs) > 0 {
		setup = append(setup, "RUN apt-get update && apt-get install -y --no-install-recommends "+strings.Join(plan.AptPkgs, " "))
		notes = append(notes, "aptPkgs: Nixpacks' Ubuntu base image has apt-get; the offline Nix stand-in has not, so this build fails here")
	}
	if len(plan.Variables) > 0 {
		setup = append(setup, recipe.EnvLine(plan.Variables))
	}
	if len(plan.Paths) > 0 {
		setup = append(setup, `ENV PATH="`+strings.Join(plan.Paths, ":")+`:$PATH"`)
	}
	setup = append(setup, "WORKDIR "+recipe.AppDir, "COPY . "+recipe.AppDir)

	install := recipe.InstallDockerfile()
	var installArgs map[string]string
	if subs.Mode != recipe.ModeOffline {
		install = append(install, pip...)
		installArgs = pipArgs
	}
	if len(plan.Steps) == 0 {
		install = append(install, "# the plan has no commands to run")
	}
	for _, s := range plan.Steps {
		install = append(install, "# "+s.Phase+" phase")
		for _, c := range s.Cmds {
			install = append(install, "RUN "+c)
		}
	}

	shell, err := recipe.ShellFor(v, recipe.LoginShell)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	r := &recipe.Recipe{
		Setup:   recipe.Build{Dockerfile: recipe.Join(setup), Context: ctx},
		Install: &recipe.Build{Dockerfile: recipe.Join(install), Context: map[string]recipe.File{}, Args: installArgs},
		Shell:   shell,
		Start:   recipe.StartFor(sc, v, plan.StartCmd),
		Workdir: recipe.AppDir,
		Python:  "python",
		Facts:   Facts{NixPkgs: plan.NixPkgs, NixLibs: plan.NixLibs, LibsScript: LibsProfileScript},
	}
	if plan.RunImage != "" {
		final := []string{"ARG BASE", "FROM ${BASE} AS built", "FROM " + recipe.ResolveImage(subs, plan.RunImage, &notes),
			"COPY --from=built " + recipe.AppDir + " " + recipe.AppDir, "WORKDIR " + recipe.AppDir}
		r.Final = &recipe.Build{Dockerfile: recipe.Join(final), Context: map[string]recipe.File{}}
		notes = append(notes, fmt.Sprintf("runImage %s: the app runs there without /nix, as Nixpacks' start image would", plan.RunImage))
	}
	if r.Start == "" {
		notes = append(notes, "no start command in the scenario, the variant or the plan: Nixpacks builds such an image, and the platform has nothing to run")
	}
	r.Notes = notes
	return r, nil
}

// libsRun writes the profile script exporting LD_LIBRARY_PATH with each
// library's store lib directory in front of any existing value. The store paths
// are resolved at build time, so an unknown attribute fails the build as
// Nixpacks' nix expression would.
func libsRun(libs []string) string {
	quoted := make([]string, len(libs))
	for i, l := range libs {
		quoted[i] = shellquote.Quote(l)
	}
	return "RUN set -e; d=''; for a in " + strings.Join(quoted, " ") +
		`; do p="$(nix-build '<nixpkgs>' -A "$a" --no-out-link)"; d="${d:+$d:}$p/lib"; done;` +
		" mkdir -p " + path.Dir(LibsProfileScript) + `; printf 'export LD_LIBRARY_PATH="%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"\n' "$d" > ` + LibsProfileScript
}
