// Package runner builds a variant's images and exercises them in real containers,
// stage by stage (build, install, import, ldd, boot), recording each stage's outcome
// and the facts it observed in the result model.
//
// The stages reach the engine only through the engine interface (engine.go), so the
// stage logic (import loop, health poll, settle, exit grace, timeouts, interrupts) is
// tested against a fake engine and an httptest app. Its one implementation,
// mobyEngine, holds the runner's one client.
//
// The engine's one client is testcontainers-go's (NewDockerClientWithOpts), with
// DOCKER_HOST, when set, naming the engine. testcontainers-go owns what it is good
// at, a variant container's lifecycle: create, start, a wait strategy for the
// published 127.0.0.1 port that fails at once if the container stops running, and
// terminate with no stop timeout. It runs on a provider given that same client; its
// GenericContainer would open a provider and a client of its own for every container.
// The rest goes through that client directly: image builds (testcontainers-go's
// build retries a failure and reports no failing step's exit code), the stages'
// execs (they stream output while the health poll runs beside them, which is how
// boot tells a crash from a hang; its Exec and wait strategies wait for an end),
// copies, inspection, and gc by label, which it has no call for.
//
// Its reaper, Ryuk, must be off (its image cannot be pulled offline, and the runner
// removes what it creates by label: Cleanup, GC). That is process-wide configuration,
// so New does not set it: the program does, before its first use (the CLI's main;
// runnertest.DisableReaper in a test's TestMain), and New refuses to start while it
// is on. testcontainers-go's messages about the runner's containers go to WithLogf;
// its global logger is the program's to set.
package runner

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Labels every object a run creates carries.
const (
	LabelManaged = "org.bootmatrix.managed"
	LabelRun     = "org.bootmatrix.run"
	LabelVariant = "org.bootmatrix.variant"
	LabelCache   = "org.bootmatrix.cache"
	// LabelCacheStage names the stage a cached image belongs to (build, install).
	LabelCacheStage = "org.bootmatrix.cache.stage"
)

// Diagnoser classifies a finished variant's failures in place, from the facts the
// stages recorded; b says how the variant was built.
type Diagnoser interface {
	// ctx says how the variant was built (recipe.DiagnoseContext; empty for a setup failure).
	Annotate(v *result.Variant, ctx diagnose.Context)
}

// Renderer turns a variant into a recipe; the CLI passes recipe.Render.
type Renderer func(*scenario.Scenario, scenario.Variant, recipe.Substitutions) (*recipe.Recipe, error)

// Event is a stage starting (Status empty) or ending.
type Event struct {
	Variant string
	Stage   result.StageName
	Status  result.Status
	Seconds float64
	Time    time.Time
}

// Option configures a Runner.
type Option func(*Runner)

// WithParallel bounds how many variants run at once. The default, and n < 1, is the
// engine's CPU count (the machine's when the engine does not say): the stages' work
// runs there, not here, which matters when DOCKER_HOST is another machine.
func WithParallel(n int) Option { return func(r *Runner) { r.parallel = n } }

// WithSubstitutions sets the image and pip substitutions the renderer receives.
func WithSubstitutions(s recipe.Substitutions) Option { return func(r *Runner) { r.subs = s } }

// WithDiagnoser sets the classifier that annotates every finished variant.
func WithDiagnoser(d Diagnoser) Option { return func(r *Runner) { r.diag = d } }

// WithProgress receives an event at every stage start and end. It is called from
// several goroutines at once when variants run in parallel.
func WithProgress(f func(Event)) Option { return func(r *Runner) { r.progress = f } }

// WithPullProgress receives every message of the run's image pulls, each pull's
// once however many variants wait on it, and a Done message at each pull's end. It
// is called from several goroutines at once when pulls run in parallel.
func WithPullProgress(f func(PullProgress)) Option { return func(r *Runner) { r.pullProgress = f } }

// WithKeep leaves failed variants' containers running for inspection.
func WithKeep(keep bool) Option { return func(r *Runner) { r.keep = keep } }

// WithKeepAll leaves every variant's container running, booted ones too, for
// inspecting what a passing variant ran in (the least-privilege checks do).
func WithKeepAll(keep bool) Option { return func(r *Runner) { r.keepAll = keep } }

// WithRunID sets the run id every created object is labelled with.
func WithRunID(id string) Option { return func(r *Runner) { r.runID = id } }

// WithRenderer sets the recipe renderer RunVariant uses.
func WithRenderer(f Renderer) Option { return func(r *Runner) { r.render = f } }

// WithLogf receives the runner's own diagnostics (not the variants' output).
func WithLogf(f func(format string, args ...any)) Option { return func(r *Runner) { r.logf = f } }

