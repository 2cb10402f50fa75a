package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/kit"
	"github.com/bootmatrix/bootmatrix/harness/runner"
)

type kitFlags struct {
	cacheDir string
}

func (f *kitFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.cacheDir, "cache-dir", "", "where downloads and assemblies are kept (default: $BOOTMATRIX_KIT_CACHE, $KIT_CACHE, or bootmatrix/kit under the user cache directory)")
}

// kitCacheDir is the flag, then BOOTMATRIX_KIT_CACHE, then KIT_CACHE (what
// `make images` always passed build.sh), then the user's cache directory.
func (f *kitFlags) kit() (*kit.Kit, error) {
	dir := f.cacheDir
	for _, env := range []string{"BOOTMATRIX_KIT_CACHE", "KIT_CACHE"} {
		if dir == "" {
			dir = os.Getenv(env)
		}
	}
	opts := []kit.Option{kit.WithRepo(kitRepo())}
	if dir != "" {
		opts = append(opts, kit.WithCacheDir(dir))
	}
	if out := os.Getenv("KIT_OUT"); out != "" {
		opts = append(opts, kit.WithOutDir(out))
	}
	return kit.New(opts...)
}

// kitRepo is the repository kit images are tagged under: kit.DefaultRepo unless
// BOOTMATRIX_KIT_REPO (or build.sh's KIT_REPO) names another, for a kit built beside
// the usual one; `run` reads the same variables, so it uses the kit just built.
func kitRepo() string {
	for _, env := range []string{"BOOTMATRIX_KIT_REPO", "KIT_REPO"} {
		if r := os.Getenv(env); r != "" {
			return r
		}
	}
	return kit.DefaultRepo
}

func newKitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kit",
		Short: "Build the offline kit, say whether it is current, or publish it to a registry and an index",
		Long: `The offline kit is the set of images an offline run uses instead of a registry and
PyPI: Debian roots, python:*-slim stand-ins, a Nix stand-in and a wheelhouse. Its
recipes are built into this binary; 'kit build' builds it from them, and 'kit status'
compares the images present with what the recipes would build; 'kit push' and
'kit index' publish it for online runs against a team's own registry and index.`,
	}
	cmd.AddCommand(newKitBuildCmd(), newKitStatusCmd(), newKitPushCmd(), newKitIndexCmd())
	return cmd
}

