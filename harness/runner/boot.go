package runner

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/probe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// defaultExitGrace is Runner.exitGrace unless a test sets it.
const defaultExitGrace = 3 * time.Second

// defaultFailFast is Runner.failFast unless a test or WithFailFast sets it: long
// enough for an app to finish binding, far below the boot timeout.
const defaultFailFast = 3 * time.Second

// answer is one HTTP probe's outcome.
type answer struct {
	status int
	body   string
	err    error
}

func (a answer) String() string {
	if a.err != nil {
		return a.err.Error()
	}
	return fmt.Sprintf("status %d", a.status)
}

// bootStage starts the app the way the platform does and checks that it answers its
// health (and config) endpoint, then that it is still up and healthy after the settle
// period: an app whose worker dies a second after start does not boot.
func (vr *variantRun) bootStage(ctx context.Context, image string) bool {
	to := vr.chk.timeout(result.StageBoot)
	sctx, cancel := context.WithTimeout(ctx, to)
	defer cancel()
	sr := vr.begin(result.StageBoot)
	sr.st.Facts.Port = vr.chk.Port
	start := vr.rc.Start
	if start == "" {
		if ins, err := vr.r.eng.InspectImage(sctx, image); err == nil {
			start = shellJoin(ins.Command)
		}
	}
	if start == "" {
		sr.st.Facts.NoStartCommand = true
		sr.out.WriteString("no start command: the recipe has none and the image has no CMD or ENTRYPOINT\n")
		sr.st.Status = result.Fail
		return vr.end(ctx, sctx, sr, to)
	}
	sr.st.Note = "start: " + start
	// The app runs until the container goes; its exec is watched only while we wait.
	ectx, ecancel := context.WithCancel(context.WithoutCancel(ctx))
	defer ecancel()
	began := time.Now()
	done := vr.r.execStart(ectx, vr.box.id, vr.shell(start), envList(vr.env), sr.out, sr.out)

	health := normCheck(vr.chk.Health)
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	base := fmt.Sprintf("http://127.0.0.1:%d", vr.box.hostPort)
	var last answer
	exited := func(res execResult) bool {
		after := time.Since(began)
		sr.st.ExitCode = res.code
		sr.st.Facts.Exited = true
		sr.st.Facts.AfterSeconds = after.Seconds()
		sr.st.Facts.Signal = signalName(res.code)
		if res.err != nil {
			sr.out.WriteString("\n" + res.err.Error() + "\n")
		}
		sr.out.WriteString("\n" + diagnose.FormatExited(res.code, after) + "\n")
		if vr.r.oomKilled(vr.box.id) {
			sr.oomKilled(vr.limits().memory)
		}
		pctx, pcancel := context.WithTimeout(ctx, 15*time.Second)
		vr.probeGlibc(pctx, sr)
		pcancel()
		sr.st.Status = result.Fail
		return vr.end(ctx, nil, sr, to)
	}

	backoff := 5 * time.Millisecond
	probed := false
	ff := failFast{window: vr.r.failFast}
poll:
	for {
		select {
		case res := <-done:
			return exited(res)
		default:
		}
		a := get(sctx, hc, base+health.Path)
		// An answer cut short by the stage's own deadline says nothing about the app:
		// the one before it (a wrong status, a refused connection) is the evidence.
		if !probed || a.err == nil || sctx.Err() == nil {
			last, probed = a, true
		}
		if checkOK(health, last) || sctx.Err() != nil {
			break
		}
		// The looks are bound to the stage's deadline: on a loaded host a probe may
		// take seconds, and boot must not outlast its timeout for one.
		look := func() ([]probe.Listener, error) { return vr.listeners(sctx) }
		procs := func() (*probe.Processes, error) { return vr.processes(sctx) }
		if why := ff.settled(last, health.Path, vr.chk.Port, time.Since(began), look, procs); why != "" {
			sr.st.Facts.IdleSeconds = ff.idleFor.Seconds()
			sr.st.Facts.CrashLoop = ff.loop
			if sctx.Err() == nil {
				sr.out.WriteString(fmt.Sprintf("\nbootmatrix: gave up after %.1fs of the boot timeout's %s: %s\n", time.Since(began).Seconds(), to, why))
			}
			if l := ff.loop; l != nil {
				sr.out.WriteString(diagnose.FormatCrashLoop(l.Command, l.PIDs, time.Duration(l.Seconds*float64(time.Second))) + "\n")
			}
			break
		}
		select {
		case res := <-done:
			return exited(res)
		case <-sctx.Done():
			break poll
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 250*time.Millisecond)
	}
	if !checkOK(health, last) {
		if ctx.Err() != nil {
			return vr.end(ctx, sctx, sr, to)
		}
		vr.explainNoAnswer(sr, health, last, time.Since(began))
		sr.st.Status = result.Fail
		return vr.end(ctx, nil, sr, to)
	}
	if c := vr.chk.Config; c != nil {
		cfg := normCheck(*c)
		a := get(sctx, hc, base+cfg.Path)
		ok := a.err == nil && (c.ExpectStatus == 0 && a.status/100 == 2 || checkOK(cfg, a))
		if !ok {
			sr.st.Facts.Health = httpAnswer(cfg, a)
			sr.out.WriteString("\n" + describeAnswer(cfg, a) + "\n")
			sr.st.Status = result.Fail
			return vr.end(ctx, nil, sr, to)
		}
	}
	settle := vr.chk.settle()
	select {
	case res := <-done:
		return exited(res)
	case <-ctx.Done():
		return vr.end(ctx, nil, sr, to)
	case <-time.After(settle):
	}
	// A fresh context: the stage deadline may have passed while settling, which is
	// not the app's fault.
	actx, acancel := context.WithTimeout(ctx, 5*time.Second)
	defer acancel()
	if a := get(actx, hc, base+health.Path); !checkOK(health, a) {
		sr.st.Facts.Health = httpAnswer(health, a)
		sr.out.WriteString(fmt.Sprintf("\nhealthy at first, not after %s:\n", settle))
		sr.out.WriteString(describeAnswer(health, a) + "\n")
		// An app that stops answering is usually on its way out: a reset or refused
		// connection comes a moment before the process exits. Waiting briefly for the
		// exit turns a race into the right class, crashed-after-start.
		select {
		case res := <-done:
			return exited(res)
		case <-ctx.Done():
		case <-time.After(vr.r.exitGrace):
		}
		sr.st.Status = result.Fail
		return vr.end(ctx, nil, sr, to)
	}
	select {
	case res := <-done:
		return exited(res)
	default:
	}
	sr.st.Status = result.Pass
	sr.st.Note += fmt.Sprintf("; healthy after %.1fs, still up after %s", time.Since(began).Seconds()-settle.Seconds(), settle)
	return vr.end(ctx, nil, sr, to)
}

