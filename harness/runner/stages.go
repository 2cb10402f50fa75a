package runner

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/probe"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/redact"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Defaults for a container when the scenario sets no limits: one core of a shared
// machine and enough memory for numpy-sized imports.
const (
	defaultMemory   = 1 << 30
	defaultNanoCPUs = 1_000_000_000
	defaultPort     = scenario.DefaultPort
	probeDir        = "/tmp/bootmatrix"
)

// variantRun is one RunRecipe in progress.
type variantRun struct {
	r    *Runner
	name string
	rc   *recipe.Recipe
	chk  Checks
	red  *redact.Redactor
	v    *result.Variant
	env  map[string]string
	box  *box

	// mu guards v.Stages while ldd and boot run at once.
	mu sync.Mutex
	// lddDone, while ldd runs beside boot, holds back boot's end event until ldd's
	// has been sent, so that a variant's last event is still its last stage.
	lddDone chan struct{}
}

// stageRun is one stage in progress.
type stageRun struct {
	st    result.Stage
	start time.Time
	out   *Tail
}

// timedOut records that the runner stopped the stage at its deadline.
func (sr *stageRun) timedOut(timeout time.Duration) {
	sr.st.Facts.TimedOut = true
	sr.st.Facts.TimeoutSeconds = timeout.Seconds()
	sr.out.WriteString("\n" + diagnose.FormatTimeout(timeout) + "\n")
}

// oomKilled records that the memory limit killed a process of the stage.
func (sr *stageRun) oomKilled(limit int64) {
	sr.st.Facts.OOMKilled = true
	sr.st.Facts.MemoryLimit = limit
	sr.out.WriteString(diagnose.FormatOOMKilled(mib(limit)) + "\n")
}

func newRedactor(chk Checks, rc *recipe.Recipe) *redact.Redactor {
	env := map[string]string{}
	add := func(m map[string]string) {
		for k, v := range m {
			env[k] = v
		}
	}
	add(chk.Env)
	if rc != nil {
		add(rc.Env)
		add(rc.Setup.Args)
		if rc.Install != nil {
			add(rc.Install.Args)
		}
		if rc.Final != nil {
			add(rc.Final.Args)
		}
	}
	return redact.New(env, chk.Secrets)
}

// RunRecipe builds and exercises one recipe: the core of RunVariant, usable with a
// hand-made recipe. It never returns an error: every problem is a stage's outcome.
// The Diagnoser, when set, annotates the result before the expectation is evaluated.
func (r *Runner) RunRecipe(ctx context.Context, name string, rc *recipe.Recipe, chk Checks) result.Variant {
	v, b := r.runRecipe(ctx, name, rc, chk)
	if b != nil {
		r.terminate(b.id)
	}
	return v
}

// runRecipe is RunRecipe leaving the variant's container to the caller (nil when
// there is none, or when it failed and is kept).
func (r *Runner) runRecipe(ctx context.Context, name string, rc *recipe.Recipe, chk Checks) (result.Variant, *box) {
	v := result.Variant{Name: name, Axes: chk.Axes, Expectation: DescribeExpectation(chk.Expect)}
	if chk.Port == 0 {
		chk.Port = defaultPort
	}
	vr := &variantRun{r: r, name: name, rc: rc, chk: chk, red: newRedactor(chk, rc), v: &v}
	// The builder writes these from the variant and its files, where a value the
	// user passed (a pin, a path) could carry a secret: they go through the redactor
	// like every captured line.
	for _, n := range rc.Notes {
		v.Notes = append(v.Notes, vr.red.String(n))
	}
	for _, c := range rc.Caveats {
		v.Caveats = append(v.Caveats, vr.red.String(c))
	}
	vr.env = map[string]string{}
	for k, val := range chk.Env {
		vr.env[k] = val
	}
	for k, val := range rc.Env {
		vr.env[k] = val
	}
	vr.env["PORT"] = fmt.Sprint(chk.Port)

	image, installOK := vr.buildStages(ctx)
	v.Image = image
	switch {
	case !installOK:
		vr.skip(result.StageImport, skipNote(&v))
		vr.skip(result.StageLdd, skipNote(&v))
		vr.skip(result.StageBoot, skipNote(&v))
	case !vr.importStage(ctx, image):
		vr.lddStage(ctx)
		vr.skip(result.StageBoot, skipNote(&v))
	default:
		// ldd only reads the installed files, so it runs while the app starts and
		// settles: boot's settle period is otherwise idle time, paid by every variant.
		vr.lddDone = make(chan struct{})
		sr := vr.begin(result.StageLdd)
		go func() {
			defer close(vr.lddDone)
			vr.lddRun(ctx, sr)
		}()
		v.Boots = vr.bootStage(ctx, image)
		<-vr.lddDone
	}
	sort.SliceStable(v.Stages, func(i, j int) bool { return stageIndex(v.Stages[i].Name) < stageIndex(v.Stages[j].Name) })

	if r.diag != nil {
		dctx := rc.DiagnoseContext()
		dctx.Mode = r.subs.Mode
		dctx.KitImages = r.subs.KitImages()
		r.diag.Annotate(&v, dctx)
	}
	v.ExpectationMet, v.ExpectationDetail = Evaluate(&v, chk.Expect)
	// A passing variant's container has nothing to show: only failed ones are kept.
	if r.keepAll || r.keep && v.FirstFailure() != nil {
		return v, nil
	}
	return v, vr.box
}