// WithFailFast turns off (false) boot's early end once its probes know the outcome
// (boot.go, failFast), so that boot waits for its timeout as it used to: for
// measuring what failing fast saves.
func WithFailFast(on bool) Option {
	return func(r *Runner) {
		if !on {
			r.failFast = 0
		}
	}
}

// WithCacheMax caps the image cache at max bytes (what its images hold alone);
// above it, EvictCache removes the least recently used. Zero or less: no cap.
func WithCacheMax(max int64) Option { return func(r *Runner) { r.cacheMax = max } }

// WithStateDir keeps what runs on this host share (the run's lease, build locks,
// the cache's record of last use) in dir instead of DefaultStateDir. A runner on
// the real engine always holds a lease, so that gc leaves its objects alone.
func WithStateDir(dir string) Option { return func(r *Runner) { r.stateDir = dir } }

// withEngine runs the stages on e instead of connecting to Docker.
func withEngine(e engine) Option { return func(r *Runner) { r.eng = e } }

// Runner runs variants. It is safe for concurrent use.
type Runner struct {
	parallel int
	subs     recipe.Substitutions
	diag     Diagnoser
	progress func(Event)
	// pullProgress receives pull messages (WithPullProgress).
	pullProgress func(PullProgress)
	keep         bool
	keepAll      bool
	runID        string
	render       Renderer
	logf         func(string, ...any)
	// exitGrace is how long boot waits for the process to exit once a health check
	// that had passed fails, before calling it a failed check rather than a crash.
	exitGrace time.Duration
	// failFast is how long a wrong answer or a final set of listeners must hold
	// before boot stops early; zero waits for the boot timeout.
	failFast time.Duration

	eng engine

	stateDir string
	lease    *heldLease
	cacheMax int64
	// largeLayer is the layer size a build reports (tests lower it).
	largeLayer int64
	// afterBuild runs between a build and its tagging: a test kills the process
	// there, the moment that leaves an image under its temporary tag.
	afterBuild func()

	mu     sync.Mutex
	builds map[string]*buildCall // in-flight builds by cache tag, so variants sharing a stage build it once
	used   map[string]bool       // cache tags this runner used, which eviction keeps
	pulls  pulls
	// indexes serve credentialed package indexes to builds without the credentials.
	indexes indexes
}

// New connects to the engine named by DOCKER_HOST (or the default socket) and
// checks that it answers. It changes no process-wide state, and so refuses to start
// while testcontainers-go's reaper is on (see the package doc).
func New(ctx context.Context, opts ...Option) (*Runner, error) {
	r := &Runner{exitGrace: defaultExitGrace, failFast: defaultFailFast, builds: map[string]*buildCall{},
		used: map[string]bool{}, cacheMax: DefaultCacheMax, largeLayer: largeLayer}
	for _, o := range opts {
		o(r)
	}
	if r.runID == "" {
		r.runID = NewRunID()
	}
	if r.logf == nil {
		r.logf = func(string, ...any) {}
	}
	if r.eng == nil {
		if err := reaperOff(); err != nil {
			return nil, err
		}
		e, err := connectEngine(ctx, r.logf)
		if err != nil {
			return nil, err
		}
		r.eng = e
		if r.stateDir == "" {
			r.stateDir = DefaultStateDir()
		}
		host, _ := os.Hostname()
		l, err := takeLease(r.stateDir, Lease{Run: r.runID, PID: os.Getpid(), Host: host, Engine: e.cli.DaemonHost(), Started: time.Now().UTC()})
		if err != nil {
			// The run goes on; only a concurrent gc could now take it for a dead one.
			r.logf("%v; a concurrent `bootmatrix gc` may remove this run's containers", err)
		}
		r.lease = l
	}
	if r.parallel < 1 {
		r.parallel = r.eng.CPUs(ctx)
	}
	if r.parallel < 1 {
		r.parallel = runtime.NumCPU()
	}
	return r, nil
}

// Close releases the engine connection, the run's lease and the index proxies.
func (r *Runner) Close() error {
	err := errors.Join(r.indexes.close(), r.eng.Close())
	if lerr := r.lease.release(); err == nil {
		err = lerr
	}
	r.lease = nil
	return err
}

// Keeps reports whether the runner leaves containers running (WithKeep).
func (r *Runner) Keeps() bool { return r.keep || r.keepAll }

// RunID is the id this runner labels objects with.
func (r *Runner) RunID() string { return r.runID }

// NewRunID makes a sortable, unique run id.
func NewRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102t150405") + "-" + hex.EncodeToString(b)
}

