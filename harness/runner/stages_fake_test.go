package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/probe"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func fakeRecipe() *recipe.Recipe {
	return &recipe.Recipe{
		Builder: "test",
		Setup: recipe.Build{Dockerfile: "FROM base:1\nCOPY app.py /app/\n",
			Context: map[string]recipe.File{"app.py": {Data: []byte("print(1)\n")}}},
		Install: &recipe.Build{Dockerfile: "ARG BASE\nFROM ${BASE}\nRUN pip install x\n"},
		Shell:   []string{"sh", "-c"},
		Start:   "python3 app.py",
		Workdir: "/app",
		Python:  "python3",
		Env:     map[string]string{"API_TOKEN": "tok-secret-123"},
	}
}

func fakeChecks() Checks {
	c := Checks{Imports: []string{"json", "numpy"}, Port: 8080,
		Health: scenario.HTTPCheck{Path: "/health", ExpectBody: `{"ok":true}`}}
	setTimeout(&c, result.StageBoot, 3*time.Second)
	// Short, so the settle and exit-grace cases take milliseconds.
	c.Settle = 50 * time.Millisecond
	return c
}

// setTimeout is the one place these tests spell a stage's timeout.
func setTimeout(c *Checks, stage result.StageName, d time.Duration) {
	if c.Timeouts == nil {
		c.Timeouts = scenario.Timeouts{}
	}
	c.Timeouts[stage] = d
}

// fakeSetup is a fake engine with the recipe's base image, whose container runs c
// and publishes the app's server.
func fakeSetup(t *testing.T, c *fakeBox) (*fakeEngine, *app) {
	t.Helper()
	f := newFake()
	f.images["base:1"] = imageInfo{ID: "sha256:base"}
	a := newApp(t)
	f.hostPort = a.port
	c.app = a
	f.exec = c.handle
	return f, a
}

func stageStatuses(v result.Variant) string {
	var b []string
	for _, s := range v.Stages {
		b = append(b, string(s.Name)+"="+string(s.Status))
	}
	return strings.Join(b, " ")
}

func mustStatuses(t *testing.T, v result.Variant, want string) {
	t.Helper()
	if got := stageStatuses(v); got != want {
		for _, s := range v.Stages {
			t.Logf("%s %s note=%q facts=%+v\n%s", s.Name, s.Status, s.Note, s.Facts, s.Output)
		}
		t.Fatalf("stages %s, want %s", got, want)
	}
}

type recordingDiagnoser struct {
	mu  sync.Mutex
	got []diagnose.Context
}

func (d *recordingDiagnoser) Annotate(v *result.Variant, b diagnose.Context) {
	d.mu.Lock()
	d.got = append(d.got, b)
	d.mu.Unlock()
	if f := v.FirstFailure(); f != nil {
		f.Class = "fake-class"
	}
}

func TestFakeBootsAndCaches(t *testing.T) {
	t.Parallel()
	f, _ := fakeSetup(t, &fakeBox{})
	var mu sync.Mutex
	var events []Event
	d := &recordingDiagnoser{}
	r := fakeRunner(t, f, WithDiagnoser(d), WithProgress(func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	}))
	rc := fakeRecipe()
	rc.ShellMode = "plain"
	v := r.RunRecipe(context.Background(), "ok", rc, fakeChecks())
	mustStatuses(t, v, "build=pass install=pass import=pass ldd=pass boot=pass")
	if !v.Boots || !strings.HasPrefix(v.Image, "bootmatrix-cache/install:") {
		t.Errorf("Boots %v image %q", v.Boots, v.Image)
	}
	imp := v.StageByName(result.StageImport)
	if imp.Note != "json 1.0, numpy 1.0" || len(imp.Modules) != 2 || !imp.Modules[1].OK {
		t.Errorf("import note %q modules %+v", imp.Note, imp.Modules)
	}
	boot := v.StageByName(result.StageBoot)
	if boot.Facts.Port != 8080 || !strings.HasPrefix(boot.Note, "start: python3 app.py; healthy after") {
		t.Errorf("boot facts %+v note %q", boot.Facts, boot.Note)
	}
	if len(events) != 10 || events[len(events)-1].Stage != result.StageBoot {
		t.Errorf("events %+v: want a start and an end for 5 stages, boot last", events)
	}
	if len(d.got) != 1 || d.got[0].Builder != "test" || d.got[0].Shell != "plain" {
		t.Errorf("diagnoser got %+v", d.got)
	}
	spec := f.started[0]
	if spec.Env["PORT"] != "8080" || spec.Env["API_TOKEN"] != "tok-secret-123" || spec.Labels[LabelRun] != "test-run" ||
		spec.Memory != defaultMemory || spec.NanoCPUs != defaultNanoCPUs {
		t.Errorf("container spec %+v", spec)
	}
	if len(f.removed) != 1 {
		t.Errorf("removed %v, want the one container", f.removed)
	}
	for _, p := range []string{probeDir + "/ldd.py"} {
		if len(f.copied[p]) == 0 {
			t.Errorf("probe %s not copied", p)
		}
	}
	for _, df := range f.builds {
		if !strings.Contains(df, "LABEL "+`"`+LabelCache+`"="true"`) {
			t.Errorf("build without its labels:\n%s", df)
		}
	}

	// The same recipe again: both images exist, so nothing is built.
	built := len(f.builds)
	warm := r.RunRecipe(context.Background(), "ok-warm", fakeRecipe(), fakeChecks())
	mustStatuses(t, warm, "build=pass install=pass import=pass ldd=pass boot=pass")
	if len(f.builds) != built || warm.StageByName(result.StageBuild).Note != "cached" || warm.StageByName(result.StageInstall).Note != "cached" {
		t.Errorf("warm run built %d more; notes %q %q", len(f.builds)-built,
			warm.StageByName(result.StageBuild).Note, warm.StageByName(result.StageInstall).Note)
	}
	if warm.Image != v.Image {
		t.Errorf("warm image %s, cold %s", warm.Image, v.Image)
	}
}

func TestFakeImportFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		imports []string
		c       *fakeBox
		limit   int64
		check   func(t *testing.T, st *result.Stage)
	}{
		{name: "module not found", imports: []string{"json", "nosuch"},
			c: &fakeBox{imports: map[string]importOutcome{"nosuch": {1, "Traceback\nModuleNotFoundError: No module named 'nosuch'\n"}}},
			check: func(t *testing.T, st *result.Stage) {
				if st.ExitCode != 1 || st.Modules[1].Error != "ModuleNotFoundError: No module named 'nosuch'" || st.Facts.OOMKilled {
					t.Errorf("exit %d modules %+v facts %+v", st.ExitCode, st.Modules, st.Facts)
				}
				if st.Note != "1 of 2 module(s) failed to import" {
					t.Errorf("note %q", st.Note)
				}
			}},
		{name: "not a module name", imports: []string{"a b"},
			check: func(t *testing.T, st *result.Stage) {
				if !strings.Contains(st.Modules[0].Error, "is not a module name") {
					t.Errorf("modules %+v", st.Modules)
				}
			}},
		{name: "oom-killed", imports: []string{"numpy"}, limit: 256 << 20,
			c: &fakeBox{imports: map[string]importOutcome{"numpy": {137, "Killed\n"}}, oomKill: 1},
			check: func(t *testing.T, st *result.Stage) {
				if !st.Facts.OOMKilled || st.Facts.MemoryLimit != 256<<20 || !strings.Contains(st.Output, "bootmatrix: oom-killed: memory limit 256MiB") {
					t.Errorf("facts %+v output %q", st.Facts, st.Output)
				}
			}},
		{name: "timed out", imports: []string{"hang", "json"},
			c: &fakeBox{imports: map[string]importOutcome{"hang": {-1, ""}}},
			check: func(t *testing.T, st *result.Stage) {
				if !st.Facts.TimedOut || st.Facts.TimeoutSeconds != 0.2 || !strings.Contains(st.Output, "bootmatrix: stage timed out: after 200ms") {
					t.Errorf("facts %+v output %q", st.Facts, st.Output)
				}
				if len(st.Modules) != 1 {
					t.Errorf("the loop went on past the deadline: %+v", st.Modules)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.c == nil {
				tc.c = &fakeBox{}
			}
			f, _ := fakeSetup(t, tc.c)
			r := fakeRunner(t, f)
			chk := fakeChecks()
			chk.Imports = tc.imports
			chk.Limits.MemoryBytes = tc.limit
			setTimeout(&chk, result.StageImport, 200*time.Millisecond)
			v := r.RunRecipe(context.Background(), "v", fakeRecipe(), chk)
			mustStatuses(t, v, "build=pass install=pass import=fail ldd=pass boot=skip")
			if n := v.StageByName(result.StageBoot).Note; n != "skipped: import failed" {
				t.Errorf("boot note %q", n)
			}
			tc.check(t, v.StageByName(result.StageImport))
		})
	}
}

func TestFakeInterrupted(t *testing.T) {
	t.Parallel()
	c := &fakeBox{imports: map[string]importOutcome{"hang": {-1, ""}}, blocked: make(chan struct{})}
	f, _ := fakeSetup(t, c)
	r := fakeRunner(t, f)
	chk := fakeChecks()
	chk.Imports = []string{"hang"}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-c.blocked; cancel() }()
	v := r.RunRecipe(ctx, "v", fakeRecipe(), chk)
	st := v.StageByName(result.StageImport)
	if st.Status != result.Fail || !st.Facts.Interrupted || st.Facts.TimedOut || st.Note != "interrupted" {
		t.Errorf("import %s facts %+v note %q", st.Status, st.Facts, st.Note)
	}
}

func TestFakeLdd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, ldd, note string
		missing         int
	}{
		{"missing", `BOOTMATRIX-LDD-JSON:{"python":"3.13","dirs":["/site"],"scanned":1,"missing":[{"library":"libz.so.1","needed_by":["/site/a.so"],"found_at":["/opt/libz.so.1"]}]}`,
			"not found: libz.so.1", 1},
		{"no report", "profile noise", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _ := fakeSetup(t, &fakeBox{ldd: tc.ldd})
			v := fakeRunner(t, f).RunRecipe(context.Background(), "v", fakeRecipe(), fakeChecks())
			// ldd informs, it does not gate boot.
			mustStatuses(t, v, "build=pass install=pass import=pass ldd=fail boot=pass")
			st := v.StageByName(result.StageLdd)
			if len(st.Missing) != tc.missing || st.Note != tc.note {
				t.Errorf("missing %+v note %q output %q", st.Missing, st.Note, st.Output)
			}
		})
	}
}

