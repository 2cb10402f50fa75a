package runner_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func TestMain(m *testing.M) {
	runnertest.DisableReaper()
	os.Exit(m.Run())
}

// TestNewRefusesTheReaper runs New in a child test process whose environment turns
// testcontainers-go's reaper on: New must say how to turn it off, before it reaches
// the engine, rather than start a container that waits for a pull of testcontainers/ryuk.
func TestNewRefusesTheReaper(t *testing.T) {
	if os.Getenv("BOOTMATRIX_TEST_REAPER_CHILD") == "1" {
		r, err := runner.New(context.Background())
		if err == nil {
			_ = r.Close()
			t.Fatal("New accepted testcontainers-go's reaper")
		}
		fmt.Println("ERROR:", err)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNewRefusesTheReaper$", "-test.v")
	// exec keeps the last of duplicate variables: this overrides TestMain's default.
	cmd.Env = append(os.Environ(), "BOOTMATRIX_TEST_REAPER_CHILD=1", "TESTCONTAINERS_RYUK_DISABLED=false", "DOCKER_HOST=unix:///nonexistent.sock")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child test failed: %v\n%s", err, out)
	}
	line := ""
	for l := range strings.Lines(string(out)) {
		if rest, ok := strings.CutPrefix(l, "ERROR: "); ok {
			line = strings.TrimSpace(rest)
		}
	}
	for _, want := range []string{"reaper is on", "testcontainers/ryuk", "TESTCONTAINERS_RYUK_DISABLED=true"} {
		if !strings.Contains(line, want) {
			t.Errorf("New's error %q does not say %q\n%s", line, want, out)
		}
	}
}

const kitBookworm = "bootmatrix-kit/debian:bookworm"

// baseLines are shared by every test's Setup, so the engine's layer cache installs
// python3 once for all of them.
const baseLines = `FROM bootmatrix-kit/debian:bookworm
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends python3 patchelf >/dev/null && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY app.py /app/app.py
`

// app is a stdlib WSGI-free web app whose misbehaviour APP_MODE selects.
const app = `import json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, HTTPServer

MODE = os.environ.get("APP_MODE", "ok")

class H(BaseHTTPRequestHandler):
    def do_GET(self):
        status = 200
        if self.path == "/health" and MODE == "body":
            body = b'OK'
        elif self.path == "/health" and MODE == "status":
            body, status = b'{"ok": true}', 201
        elif self.path == "/health":
            body = b'{ "ok" : true }'
        elif self.path == "/config":
            body = json.dumps({"apiBase": "http://api.test"}).encode()
        else:
            self.send_response(404); self.end_headers(); return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass

port = int(os.environ["PORT"])
host = "127.0.0.1" if MODE == "loopback" else "0.0.0.0"
print("booting with token %s on %s:%d" % (os.environ.get("API_TOKEN", ""), host, port), flush=True)
srv = HTTPServer((host, port), H)
if MODE == "exit":
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    time.sleep(0.5)
    print("[ERROR] Worker (pid:4) exited with code 3", file=sys.stderr, flush=True)
    sys.exit(3)
srv.serve_forever()
`

func appRecipe(extra string) *recipe.Recipe {
	return &recipe.Recipe{
		Builder: "test",
		Setup: recipe.Build{
			Dockerfile: baseLines + extra,
			Context:    map[string]recipe.File{"app.py": {Data: []byte(app), Mode: 0o644}},
		},
		Shell:   []string{"sh", "-c"},
		Start:   "python3 app.py",
		Workdir: "/app",
		Python:  "python3",
		Env:     map[string]string{"API_TOKEN": "tok-1234567890"},
	}
}

func appChecks() runner.Checks {
	return runner.Checks{
		Imports:  []string{"json", "http.server"},
		Port:     8080,
		Health:   scenario.HTTPCheck{Path: "/health", ExpectBody: `{"ok": true}`},
		Config:   &scenario.HTTPCheck{Path: "/config"},
		Timeouts: scenario.Timeouts{result.StageBoot: 20 * time.Second},
		Settle:   time.Second,
	}
}

