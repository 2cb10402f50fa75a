package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/buildinfo"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/report"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

type runFlags struct {
	selectFlags
	outputs  outputFlags
	parallel int
	online   bool
	offline  bool
	keep     bool
	ascii    bool
	cacheMax string
	failFast bool
	registry registryFlags
}

func newRunCmd() *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   "run [SCENARIO]",
		Short: "Build and exercise every selected variant, then print the matrix",
		Long: `Run builds each selected variant of SCENARIO (default: bootmatrix.yaml) and takes it
through build, install, import, ldd and boot. It prints one line per stage event while it
runs, then the matrix and the recommended configuration.

Offline (the default) maps python:*-slim and the Nixpacks base onto the kit images that
'make images' builds and points pip at the offline wheelhouse. --online (or
BOOTMATRIX_ONLINE=1) uses the real images and PyPI, or PIP_INDEX_URL when set;
--registry-mirror moves every image it pulls onto a mirror and --images FILE (or the
scenario's images:) replaces single references. Registry credentials come from
Docker's configuration (~/.docker/config.json, credential helpers), never a flag.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScenario(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), scenarioArg(args), f)
		},
	}
	f.register(cmd)
	f.outputs.register(cmd)
	f.registry.register(cmd)
	cmd.Flags().IntVar(&f.parallel, "parallel", 0, "variants run at once (default: the engine's CPU count)")
	cmd.Flags().BoolVar(&f.online, "online", false, "use the real images and PyPI instead of the offline kit")
	cmd.Flags().BoolVar(&f.offline, "offline", false, "use the offline kit (the default)")
	cmd.Flags().BoolVar(&f.keep, "keep", false, "keep failed variants' containers for inspection")
	cmd.Flags().BoolVar(&f.ascii, "ascii", false, "draw the matrix with ASCII only")
	cmd.Flags().BoolVar(&f.failFast, "fail-fast", true, "end boot once its probes know the outcome (the same wrong answer, loopback-only listeners); false waits for the boot timeout")
	cmd.Flags().StringVar(&f.cacheMax, "cache-max", "", "cap the image cache at `SIZE` (e.g. 10GB, 0 for no cap), evicting the least recently used images after the run (default: BOOTMATRIX_CACHE_MAX, else 10GB)")
	cmd.MarkFlagsMutuallyExclusive("online", "offline")
	return cmd
}

func scenarioArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "bootmatrix.yaml"
}

func substitutions(online, offline bool) recipe.Substitutions {
	if online || (!offline && os.Getenv("BOOTMATRIX_ONLINE") == "1") {
		return recipe.Online(environ())
	}
	return recipe.Offline().WithKitRepo(kitRepo())
}

func environ() map[string]string {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				env[kv[:i]] = kv[i+1:]
				break
			}
		}
	}
	return env
}

func runScenario(ctx context.Context, stdout, stderr io.Writer, path string, f runFlags) error {
	sc, variants, err := loadAndSelect(path, f.selectFlags)
	if err != nil {
		return err
	}
	if sc.Requires.Unchecked {
		fmt.Fprintf(stderr, "bootmatrix: %s requires bootmatrix %s; this is a development build (%s), taken to satisfy it\n",
			path, sc.Requires.Text, buildinfo.Read().Version)
	}
	if err := f.outputs.check(); err != nil {
		return usageErr(err)
	}
	subs, err := f.registry.apply(substitutions(f.online, f.offline), sc.Images)
	if err != nil {
		return usageErr(err)
	}

	runID := runner.NewRunID()
	ctx, stop, interrupted := interruptible(ctx, stderr, runID)
	defer stop()

	cacheMax, err := cacheCap(f.cacheMax)
	if err != nil {
		return usageErr(err)
	}
	opts := []runner.Option{
		runner.WithCacheMax(cacheMax),
		runner.WithFailFast(f.failFast),
		runner.WithRunID(runID),
		runner.WithSubstitutions(subs),
		runner.WithRenderer(builtin.Registry().Render),
		runner.WithDiagnoser(diagnose.Diagnoser{}),
		runner.WithKeep(f.keep),
	}
	names := make([]string, len(variants))
	for i, v := range variants {
		names[i] = v.Name
	}
	prog := newProgress(stderr, liveTerminal(stderr), time.Now, names)
	prog.cols = terminalCols(stderr)
	opts = append(opts, runner.WithProgress(prog.Event), runner.WithPullProgress(prog.Pull))
	if f.parallel > 0 {
		opts = append(opts, runner.WithParallel(f.parallel))
	}
	r, err := runner.New(ctx, opts...)
	if err != nil {
		return envErr(err)
	}
	// Releases the run's lease: until then gc leaves the run's objects alone.
	defer func() { _ = r.Close() }()
	// The loader knows no engine; a limit the engine would refuse is a problem of the
	// file, reported before anything is built rather than as every stage failing.
	if err := sc.CheckCPUs(variants, r.EngineCPUs(ctx)); err != nil {
		return usageErr(err)
	}
	fmt.Fprintf(stderr, "bootmatrix: run %s: %d variant(s) of %s\n", runID, len(variants), sc.File)
	stopProgress := prog.start()
	res, runErr := r.Run(ctx, sc, variants)
	stopProgress()
	if !f.keep {
		cleanupRun(stderr, runID)
	}
	evictCache(stderr, r)
	if res == nil {
		return envErr(fmt.Errorf("run %s produced no result: %w", runID, runErr))
	}
	if runErr != nil {
		fmt.Fprintln(stderr, "bootmatrix: some variants could not run:", runErr)
	}
	if err := writeOutputs(stdout, res, f.outputs, f.ascii); err != nil {
		return envErr(err)
	}
	if f.keep {
		printKept(stderr, res, runID)
	}
	if interrupted() {
		return envErr(errors.New("interrupted"))
	}
	if !allMet(res) {
		return &exitError{code: exitMismatch, err: errSilent}
	}
	return nil
}

// allMet decides the exit code from expectations alone: a variant without one
// claims nothing and cannot fail the run (the summary line counts it apart).
func allMet(res *result.Run) bool {
	for _, v := range res.Variants {
		if v.Expectation != "" && !v.ExpectationMet {
			return false
		}
	}
	return true
}

func printKept(w io.Writer, res *result.Run, runID string) {
	var kept []string
	for _, v := range res.Variants {
		if v.FirstFailure() != nil {
			kept = append(kept, v.Name)
		}
	}
	if len(kept) == 0 {
		fmt.Fprintln(w, "bootmatrix: --keep: every variant passed, so no container is kept")
		return
	}
	fmt.Fprintf(w, "bootmatrix: --keep: the containers of run %s's failed variants (%s) are kept; inspect one with\n", runID, strings.Join(kept, ", "))
	fmt.Fprintf(w, "  docker ps --filter label=org.bootmatrix.run=%s\n", runID)
	fmt.Fprintf(w, "  docker exec -it <container> bash -l\n")
	fmt.Fprintf(w, "and remove them with: bootmatrix gc --run %s\n", runID)
}

// interruptible cancels ctx on the first SIGINT/SIGTERM so the runner stops and
// cleans up. A second signal means the user will not wait for that: it removes what
// the run labelled, with a short deadline so that a hung engine cannot hold the exit,
// and exits at once.
func interruptible(parent context.Context, stderr io.Writer, runID string) (context.Context, func(), func() bool) {
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	var got atomic.Bool
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sig:
			got.Store(true)
			fmt.Fprintf(stderr, "bootmatrix: %s: stopping and cleaning up (again to quit at once)\n", s)
			cancel()
		case <-done:
			return
		}
		select {
		case <-sig:
			fmt.Fprintln(stderr, "bootmatrix: second signal: removing the run's containers and quitting")
			cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := runner.Cleanup(cctx, runID); err != nil {
				fmt.Fprintf(stderr, "bootmatrix: cleanup: %v; run 'bootmatrix gc --run %s'\n", err, runID)
			}
			ccancel()
			os.Exit(exitEnvironment)
		case <-done:
		}
	}()
	stop := func() {
		signal.Stop(sig)
		close(done)
		cancel()
	}
	return ctx, stop, got.Load
}

func loadAndSelect(path string, sf selectFlags) (*scenario.Scenario, []scenario.Variant, error) {
	sc, err := scenario.Load(path, scenario.WithClasses(diagnose.ClassIDs()), scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		return nil, nil, usageErr(err)
	}
	variants, err := sc.Select(sf.variants, sf.excludes)
	if err != nil {
		return nil, nil, usageErr(err)
	}
	return sc, variants, nil
}

type selectFlags struct {
	variants []string
	excludes []string
}

func (s *selectFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&s.variants, "variant", nil, "run only these variants (names or globs; repeatable)")
	cmd.Flags().StringSliceVar(&s.excludes, "exclude", nil, "skip these variants (names or globs; repeatable)")
}

// outputFlags name the report files a run or a re-render writes.
type outputFlags struct {
	json, junit, markdown, html string
}

func (o *outputFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.json, "json", "", "write the result as JSON to `FILE`")
	cmd.Flags().StringVar(&o.junit, "junit", "", "write a JUnit XML report to `FILE`")
	cmd.Flags().StringVar(&o.markdown, "markdown", "", "write a Markdown table to `FILE`")
	cmd.Flags().StringVar(&o.html, "html", "", "write a self-contained HTML report to `FILE`")
}

func (o *outputFlags) check() error {
	seen := map[string]string{}
	for flag, p := range map[string]string{"--json": o.json, "--junit": o.junit, "--markdown": o.markdown, "--html": o.html} {
		if p == "" {
			continue
		}
		if other, ok := seen[p]; ok {
			return fmt.Errorf("%s and %s both write %s: give each report its own file", other, flag, p)
		}
		seen[p] = flag
	}
	return nil
}

func writeOutputs(stdout io.Writer, res *result.Run, o outputFlags, ascii bool) error {
	var textOpts []report.TextOption
	if ascii {
		textOpts = append(textOpts, report.ASCII())
	}
	if err := report.WriteText(stdout, res, textOpts...); err != nil {
		return err
	}
	files := []struct {
		path  string
		write func(io.Writer, *result.Run) error
	}{
		{o.json, report.WriteJSON},
		{o.junit, report.WriteJUnit},
		{o.markdown, report.WriteMarkdown},
		{o.html, report.WriteHTML},
	}
	for _, f := range files {
		if f.path == "" {
			continue
		}
		if err := writeFile(f.path, res, f.write); err != nil {
			return err
		}
	}
	// Shard jobs get the summary appended by themselves; a job that names the summary
	// file with --markdown (the merge job) has it written once, not twice.
	if sum := os.Getenv("GITHUB_STEP_SUMMARY"); sum != "" && o.markdown != "" && filepath.Clean(o.markdown) == filepath.Clean(sum) {
		return nil
	}
	return report.AppendStepSummary(res)
}

func writeFile(path string, res *result.Run, write func(io.Writer, *result.Run) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	// Written to a temporary file first so that an interrupted write never leaves half a report.
	tmp := path + ".tmp"
	fh, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err := write(fh, res); err != nil {
		_ = fh.Close() // the write already failed; that error is the one to report
		_ = os.Remove(tmp)
		return fmt.Errorf("report %s: %w", path, err)
	}
	if err := fh.Close(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("report %s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

// cleanupRun removes everything labelled with the run. It takes a fresh context:
// the run's own may be cancelled by the interrupt that brought us here.
func cleanupRun(stderr io.Writer, runID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := runner.Cleanup(ctx, runID); err != nil {
		fmt.Fprintf(stderr, "bootmatrix: cleanup: %v; run 'bootmatrix gc --run %s'\n", err, runID)
	}
}

// cacheCap reads --cache-max, else BOOTMATRIX_CACHE_MAX, in decimal units (10GB).
func cacheCap(flag string) (int64, error) {
	v, from := flag, "--cache-max"
	if v == "" {
		v, from = os.Getenv("BOOTMATRIX_CACHE_MAX"), "BOOTMATRIX_CACHE_MAX"
	}
	if v == "" {
		return runner.DefaultCacheMax, nil
	}
	n, err := units.FromHumanSize(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q: want a size such as 10GB or 500MB, or 0 for no cap", from, v)
	}
	return n, nil
}

// evictCache brings the image cache under its cap once the run no longer needs it
// and says what it removed.
func evictCache(stderr io.Writer, r *runner.Runner) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ev, err := r.EvictCache(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "bootmatrix: image cache: %v\n", err)
		return
	}
	if len(ev.Removed) > 0 {
		fmt.Fprintf(stderr, "bootmatrix: image cache above its cap: evicted %d least recently used image(s), %.1f GB → %.1f GB\n",
			len(ev.Removed), float64(ev.Before)/1e9, float64(ev.After)/1e9)
	}
}
