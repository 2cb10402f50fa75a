package recipe

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// AppDir is where every builder puts the app in the image.
const AppDir = "/app"

// The shells a platform starts commands with (scenario.ShellLogin, ShellPlain).
var (
	LoginShell = []string{"bash", "-l", "-c"}
	PlainShell = []string{"sh", "-c"}
)

// skipInContext are directories never sent to a build: VCS data, caches and
// local environments that a platform's checkout would not have either.
var skipInContext = map[string]bool{".git": true, "__pycache__": true, ".venv": true, "node_modules": true}

// AppRoot returns the variant's root relative to the project ("." or "backend")
// and its absolute path.
func AppRoot(sc *scenario.Scenario, v scenario.Variant) (string, string, error) {
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

// ContextOption changes how WalkContext reads a directory.
type ContextOption func(*contextConfig)

type contextConfig struct {
	dropLinks bool
	dropped   *[]string
}

// DropLinks leaves symlinks out of the context, as Nixpacks does: `nixpacks
// build` copies the app into a temporary directory with follow_links(false) and
// copies only directories and regular files (railwayapp/nixpacks f51d7fd,
// src/nixpacks/files.rs recursive_copy_dir), so a link never reaches its image.
// The context paths of the links left out are appended to dropped, when not nil,
// for the builder to say so.
func DropLinks(dropped *[]string) ContextOption {
	return func(c *contextConfig) { c.dropLinks, c.dropped = true, dropped }
}

// DockerIgnore is the file at a context's root whose patterns leave paths out.
const DockerIgnore = ".dockerignore"

// WalkContext lists the files under dir as build context entries, as `docker
// build dir` sends them: paths matched by dir/.dockerignore are left out
// (github.com/moby/patternmatcher, the matcher the docker client uses), and a
// symlink is an entry of its own whose Source is the link, which the runner sends
// as the link itself. Nothing is followed on the host, so a dangling or looping
// link is no error and a symlinked directory stays a link, as in `COPY . /app`.
func WalkContext(dir string, opts ...ContextOption) (map[string]File, error) {
	var cfg contextConfig
	for _, o := range opts {
		o(&cfg)
	}
	pm, err := readDockerIgnore(dir)
	if err != nil {
		return nil, err
	}
	ctx := map[string]File{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() && skipInContext[d.Name()] {
			return filepath.SkipDir
		}
		if pm != nil {
			ignored, err := pm.MatchesOrParentMatches(rel)
			if err != nil {
				return fmt.Errorf("%s: %w", filepath.Join(dir, DockerIgnore), err)
			}
			if ignored {
				// Without "!" exceptions nothing below an ignored directory can come
				// back, so the walk need not enter it.
				if d.IsDir() && !pm.Exclusions() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			switch {
			case !cfg.dropLinks:
				ctx[rel] = File{Source: p, Mode: 0o777}
			case cfg.dropped != nil:
				*cfg.dropped = append(*cfg.dropped, rel)
			}
			return nil
		case !d.Type().IsRegular():
			return nil // sockets, fifos, devices: no build copies them
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("context file %s: %w", p, err)
		}
		ctx[rel] = File{Source: p, Mode: int64(info.Mode().Perm())}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading build context %s: %w", dir, err)
	}
	return ctx, nil
}

// readDockerIgnore parses dir/.dockerignore as the docker client does; nil when
// there is none.
func readDockerIgnore(dir string) (*patternmatcher.PatternMatcher, error) {
	name := filepath.Join(dir, DockerIgnore)
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	defer func() { _ = f.Close() }()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (fix the pattern, as docker build would refuse it too)", name, err)
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (fix the pattern, as docker build would refuse it too)", name, err)
	}
	return pm, nil
}

// PinFiles applies pins to the named requirement files of ctx (paths relative
// to the context); files missing from ctx are skipped. It returns the files rewritten.
func PinFiles(ctx map[string]File, files []string, pins []string) ([]string, error) {
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

// ShellFor is the variant's shell, def when it sets none.
func ShellFor(v scenario.Variant, def []string) ([]string, error) {
	switch v.Shell {
	case "":
		return append([]string(nil), def...), nil
	case scenario.ShellLogin:
		return append([]string(nil), LoginShell...), nil
	case scenario.ShellPlain:
		return append([]string(nil), PlainShell...), nil
	}
	return nil, fmt.Errorf("shell %q is not %q or %q", v.Shell, scenario.ShellLogin, scenario.ShellPlain)
}

// StartFor is the start command: the variant's, the scenario's, or the builder's own.
func StartFor(sc *scenario.Scenario, v scenario.Variant, builderDefault string) string {
	switch {
	case v.Start != "":
		return v.Start
	case sc.Start != "":
		return sc.Start
	}
	return builderDefault
}

// PythonFor is the interpreter the app runs on, which the import stage loads the native
// modules with: python from PATH, unless the start command names its program by a path
// outside the system's bin directories (a venv's or a profile's). Then it is that
// program when it is a python, else the python beside it, whose environment a script
// there (/opt/venv/bin/gunicorn) runs in.
func PythonFor(start string) string {
	f := strings.Fields(start)
	if len(f) == 0 || !path.IsAbs(f[0]) || path.Base(path.Dir(f[0])) != "bin" {
		return "python"
	}
	if strings.HasPrefix(path.Base(f[0]), "python") {
		return f[0]
	}
	switch path.Dir(f[0]) {
	case "/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin":
		return "python"
	}
	return path.Dir(f[0]) + "/python"
}

// ResolveImage maps a logical image and notes when offline has no substitute.
func ResolveImage(subs Substitutions, ref string, notes *[]string) string {
	c, ok := subs.Image(ref)
	if !ok && subs.Mode == ModeOffline {
		*notes = append(*notes, fmt.Sprintf("image %s has no offline substitute: the build will try to pull it, and there is no registry", ref))
	}
	return c
}

// InstallDockerfile starts a Dockerfile built on the previous stage's image.
func InstallDockerfile() []string { return []string{"ARG BASE", "FROM ${BASE}"} }

// Join makes Dockerfile text of lines.
func Join(lines []string) string { return strings.Join(lines, "\n") + "\n" }

// MergeArgs copies src over dst, making dst when needed.
func MergeArgs(dst map[string]string, src map[string]string) map[string]string {
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

// RequirementFiles are the requirement files under base (relative to the
// project dir) that an install reading cmds uses, relative to the project:
// requirements.txt and every file a "pip install -r" names, when present.
func RequirementFiles(dir, base string, cmds []string) []string {
	var out []string
	for _, p := range append([]string{"requirements.txt"}, requirements.Files(cmds)...) {
		rel := path.Join(base, p)
		if slices.Contains(out, rel) {
			continue
		}
		if info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err == nil && info.Mode().IsRegular() {
			out = append(out, rel)
		}
	}
	return out
}
