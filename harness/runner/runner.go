// Package runner builds a variant's images and exercises them in real containers,
// stage by stage (build, install, import, ldd, boot), recording each stage's outcome
// in the result model. It talks to the engine through testcontainers-go (containers)
// and the moby client it uses (builds, execs, inspection, clean-up).
package runner

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-multierror"
	"github.com/moby/moby/client"
	tclog "github.com/testcontainers/testcontainers-go/log"

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

// Diagnoser classifies a finished variant's failures in place.
type Diagnoser interface {
	// ctx says how the variant was built (recipe.DiagnoseContext; empty for a setup failure).
	Annotate(v *result.Variant, ctx diagnose.Context)
}

// Renderer turns a variant into a recipe; the CLI passes recipe.Render.
type Renderer func(*scenario.Scenario, scenario.Variant, recipe.Substitutions) (*recipe.Recipe, error)

// Event is a stage starting (Status empty) or ending.
type Event struct {
	Variant, Stage string
	Status         result.Status
	Seconds        float64
	Time           time.Time
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

// WithKeep leaves the variants' containers running for inspection.
func WithKeep(keep bool) Option { return func(r *Runner) { r.keep = keep } }

// WithRunID sets the run id every created object is labelled with.
func WithRunID(id string) Option { return func(r *Runner) { r.runID = id } }

// WithRenderer sets the recipe renderer RunVariant uses.
func WithRenderer(f Renderer) Option { return func(r *Runner) { r.render = f } }

// WithLogf receives the runner's own diagnostics (not the variants' output).
func WithLogf(f func(format string, args ...any)) Option { return func(r *Runner) { r.logf = f } }

// WithSettle sets how long a booted app must stay up and healthy (default 2s).
func WithSettle(d time.Duration) Option { return func(r *Runner) { r.settle = d } }

// Runner runs variants. It is safe for concurrent use.
type Runner struct {
	parallel int
	subs     recipe.Substitutions
	diag     Diagnoser
	progress func(Event)
	keep     bool
	runID    string
	render   Renderer
	logf     func(string, ...any)
	settle   time.Duration

	cli *client.Client

	mu     sync.Mutex
	builds map[string]*buildCall // in-flight builds by cache tag, so variants sharing a stage build it once
}

// New connects to the engine named by DOCKER_HOST (or the default socket) and
// checks that it answers.
func New(ctx context.Context, opts ...Option) (*Runner, error) {
	disableReaper()
	r := &Runner{settle: 2 * time.Second, builds: map[string]*buildCall{}}
	for _, o := range opts {
		o(r)
	}
	if r.runID == "" {
		r.runID = NewRunID()
	}
	if r.logf == nil {
		r.logf = func(string, ...any) {}
	}
	cli, err := Connect(ctx)
	if err != nil {
		return nil, err
	}
	r.cli = cli
	if r.parallel < 1 {
		r.parallel = engineCPUs(ctx, cli)
	}
	return r, nil
}

func engineCPUs(ctx context.Context, cli *client.Client) int {
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if info, err := cli.Info(ictx, client.InfoOptions{}); err == nil && info.Info.NCPU > 0 {
		return info.Info.NCPU
	}
	return runtime.NumCPU()
}

// disableReaper turns Ryuk off before testcontainers reads its configuration (once,
// on first use): the reaper image cannot be pulled here, and the runner cleans up by
// labels itself.
func disableReaper() {
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	// The library's global banner would land on the CLI's stderr; each container's
	// own messages go to WithLogf instead.
	tclog.SetDefault(tclog.NewNoopLogger())
}

// Connect returns a client for the engine and pings it; the error is one line saying
// where it looked and how to start an engine.
func Connect(ctx context.Context) (*client.Client, error) {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w (check DOCKER_HOST=%q)", err, os.Getenv("DOCKER_HOST"))
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		host := os.Getenv("DOCKER_HOST")
		if host == "" {
			host = "unset, so " + cli.DaemonHost()
		}
		_ = cli.Close()
		return nil, fmt.Errorf("docker engine not reachable (DOCKER_HOST %s): %s; start it with `sudo systemctl start docker` (or run `dockerd`), or set DOCKER_HOST to a running engine",
			host, oneLine(err.Error()))
	}
	return cli, nil
}

// Close releases the engine connection.
func (r *Runner) Close() error { return r.cli.Close() }

// Keeps reports whether the runner leaves containers running (WithKeep).
func (r *Runner) Keeps() bool { return r.keep }

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
				r.terminate(b.ctr)
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
		r.terminate(b.ctr)
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
	Secrets  []string
	Timeouts scenario.Timeouts
	Limits   scenario.Limits
	// Settle is how long a booted app must stay up; zero means the runner's default.
	Settle time.Duration
	Expect *scenario.Expectation
	Axes   map[string]string
}

// Stage timeouts when neither variant nor scenario sets one.
var DefaultTimeouts = scenario.Timeouts{
	Build: 10 * time.Minute, Install: 10 * time.Minute, Import: 2 * time.Minute,
	Ldd: 2 * time.Minute, Boot: 90 * time.Second,
}

// ChecksFor derives a variant's checks: the variant's timeouts over the scenario's.
func ChecksFor(sc *scenario.Scenario, v scenario.Variant) Checks {
	return Checks{
		Imports: sc.Imports, Port: sc.Port, Health: sc.Health, Config: sc.Config,
		Env: sc.Env, Secrets: sc.Secrets, Expect: v.Expect, Axes: v.Axes,
		Timeouts: mergeTimeouts(v.Timeouts, sc.Timeouts),
		Limits:   scenario.Limits{MemoryBytes: firstNonZero(v.Limits.MemoryBytes, sc.Limits.MemoryBytes), NanoCPUs: firstNonZero(v.Limits.NanoCPUs, sc.Limits.NanoCPUs)},
		Settle:   firstNonZero(v.Settle, sc.Settle),
	}
}

// firstNonZero is the variant's own value when it sets one, else the scenario's.
func firstNonZero[T int64 | time.Duration](v, sc T) T {
	if v != 0 {
		return v
	}
	return sc
}

func mergeTimeouts(ts ...scenario.Timeouts) scenario.Timeouts {
	var out scenario.Timeouts
	pick := func(dst *time.Duration, get func(scenario.Timeouts) time.Duration) {
		for _, t := range ts {
			if d := get(t); d > 0 {
				*dst = d
				return
			}
		}
	}
	pick(&out.Build, func(t scenario.Timeouts) time.Duration { return t.Build })
	pick(&out.Install, func(t scenario.Timeouts) time.Duration { return t.Install })
	pick(&out.Import, func(t scenario.Timeouts) time.Duration { return t.Import })
	pick(&out.Ldd, func(t scenario.Timeouts) time.Duration { return t.Ldd })
	pick(&out.Boot, func(t scenario.Timeouts) time.Duration { return t.Boot })
	return out
}

func (c Checks) timeout(stage string) time.Duration {
	t := mergeTimeouts(c.Timeouts, DefaultTimeouts)
	switch stage {
	case result.StageBuild:
		return t.Build
	case result.StageInstall:
		return t.Install
	case result.StageImport:
		return t.Import
	case result.StageLdd:
		return t.Ldd
	default:
		return t.Boot
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