func statuses(v result.Variant) string {
	var b []string
	for _, s := range v.Stages {
		b = append(b, string(s.Name)+"="+string(s.Status))
	}
	return strings.Join(b, " ")
}

func wantStatuses(t *testing.T, v result.Variant, want string) {
	t.Helper()
	if got := statuses(v); got != want {
		for _, s := range v.Stages {
			t.Logf("%s %s (%s) note=%q\n%s", s.Name, s.Status, s.Class, s.Note, s.Output)
		}
		t.Fatalf("stages %s, want %s", got, want)
	}
}

func setup(t *testing.T, opts ...runner.Option) *runner.Runner {
	t.Helper()
	runnertest.RequireImages(t, kitBookworm)
	return runnertest.Runner(t, opts...)
}

// (a) and (f): a healthy app passes every stage; run again, nothing is built.
func TestBootsAndCaches(t *testing.T) {
	r := setup(t)
	rc := appRecipe("")
	rc.Install = &recipe.Build{Dockerfile: "ARG BASE\nFROM ${BASE}\nRUN echo installed > /app/installed\n"}
	ctx := context.Background()

	v := r.RunRecipe(ctx, "healthy", rc, appChecks())
	wantStatuses(t, v, "build=pass install=pass import=pass ldd=pass boot=pass")
	if !v.Boots || !strings.HasPrefix(v.Image, "bootmatrix-cache/install:") {
		t.Errorf("Boots=%v Image=%q", v.Boots, v.Image)
	}
	imp := v.StageByName(result.StageImport)
	if len(imp.Modules) != 2 || !imp.Modules[0].OK || !imp.Modules[1].OK {
		t.Errorf("modules %+v", imp.Modules)
	}

	var mu sync.Mutex
	var events []runner.Event
	r2 := runnertest.Runner(t, runner.WithProgress(func(e runner.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}))
	warm := r2.RunRecipe(ctx, "healthy-warm", rc, appChecks())
	wantStatuses(t, warm, "build=pass install=pass import=pass ldd=pass boot=pass")
	for _, name := range []result.StageName{result.StageBuild, result.StageInstall} {
		if st := warm.StageByName(name); st.Note != "cached" {
			t.Errorf("warm %s note %q, want cached", name, st.Note)
		}
	}
	if warm.Image != v.Image {
		t.Errorf("warm image %s, cold %s", warm.Image, v.Image)
	}
	if len(events) != 10 {
		t.Errorf("%d progress events, want a start and an end for each of 5 stages: %+v", len(events), events)
	}
}

// (b): a module that does not exist fails import; ldd still runs; boot is skipped.
func TestImportFailure(t *testing.T) {
	r := setup(t)
	chk := appChecks()
	chk.Imports = []string{"json", "no_such_module_xyz"}
	v := r.RunRecipe(context.Background(), "no-module", appRecipe(""), chk)
	wantStatuses(t, v, "build=pass install=skip import=fail ldd=pass boot=skip")
	imp := v.StageByName(result.StageImport)
	if !strings.Contains(imp.Output, "No module named 'no_such_module_xyz'") || imp.ExitCode != 1 {
		t.Errorf("import output %q exit %d", imp.Output, imp.ExitCode)
	}
	if m := imp.Modules; len(m) != 2 || !m[0].OK || m[1].OK || !strings.Contains(m[1].Error, "ModuleNotFoundError") {
		t.Errorf("modules %+v", m)
	}
	if n := v.StageByName(result.StageInstall).Note; n != "part of build" {
		t.Errorf("install note %q", n)
	}
	if n := v.StageByName(result.StageBoot).Note; n != "skipped: import failed" {
		t.Errorf("boot note %q", n)
	}
}