func stageIndex(name result.StageName) int {
	for i, s := range result.StageNames {
		if s == name {
			return i
		}
	}
	return len(result.StageNames)
}

// skipNote names the first failed stage, the reason later ones did not run.
func skipNote(v *result.Variant) string {
	if f := v.FirstFailure(); f != nil {
		return "skipped: " + string(f.Name) + " failed"
	}
	return "skipped"
}

func (vr *variantRun) emit(stage result.StageName, st result.Status, secs float64) {
	if vr.r.progress != nil {
		vr.r.progress(Event{Variant: vr.name, Stage: stage, Status: st, Seconds: secs, Time: time.Now()})
	}
}

func (vr *variantRun) begin(stage result.StageName) *stageRun {
	vr.emit(stage, "", 0)
	return &stageRun{st: result.Stage{Name: stage}, start: time.Now(), out: NewTail(0)}
}

func (vr *variantRun) skip(stage result.StageName, note string) {
	vr.mu.Lock()
	vr.v.Stages = append(vr.v.Stages, result.Stage{Name: stage, Status: result.Skip, Note: note})
	vr.mu.Unlock()
	vr.emit(stage, result.Skip, 0)
}

// end records a stage. A stage stopped at its deadline (sctx expired while ctx did
// not) fails with Facts.TimedOut; an interrupted one with Facts.Interrupted. The
// classifier decides the class from those facts; the line written beside each is for
// the person reading the output.
func (vr *variantRun) end(ctx, sctx context.Context, sr *stageRun, timeout time.Duration) bool {
	switch {
	case ctx.Err() != nil:
		sr.st.Status = result.Fail
		sr.st.Note = "interrupted"
		sr.st.Facts.Interrupted = true
		sr.out.WriteString("\n" + diagnose.FormatInterrupted() + "\n")
	case sr.st.Status == result.Fail && vr.boxGone():
		// Whatever the stage saw next (a SIGKILLed exec, a refused connection) came
		// from the container going, which says nothing about the app.
		sr.st.Note = "interrupted: container removed"
		sr.st.Facts.Interrupted = true
		sr.st.Facts.OOMKilled = false
		sr.out.WriteString("\n" + diagnose.FormatInterrupted() + " (its container was removed or stopped from outside the run: `bootmatrix gc --force`, or docker rm)\n")
	case sctx != nil && errors.Is(sctx.Err(), context.DeadlineExceeded):
		sr.st.Status = result.Fail
		sr.timedOut(timeout)
	}
	sr.st.Seconds = time.Since(sr.start).Seconds()
	sr.st.Output = vr.red.String(sr.out.String())
	sr.st.Note = vr.red.String(sr.st.Note)
	for i := range sr.st.Modules {
		sr.st.Modules[i].Error = vr.red.String(sr.st.Modules[i].Error)
	}
	vr.mu.Lock()
	vr.v.Stages = append(vr.v.Stages, sr.st)
	vr.mu.Unlock()
	if sr.st.Name == result.StageBoot && vr.lddDone != nil {
		<-vr.lddDone
	}
	vr.emit(sr.st.Name, sr.st.Status, sr.st.Seconds)
	return sr.st.Status == result.Pass
}

// boxGone reports whether the variant's container was removed or stopped by
// someone else while its stages ran.
func (vr *variantRun) boxGone() bool {
	if vr.box == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := vr.r.eng.InspectContainer(ctx, vr.box.id)
	if cerrdefs.IsNotFound(err) {
		return true
	}
	// PID 1 is an idle process under tini: only the OOM killer or a stop from
	// outside ends it.
	return err == nil && !st.Running && !st.OOMKilled
}