// failFast ends the health poll once the probes know the outcome, instead of at the
// boot timeout: the same wrong answer for a window (a 5xx may be a warming app and
// is waited for), or, while nothing answers, the same listeners for a window that
// the app can no longer turn into an answer (loopback only on the port, or only
// other ports), or an app that listens nowhere and does nothing (idle, below).
type failFast struct {
	window time.Duration // zero: off

	answer      string // the repeated wrong answer, "" when none
	answerSince time.Time
	probedAt    time.Duration // time since boot of the last listener probe
	verdict     string
	verdictAt   time.Duration
	quiet       *quiet                   // since when the app has been idle, nil while it is not
	idleFor     time.Duration            // how long it had been idle when the poll gave up
	seen        map[string]probe.Process // the app's processes at the last look, by pid@start
	ended       map[string][]int         // PIDs of instances seen at work and gone, by command line
	loop        *result.CrashLoop        // the crash loop the poll gave up on
}

// quiet is the app's processes at the start of a stretch of idleness.
type quiet struct {
	at   time.Duration // time since boot
	pids string
	cpu  float64
}

// listenerProbeAfter is how long boot lets an app try to bind before it looks at
// its listeners, and how often it looks again.
const listenerProbeAfter = time.Second

// An app that listens nowhere may be one that never will (it waits for nothing, or
// for something that is not there) or one still getting ready: importing numpy,
// compiling, migrating. Getting ready takes CPU or new processes; waiting does not.
// So boot gives up on an app that listens nowhere once, for the fail-fast window
// (3 s by default, after the first second), no process of it started or ended and
// all of them together used less than idleCPUShare of one CPU, with idleCPUSlack for
// the clock-tick rounding of /proc's counters (10 ms a tick). A busy importer uses
// a large share even under a cpus limit of 0.1, and an importer stalled on a cold
// disk still uses several percent; a Python that only sleeps uses none. An app that
// sleeps on purpose before it binds looks the same as one that never binds: that
// one needs --fail-fast=false.
const (
	idleCPUShare = 0.02
	idleCPUSlack = 0.02 // seconds
)