func newKitStatusCmd() *cobra.Command {
	var f kitFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Which kit images exist and are current, and what 'kit build' would do (exit 1 unless all are current)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := f.kit()
			if err != nil {
				return usageErr(err)
			}
			p, err := k.Plan(cmd.Context())
			if err != nil {
				return envErr(err)
			}
			writeKitStatus(cmd.OutOrStdout(), k, p)
			if !p.Current() {
				return &exitError{code: exitMismatch, err: errSilent}
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

// kitStateWords say what each state means for the user.
var kitStateWords = map[kit.State]string{
	kit.Current:    "current",
	kit.Outdated:   "outdated (kit build rebuilds it)",
	kit.Missing:    "missing (kit build builds it)",
	kit.Unverified: "present, unverified (its inputs are not in the cache yet; kit build fetches them and rebuilds it if they changed)",
}

func writeKitStatus(w io.Writer, k *kit.Kit, p kit.Plan) {
	width := 0
	for _, im := range p.Images {
		width = max(width, len(im.Ref))
	}
	for _, im := range p.Images {
		tag := im.Tag
		if strings.Contains(tag, "?") {
			tag = "(hash unknown until what it is made from is fetched and built)"
		}
		fmt.Fprintf(w, "%-*s  %s  %s\n", width, im.Ref, tag, kitStateWords[im.State])
	}
	fetches, tools := 0, map[string][]string{}
	for _, n := range p.Needs {
		if n.What == "fetch" {
			fetches++
		} else {
			tools[n.What] = append(tools[n.What], n.Detail)
		}
	}
	fmt.Fprintf(w, "\nrecipes %s, cache %s\n", kit.RecipeHash(), k.CacheDir())
	if p.Current() {
		fmt.Fprintln(w, "the kit is current: kit build has nothing to do")
		return
	}
	var would []string
	if fetches > 0 {
		would = append(would, fmt.Sprintf("download %d .deb set(s) from Debian", fetches))
	}
	for t, suites := range tools {
		would = append(would, fmt.Sprintf("run %s (%s)", t, strings.Join(suites, ", ")))
	}
	would = append(would, "build what is not current")
	fmt.Fprintf(w, "bootmatrix kit build would %s\n", strings.Join(would, ", "))
}

func newKitBuildCmd() *cobra.Command {
	var f kitFlags
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build the offline kit from the recipes in this binary (what 'make images' runs)",
		Long: `kit build builds every kit image that is not current, each under a tag that is a hash
of its inputs, so a build with nothing changed only re-tags. Downloads, Debian roots and
assemblies are kept in the cache directory. Bootstrapping the Debian roots needs root and
debootstrap; as root with apt, debootstrap is installed when missing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := f.kit()
			if err != nil {
				return usageErr(err)
			}
			return buildKit(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), k)
		},
	}
	f.register(cmd)
	return cmd
}

func buildKit(ctx context.Context, stdout, stderr io.Writer, k *kit.Kit) error {
	// The first interrupt asks build.sh to stop; it removes its partial images itself.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := k.Plan(ctx)
	if err != nil {
		return envErr(err)
	}
	if err := kit.EnsureHostTools(ctx, p, stderr); err != nil {
		return envErr(err)
	}
	pending := 0
	for _, im := range p.Images {
		if im.State != kit.Current {
			pending++
		}
	}
	fmt.Fprintf(stderr, "kit: %d of %d images to build (recipes %s, cache %s)\n", pending, len(p.Images), kit.RecipeHash(), k.CacheDir())
	prog := newKitProgress(stderr, liveTerminal(stderr), time.Now, p)
	err = k.Build(ctx, prog.line)
	prog.finish(err == nil)
	if err != nil {
		return envErr(err)
	}
	after, err := k.Plan(ctx)
	if err != nil {
		return envErr(err)
	}
	if !after.Current() {
		writeKitStatus(stdout, k, after)
		return envErr(fmt.Errorf("kit build finished but the kit is not current"))
	}
	fmt.Fprintf(stdout, "kit: %d images current under %s/\n", len(after.Images), k.Repo())
	return nil
}

// kitProgress shows a build stage by stage. On a terminal it redraws one row per
// image with the latest log line under the one being built; elsewhere (CI, a
// pipe) it passes build.sh's lines through as they come.
type kitProgress struct {
	mu     sync.Mutex
	w      io.Writer
	live   bool
	now    func() time.Time
	start  time.Time
	images []kit.Image
	done   []bool
	active int
	last   string
	drawn  int
	width  int
}

const kitLogPrefix = "== images: "

func newKitProgress(w io.Writer, live bool, now func() time.Time, p kit.Plan) *kitProgress {
	kp := &kitProgress{w: w, live: live, now: now, start: now(), images: p.Images, done: make([]bool, len(p.Images)), active: -1}
	for i, im := range p.Images {
		kp.done[i] = im.State == kit.Current
		kp.width = max(kp.width, len(im.Ref))
	}
	return kp
}

// line takes one line of build.sh's output. A line naming an image's tag means that
// image is being built (and the ones before it, built in order, are done); the
// "REF -> TAG" line finish_image writes means it is done.
func (kp *kitProgress) line(s string) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	msg, isLog := strings.CutPrefix(s, kitLogPrefix)
	for i, im := range kp.images {
		if isLog && strings.HasPrefix(msg, im.Ref+" -> ") {
			kp.done[i] = true
			break
		}
		if mentions(msg, im) {
			for j := range i {
				kp.done[j] = true
			}
			kp.active = i
			break
		}
	}
	if !kp.live {
		fmt.Fprintln(kp.w, s)
		return
	}
	if !isLog {
		// Tool output (an error, debootstrap's complaints) is kept above the rows.
		kp.clear()
		fmt.Fprintln(kp.w, s)
	} else {
		kp.last = msg
	}
	kp.draw()
}

// mentions reports whether a log line is about im: it names im's tag (up to the
// hash, which the plan may not know yet) or, when the plan knows it, im's hash.
func mentions(msg string, im kit.Image) bool {
	i := strings.LastIndexAny(im.Tag, ":-")
	if i < 0 {
		return false
	}
	stem, hash := im.Tag[:i+1], im.Tag[i+1:]
	return strings.Contains(msg, stem) || (hash != "?" && strings.Contains(msg, hash))
}

func (kp *kitProgress) clear() {
	if kp.drawn > 0 {
		fmt.Fprintf(kp.w, "\x1b[%dA\x1b[J", kp.drawn)
		kp.drawn = 0
	}
}

func (kp *kitProgress) draw() {
	kp.clear()
	var b strings.Builder
	for i, im := range kp.images {
		state := "waiting"
		switch {
		case kp.done[i]:
			state = "done"
		case i == kp.active:
			state = "building"
		}
		fmt.Fprintf(&b, "\r\x1b[2K%-*s  %s\n", kp.width, im.Ref, state)
	}
	// The latest log line, whichever image it is about (not all of them name one).
	fmt.Fprintf(&b, "\r\x1b[2K%4.0fs  %s\n", kp.now().Sub(kp.start).Seconds(), kp.last)
	kp.drawn = len(kp.images) + 1
	io.WriteString(kp.w, b.String())
}

func (kp *kitProgress) finish(ok bool) {
	kp.mu.Lock()
	defer kp.mu.Unlock()
	if !kp.live {
		return
	}
	if ok {
		for i := range kp.done {
			kp.done[i] = true
		}
	}
	kp.draw()
}

func newKitPushCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "push REGISTRY",
		Short: "Push the kit's stand-in images to REGISTRY under the names online runs pull",
		Long: `push tags each kit image with the real name the online substitution table uses, moved
onto REGISTRY (HOST[:PORT]) the way --registry-mirror moves it — python:3.11-slim as
REGISTRY/library/python:3.11-slim, the Nixpacks base as REGISTRY/railwayapp/nixpacks:… —
pushes it with the credentials Docker's configuration has for REGISTRY, and removes
the local tag again. A run with --online --registry-mirror REGISTRY then pulls them.
An image is reported pushed only once the registry took all of it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			targets, err := kit.Targets(args[0])
			if err != nil {
				return usageErr(err)
			}
			cli, err := runner.Connect(cmd.Context())
			if err != nil {
				return envErr(err)
			}
			defer func() { _ = cli.Close() }()
			done, err := kit.Push(cmd.Context(), cli, args[0], cmd.ErrOrStderr())
			if err != nil {
				return envErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "pushed %d of %d kit images to %s\n", len(done), len(targets), args[0])
			return nil
		},
	}
}

func newKitIndexCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "index DIR",
		Short: "Write the kit's wheelhouse into DIR as a PEP 503 simple index",
		Long: `index copies the wheels of the kit's wheelhouse image into DIR/files and writes
DIR/simple/ as a PEP 503 index of them, with relative links and sha256 fragments.
Serve DIR with any static file server and point PIP_INDEX_URL at its /simple/.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cli, err := runner.Connect(cmd.Context())
			if err != nil {
				return envErr(err)
			}
			defer func() { _ = cli.Close() }()
			wheels, err := kit.Wheels(cmd.Context(), cli, kit.WheelhouseImage)
			if err != nil {
				return envErr(err)
			}
			if err := kit.WriteIndex(args[0], wheels); err != nil {
				return envErr(fmt.Errorf("index %s: %w", args[0], err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d wheels to %s/simple/\n", len(wheels), args[0])
			return nil
		},
	}
}
