package recipe

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// AppDir is where every builder puts the app in the image.
const AppDir = "/app"

var (
	loginShell = []string{"bash", "-l", "-c"}
	plainShell = []string{"sh", "-c"}
)

// skipInContext are directories never sent to a build: VCS data, caches and
// local environments that a platform's checkout would not have either.
var skipInContext = map[string]bool{".git": true, "__pycache__": true, ".venv": true, "node_modules": true}

// Render turns one variant of a scenario into the builds a platform builder
// would run, with logical images resolved through subs. Errors name the
// variant and the file at fault.
func Render(sc *scenario.Scenario, v scenario.Variant, subs Substitutions) (*Recipe, error) {
	if sc == nil {
		return nil, fmt.Errorf("variant %q: no scenario", v.Name)
	}
	if err := requirements.CheckPins(v.Pins); err != nil {
		return nil, fmt.Errorf("variant %q (%s): %w", v.Name, sc.File, err)
	}
	var (
		r   *Recipe
		err error
	)
	switch v.Builder {
	case scenario.BuilderNixpacks:
		r, err = renderNixpacks(sc, v, subs)
	case scenario.BuilderPythonSlim:
		r, err = renderSlim(sc, v, subs)
	case scenario.BuilderDockerfile:
		r, err = renderDockerfile(sc, v, subs)
	default:
		return nil, fmt.Errorf("variant %q (%s line %d): unknown builder %q (use %s, %s or %s)", v.Name, sc.File, v.Line, v.Builder,
			scenario.BuilderNixpacks, scenario.BuilderPythonSlim, scenario.BuilderDockerfile)
	}
	if err != nil {
		return nil, fmt.Errorf("variant %q: %w", v.Name, err)
	}
	r.Builder = v.Builder
	r.ShellMode = scenario.ShellPlain
	if len(r.Shell) > 1 && r.Shell[1] == "-l" {
		r.ShellMode = scenario.ShellLogin
	}
	return r, nil
}

// appRoot returns the variant's root relative to the project ("." or "backend")
// and its absolute path.
func appRoot(sc *scenario.Scenario, v scenario.Variant) (string, string, error) {
	root := v.Root
	if root == "" {
		root = sc.Project.Root
	}
	if root == "" {
		root = "."
	}
	clean := path.Clean(filepath.ToSlash(root))
	if path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", "", fmt.Errorf("%s: root %q must be a directory inside the project %s", sc.File, root, sc.Project.Dir)
	}
	abs := filepath.Join(sc.Project.Dir, filepath.FromSlash(clean))
	info, err := os.Stat(abs)
	if err != nil || !info.IsDir() {
		return "", "", fmt.Errorf("%s: root %q: %s is not a directory (set root to the app's directory inside the project)", sc.File, root, abs)
	}
	return clean, abs, nil
}

// walkContext lists the files under dir as build context entries.
func walkContext(dir string) (map[string]File, error) {
	ctx := map[string]File{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && skipInContext[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		info, err := os.Stat(p) // follow links: the build sees the target's content
		if err != nil {
			return fmt.Errorf("context file %s: %w", p, err)
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		ctx[filepath.ToSlash(rel)] = File{Source: p, Mode: int64(info.Mode().Perm())}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading build context %s: %w", dir, err)
	}
	return ctx, nil
}

// pinFiles applies pins to the named requirement files of ctx (paths relative
// to the context); files missing from ctx are skipped. It returns the files rewritten.
func pinFiles(ctx map[string]File, files []string, pins []string) ([]string, error) {
	if len(pins) == 0 {
		return nil, nil
	}
	var done []string
	for _, f := range files {
		entry, ok := ctx[f]
		if !ok {
			continue
		}
		data := entry.Data
		if entry.Source != "" {
			b, err := os.ReadFile(entry.Source)
			if err != nil {
				return nil, fmt.Errorf("reading %s for pins: %w", entry.Source, err)
			}
			data = b
		}
		mode := entry.Mode
		if mode == 0 {
			mode = 0o644
		}
		ctx[f] = File{Data: []byte(requirements.ApplyPins(string(data), pins)), Mode: mode}
		done = append(done, f)
	}
	sort.Strings(done)
	return done, nil
}

func shellFor(v scenario.Variant, def []string) ([]string, error) {
	switch v.Shell {
	case "":
		return append([]string(nil), def...), nil
	case scenario.ShellLogin:
		return append([]string(nil), loginShell...), nil
	case scenario.ShellPlain:
		return append([]string(nil), plainShell...), nil
	}
	return nil, fmt.Errorf("shell %q is not %q or %q", v.Shell, scenario.ShellLogin, scenario.ShellPlain)
}

func startFor(sc *scenario.Scenario, v scenario.Variant, builderDefault string) string {
	switch {
	case v.Start != "":
		return v.Start
	case sc.Start != "":
		return sc.Start
	}
	return builderDefault
}

// resolveImage maps a logical image and notes when offline has no substitute.
func resolveImage(subs Substitutions, ref string, notes *[]string) string {
	c, ok := subs.image(ref)
	if !ok && subs.Mode == ModeOffline {
		*notes = append(*notes, fmt.Sprintf("image %s has no offline substitute: the build will try to pull it, and there is no registry", ref))
	}
	return c
}

// installDockerfile starts a Dockerfile built on the previous stage's image.
func installDockerfile() []string { return []string{"ARG BASE", "FROM ${BASE}"} }

func join(lines []string) string { return strings.Join(lines, "\n") + "\n" }

func mergeArgs(dst map[string]string, src map[string]string) map[string]string {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]string{}
	}
	for k, v := range src {
		dst[k] = v
	}
	return dst
}