// settled says why the poll can stop now, or "".
func (f *failFast) settled(a answer, path string, port int, since time.Duration, look func() ([]probe.Listener, error), procs func() (*probe.Processes, error)) string {
	if f.window <= 0 {
		return ""
	}
	if a.err == nil {
		// An answer: what the processes did before it says nothing of a loop now.
		f.verdict, f.quiet, f.seen = "", nil, nil
		if a.status >= 500 {
			f.answer = ""
			return ""
		}
		key := fmt.Sprintf("%d %s", a.status, a.body)
		if key != f.answer {
			f.answer, f.answerSince = key, time.Now()
			return ""
		}
		if time.Since(f.answerSince) >= f.window {
			return fmt.Sprintf("GET %s answered the same for %s", path, f.window)
		}
		return ""
	}
	f.answer = ""
	if since < listenerProbeAfter || since-f.probedAt < listenerProbeAfter {
		return ""
	}
	f.probedAt = since
	ls, err := look()
	if err != nil {
		return ""
	}
	v := listenerVerdict(ls, port)
	if v != f.verdict {
		f.verdict, f.verdictAt = v, since
	} else if v != "" && since-f.verdictAt >= f.window {
		return fmt.Sprintf("its listeners stayed the same for %s (%s)", f.window, v)
	}
	ps, err := procs()
	var app []probe.Process
	if err == nil {
		app = ps.App()
		if why := f.restarts(app, since); why != "" {
			return why
		}
	}
	if len(ls) > 0 || err != nil {
		f.quiet = nil
		return ""
	}
	return f.idle(since, app)
}

// crashLoopEnded is how many instances of one command must have been seen at work
// and then gone, while the health check had no answer, for boot to call it a crash
// loop: a supervisor (gunicorn's master, a shell's `while true`) starting again what
// keeps dying, which would go on until the timeout. Two could be a start script
// running a step twice. Only instances seen with CPU used count (a clock tick, 10
// ms): the sleep and nc of a script waiting for a database use none, and starting a
// Python alone takes more. Boot looks once a second, so a process that lives less
// than that may be missed; such a loop falls back to the timeout, never to a wrong
// early verdict.
const crashLoopEnded = 3

// restarts tracks the app's processes from look to look and says why the poll can
// stop once one command has ended crashLoopEnded times.
func (f *failFast) restarts(app []probe.Process, since time.Duration) string {
	now := make(map[string]probe.Process, len(app))
	for _, p := range app {
		now[fmt.Sprintf("%d@%d", p.PID, p.Start)] = p
	}
	if f.ended == nil {
		f.ended = map[string][]int{}
	}
	var gone []probe.Process
	for k, p := range f.seen {
		// A zombie has no command line; its CPU went to its parent.
		if _, ok := now[k]; !ok && p.CPU > 0 && p.Cmd != "" {
			gone = append(gone, p)
		}
	}
	slices.SortFunc(gone, func(a, b probe.Process) int { return cmp.Compare(a.Start, b.Start) })
	f.seen = now
	for _, p := range gone {
		f.ended[p.Cmd] = append(f.ended[p.Cmd], p.PID)
		if pids := f.ended[p.Cmd]; len(pids) >= crashLoopEnded {
			f.loop = &result.CrashLoop{Command: p.Cmd, PIDs: pids, Seconds: since.Seconds()}
			return fmt.Sprintf("%q keeps ending and being started again", p.Cmd)
		}
	}
	return ""
}