// buildStages runs build and install (with Final); it returns the image later stages
// run and whether install succeeded.
func (vr *variantRun) buildStages(ctx context.Context) (string, bool) {
	to := vr.chk.timeout(result.StageBuild)
	sctx, cancel := context.WithTimeout(ctx, to)
	sr := vr.begin(result.StageBuild)
	if rf := vr.rc.Refusal; rf != nil {
		cancel()
		sr.out.WriteString(rf.Output)
		sr.st.ExitCode = rf.Exit
		sr.st.Facts = rf.Facts
		vr.finish(ctx, nil, sr, to, fmt.Errorf("%s exited %d before building anything", rf.Tool, rf.Exit))
		vr.skip(result.StageInstall, skipNote(vr.v))
		return "", false
	}
	tag, cached, err := vr.buildOne(sctx, sr, result.StageBuild, vr.rc.Setup, nil)
	cancel()
	if err == nil && cached {
		sr.st.Note = "cached"
	}
	ok := vr.finish(ctx, sctx, sr, to, err)
	if !ok {
		vr.skip(result.StageInstall, skipNote(vr.v))
		return "", false
	}
	if vr.rc.Install == nil && vr.rc.Final == nil {
		vr.skip(result.StageInstall, "part of build")
		return tag, true
	}

	to = vr.chk.timeout(result.StageInstall)
	sctx, cancel = context.WithTimeout(ctx, to)
	defer cancel()
	sr = vr.begin(result.StageInstall)
	var notes []string
	image := tag
	if vr.rc.Install != nil {
		image, cached, err = vr.buildOne(sctx, sr, result.StageInstall, *vr.rc.Install, map[string]string{"BASE": tag})
		if err == nil && cached {
			notes = append(notes, "cached")
		}
	} else {
		notes = append(notes, "install part of build")
	}
	if err == nil && vr.rc.Final != nil {
		sr.out.WriteString("--- final image ---\n")
		image, cached, err = vr.buildOne(sctx, sr, "final", *vr.rc.Final, map[string]string{"BASE": image})
		if err == nil && cached {
			notes = append(notes, "final cached")
		}
	}
	sr.st.Note = strings.Join(notes, "; ")
	if !vr.finish(ctx, sctx, sr, to, err) {
		return "", false
	}
	return image, true
}

// finish sets a stage's status from err and records it.
func (vr *variantRun) finish(ctx, sctx context.Context, sr *stageRun, timeout time.Duration, err error) bool {
	if err == nil {
		sr.st.Status = result.Pass
	} else {
		sr.st.Status = result.Fail
		if sr.st.Note == "" && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			sr.st.Note = fmt.Sprintf("variant %q: stage %s: %s", vr.name, sr.st.Name, oneLine(err.Error()))
		}
	}
	return vr.end(ctx, sctx, sr, timeout)
}

func (vr *variantRun) buildOne(ctx context.Context, sr *stageRun, stage result.StageName, b recipe.Build, extra map[string]string) (string, bool, error) {
	spec, err := vr.r.prepare(ctx, stage, b, extra, sr.out)
	if err != nil {
		var missing errImageMissing
		if errors.As(err, &missing) {
			sr.st.Facts.ImageUnavailable = missing.ref
			sr.out.WriteString(diagnose.FormatImageUnavailable(err.Error()) + "\n")
		} else if p, ok := asPull(err); ok {
			sr.st.Facts.ImageUnavailable = p.Ref
			sr.st.Facts.Pull = &p
			sr.out.WriteString(diagnose.FormatImageUnavailable(err.Error()) + "\n")
		} else {
			sr.out.WriteString(err.Error() + "\n")
		}
		sr.st.ExitCode = 1
		return "", false, err
	}
	before := vr.r.startIndexes().snapshot()
	cached, code, err := vr.r.buildImage(ctx, spec, b.Dockerfile, sr.out)
	sr.st.ExitCode = code
	if err != nil {
		if h := vr.r.indexes.unreachableSince(before); h != "" {
			sr.st.Facts.IndexUnreachable = h
			sr.out.WriteString("bootmatrix: index unreachable: " + h + "\n")
		}
		return "", false, err
	}
	return spec.tag, cached, nil
}

func (vr *variantRun) shell(cmd string) []string {
	sh := vr.rc.Shell
	if len(sh) == 0 {
		sh = []string{"sh", "-c"}
	}
	if vr.rc.Workdir != "" {
		cmd = "cd " + shellQuote(vr.rc.Workdir) + " && " + cmd
	}
	return append(append([]string{}, sh...), cmd)
}

