// Package dockerfile is the builder of a project's own Dockerfile, with its
// FROM lines pointed at the run's images and pip pointed at its package source.
package dockerfile

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	parse "github.com/bootmatrix/bootmatrix/harness/dockerfile"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Render builds the project's own Dockerfile with its directory as
// the build context. Two changes are made to the Dockerfile, and only these:
//
//   - every FROM naming an image is rewritten through subs.Images (FROM flags
//     and "AS name" are kept; global ARGs and the variant's build args are
//     expanded first so "FROM python:${PY}-slim" resolves too);
//   - right after each FROM of a Python image (repository "python"), the lines
//     that point pip at the run's package source are inserted: offline,
//     "COPY --from=<wheelhouse> /wheelhouse /opt/bootmatrix/wheelhouse" and
//     "ENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/opt/bootmatrix/wheelhouse …";
//     online, an ARG for each PIP_* setting passed through (values as build args).
//
// Stages built FROM an earlier Python stage inherit the wheelhouse and ENV; an
// ARG does not cross stages, so online they get the ARG lines again.
// Pins rewrite the context's top-level requirements.txt.
func (Builder) Render(sc *scenario.Scenario, v scenario.Variant, subs recipe.Substitutions) (*recipe.Recipe, error) {
	if v.Dockerfile == "" {
		return nil, fmt.Errorf("%s line %d: the dockerfile builder needs dockerfile: the Dockerfile's path inside the project", sc.File, v.Line)
	}
	if v.Base != "" {
		return nil, fmt.Errorf("%s line %d: base %q does not apply to the dockerfile builder (its FROM lines decide; edit the Dockerfile instead)", sc.File, v.Line, v.Base)
	}
	rel := path.Clean(filepath.ToSlash(v.Dockerfile))
	if path.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, fmt.Errorf("%s: dockerfile %q must be a path inside the project %s", sc.File, v.Dockerfile, sc.Project.Dir)
	}
	dfPath := filepath.Join(sc.Project.Dir, filepath.FromSlash(rel))
	data, err := os.ReadFile(dfPath)
	if err != nil {
		return nil, fmt.Errorf("%s: dockerfile %s: %w", sc.File, dfPath, err)
	}
	var notes []string
	text, workdir, err := rewriteDockerfile(dfPath, string(data), v.BuildArgs, subs, &notes)
	if err != nil {
		return nil, err
	}
	ctxDir := filepath.Dir(dfPath)
	ctx, err := recipe.WalkContext(ctxDir)
	if err != nil {
		return nil, err
	}
	pinned, err := recipe.PinFiles(ctx, []string{"requirements.txt"}, v.Pins)
	if err != nil {
		return nil, err
	}
	if len(v.Pins) > 0 {
		if len(pinned) == 0 {
			return nil, fmt.Errorf("%s: pins %v: the dockerfile builder pins requirements.txt next to %s, and there is none", sc.File, v.Pins, dfPath)
		}
		notes = append(notes, fmt.Sprintf("pins %v written into requirements.txt next to %s", v.Pins, rel))
	}
	_, pipArgs := subs.PipLines()
	args := recipe.MergeArgs(nil, pipArgs)
	args = recipe.MergeArgs(args, v.BuildArgs) // the variant's own build args win
	shell, err := recipe.ShellFor(v, recipe.PlainShell)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", sc.File, err)
	}
	return &recipe.Recipe{
		Setup:   recipe.Build{Dockerfile: text, Context: ctx, Args: args},
		Shell:   shell,
		Start:   recipe.StartFor(sc, v, ""),
		Workdir: workdir,
		Python:  recipe.PythonFor(recipe.StartFor(sc, v, "")),
		Notes:   notes,
		Facts:   debian.Facts{OfferSlim: true},
	}, nil
}

// rewriteDockerfile applies the FROM rewriting and pip injection; it returns the
// new text and the final stage's WORKDIR when it is a plain absolute path.
func rewriteDockerfile(file, text string, buildArgs map[string]string, subs recipe.Substitutions, notes *[]string) (string, string, error) {
	df := parse.Parse(text)
	globals := df.Globals(buildArgs)
	stages := map[string]bool{} // stage name -> is a Python stage
	pip, _ := subs.PipLines()
	// after[i] replaces line i (a FROM) with these lines.
	after := map[int][]string{}
	seenFrom := false
	workdir := ""
	for _, in := range df.Instructions {
		switch in.Cmd {
		case "WORKDIR":
			if len(in.Args) == 1 && strings.HasPrefix(in.Args[0], "/") && !strings.Contains(in.Args[0], "$") {
				workdir = path.Clean(in.Args[0])
			} else {
				workdir = ""
			}
		case "FROM":
			if in.End != in.Start {
				return "", "", fmt.Errorf("%s:%d: FROM continued over several lines is not supported here; write it on one line", file, in.Start+1)
			}
			seenFrom = true
			workdir = ""
			fr, ok := parse.ParseFrom(in, globals)
			if !ok {
				if len(in.Args) == 0 || strings.HasPrefix(in.Args[len(in.Args)-1], "--") {
					return "", "", fmt.Errorf("%s:%d: FROM names no image", file, in.Start+1)
				}
				return "", "", fmt.Errorf("%s:%d: FROM %s: expected \"FROM image [AS name]\"", file, in.Start+1, strings.Join(in.Args, " "))
			}
			newLine, isPython, fromStage := rewriteFrom(fr, stages, subs, notes)
			lines := []string{newLine}
			switch {
			case isPython && !fromStage:
				lines = append(lines, pip...)
			case isPython && subs.Mode != recipe.ModeOffline:
				for _, l := range pip {
					if strings.HasPrefix(l, "ARG ") {
						lines = append(lines, l)
					}
				}
			}
			after[in.Start] = lines
		}
	}
	if !seenFrom {
		return "", "", fmt.Errorf("%s: no FROM line (is this a Dockerfile?)", file)
	}
	var out []string
	for i, line := range df.Lines {
		if repl, ok := after[i]; ok {
			out = append(out, repl...)
			continue
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"), workdir, nil
}

// rewriteFrom returns the new FROM line, whether the stage is a Python one, and
// whether it is built on an earlier stage.
func rewriteFrom(fr parse.From, stages map[string]bool, subs recipe.Substitutions, notes *[]string) (string, bool, bool) {
	newRef, isPython := fr.Image, false
	parentPython, fromStage := stages[strings.ToLower(fr.Expanded)]
	if fromStage {
		isPython = parentPython
	} else {
		newRef = recipe.ResolveImage(subs, fr.Expanded, notes)
		if newRef == fr.Expanded && fr.Expanded != fr.Image {
			newRef = fr.Image // not substituted: let Docker expand the ARGs itself
		}
		isPython = imageRepo(fr.Expanded) == "python"
	}
	if fr.Stage != "" {
		stages[strings.ToLower(fr.Stage)] = isPython
	}
	parts := append([]string{"FROM"}, fr.Flags...)
	parts = append(parts, newRef)
	if fr.Stage != "" {
		parts = append(parts, "AS", fr.Stage)
	}
	return strings.Join(parts, " "), isPython, fromStage
}

// imageRepo is the repository of an image reference without registry
// defaults: "python" for python:3.11-slim and docker.io/library/python.
func imageRepo(ref string) string {
	r := strings.TrimPrefix(strings.TrimPrefix(ref, "docker.io/"), "library/")
	if i := strings.IndexAny(r, "@"); i >= 0 {
		r = r[:i]
	}
	if i := strings.LastIndex(r, ":"); i >= 0 && !strings.Contains(r[i:], "/") {
		r = r[:i]
	}
	return r
}