// boot's outcomes: each case is an app's behaviour and the facts the stage records.
func TestFakeBoot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// arrange changes the app, container and checks before the run.
		arrange func(a *app, c *fakeBox, f *fakeEngine, rc *recipe.Recipe, chk *Checks)
		// during runs once the start command has started.
		during func(a *app)
		pass   bool
		check  func(t *testing.T, st *result.Stage)
	}{
		{name: "exits after start", during: func(a *app) { a.exit <- 3 },
			check: func(t *testing.T, st *result.Stage) {
				if !st.Facts.Exited || st.ExitCode != 3 || st.Facts.Signal != "" || !strings.Contains(st.Output, "bootmatrix: app exited: code 3") {
					t.Errorf("exit %d facts %+v output %q", st.ExitCode, st.Facts, st.Output)
				}
			}},
		{name: "killed by a signal, out of memory", during: func(a *app) { a.exit <- 137 },
			arrange: func(_ *app, c *fakeBox, _ *fakeEngine, _ *recipe.Recipe, _ *Checks) { c.oomKill = 2 },
			check: func(t *testing.T, st *result.Stage) {
				if !st.Facts.Exited || st.Facts.Signal != "SIGKILL" || !st.Facts.OOMKilled || st.Facts.MemoryLimit != defaultMemory {
					t.Errorf("facts %+v", st.Facts)
				}
			}},
		{name: "nothing listens",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				setTimeout(chk, result.StageBoot, 300*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				if st.Facts.Listeners == nil || len(st.Facts.Listeners) != 0 || st.Facts.Health == nil || st.Facts.Health.Error == "" ||
					st.Facts.TimedOut || !strings.Contains(st.Output, "bootmatrix: no listener: port 8080") {
					t.Errorf("facts %+v output %q", st.Facts, st.Output)
				}
			}},
		{name: "loopback only",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				c.listen = "bash: no job control\n127.0.0.1:8080\n"
				setTimeout(chk, result.StageBoot, 300*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				want := []result.Listener{{Addr: "127.0.0.1:8080", Port: 8080, Loopback: true}}
				if !slices.Equal(st.Facts.Listeners, want) || !strings.Contains(st.Output, "bootmatrix: listening on loopback only: 127.0.0.1:8080 (want 0.0.0.0:8080)") {
					t.Errorf("facts %+v output %q", st.Facts, st.Output)
				}
			}},
		{name: "another port",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				c.listen = "0.0.0.0:9000\n"
				setTimeout(chk, result.StageBoot, 300*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				if len(st.Facts.Listeners) != 1 || st.Facts.Listeners[0].Port != 9000 || !strings.Contains(st.Output, "bootmatrix: listening on another port: 0.0.0.0:9000 (want 8080)") {
					t.Errorf("facts %+v output %q", st.Facts, st.Output)
				}
			}},
		{name: "listens on the port but never answers",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				c.listen = "0.0.0.0:8080\n"
				setTimeout(chk, result.StageBoot, 300*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				if !st.Facts.TimedOut || st.Facts.TimeoutSeconds != 0.3 || !strings.Contains(st.Output, "listening on 0.0.0.0:8080, but GET /health did not answer") {
					t.Errorf("facts %+v output %q", st.Facts, st.Output)
				}
			}},
		{name: "health answers the wrong status",
			arrange: func(a *app, _ *fakeBox, _ *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				a.setHealth(func(w http.ResponseWriter, _ *http.Request) {
					w.WriteHeader(http.StatusInternalServerError)
					_, _ = io.WriteString(w, strings.Repeat("x", 300))
				})
				setTimeout(chk, result.StageBoot, 300*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				h := st.Facts.Health
				if h == nil || h.Status != 500 || h.WantStatus != 200 || h.Path != "/health" || h.Method != "GET" || len(h.Body) != 200+len("…") || h.Error != "" {
					t.Errorf("health %+v", h)
				}
				if st.Facts.TimedOut || !strings.Contains(st.Output, "bootmatrix: health unexpected: GET /health: status 500 (want 200)") {
					t.Errorf("facts %+v output %q", st.Facts, st.Output)
				}
			}},
		{name: "the same wrong body ends the poll before the timeout",
			arrange: func(a *app, _ *fakeBox, _ *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				a.setHealth(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"ok":tru`) })
				setTimeout(chk, result.StageBoot, 20*time.Second)
			},
			check: func(t *testing.T, st *result.Stage) {
				if h := st.Facts.Health; h == nil || h.Status != 200 || h.Body != `{"ok":tru` || h.Error != "" || st.Facts.TimedOut || st.Seconds > 5 {
					t.Errorf("after %.1fs: facts %+v health %+v", st.Seconds, st.Facts, h)
				}
				if !strings.Contains(st.Output, "gave up after") || !strings.Contains(st.Output, "bootmatrix: health unexpected: GET /health: status 200") {
					t.Errorf("output %q", st.Output)
				}
			}},
		{name: "loopback only ends the poll before the timeout",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				c.listen = "127.0.0.1:8080\n"
				setTimeout(chk, result.StageBoot, 20*time.Second)
			},
			check: func(t *testing.T, st *result.Stage) {
				if len(st.Facts.Listeners) != 1 || !st.Facts.Listeners[0].Loopback || st.Facts.TimedOut || st.Seconds > 5 ||
					!strings.Contains(st.Output, "its listeners stayed the same") {
					t.Errorf("after %.1fs: facts %+v output %q", st.Seconds, st.Facts, st.Output)
				}
			}},
		{name: "an idle app that listens nowhere ends the poll before the timeout",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				c.procs = func(int) string { return procsOut(0.05, 12, 13) }
				setTimeout(chk, result.StageBoot, 20*time.Second)
			},
			check: func(t *testing.T, st *result.Stage) {
				// The same facts and words as at the timeout: nothing listens.
				if st.Facts.Listeners == nil || len(st.Facts.Listeners) != 0 || st.Facts.TimedOut || st.Seconds > 5 || st.Facts.IdleSeconds < 0.2 ||
					!strings.Contains(st.Output, "bootmatrix: no listener: port 8080") || !strings.Contains(st.Output, "started or ended none") {
					t.Errorf("after %.1fs: facts %+v output %q", st.Seconds, st.Facts, st.Output)
				}
			}},
		{name: "a busy app that listens nowhere yet is waited for",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				// Importing: half a CPU-second every probe, as under a cpus limit of 0.5.
				c.procs = func(n int) string { return procsOut(0.05+0.5*float64(n), 12, 13) }
				setTimeout(chk, result.StageBoot, 3500*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				if st.Seconds < 3.4 || strings.Contains(st.Output, "gave up") || st.Facts.IdleSeconds != 0 ||
					!strings.Contains(st.Output, "bootmatrix: no listener: port 8080") {
					t.Errorf("after %.1fs: facts %+v output %q", st.Seconds, st.Facts, st.Output)
				}
			}},
		{name: "an app that keeps starting processes is waited for",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				c.procs = func(n int) string { return procsOut(0.05, 12, 20+n) }
				setTimeout(chk, result.StageBoot, 3500*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				if st.Seconds < 3.4 || strings.Contains(st.Output, "gave up") {
					t.Errorf("after %.1fs: facts %+v output %q", st.Seconds, st.Facts, st.Output)
				}
			}},
		{name: "a worker restarted again and again ends the poll as a crash loop",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				c.procs = func(n int) string { return loopOut(n, "python app.py worker", 0.2) }
				setTimeout(chk, result.StageBoot, 20*time.Second)
			},
			check: func(t *testing.T, st *result.Stage) {
				l := st.Facts.CrashLoop
				if l == nil || l.Command != "python app.py worker" || !slices.Equal(l.PIDs, []int{20, 21, 22}) || st.Facts.TimedOut || st.Seconds > 8 ||
					!strings.Contains(st.Output, `bootmatrix: crash loop: "python app.py worker" ended 3 times (pids 20, 21, 22)`) {
					t.Errorf("after %.1fs: facts %+v crash loop %+v output %q", st.Seconds, st.Facts, l, st.Output)
				}
			}},
		{name: "a script that waits, sleeping and retrying, is no crash loop",
			arrange: func(_ *app, c *fakeBox, f *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				f.hostPort = closedPort(t)
				c.procs = func(n int) string { return loopOut(n, "sleep 1", 0) }
				setTimeout(chk, result.StageBoot, 4500*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				if st.Facts.CrashLoop != nil || st.Seconds < 4.4 || strings.Contains(st.Output, "gave up") {
					t.Errorf("after %.1fs: facts %+v output %q", st.Seconds, st.Facts, st.Output)
				}
			}},
		{name: "a 5xx is waited for: the app may be warming up",
			arrange: func(a *app, _ *fakeBox, _ *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				a.setHealth(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
				setTimeout(chk, result.StageBoot, 800*time.Millisecond)
			},
			check: func(t *testing.T, st *result.Stage) {
				if h := st.Facts.Health; h == nil || h.Status != 503 || st.Seconds < 0.7 || strings.Contains(st.Output, "gave up") {
					t.Errorf("after %.1fs: health %+v output %q", st.Seconds, h, st.Output)
				}
			}},
		{name: "config answers 404",
			arrange: func(_ *app, _ *fakeBox, _ *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				chk.Config = &scenario.HTTPCheck{Path: "nope"}
			},
			check: func(t *testing.T, st *result.Stage) {
				if h := st.Facts.Health; h == nil || h.Path != "/nope" || h.Status != 404 {
					t.Errorf("health %+v", h)
				}
			}},
		{name: "config answers", pass: true,
			arrange: func(_ *app, _ *fakeBox, _ *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				chk.Config = &scenario.HTTPCheck{Path: "/config", ExpectStatus: 200, ExpectBody: `{"apiBase":"http://api.test"}`}
			}},
		{name: "healthy, then not after settle, then exits within the grace",
			arrange: func(a *app, _ *fakeBox, _ *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				chk.Settle = 200 * time.Millisecond
				var n atomic.Int32
				a.setHealth(func(w http.ResponseWriter, _ *http.Request) {
					if n.Add(1) > 1 {
						w.WriteHeader(http.StatusServiceUnavailable)
						go func() { time.Sleep(50 * time.Millisecond); a.exit <- 1 }()
						return
					}
					_, _ = io.WriteString(w, `{"ok":true}`)
				})
			},
			check: func(t *testing.T, st *result.Stage) {
				if !st.Facts.Exited || st.ExitCode != 1 || !strings.Contains(st.Output, "healthy at first, not after 200ms") {
					t.Errorf("exit %d facts %+v output %q", st.ExitCode, st.Facts, st.Output)
				}
			}},
		{name: "healthy, then not after settle, and stays up",
			arrange: func(a *app, _ *fakeBox, _ *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				var n atomic.Int32
				a.setHealth(func(w http.ResponseWriter, _ *http.Request) {
					if n.Add(1) > 1 {
						w.WriteHeader(http.StatusServiceUnavailable)
						return
					}
					_, _ = io.WriteString(w, `{"ok":true}`)
				})
			},
			check: func(t *testing.T, st *result.Stage) {
				if st.Facts.Exited || st.Facts.Health == nil || st.Facts.Health.Status != 503 {
					t.Errorf("facts %+v", st.Facts)
				}
			}},
		{name: "exits while settling",
			arrange: func(a *app, _ *fakeBox, _ *fakeEngine, _ *recipe.Recipe, chk *Checks) {
				chk.Settle = 2 * time.Second
				var once sync.Once
				a.setHealth(func(w http.ResponseWriter, _ *http.Request) {
					_, _ = io.WriteString(w, `{"ok":true}`)
					once.Do(func() { a.exit <- 4 })
				})
			},
			check: func(t *testing.T, st *result.Stage) {
				if !st.Facts.Exited || st.ExitCode != 4 || st.Seconds > 1.5 {
					t.Errorf("exit %d after %.1fs, facts %+v", st.ExitCode, st.Seconds, st.Facts)
				}
			}},
		{name: "no start command",
			arrange: func(_ *app, _ *fakeBox, _ *fakeEngine, rc *recipe.Recipe, _ *Checks) { rc.Start = "" },
			check: func(t *testing.T, st *result.Stage) {
				if !st.Facts.NoStartCommand || !strings.Contains(st.Output, "no start command") {
					t.Errorf("facts %+v output %q", st.Facts, st.Output)
				}
			}},
		{name: "the image's own command", pass: true,
			arrange: func(_ *app, _ *fakeBox, f *fakeEngine, rc *recipe.Recipe, _ *Checks) {
				rc.Start = ""
				rc.Install = nil
				f.imageCommand = []string{"gunicorn", "app:app", "--bind", "[::]:8080"}
			},
			check: func(t *testing.T, st *result.Stage) {
				if !strings.HasPrefix(st.Note, "start: gunicorn app:app --bind '[::]:8080'; healthy after") {
					t.Errorf("note %q", st.Note)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &fakeBox{started: make(chan struct{})}
			f, a := fakeSetup(t, c)
			rc, chk := fakeRecipe(), fakeChecks()
			chk.Settle = 50 * time.Millisecond
			if tc.arrange != nil {
				tc.arrange(a, c, f, rc, &chk)
			}
			if tc.during != nil {
				go func() {
					select {
					case <-c.started:
						tc.during(a)
					case <-time.After(5 * time.Second):
					}
				}()
			}
			v := fakeRunner(t, f).RunRecipe(context.Background(), "v", rc, chk)
			st := v.StageByName(result.StageBoot)
			if (st.Status == result.Pass) != tc.pass || v.Boots != tc.pass {
				t.Fatalf("boot %s (Boots %v), want pass=%v; facts %+v\n%s", st.Status, v.Boots, tc.pass, st.Facts, st.Output)
			}
			if strings.Contains(st.Output, "tok-secret-123") {
				t.Errorf("secret in output: %s", st.Output)
			}
			if tc.check != nil {
				tc.check(t, st)
			}
		})
	}
}

func TestFakeBuildFailures(t *testing.T) {
	t.Parallel()
	t.Run("a failing step", func(t *testing.T) {
		t.Parallel()
		f, _ := fakeSetup(t, &fakeBox{})
		f.buildFn = func(df string, out io.Writer) (int, error) {
			if strings.Contains(df, "pip install") {
				_, _ = io.WriteString(out, "ERROR: no matching distribution\n")
				return 1, errors.New("The command '/bin/sh -c pip install x' returned a non-zero code: 1")
			}
			return 0, nil
		}
		v := fakeRunner(t, f).RunRecipe(context.Background(), "v", fakeRecipe(), fakeChecks())
		mustStatuses(t, v, "build=pass install=fail import=skip ldd=skip boot=skip")
		st := v.StageByName(result.StageInstall)
		if st.ExitCode != 1 || !strings.HasPrefix(st.Note, `variant "v": stage install: The command`) || !strings.Contains(st.Output, "no matching distribution") {
			t.Errorf("exit %d note %q output %q", st.ExitCode, st.Note, st.Output)
		}
		if len(f.started) != 0 {
			t.Error("a container was started for a variant that did not install")
		}
	})
	t.Run("an image offline runs cannot pull", func(t *testing.T) {
		t.Parallel()
		f, _ := fakeSetup(t, &fakeBox{})
		r := fakeRunner(t, f, WithSubstitutions(recipe.Substitutions{Mode: "offline", Images: map[string]string{"python:3.13-slim": "kit"}}))
		rc := fakeRecipe()
		rc.Setup.Dockerfile = "FROM python:3.9-slim\n"
		v := r.RunRecipe(context.Background(), "v", rc, fakeChecks())
		mustStatuses(t, v, "build=fail install=skip import=skip ldd=skip boot=skip")
		st := v.StageByName(result.StageBuild)
		if st.Facts.ImageUnavailable != "python:3.9-slim" || !strings.Contains(st.Output, "bootmatrix: image unavailable: image python:3.9-slim is not present and cannot be pulled offline") {
			t.Errorf("facts %+v output %q", st.Facts, st.Output)
		}
	})
	t.Run("online, a missing base is pulled before the build", func(t *testing.T) {
		t.Parallel()
		f, _ := fakeSetup(t, &fakeBox{})
		f.pullable = map[string]imageInfo{"python:3.9-slim": {ID: "sha256:py39"}}
		r := fakeRunner(t, f, WithSubstitutions(recipe.Substitutions{Mode: "online"}))
		rc := fakeRecipe()
		rc.Setup.Dockerfile = "FROM python:3.9-slim\n"
		v := r.RunRecipe(context.Background(), "v", rc, fakeChecks())
		mustStatuses(t, v, "build=pass install=pass import=pass ldd=pass boot=pass")
	})
	t.Run("the build stage times out", func(t *testing.T) {
		t.Parallel()
		f, _ := fakeSetup(t, &fakeBox{})
		f.buildFn = func(string, io.Writer) (int, error) {
			time.Sleep(300 * time.Millisecond)
			return 0, context.DeadlineExceeded
		}
		chk := fakeChecks()
		setTimeout(&chk, result.StageBuild, 100*time.Millisecond)
		v := fakeRunner(t, f).RunRecipe(context.Background(), "v", fakeRecipe(), chk)
		st := v.StageByName(result.StageBuild)
		if st.Status != result.Fail || !st.Facts.TimedOut || st.Note != "" {
			t.Errorf("build %s facts %+v note %q", st.Status, st.Facts, st.Note)
		}
	})
	t.Run("the container does not start", func(t *testing.T) {
		t.Parallel()
		f, _ := fakeSetup(t, &fakeBox{})
		f.startErr = errors.New("start container from x: no space left on device")
		v := fakeRunner(t, f).RunRecipe(context.Background(), "v", fakeRecipe(), fakeChecks())
		mustStatuses(t, v, "build=pass install=pass import=fail ldd=skip boot=skip")
		if st := v.StageByName(result.StageImport); st.ExitCode != -1 || !strings.Contains(st.Output, "no space left") {
			t.Errorf("import exit %d output %q", st.ExitCode, st.Output)
		}
	})
}

// Variants that share a stage build it once; the others wait for it.
func TestFakeRunSharesBuilds(t *testing.T) {
	t.Parallel()
	f, _ := fakeSetup(t, &fakeBox{})
	release := make(chan struct{})
	f.buildFn = func(string, io.Writer) (int, error) { <-release; return 0, nil }
	d := &recordingDiagnoser{}
	render := func(_ *scenario.Scenario, v scenario.Variant, _ recipe.Substitutions) (*recipe.Recipe, error) {
		switch v.Name {
		case "bad":
			return nil, errors.New("no such builder")
		case "nil":
			return nil, nil
		}
		return fakeRecipe(), nil
	}
	r := fakeRunner(t, f, WithRenderer(render), WithDiagnoser(d), WithParallel(3))
	sc := &scenario.Scenario{Name: "t", Port: 8080, Imports: []string{"json"}, Health: scenario.HTTPCheck{Path: "/health"}}
	variants := []scenario.Variant{
		{Name: "a", Expect: &scenario.Expectation{Boots: true}},
		{Name: "b", Expect: &scenario.Expectation{Boots: false, Stage: "boot"}},
		{Name: "c"},
		{Name: "bad"},
		{Name: "nil"},
	}
	time.AfterFunc(200*time.Millisecond, func() { close(release) })
	run, err := r.Run(context.Background(), sc, variants)
	if err == nil || !strings.Contains(err.Error(), `variant "bad": render recipe: no such builder`) || !strings.Contains(err.Error(), `variant "nil"`) {
		t.Errorf("err = %v", err)
	}
	if len(f.builds) != 2 {
		t.Errorf("%d builds for three variants sharing both stages, want 2", len(f.builds))
	}
	// A variant that did not run claims nothing it could have missed: no expectation.
	for i, want := range []bool{true, false, true, true, true} {
		v := run.Variants[i]
		if v.Name != variants[i].Name || v.ExpectationMet != want {
			t.Errorf("%s: met %v (%s), want %v; %s", v.Name, v.ExpectationMet, v.ExpectationDetail, want, stageStatuses(v))
		}
	}
	if bad := run.Variants[3]; bad.Error == "" || len(bad.Stages) != len(result.StageNames) || bad.Stages[0].Note != "not run: setup error" {
		t.Errorf("setup failure %+v", bad)
	}
	if len(d.got) != 3 || len(f.removed) != 3 {
		t.Errorf("%d diagnosed, %d removed; want 3 and 3", len(d.got), len(f.removed))
	}

	if _, err := fakeRunner(t, f).RunVariant(context.Background(), sc, variants[0]); err == nil || !strings.Contains(err.Error(), "no recipe renderer") {
		t.Errorf("RunVariant without a renderer: %v", err)
	}
	if v, err := r.RunVariant(context.Background(), sc, variants[0]); err != nil || !v.Boots {
		t.Errorf("RunVariant: %v, %s", err, stageStatuses(v))
	}
}

// A build that fails is not cached: the variants that waited for it fail with its
// output, and the next run builds it again.
func TestFakeFailedBuildShared(t *testing.T) {
	t.Parallel()
	f, _ := fakeSetup(t, &fakeBox{})
	release := make(chan struct{})
	f.buildFn = func(_ string, out io.Writer) (int, error) {
		<-release
		_, _ = io.WriteString(out, "step failed\n")
		return 2, errors.New("returned a non-zero code: 2")
	}
	render := func(*scenario.Scenario, scenario.Variant, recipe.Substitutions) (*recipe.Recipe, error) {
		return fakeRecipe(), nil
	}
	r := fakeRunner(t, f, WithRenderer(render), WithParallel(2))
	time.AfterFunc(200*time.Millisecond, func() { close(release) })
	run, _ := r.Run(context.Background(), &scenario.Scenario{Name: "t"}, []scenario.Variant{{Name: "a"}, {Name: "b"}})
	for _, v := range run.Variants {
		st := v.StageByName(result.StageBuild)
		if st.Status != result.Fail || st.ExitCode != 2 || !strings.Contains(st.Output, "step failed") {
			t.Errorf("%s: build %s exit %d output %q", v.Name, st.Status, st.ExitCode, st.Output)
		}
	}
	if len(f.builds) != 1 {
		t.Errorf("%d builds, want 1", len(f.builds))
	}
}

// --keep keeps what there is to inspect, a failed variant's container; a passing
// variant's goes as it would without the flag.
func TestFakeKeep(t *testing.T) {
	t.Parallel()
	f, a := fakeSetup(t, &fakeBox{})
	r := fakeRunner(t, f, WithKeep(true))
	if !r.Keeps() || r.RunID() != "test-run" {
		t.Fatalf("Keeps %v RunID %q", r.Keeps(), r.RunID())
	}
	if v := r.RunRecipe(context.Background(), "passes", fakeRecipe(), fakeChecks()); !v.Boots {
		t.Fatalf("%s", stageStatuses(v))
	}
	if !slices.Equal(f.removed, []string{"ctr1"}) {
		t.Errorf("removed %v, want the passing variant's ctr1", f.removed)
	}
	a.setHealth(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })
	chk := fakeChecks()
	setTimeout(&chk, result.StageBoot, 300*time.Millisecond)
	if v := r.RunRecipe(context.Background(), "fails", fakeRecipe(), chk); v.Boots {
		t.Fatalf("%s", stageStatuses(v))
	}
	if !slices.Equal(f.removed, []string{"ctr1"}) {
		t.Errorf("removed %v: the failed variant's ctr2 was not kept", f.removed)
	}
	if err := r.Close(); err != nil || !f.closed {
		t.Errorf("Close: %v, closed %v", err, f.closed)
	}
}

func TestNewParallel(t *testing.T) {
	t.Parallel()
	f := newFake()
	f.cpus = 6
	if r := fakeRunner(t, f); r.parallel != 6 {
		t.Errorf("parallel %d, want the engine's 6 CPUs", r.parallel)
	}
	f.cpus = 0
	if r := fakeRunner(t, f); r.parallel < 1 {
		t.Errorf("parallel %d when the engine does not say", r.parallel)
	}
	if r := fakeRunner(t, f, WithParallel(2)); r.parallel != 2 {
		t.Errorf("parallel %d, want 2", r.parallel)
	}
	if r, _ := New(context.Background(), withEngine(f)); len(r.RunID()) < 20 || r.logf == nil {
		t.Errorf("defaults: run id %q", r.RunID())
	}
}

// A run stopped during boot records the interruption, whether the health check had
// not passed yet or the app was settling; the app's exec is not what ended it.
func TestFakeInterruptedBoot(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		answers bool
		settle  time.Duration
	}{
		{name: "before the app answers", settle: 50 * time.Millisecond},
		{name: "while settling", answers: true, settle: 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &fakeBox{started: make(chan struct{})}
			f, _ := fakeSetup(t, c)
			if !tc.answers {
				f.hostPort = closedPort(t)
			}
			chk := fakeChecks()
			chk.Settle = tc.settle
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				<-c.started
				time.Sleep(100 * time.Millisecond)
				cancel()
			}()
			v := fakeRunner(t, f).RunRecipe(ctx, "v", fakeRecipe(), chk)
			st := v.StageByName(result.StageBoot)
			if st.Status != result.Fail || !st.Facts.Interrupted || st.Facts.Exited || st.Facts.TimedOut || st.Seconds > 5 {
				t.Errorf("boot %s after %.1fs, facts %+v", st.Status, st.Seconds, st.Facts)
			}
			if !strings.Contains(st.Output, "bootmatrix: interrupted") {
				t.Errorf("output %q", st.Output)
			}
		})
	}
}

// procsOut is the process probe's report of a container whose app is the given
// PIDs, having used cpu seconds between them; the probe is PIDs 90 and 91.
func procsOut(cpu float64, pids ...int) string {
	var b strings.Builder
	b.WriteString(probe.ProcsMarker + `{"self":[91,90],"procs":[{"pid":1,"ppid":0,"start":1,"cpu":0,"cmd":"docker-init"},` +
		`{"pid":7,"ppid":1,"start":2,"cpu":0,"cmd":"sleep infinity"}`)
	for i, pid := range pids {
		c := 0.0
		if i == 0 {
			c = cpu
		}
		fmt.Fprintf(&b, `,{"pid":%d,"ppid":0,"start":%d,"cpu":%g,"cmd":"python app.py"}`, pid, 100+pid, c)
	}
	b.WriteString(`,{"pid":90,"ppid":0,"start":500,"cpu":0,"cmd":"sh -c python3 procs.py"},{"pid":91,"ppid":90,"start":501,"cpu":0.01,"cmd":"python3 procs.py"}]}` + "\n")
	return b.String()
}

// loopOut is the process probe's report at its nth look at a shell loop (PID 12)
// whose child, a new one at every look, runs cmd and has used cpu seconds.
func loopOut(n int, cmd string, cpu float64) string {
	return probe.ProcsMarker + fmt.Sprintf(`{"self":[91,90],"procs":[{"pid":1,"ppid":0,"start":1,"cpu":0,"cmd":"docker-init"},`+
		`{"pid":7,"ppid":1,"start":2,"cpu":0,"cmd":"sleep infinity"},{"pid":12,"ppid":0,"start":100,"cpu":%g,"cmd":"sh -c while true; do %s; done"},`+
		`{"pid":%d,"ppid":12,"start":%d,"cpu":%g,"cmd":%q},{"pid":91,"ppid":90,"start":501,"cpu":0.01,"cmd":"python3 procs.py"}]}`+"\n",
		cpu*float64(n), cmd, 20+n, 200+n, cpu, cmd)
}

// With fail-fast off (run --fail-fast=false), an idle app and a crash loop are
// waited for until the boot timeout, as before.
func TestFakeBootFailFastOff(t *testing.T) {
	t.Parallel()
	for name, procs := range map[string]func(int) string{
		"idle":       func(int) string { return procsOut(0.05, 12, 13) },
		"crash loop": func(n int) string { return loopOut(n, "python app.py worker", 0.2) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, _ := fakeSetup(t, &fakeBox{procs: procs})
			f.hostPort = closedPort(t)
			rc, chk := fakeRecipe(), fakeChecks()
			setTimeout(&chk, result.StageBoot, 4500*time.Millisecond)
			r := fakeRunner(t, f)
			WithFailFast(false)(r)
			v := r.RunRecipe(context.Background(), "v", rc, chk)
			st := v.StageByName(result.StageBoot)
			if st.Seconds < 4.4 || strings.Contains(st.Output, "gave up") || st.Facts.CrashLoop != nil || st.Facts.IdleSeconds != 0 ||
				!strings.Contains(st.Output, "bootmatrix: no listener: port 8080") {
				t.Errorf("after %.1fs: facts %+v output %q", st.Seconds, st.Facts, st.Output)
			}
		})
	}
}

// A build that fetches from a mirror on loopback (a nixpkgs archive) runs on the
// host's network, the only one that reaches it; one that fetches elsewhere does not.
func TestFetchesFromLoopbackUseTheHostNetwork(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fetch string
		host  bool
	}{
		{"http://127.0.0.1:8081/nix/abc.tar.gz", true},
		{"https://github.com/NixOS/nixpkgs/archive/abc.tar.gz", false},
	} {
		f, _ := fakeSetup(t, &fakeBox{})
		r := fakeRunner(t, f)
		rc := fakeRecipe()
		rc.Setup.Fetches = []string{tc.fetch}
		v := r.RunRecipe(context.Background(), "v", rc, fakeChecks())
		mustStatuses(t, v, "build=pass install=pass import=pass ldd=pass boot=pass")
		if len(f.hostNet) == 0 || f.hostNet[0] != tc.host {
			t.Errorf("%s: the setup build's host network %v, want %v", tc.fetch, f.hostNet, tc.host)
		}
	}
}

// The builder's notes and caveats reach the variant's result, and a secret that a
// note quotes (here the recipe's own env value, written into a pin) is redacted
// there as in any captured output.
func TestFakeNotesAndCaveats(t *testing.T) {
	t.Parallel()
	f, _ := fakeSetup(t, &fakeBox{})
	r := fakeRunner(t, f)
	rc := fakeRecipe()
	rc.Notes = []string{"pins [x==1] written into requirements.txt", "pins [tok-secret-123] written"}
	rc.Caveats = []string{"the kit cannot run this pair"}
	v := r.RunRecipe(context.Background(), "noted", rc, fakeChecks())
	mustStatuses(t, v, "build=pass install=pass import=pass ldd=pass boot=pass")
	if want := []string{"pins [x==1] written into requirements.txt", "pins [[redacted]] written"}; !slices.Equal(v.Notes, want) {
		t.Errorf("notes %q, want %q", v.Notes, want)
	}
	if !slices.Equal(v.Caveats, rc.Caveats) {
		t.Errorf("caveats %q, want %q", v.Caveats, rc.Caveats)
	}
}