func (vr *variantRun) python() string {
	if vr.rc.Python != "" {
		return vr.rc.Python
	}
	return "python3"
}

func (vr *variantRun) limits() limits {
	l := limits{memory: vr.chk.Limits.MemoryBytes, nanoCPUs: vr.chk.Limits.NanoCPUs}
	if l.memory == 0 {
		l.memory = defaultMemory
	}
	if l.nanoCPUs == 0 {
		l.nanoCPUs = defaultNanoCPUs
	}
	return l
}

var moduleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// importStage starts the variant's container and imports every module in a fresh
// interpreter, the way the app's first import would.
func (vr *variantRun) importStage(ctx context.Context, image string) bool {
	to := vr.chk.timeout(result.StageImport)
	sctx, cancel := context.WithTimeout(ctx, to)
	defer cancel()
	sr := vr.begin(result.StageImport)
	b, err := vr.r.startContainer(sctx, vr.name, image, vr.chk.Port, vr.env, vr.limits())
	if err != nil {
		sr.out.WriteString(err.Error() + "\n")
		sr.st.ExitCode = -1
		return vr.finish(ctx, sctx, sr, to, err)
	}
	vr.box = b
	if len(vr.chk.Imports) == 0 {
		sr.st.Note = "no modules to import"
	}
	failed := 0
	var versions []string
	for _, m := range vr.chk.Imports {
		mod := result.Module{Name: m}
		if !moduleName.MatchString(m) {
			mod.Error = fmt.Sprintf("%q is not a module name (letters, digits, _ and dots)", m)
			sr.st.Modules = append(sr.st.Modules, mod)
			sr.out.WriteString(mod.Error + "\n")
			failed++
			continue
		}
		code := fmt.Sprintf(`import %s as m; print(getattr(m, "__version__", ""))`, m)
		cmd := vr.python() + " -c " + shellQuote(code)
		out, stdout := NewTail(0), NewTail(4<<10)
		res := vr.r.execWait(sctx, b.id, vr.shell(cmd), envList(vr.env), multi{out, stdout}, out)
		if res.err == nil && res.code == 0 {
			mod.OK = true
			mod.Version = lastLine(stdout.String())
			if mod.Version != "" {
				versions = append(versions, m+" "+mod.Version)
			}
		} else {
			failed++
			sr.st.ExitCode = res.code
			text := out.String()
			if res.err != nil {
				text += "\n" + res.err.Error()
			}
			mod.Error = lastLine(text)
			fmt.Fprintf(sr.out, "$ %s\n%s", cmd, text)
			if !strings.HasSuffix(text, "\n") {
				sr.out.WriteString("\n")
			}
		}
		sr.st.Modules = append(sr.st.Modules, mod)
		if sctx.Err() != nil {
			break
		}
	}
	if failed > 0 {
		if vr.r.oomKilled(b.id) {
			sr.oomKilled(vr.limits().memory)
		}
		vr.probeGlibc(sctx, sr)
		vr.probeVenv(sctx, sr)
		sr.st.Status = result.Fail
		sr.st.Note = fmt.Sprintf("%d of %d module(s) failed to import", failed, len(vr.chk.Imports))
	} else {
		sr.st.Status = result.Pass
		if len(versions) > 0 {
			sr.st.Note = strings.Join(versions, ", ")
		}
	}
	return vr.end(ctx, sctx, sr, to)
}

// glibcSymbol: a loader error naming a GLIBC_ symbol version the glibc it found lacks.
var glibcSymbol = regexp.MustCompile("version [`']GLIBC_[0-9.]+' not found")

// probeGlibc records the glibc the import (or the started app) ran on when it failed on
// a GLIBC_ symbol version: the diagnosis names it beside the version the module wants. The variant's
// python says which glibc it runs on (on a Nix image, the store's); when the
// interpreter itself cannot start, the image's getconf answers for its system glibc.
func (vr *variantRun) probeGlibc(ctx context.Context, sr *stageRun) {
	if !glibcSymbol.MatchString(sr.out.String()) {
		return
	}
	code := `import os; print(os.confstr("CS_GNU_LIBC_VERSION") or "")`
	cmd := vr.python() + " -c " + shellQuote(code) + " 2>/dev/null || getconf GNU_LIBC_VERSION"
	stdout := NewTail(4 << 10)
	res := vr.r.execWait(ctx, vr.box.id, vr.shell(cmd), envList(vr.env), stdout, NewTail(4<<10))
	if res.err != nil || res.code != 0 {
		return
	}
	// "glibc 2.36"
	if f := strings.Fields(lastLine(stdout.String())); len(f) == 2 && f[0] == "glibc" {
		sr.st.Facts.Glibc = f[1]
		sr.out.WriteString(diagnose.FormatGlibc(f[1]) + "\n")
	}
}