// (c): a shared object under site-packages NEEDs a library the loader cannot find;
// a file of that name sits where the loader does not look. The app still boots:
// ldd informs, it does not gate boot.
func TestLddMissing(t *testing.T) {
	r := setup(t)
	extra := `RUN D=$(python3 -c 'import site; print(site.getsitepackages()[0])') && mkdir -p $D/fakemod \
 && cp /lib/x86_64-linux-gnu/libz.so.1 $D/fakemod/_native.so \
 && patchelf --add-needed libnotthere.so.1 $D/fakemod/_native.so \
 && mkdir -p /opt/hidden && cp /lib/x86_64-linux-gnu/libz.so.1 /opt/hidden/libnotthere.so.1
`
	v := r.RunRecipe(context.Background(), "ldd-missing", appRecipe(extra), appChecks())
	wantStatuses(t, v, "build=pass install=skip import=pass ldd=fail boot=pass")
	st := v.StageByName(result.StageLdd)
	if len(st.Missing) != 1 {
		t.Fatalf("missing %+v\n%s", st.Missing, st.Output)
	}
	m := st.Missing[0]
	if m.Library != "libnotthere.so.1" || len(m.NeededBy) != 1 || !strings.HasSuffix(m.NeededBy[0], "fakemod/_native.so") {
		t.Errorf("missing %+v", m)
	}
	if !slices.Contains(m.FoundAt, "/opt/hidden/libnotthere.so.1") {
		t.Errorf("found at %v", m.FoundAt)
	}
	if !strings.Contains(st.Output, "libnotthere.so.1 => not found") {
		t.Errorf("ldd output %q", st.Output)
	}
	if !v.Boots {
		t.Error("Boots = false, want true")
	}
}

// (d): an app bound to 127.0.0.1 inside the container cannot be reached.
func TestBootLoopbackOnly(t *testing.T) {
	r := setup(t)
	rc := appRecipe("")
	rc.Start = "APP_MODE=loopback python3 app.py"
	chk := appChecks()
	chk.Timeouts = scenario.Timeouts{result.StageBoot: 6 * time.Second}.Over(chk.Timeouts)
	v := r.RunRecipe(context.Background(), "loopback", rc, chk)
	wantStatuses(t, v, "build=pass install=skip import=pass ldd=pass boot=fail")
	st := v.StageByName(result.StageBoot)
	if !strings.Contains(st.Output, "bootmatrix: listening on loopback only: 127.0.0.1:8080 (want 0.0.0.0:8080)") {
		t.Errorf("boot output %q", st.Output)
	}
	want := []result.Listener{{Addr: "127.0.0.1:8080", Port: 8080, Loopback: true}}
	if !slices.Equal(st.Facts.Listeners, want) || st.Facts.Port != 8080 || st.Facts.Health == nil || st.Facts.Health.Error == "" {
		t.Errorf("facts %+v, want listeners %+v and the health error", st.Facts, want)
	}
	if v.Boots {
		t.Error("Boots = true")
	}
}

// (e): an app that exits after start fails boot with its log tail and exit code;
// the secret it printed is redacted.
func TestBootAppExits(t *testing.T) {
	r := setup(t)
	rc := appRecipe("")
	rc.Start = "APP_MODE=exit python3 app.py"
	v := r.RunRecipe(context.Background(), "exits", rc, appChecks())
	wantStatuses(t, v, "build=pass install=skip import=pass ldd=pass boot=fail")
	st := v.StageByName(result.StageBoot)
	for _, want := range []string{"Worker (pid:4) exited with code 3", "bootmatrix: app exited: code 3", "booting with token [redacted]"} {
		if !strings.Contains(st.Output, want) {
			t.Errorf("boot output lacks %q:\n%s", want, st.Output)
		}
	}
	if strings.Contains(st.Output, "tok-1234567890") {
		t.Errorf("secret in output: %s", st.Output)
	}
	if st.ExitCode != 3 || !st.Facts.Exited || st.Facts.AfterSeconds <= 0 || st.Facts.Signal != "" {
		t.Errorf("exit code %d, facts %+v", st.ExitCode, st.Facts)
	}
}