// Run runs every variant, at most WithParallel at a time, and returns one result per
// variant in the given order. The error aggregates the variants that could not run.
func (r *Runner) Run(ctx context.Context, sc *scenario.Scenario, variants []scenario.Variant) (*result.Run, error) {
	start := time.Now()
	run := &result.Run{Scenario: sc.Name, File: sc.File, Mode: r.subs.Mode, StartedAt: start.UTC(),
		Variants: make([]result.Variant, len(variants))}
	errs := make([]error, len(variants))
	sem := make(chan struct{}, r.parallel)
	var wg sync.WaitGroup
	for i, v := range variants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			res, b, err := r.runVariant(ctx, sc, v)
			// Removing the container takes a few hundred ms of the engine's time and none
			// of ours: the next variant starts meanwhile.
			<-sem
			run.Variants[i], errs[i] = res, err
			if b != nil {
				r.terminate(b.id)
			}
		}()
	}
	wg.Wait()
	run.Seconds = time.Since(start).Seconds()
	var merr *multierror.Error
	for _, err := range errs {
		if err != nil {
			merr = multierror.Append(merr, err)
		}
	}
	return run, merr.ErrorOrNil()
}

// RunVariant renders v and runs its recipe. The error is a setup problem (no renderer,
// bad input); the returned Variant records it too, with every stage skipped.
func (r *Runner) RunVariant(ctx context.Context, sc *scenario.Scenario, v scenario.Variant) (result.Variant, error) {
	res, b, err := r.runVariant(ctx, sc, v)
	if b != nil {
		r.terminate(b.id)
	}
	return res, err
}

// runVariant is RunVariant leaving the container's removal to the caller.
func (r *Runner) runVariant(ctx context.Context, sc *scenario.Scenario, v scenario.Variant) (result.Variant, *box, error) {
	chk := ChecksFor(sc, v)
	if r.render == nil {
		res, err := r.setupFailed(v, chk, fmt.Errorf("variant %q: no recipe renderer (runner.WithRenderer)", v.Name))
		return res, nil, err
	}
	rc, err := r.render(sc, v, r.subs)
	if err != nil {
		res, err := r.setupFailed(v, chk, fmt.Errorf("variant %q: render recipe: %w", v.Name, err))
		return res, nil, err
	}
	if rc == nil {
		res, err := r.setupFailed(v, chk, fmt.Errorf("variant %q: render recipe: no recipe", v.Name))
		return res, nil, err
	}
	res, b := r.runRecipe(ctx, v.Name, rc, chk)
	return res, b, nil
}

func (r *Runner) setupFailed(v scenario.Variant, chk Checks, err error) (result.Variant, error) {
	red := newRedactor(chk, nil)
	res := result.Variant{Name: v.Name, Axes: chk.Axes, Error: red.String(err.Error()),
		Expectation: DescribeExpectation(chk.Expect)}
	for _, s := range result.StageNames {
		res.Stages = append(res.Stages, result.Stage{Name: s, Status: result.Skip, Note: "not run: setup error"})
	}
	res.ExpectationMet, res.ExpectationDetail = Evaluate(&res, chk.Expect)
	return res, err
}

// Checks are what a variant's stages verify and the bounds they run in.
type Checks struct {
	Imports []string
	Port    int
	Health  scenario.HTTPCheck
	Config  *scenario.HTTPCheck
	// Env is runtime environment for every exec, under the recipe's own Env.
	Env map[string]string
	// Secrets are extra env names whose values are redacted.
	Secrets []string
	// Timeouts are the variant's over the scenario's; a stage they leave out takes
	// scenario.DefaultTimeouts'.
	Timeouts scenario.Timeouts
	Limits   scenario.Limits
	// Settle is how long a booted app must stay up; zero means scenario.DefaultSettle.
	Settle time.Duration
	Expect *scenario.Expectation
	Axes   map[string]string
}

// ChecksFor derives a variant's checks. The scenario resolves every bound (the
// variant's over its own over the defaults), so no default lives here.
func ChecksFor(sc *scenario.Scenario, v scenario.Variant) Checks {
	return Checks{
		Imports: sc.Imports, Port: sc.PortOrDefault(), Health: sc.Health, Config: sc.Config,
		Env: sc.Env, Secrets: sc.Secrets, Expect: v.Expect, Axes: v.Axes,
		Timeouts: sc.TimeoutsFor(v),
		Limits:   sc.LimitsFor(v),
		Settle:   sc.SettleFor(v),
	}
}

func (c Checks) timeout(stage result.StageName) time.Duration { return c.Timeouts.For(stage) }

// settle is the variant's settle period; Checks built by hand may leave it zero.
func (c Checks) settle() time.Duration { return cmp.Or(c.Settle, scenario.DefaultSettle) }

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