// noModule: Python's ModuleNotFoundError, the module in group 1.
var noModule = regexp.MustCompile(`No module named '([A-Za-z0-9_.]+)'`)

// probeVenv looks, after an import found no module, for a virtual environment in the
// image whose python has it: the requirements went into a venv the variant's python is
// not (nothing put its bin first on PATH). The diagnosis then names the venv's python.
func (vr *variantRun) probeVenv(ctx context.Context, sr *stageRun) {
	m := noModule.FindStringSubmatch(sr.out.String())
	if m == nil {
		return
	}
	// pyvenv.cfg marks a venv (PEP 405); -xdev keeps the search off /proc and mounts.
	cmd := `for c in $(find / -xdev -maxdepth 4 -name pyvenv.cfg 2>/dev/null); do d=${c%/pyvenv.cfg}; ` +
		`"$d/bin/python" -c ` + shellQuote("import "+m[1]) + ` 2>/dev/null && { echo "$d"; break; }; done; true`
	stdout := NewTail(4 << 10)
	res := vr.r.execWait(ctx, vr.box.id, vr.shell(cmd), envList(vr.env), stdout, NewTail(4<<10))
	if res.err != nil || res.code != 0 {
		return
	}
	if d := lastLine(stdout.String()); strings.HasPrefix(d, "/") {
		sr.st.Facts.Venv = d
		sr.out.WriteString(diagnose.FormatVenv(d) + "\n")
	}
}

// lddStage runs the ldd probe in the container: which NEEDED libraries of the
// installed extension modules the loader would not find, and where files of those
// names are.
func (vr *variantRun) lddStage(ctx context.Context) {
	if vr.box == nil {
		vr.skip(result.StageLdd, "skipped: no container (import could not start one)")
		return
	}
	vr.lddRun(ctx, vr.begin(result.StageLdd))
}

// lddRun is the ldd stage after its start event.
func (vr *variantRun) lddRun(ctx context.Context, sr *stageRun) {
	to := vr.chk.timeout(result.StageLdd)
	sctx, cancel := context.WithTimeout(ctx, to)
	defer cancel()
	script := probeDir + "/ldd.py"
	if err := vr.r.copyFile(sctx, vr.box, probe.LddScript, script); err != nil {
		sr.out.WriteString("copy ldd probe: " + err.Error() + "\n")
		vr.finish(ctx, sctx, sr, to, err)
		return
	}
	env := envList(vr.env)
	// Leave the probe time to report what it found before the stage's deadline.
	env = append(env, fmt.Sprintf("BOOTMATRIX_LDD_SECONDS=%d", max(int((to*3/4).Seconds()), 5)))
	stdout := NewTail(8 << 20)
	res := vr.r.execWait(sctx, vr.box.id, vr.shell(vr.python()+" "+script), env, stdout, sr.out)
	sr.st.ExitCode = res.code
	rep, perr := probe.ParseLdd(stdout.String())
	switch {
	case res.err != nil:
		sr.st.Status = result.Fail
		sr.out.WriteString(res.err.Error() + "\n")
	case perr != nil:
		sr.st.Status = result.Fail
		sr.out.WriteString(nonMarkerLines(stdout.String()))
		sr.out.WriteString(perr.Error() + "\n")
	default:
		sr.out.WriteString(rep.Summary())
		sr.st.Missing = rep.Missing
		if len(rep.Missing) > 0 {
			sr.st.Status = result.Fail
			names := make([]string, len(rep.Missing))
			for i, m := range rep.Missing {
				names[i] = m.Library
			}
			sr.st.Note = "not found: " + strings.Join(names, ", ")
		} else {
			sr.st.Status = result.Pass
			sr.st.Note = fmt.Sprintf("%d shared object(s) resolve", rep.Scanned)
		}
	}
	vr.end(ctx, sctx, sr, to)
}

func nonMarkerLines(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if !strings.HasPrefix(l, probe.LddMarker) {
			b.WriteString(l)
		}
	}
	return b.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// multi writes to every Tail (they never fail).
type multi []*Tail

func (m multi) Write(p []byte) (int, error) {
	for _, t := range m {
		_, _ = t.Write(p)
	}
	return len(p), nil
}