// A kit image that is not there fails the build with the fix, without a pull.
func TestMissingKitImage(t *testing.T) {
	r := setup(t)
	rc := appRecipe("")
	rc.Setup.Dockerfile = "FROM bootmatrix-kit/absent:never\n"
	v := r.RunRecipe(context.Background(), "no-kit", rc, appChecks())
	wantStatuses(t, v, "build=fail install=skip import=skip ldd=skip boot=skip")
	st := v.StageByName(result.StageBuild)
	if !strings.Contains(st.Output, "image bootmatrix-kit/absent:never is not present: run `bootmatrix kit build`") {
		t.Errorf("build output %q", st.Output)
	}
	if st.Facts.ImageUnavailable != "bootmatrix-kit/absent:never" {
		t.Errorf("facts %+v", st.Facts)
	}
	if !strings.HasPrefix(st.Note, `variant "no-kit": stage build:`) {
		t.Errorf("note %q", st.Note)
	}
}

// A failing RUN fails the build with the step's exit code; an import that hangs is
// stopped at the stage deadline.
func TestBuildFailureAndImportTimeout(t *testing.T) {
	r := setup(t)
	v := r.RunRecipe(context.Background(), "bad-run", appRecipe("RUN echo about to fail && exit 7\n"), appChecks())
	wantStatuses(t, v, "build=fail install=skip import=skip ldd=skip boot=skip")
	if st := v.StageByName(result.StageBuild); st.ExitCode != 7 || !strings.Contains(st.Output, "about to fail") {
		t.Errorf("build exit %d output %q", st.ExitCode, st.Output)
	}

	chk := appChecks()
	chk.Imports = []string{"hang"}
	chk.Timeouts = scenario.Timeouts{result.StageImport: 4 * time.Second}.Over(chk.Timeouts)
	v = r.RunRecipe(context.Background(), "hang", appRecipe("RUN echo 'import time; time.sleep(600)' > /app/hang.py\n"), chk)
	wantStatuses(t, v, "build=pass install=skip import=fail ldd=pass boot=skip")
	st := v.StageByName(result.StageImport)
	if !st.Facts.TimedOut || st.Facts.TimeoutSeconds != 4 || !strings.Contains(st.Output, "bootmatrix: stage timed out: after 4s") {
		t.Errorf("facts %+v output %q", st.Facts, st.Output)
	}
	if st.Seconds > 20 {
		t.Errorf("import took %.1fs with a 4s timeout", st.Seconds)
	}
}

type countingDiagnoser struct{ n int }

func (d *countingDiagnoser) Annotate(v *result.Variant, _ diagnose.Context) {
	d.n++
	if f := v.FirstFailure(); f != nil && f.Class == "" {
		f.Class = "test-class"
	}
}