// idle looks at the app's processes while nothing listens, and says why the poll
// can stop once they have been idle for the window (see idleCPUShare).
func (f *failFast) idle(since time.Duration, app []probe.Process) string {
	if len(app) == 0 {
		// The app's exit is for the exec's end to report, with its code.
		f.quiet = nil
		return ""
	}
	pids := make([]string, len(app))
	cpu := 0.0
	for i, p := range app {
		pids[i] = fmt.Sprintf("%d@%d", p.PID, p.Start)
		cpu += p.CPU
	}
	key := strings.Join(pids, " ")
	q := f.quiet
	if q == nil || key != q.pids || cpu-q.cpu > idleCPUShare*(since-q.at).Seconds()+idleCPUSlack {
		f.quiet = &quiet{at: since, pids: key, cpu: cpu}
		return ""
	}
	if d := since - q.at; d >= f.window {
		f.idleFor = d
		return fmt.Sprintf("nothing listens, and for %.1fs its %d process(es) started or ended none and used %.2fs of CPU",
			d.Seconds(), len(app), max(cpu-q.cpu, 0))
	}
	return ""
}

// listenerVerdict is what the listeners say of an app that does not answer, when
// it is final: "" while something listens on the port where it can be reached, or
// nothing listens at all.
func listenerVerdict(ls []probe.Listener, port int) string {
	var loop, other bool
	for _, l := range ls {
		switch {
		case l.Port == port && l.Loopback():
			loop = true
		case l.Port == port:
			return ""
		default:
			other = true
		}
	}
	switch {
	case loop:
		return "loopback only on the port"
	case other:
		return "listening on other ports only"
	}
	return ""
}

// explainNoAnswer records why the health check never passed: a wrong answer, or
// nothing (reachable) listening, which the listener probe narrows down.
func (vr *variantRun) explainNoAnswer(sr *stageRun, health scenario.HTTPCheck, last answer, after time.Duration) {
	sr.st.Facts.Health = httpAnswer(health, last)
	if last.err == nil {
		sr.out.WriteString("\n" + describeAnswer(health, last) + "\n")
		return
	}
	port := vr.chk.Port
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ls, err := vr.listeners(ctx)
	if err != nil {
		sr.out.WriteString("\nlistener probe: " + err.Error() + "\n")
	} else {
		sr.st.Facts.Listeners = make([]result.Listener, 0, len(ls))
	}
	var onPort, loop, others []string
	for _, l := range ls {
		sr.st.Facts.Listeners = append(sr.st.Facts.Listeners, l.Fact())
		switch {
		case l.Port == port && l.Loopback():
			loop = append(loop, l.String())
		case l.Port == port:
			onPort = append(onPort, l.String())
		default:
			others = append(others, l.String())
		}
	}
	sr.out.WriteString("\n")
	switch {
	case len(onPort) > 0:
		// Something listens where it should, yet never answered in time: a hang,
		// unless what should answer kept dying (a master holding the socket).
		sr.out.WriteString(fmt.Sprintf("listening on %s, but GET %s did not answer: %s", strings.Join(onPort, ", "), health.Path, last))
		if sr.st.Facts.CrashLoop == nil {
			sr.timedOut(vr.chk.timeout(result.StageBoot))
		}
	case len(loop) > 0:
		sr.out.WriteString(diagnose.FormatLoopbackOnly(strings.Join(loop, ", "), port) + "\n")
	case len(others) > 0:
		sr.out.WriteString(diagnose.FormatWrongPort(strings.Join(others, ", "), port) + "\n")
	default:
		sr.out.WriteString(diagnose.FormatNoListener(port, after, oneLine(last.err.Error())) + "\n")
	}
}

// listeners runs the listener probe in the container.
func (vr *variantRun) listeners(ctx context.Context) ([]probe.Listener, error) {
	out, err := vr.runProbe(ctx, "listen.py", probe.ListenScript)
	if err != nil {
		return nil, err
	}
	return probe.ParseListeners(out), nil
}

