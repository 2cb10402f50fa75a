// Package dockerfile is the builder of a project's own Dockerfile, with its
// FROM lines pointed at the run's images and pip pointed at its package source.
package dockerfile

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

var escapeDirectiveRE = regexp.MustCompile("^#\\s*escape\\s*=\\s*([\\\\`])\\s*$")

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
		Python:  "python",
		Notes:   notes,
		Facts:   debian.Facts{OfferSlim: true},
	}, nil
}

// rewriteDockerfile applies the FROM rewriting and pip injection; it returns the
// new text and the final stage's WORKDIR when it is a plain absolute path.
func rewriteDockerfile(file, text string, buildArgs map[string]string, subs recipe.Substitutions, notes *[]string) (string, string, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	escape := `\`
	globals := map[string]string{}
	stages := map[string]bool{} // stage name -> is a Python stage
	seenFrom := false
	continued := false
	workdir := ""
	pip, _ := subs.PipLines()
	var out []string
	for i, line := range lines {
		trim := strings.TrimSpace(line)
		if !seenFrom && i == 0 {
			if m := escapeDirectiveRE.FindStringSubmatch(trim); m != nil {
				escape = m[1]
			}
		}
		isCont := continued
		if trim != "" && !strings.HasPrefix(trim, "#") {
			continued = strings.HasSuffix(trim, escape)
		}
		if isCont || trim == "" || strings.HasPrefix(trim, "#") {
			out = append(out, line)
			continue
		}
		fields := strings.Fields(trim)
		instr := strings.ToUpper(fields[0])
		switch instr {
		case "ARG":
			if !seenFrom {
				for _, a := range fields[1:] {
					k, val, _ := strings.Cut(a, "=")
					globals[k] = strings.Trim(val, `"'`)
				}
			}
		case "WORKDIR":
			if len(fields) == 2 && strings.HasPrefix(fields[1], "/") && !strings.Contains(fields[1], "$") {
				workdir = path.Clean(fields[1])
			} else {
				workdir = ""
			}
		case "FROM":
			if continued {
				return "", "", fmt.Errorf("%s:%d: FROM continued over several lines is not supported here; write it on one line", file, i+1)
			}
			seenFrom = true
			workdir = ""
			newLine, isPython, fromStage, err := rewriteFrom(file, i+1, fields, globals, buildArgs, stages, subs, notes)
			if err != nil {
				return "", "", err
			}
			out = append(out, newLine)
			switch {
			case isPython && !fromStage:
				out = append(out, pip...)
			case isPython && subs.Mode != recipe.ModeOffline:
				for _, l := range pip {
					if strings.HasPrefix(l, "ARG ") {
						out = append(out, l)
					}
				}
			}
			continue
		}
		out = append(out, line)
	}
	if !seenFrom {
		return "", "", fmt.Errorf("%s: no FROM line (is this a Dockerfile?)", file)
	}
	return strings.Join(out, "\n"), workdir, nil
}

// rewriteFrom returns the new FROM line, whether the stage is a Python one, and
// whether it is built on an earlier stage.
func rewriteFrom(file string, line int, fields []string, globals, buildArgs map[string]string, stages map[string]bool, subs recipe.Substitutions, notes *[]string) (string, bool, bool, error) {
	var flags []string
	rest := fields[1:]
	for len(rest) > 0 && strings.HasPrefix(rest[0], "--") {
		flags = append(flags, rest[0])
		rest = rest[1:]
	}
	if len(rest) == 0 {
		return "", false, false, fmt.Errorf("%s:%d: FROM names no image", file, line)
	}
	ref := rest[0]
	var stage string
	if len(rest) >= 3 && strings.EqualFold(rest[1], "AS") {
		stage = rest[2]
	} else if len(rest) != 1 {
		return "", false, false, fmt.Errorf("%s:%d: FROM %s: expected \"FROM image [AS name]\"", file, line, strings.Join(rest, " "))
	}
	expanded := os.Expand(ref, func(name string) string {
		key, def, hasDef := strings.Cut(name, ":-")
		if v, ok := buildArgs[key]; ok && v != "" {
			return v
		}
		if v, ok := globals[key]; ok && v != "" {
			return v
		}
		if hasDef {
			return def
		}
		return ""
	})
	newRef, isPython := ref, false
	parentPython, fromStage := stages[strings.ToLower(expanded)]
	if fromStage {
		isPython = parentPython
	} else {
		newRef = recipe.ResolveImage(subs, expanded, notes)
		if newRef == expanded && expanded != ref {
			newRef = ref // not substituted: let Docker expand the ARGs itself
		}
		isPython = imageRepo(expanded) == "python"
	}
	if stage != "" {
		stages[strings.ToLower(stage)] = isPython
	}
	parts := append([]string{"FROM"}, flags...)
	parts = append(parts, newRef)
	if stage != "" {
		parts = append(parts, "AS", stage)
	}
	return strings.Join(parts, " "), isPython, fromStage, nil
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