// (g): Run goes through the renderer and the diagnoser, evaluates expectations, and
// leaves no container behind; a kept container is removed by Cleanup.
func TestRunLeavesNothing(t *testing.T) {
	d := &countingDiagnoser{}
	render := func(sc *scenario.Scenario, v scenario.Variant, _ recipe.Substitutions) (*recipe.Recipe, error) {
		rc := appRecipe("")
		rc.Start = v.Start
		return rc, nil
	}
	r := setup(t, runner.WithRenderer(render), runner.WithDiagnoser(d), runner.WithParallel(2))
	sc := &scenario.Scenario{Name: "t", Port: 8080, Imports: []string{"json"},
		Health: scenario.HTTPCheck{Path: "/health"}, Timeouts: scenario.Timeouts{result.StageBoot: 20 * time.Second}}
	variants := []scenario.Variant{
		{Name: "ok", Start: "python3 app.py", Expect: &scenario.Expectation{Boots: true}},
		{Name: "dies", Start: "APP_MODE=exit python3 app.py", Expect: &scenario.Expectation{Stage: "boot", Class: "test-class", OutputContains: "exited with code 3"}},
		{Name: "wrong", Start: "APP_MODE=exit python3 app.py", Expect: &scenario.Expectation{Boots: true}},
	}
	run, err := r.Run(context.Background(), sc, variants)
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Variants) != 3 || d.n != 3 {
		t.Fatalf("%d variants, %d diagnosed", len(run.Variants), d.n)
	}
	for i, want := range []bool{true, true, false} {
		v := run.Variants[i]
		if v.Name != variants[i].Name || v.ExpectationMet != want {
			t.Errorf("%s: met=%v (%s), want %v; stages %s", v.Name, v.ExpectationMet, v.ExpectationDetail, want, statuses(v))
		}
	}
	if n := runnertest.CountLabelled(t, r.RunID()); n != 0 {
		t.Errorf("%d container(s) left after Run", n)
	}

	kept := setup(t, runner.WithKeep(true))
	dying := appRecipe("")
	dying.Start = "APP_MODE=exit python3 app.py"
	if v := kept.RunRecipe(context.Background(), "kept", dying, appChecks()); v.Boots {
		t.Fatalf("the variant meant to fail booted: %s", statuses(v))
	}
	if n := runnertest.CountLabelled(t, kept.RunID()); n != 1 {
		t.Errorf("%d container(s) kept, want 1", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := runner.Cleanup(ctx, kept.RunID()); err != nil {
		t.Fatal(err)
	}
	if n := runnertest.CountLabelled(t, kept.RunID()); n != 0 {
		t.Errorf("%d container(s) left after Cleanup", n)
	}
}

// A variant that cannot be rendered still gets a result, and the error names it.
func TestRunSetupError(t *testing.T) {
	r := setup(t)
	run, err := r.Run(context.Background(), &scenario.Scenario{Name: "t"}, []scenario.Variant{{Name: "x"}})
	if err == nil || !strings.Contains(err.Error(), `variant "x"`) {
		t.Fatalf("err = %v", err)
	}
	if len(run.Variants) != 1 || run.Variants[0].Error == "" || len(run.Variants[0].Stages) != 5 {
		t.Fatalf("variants %+v", run.Variants)
	}
}

// The seed's failure on the Nix stand-in: numpy from a venv of Nix's python cannot
// load libstdc++.so.6, and the ldd stage finds Debian's copy in the image, where the
// store's loader does not look.
func TestNixLibstdcxx(t *testing.T) {
	runnertest.RequireImages(t, recipe.KitNixpacksImage, "bootmatrix-kit/wheelhouse:latest")
	r := runnertest.Runner(t)
	rc := &recipe.Recipe{
		Setup: recipe.Build{Dockerfile: `FROM ` + recipe.KitNixpacksImage + `
COPY --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /opt/bootmatrix/wheelhouse
RUN nix-env -f file:///opt/bootmatrix/nixpkgs/bc8f8d1be58e8c8383e683a06e1e1e57893fff87.tar.gz -iA python313 \
 && python3 -m venv --copies /opt/venv \
 && /opt/venv/bin/pip install -q --no-index --find-links /opt/bootmatrix/wheelhouse numpy
`},
		Shell:  []string{"bash", "-l", "-c"},
		Start:  "/opt/venv/bin/python -m http.server $PORT",
		Python: "/opt/venv/bin/python",
	}
	chk := runner.Checks{Imports: []string{"numpy"}, Port: 8080}
	v := r.RunRecipe(context.Background(), "nix-numpy", rc, chk)
	wantStatuses(t, v, "build=pass install=skip import=fail ldd=fail boot=skip")
	if out := v.StageByName(result.StageImport).Output; !strings.Contains(out, "libstdc++.so.6") {
		t.Errorf("import output lacks libstdc++.so.6:\n%s", out)
	}
	var lib *result.MissingLib
	for i, m := range v.StageByName(result.StageLdd).Missing {
		if m.Library == "libstdc++.so.6" {
			lib = &v.StageByName(result.StageLdd).Missing[i]
		}
	}
	if lib == nil {
		t.Fatalf("ldd did not report libstdc++.so.6: %+v", v.StageByName(result.StageLdd))
	}
	if !slices.Contains(lib.FoundAt, "/usr/lib/x86_64-linux-gnu/libstdc++.so.6") {
		t.Errorf("libstdc++.so.6 found at %v, want Debian's copy among them", lib.FoundAt)
	}
	seen := map[string]bool{}
	for _, n := range lib.NeededBy {
		if seen[n] {
			t.Errorf("needed_by repeats %s", n)
		}
		seen[n] = true
	}
}

// gc while a run is live leaves its container alone, and the variant boots; a
// forced gc removes it, and the variant is interrupted, not failed.
func TestGCAgainstLiveRun(t *testing.T) {
	dir := t.TempDir()
	booting := make(chan struct{}, 2)
	r := setup(t, runner.WithStateDir(dir), runner.WithDiagnoser(diagnose.Diagnoser{}),
		runner.WithProgress(func(e runner.Event) {
			if e.Stage == result.StageBoot && e.Status == "" {
				booting <- struct{}{}
			}
		}))
	chk := appChecks()
	chk.Settle = 8 * time.Second
	for _, force := range []bool{false, true} {
		done := make(chan result.Variant, 1)
		go func() {
			done <- r.RunRecipe(context.Background(), "live", appRecipe(""), chk)
		}()
		// The app answers within a second of boot's start; gc then runs while it
		// settles. Waiting for boot itself, not a fixed time after the container
		// appears, keeps a slow import on a loaded machine from meeting the gc.
		waitForContainer(t, r.RunID())
		select {
		case <-booting:
		case v := <-done:
			t.Fatalf("the variant ended before boot: %s", statuses(v))
		}
		time.Sleep(3 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var lives []runner.Lease
		var removed []runner.Removed
		n, err := runner.GC(ctx, runner.GCOptions{RunID: r.RunID(), StateDir: dir, Force: force,
			OnLive: func(l runner.Lease) { lives = append(lives, l) }, OnRemove: func(x runner.Removed) { removed = append(removed, x) }})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		v := <-done
		st := v.StageByName(result.StageBoot)
		if !force {
			if n != 0 || len(lives) != 1 || lives[0].Run != r.RunID() {
				t.Errorf("gc of a live run removed %d object(s), live runs %+v", n, lives)
			}
			if !v.Boots {
				t.Errorf("the live run's variant did not boot after gc: %s %s\n%s", statuses(v), st.Class, st.Output)
			}
			continue
		}
		if n != 1 || len(removed) != 1 || removed[0].Kind != "container" || removed[0].Variant != "live" {
			t.Errorf("forced gc removed %d: %+v", n, removed)
		}
		if v.Boots || !st.Facts.Interrupted || st.Class != diagnose.ClassInterrupted {
			t.Errorf("boot %s class %s facts %+v\n%s", st.Status, st.Class, st.Facts, st.Output)
		}
	}
}

// waitForContainer waits for the run's container to exist.
func waitForContainer(t *testing.T, run string) {
	t.Helper()
	for i := 0; i < 600; i++ {
		if runnertest.CountLabelled(t, run) > 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("no container of the run appeared")
}

// A wrong health answer is health-unexpected with the status and body as evidence,
// not a timeout; it, and an app bound to loopback only, end boot once the answer is
// plain, not at the boot timeout (20s here).
func TestBootWrongAnswerFailsFast(t *testing.T) {
	r := setup(t, runner.WithDiagnoser(diagnose.Diagnoser{}))
	for _, tc := range []struct {
		mode, class string
		status      int
		body        string
	}{
		{"body", diagnose.ClassHealthUnexpected, 200, "OK"},
		{"status", diagnose.ClassHealthUnexpected, 201, `{"ok": true}`},
		{"loopback", diagnose.ClassPortNotBound, 0, ""},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			rc := appRecipe("")
			rc.Start = "APP_MODE=" + tc.mode + " python3 app.py"
			v := r.RunRecipe(context.Background(), tc.mode, rc, appChecks())
			wantStatuses(t, v, "build=pass install=skip import=pass ldd=pass boot=fail")
			st := v.StageByName(result.StageBoot)
			h := st.Facts.Health
			if st.Class != tc.class || st.Facts.TimedOut || h == nil || h.Status != tc.status || h.Body != tc.body {
				t.Errorf("class %s, facts %+v, health %+v\n%s", st.Class, st.Facts, h, st.Output)
			}
			if st.Seconds > 10 {
				t.Errorf("boot took %.1fs of its 20s timeout to fail", st.Seconds)
			}
		})
	}
}
