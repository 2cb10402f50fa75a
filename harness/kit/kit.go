// Package kit builds the offline kit from the recipes embedded in the binary
// (images.Recipes): it extracts them and runs images/build.sh with bash, so an
// installed CLI and `make images` in a clone build the same images under the same
// content-addressed tags. It also asks build.sh what a build would do (KIT_PLAN=1)
// and says which host tools that needs. It also publishes the kit (publish.go,
// index.go): its images pushed to a registry under their real names, its
// wheelhouse as a PEP 503 index.
package kit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/images"
)

// DefaultRepo is the repository the kit's images are tagged under, the one the
// offline substitution table names.
const DefaultRepo = recipe.KitRepo

// State is where one kit image stands against the embedded recipes.
type State string

// The states build.sh's plan mode reports.
const (
	Current    State = "current"    // the image of this exact recipe and inputs exists
	Outdated   State = "outdated"   // an older build exists; a build replaces it
	Missing    State = "missing"    // no image of that name at all
	Unverified State = "unverified" // an image exists, but its inputs are not in the cache to compare
)

// Image is one image of the kit, in build order.
type Image struct {
	Name  string // e.g. python:3.13-slim, without the repository
	Ref   string // Repo/Name
	Tag   string // the content-hash tag; its hash is "?" while an input is not cached
	State State
}

// Need is something a build would have to do or have first.
type Need struct {
	What   string // "fetch" (a .deb set) or a host tool, e.g. "debootstrap"
	Detail string // the set, or the Debian suite the tool is needed for
}

// Plan is what a build would do.
type Plan struct {
	Images []Image
	Needs  []Need
}

// Current reports whether every image is current.
func (p Plan) Current() bool {
	for _, im := range p.Images {
		if im.State != Current {
			return false
		}
	}
	return len(p.Images) > 0
}

// Kit runs the embedded recipes.
type Kit struct {
	cacheDir string
	outDir   string
	repo     string
	env      []string
	bash     string
}

// Option configures a Kit.
type Option func(*Kit)

// WithCacheDir sets where downloads and assemblies are kept between builds.
func WithCacheDir(dir string) Option { return func(k *Kit) { k.cacheDir = dir } }

// WithOutDir sets where the host copy of the wheelhouse goes (default: CACHE/out).
func WithOutDir(dir string) Option { return func(k *Kit) { k.outDir = dir } }

// WithRepo tags the images under another repository than DefaultRepo.
func WithRepo(repo string) Option { return func(k *Kit) { k.repo = repo } }

// WithEnv sets the environment build.sh runs with (default: os.Environ()).
func WithEnv(env []string) Option { return func(k *Kit) { k.env = env } }

// New returns a Kit; without WithCacheDir it uses DefaultCacheDir.
func New(opts ...Option) (*Kit, error) {
	k := &Kit{repo: DefaultRepo, env: os.Environ(), bash: "bash"}
	for _, o := range opts {
		o(k)
	}
	if k.cacheDir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		k.cacheDir = d
	}
	abs, err := filepath.Abs(k.cacheDir)
	if err != nil {
		return nil, err
	}
	k.cacheDir = abs
	if k.outDir == "" {
		k.outDir = filepath.Join(k.cacheDir, "out")
	}
	if k.outDir, err = filepath.Abs(k.outDir); err != nil {
		return nil, err
	}
	return k, nil
}

// CacheDir is where this kit keeps its downloads and assemblies.
func (k *Kit) CacheDir() string { return k.cacheDir }

// Repo is the repository its images are tagged under.
func (k *Kit) Repo() string { return k.repo }

// DefaultCacheDir is bootmatrix/kit under the user's cache directory
// (os.UserCacheDir: $XDG_CACHE_HOME or ~/.cache on Linux).
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for the kit (set --cache-dir or KIT_CACHE): %w", err)
	}
	return filepath.Join(d, "bootmatrix", "kit"), nil
}

var (
	recipeHashOnce sync.Once
	recipeHash     string
)