// processes runs the process probe in the container.
func (vr *variantRun) processes(ctx context.Context) (*probe.Processes, error) {
	out, err := vr.runProbe(ctx, "procs.py", probe.ProcsScript)
	if err != nil {
		return nil, err
	}
	return probe.ParseProcesses(out)
}

// runProbe runs a probe script in the container with the variant's Python and
// returns what it printed; the script is copied in the first time.
func (vr *variantRun) runProbe(ctx context.Context, name string, script []byte) (string, error) {
	path := probeDir + "/" + name
	if !vr.box.probes[name] {
		if err := vr.r.copyFile(ctx, vr.box, script, path); err != nil {
			return "", err
		}
		if vr.box.probes == nil {
			vr.box.probes = map[string]bool{}
		}
		vr.box.probes[name] = true
	}
	out := NewTail(64 << 10)
	res := vr.r.execWait(ctx, vr.box.id, vr.shell(vr.python()+" "+path), envList(vr.env), out, io.Discard)
	if res.err != nil {
		return "", res.err
	}
	if res.code != 0 {
		return "", fmt.Errorf("exit %d", res.code)
	}
	return out.String(), nil
}

func normCheck(c scenario.HTTPCheck) scenario.HTTPCheck {
	if c.Path == "" {
		c.Path = "/"
	}
	if !strings.HasPrefix(c.Path, "/") {
		c.Path = "/" + c.Path
	}
	if c.ExpectStatus == 0 {
		c.ExpectStatus = http.StatusOK
	}
	return c
}

func get(ctx context.Context, hc *http.Client, url string) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return answer{err: err}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return answer{status: resp.StatusCode, body: string(body), err: err}
}

func checkOK(c scenario.HTTPCheck, a answer) bool {
	return a.err == nil && a.status == c.ExpectStatus && (c.ExpectBody == "" || bodyMatches(c.ExpectBody, a.body))
}

func describeAnswer(c scenario.HTTPCheck, a answer) string {
	if a.err != nil {
		return fmt.Sprintf("GET %s: %s", c.Path, oneLine(a.err.Error()))
	}
	s := diagnose.FormatHealthUnexpected("GET", c.Path, a.status, c.ExpectStatus, a.body)
	if c.ExpectBody != "" && !bodyMatches(c.ExpectBody, a.body) {
		s += fmt.Sprintf(" (want body %q)", c.ExpectBody)
	}
	return s
}

// bodyMatches compares after trimming white space; two JSON documents compare as JSON,
// so key order and spacing do not matter.
func bodyMatches(want, got string) bool {
	want, got = strings.TrimSpace(want), strings.TrimSpace(got)
	if want == got {
		return true
	}
	var w, g any
	if json.Unmarshal([]byte(want), &w) != nil || json.Unmarshal([]byte(got), &g) != nil {
		return false
	}
	return reflect.DeepEqual(w, g)
}

// httpAnswer is a probe's answer as the stage's facts keep it: the body cut as the
// human line cuts it, so that a page of HTML cannot flood the result.
func httpAnswer(c scenario.HTTPCheck, a answer) *result.HTTPAnswer {
	h := &result.HTTPAnswer{Method: http.MethodGet, Path: c.Path, WantStatus: c.ExpectStatus, WantBody: c.ExpectBody}
	if a.err != nil {
		h.Error = oneLine(a.err.Error())
		return h
	}
	h.Status = a.status
	h.Body = a.body
	if len(h.Body) > 200 {
		h.Body = h.Body[:200] + "…"
	}
	return h
}

// signals name the signals whose 128+n exit code an engine reports for a process
// they ended (the shell's convention, which the engine follows for execs).
var signals = map[int]string{1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS",
	8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM"}

// signalName is the signal an exit code says ended the process, or "".
func signalName(code int) string {
	if code <= 128 {
		return ""
	}
	return signals[code-128]
}

// mib writes a memory limit the way people set it; "" when there is none.
func mib(limit int64) string {
	if limit <= 0 {
		return ""
	}
	return fmt.Sprintf("%dMiB", limit>>20)
}