// RecipeHash is a 12-hex hash of every embedded recipe file (names and contents):
// two binaries with the same hash build the same kit from the same inputs, which is
// what a CI cache of the kit's cache directory may be keyed by.
func RecipeHash() string {
	recipeHashOnce.Do(func() {
		h := sha256.New()
		_ = fs.WalkDir(images.Recipes, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(images.Recipes, p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			fmt.Fprintf(h, "%s %x\n", p, sum)
			return nil
		})
		recipeHash = hex.EncodeToString(h.Sum(nil))[:12]
	})
	return recipeHash
}

// Extract writes the embedded recipes under dir/images, the layout build.sh expects
// (it runs from the directory above its own).
func Extract(dir string) error {
	return fs.WalkDir(images.Recipes, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, "images", filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := fs.ReadFile(images.Recipes, p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
}

// Plan asks build.sh what a build would do, building and fetching nothing.
func (k *Kit) Plan(ctx context.Context) (Plan, error) {
	var out, errb bytes.Buffer
	if err := k.script(ctx, []string{"KIT_PLAN=1"}, &out, &errb); err != nil {
		return Plan{}, fmt.Errorf("kit plan: %w: %s", err, lastLines(errb.String(), 5))
	}
	return k.parsePlan(out.String())
}

func (k *Kit) parsePlan(text string) (Plan, error) {
	var p Plan
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 4 && f[0] == "plan":
			p.Images = append(p.Images, Image{Name: f[1], Ref: k.repo + "/" + f[1], Tag: f[2], State: State(f[3])})
		case len(f) == 3 && f[0] == "need":
			p.Needs = append(p.Needs, Need{What: f[1], Detail: f[2]})
		case line == "":
		default:
			return Plan{}, fmt.Errorf("kit plan: unexpected line %q from build.sh", line)
		}
	}
	if len(p.Images) == 0 {
		return Plan{}, errors.New("kit plan: build.sh named no images")
	}
	return p, nil
}

// Build runs build.sh; every line it writes to stderr (its log, and the output of the
// tools it runs) goes to logLine as it comes.
func (k *Kit) Build(ctx context.Context, logLine func(string)) error {
	pr, pw := io.Pipe()
	done := make(chan struct{})
	var tail []string
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			tail = append(tail, sc.Text())
			if len(tail) > 5 {
				tail = tail[1:]
			}
			logLine(sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := k.script(ctx, nil, pw, pw)
	_ = pw.Close()
	<-done
	if err != nil {
		return fmt.Errorf("kit build: %w", err)
	}
	return nil
}

// script runs the extracted build.sh with the kit's settings added to the environment.
func (k *Kit) script(ctx context.Context, extra []string, stdout, stderr io.Writer) error {
	if err := os.MkdirAll(k.cacheDir, 0o755); err != nil {
		return err
	}
	// Extracted inside the cache directory: build.sh bind-mounts recipe files into
	// build containers, and the engine can already reach the cache.
	dir, err := os.MkdirTemp(k.cacheDir, ".recipes-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	if err := Extract(dir); err != nil {
		return fmt.Errorf("extracting the kit recipes: %w", err)
	}
	cmd := exec.CommandContext(ctx, k.bash, filepath.Join(dir, "images", "build.sh"))
	cmd.Dir = dir
	cmd.Env = append(append(withoutKeys(k.env, "KIT_CACHE", "KIT_OUT", "KIT_REPO", "KIT_PLAN"),
		"KIT_CACHE="+k.cacheDir, "KIT_OUT="+k.outDir, "KIT_REPO="+k.repo), extra...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// build.sh removes its partial images and build containers on TERM.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 30 * time.Second
	return cmd.Run()
}

func withoutKeys(env []string, keys ...string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !contains(keys, k) {
			out = append(out, kv)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// Tags are the content-hash tags of a plan, sorted: what a build would leave.
func (p Plan) Tags() []string {
	var t []string
	for _, im := range p.Images {
		t = append(t, im.Tag)
	}
	sort.Strings(t)
	return t
}
