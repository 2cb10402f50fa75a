package scenarios_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/report"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

const badInput = "bad-input/scenario.yaml"

// The CLI is built once per test binary: the signal and exit-code tests need a real
// process to signal and kill.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	runnertest.DisableReaper()
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func bootmatrixBin(tb testing.TB) string {
	tb.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "bootmatrix-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "bootmatrix")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/bootmatrix").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build ./cmd/bootmatrix: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath
}

// syncBuffer is read while the process still writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cliRun is a started `bootmatrix` process.
type cliRun struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	err            error
}

func startCLI(tb testing.TB, env []string, args ...string) *cliRun {
	tb.Helper()
	c := &cliRun{cmd: exec.Command(bootmatrixBin(tb), args...), stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	c.cmd.Env = append(os.Environ(), env...)
	c.cmd.Stdout, c.cmd.Stderr = c.stdout, c.stderr
	if err := c.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	tb.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// wait returns the exit code, failing the test if the process does not end in time.
func (c *cliRun) wait(tb testing.TB, d time.Duration) int {
	tb.Helper()
	select {
	case <-c.done:
	case <-time.After(d):
		_ = c.cmd.Process.Kill()
		<-c.done
		tb.Fatalf("bootmatrix %v did not end within %s\nstderr:\n%s", c.cmd.Args[1:], d, c.stderr)
	}
	var ee *exec.ExitError
	if errors.As(c.err, &ee) {
		return ee.ExitCode()
	}
	if c.err != nil {
		tb.Fatal(c.err)
	}
	return 0
}

var runIDLine = regexp.MustCompile(`bootmatrix: run (\S+):`)

// runID waits for the line naming the run id on stderr.
func (c *cliRun) runID(tb testing.TB) string {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := runIDLine.FindStringSubmatch(c.stderr.String()); m != nil {
			return m[1]
		}
		select {
		case <-c.done:
			tb.Fatalf("bootmatrix ended before naming its run:\n%s", c.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	tb.Fatalf("no run id on stderr after 30s:\n%s", c.stderr)
	return ""
}

func runFilter(runID string) client.Filters {
	return make(client.Filters).Add("label", runner.LabelRun+"="+runID)
}

// waitContainer polls the engine until a container of the run exists (the run has
// reached its import or boot stage) and returns its id.
func waitContainer(tb testing.TB, c *cliRun, runID string) string {
	tb.Helper()
	cli := runnertest.Docker(tb)
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		cs, err := cli.ContainerList(context.Background(), client.ContainerListOptions{Filters: runFilter(runID)})
		if err != nil {
			tb.Fatal(err)
		}
		if len(cs.Items) > 0 {
			return cs.Items[0].ID
		}
		select {
		case <-c.done:
			tb.Fatalf("bootmatrix ended before starting a container:\n%s", c.stderr)
		case <-time.After(100 * time.Millisecond):
		}
	}
	tb.Fatalf("no container of run %s after 3m:\n%s", runID, c.stderr)
	return ""
}

// leftovers counts every kind of object labelled with the run.
func leftovers(tb testing.TB, runID string) map[string]int {
	tb.Helper()
	cli := runnertest.Docker(tb)
	ctx := context.Background()
	f := runFilter(runID)
	n := map[string]int{}
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		tb.Fatal(err)
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		tb.Fatal(err)
	}
	vols, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		tb.Fatal(err)
	}
	imgs, err := cli.ImageList(ctx, client.ImageListOptions{Filters: f})
	if err != nil {
		tb.Fatal(err)
	}
	n["containers"], n["networks"], n["volumes"], n["images"] = len(cs.Items), len(nets.Items), len(vols.Items), len(imgs.Items)
	return n
}

func total(n map[string]int) int {
	s := 0
	for _, v := range n {
		s += v
	}
	return s
}

// gcRun removes what a test's CLI run may have left, whatever the test's outcome.
func gcRun(tb testing.TB, runID string) {
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := runner.Cleanup(ctx, runID); err != nil {
			tb.Errorf("cleanup run %s: %v", runID, err)
		}
	})
}

// TestInterruptRemovesEverything interrupts a run while its container is up: the run
// must stop, remove everything it labelled and exit 3 (interrupted). A second signal
// must end it at once, still removing the containers.
func TestInterruptRemovesEverything(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	for _, tc := range []struct {
		name    string
		signals []syscall.Signal
		within  time.Duration
	}{
		{"SIGINT", []syscall.Signal{syscall.SIGINT}, time.Minute},
		{"SIGTERM twice", []syscall.Signal{syscall.SIGTERM, syscall.SIGTERM}, 20 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// never-binds keeps its container up for the whole boot timeout.
			c := startCLI(t, nil, "run", badInput, "--variant", "never-binds")
			id := c.runID(t)
			gcRun(t, id)
			waitContainer(t, c, id)
			sent := time.Now()
			for i, s := range tc.signals {
				if i > 0 {
					// Soon enough that the first signal's orderly stop is still under way.
					time.Sleep(20 * time.Millisecond)
				}
				if err := c.cmd.Process.Signal(s); err != nil {
					t.Fatal(err)
				}
			}
			if code := c.wait(t, tc.within); code != 3 {
				t.Errorf("exit code %d, want 3 (interrupted)\nstderr:\n%s", code, c.stderr)
			}
			t.Logf("ended %.1fs after the signal", time.Since(sent).Seconds())
			if len(tc.signals) > 1 && !strings.Contains(c.stderr.String(), "second signal") {
				t.Errorf("the second signal was not acted on:\n%s", c.stderr)
			}
			// Everything went, so a clean-up error is false and sends the user to gc for nothing.
			if strings.Contains(c.stderr.String(), "bootmatrix: cleanup:") {
				t.Errorf("a clean-up error although nothing was left:\n%s", c.stderr)
			}
			if n := leftovers(t, id); total(n) != 0 {
				t.Errorf("run %s left %v after %s\nstderr:\n%s", id, n, tc.name, c.stderr)
			}
		})
	}
}

// TestInterruptDuringBuild interrupts a run while the engine is building its image
// (a project copy no cache holds, so the build really runs): the build is cancelled,
// the stage says so, nothing labelled remains and the exit is 3.
func TestInterruptDuringBuild(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	scn := coldCopy(t)
	out := filepath.Join(t.TempDir(), "run.json")
	c := startCLI(t, nil, "run", scn, "--variant", "good", "--json", out)
	id := c.runID(t)
	gcRun(t, id)
	started := regexp.MustCompile(`good\s+build\s+start`)
	for !started.MatchString(c.stderr.String()) {
		select {
		case <-c.done:
			t.Fatalf("ended before building:\n%s", c.stderr)
		case <-time.After(50 * time.Millisecond):
		}
	}
	time.Sleep(time.Second)
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(t, time.Minute); code != 3 {
		t.Errorf("exit code %d, want 3\nstderr:\n%s", code, c.stderr)
	}
	run := readRun(t, out)
	if st := run.Variants[0].Stages[0]; st.Name != result.StageBuild || st.Note != "interrupted" || st.Class != diagnose.ClassInterrupted || !strings.Contains(st.Output, diagnose.MarkerInterrupted) {
		t.Errorf("first stage %s %q class %q, want build \"interrupted\" of class %s saying so in its output", st.Name, st.Note, st.Class, diagnose.ClassInterrupted)
	}
	if n := leftovers(t, id); total(n) != 0 {
		t.Errorf("run %s left %v", id, n)
	}
	// The layers the cancelled build finished are the engine's build cache; a
	// complete run on the same copy ends on them, and removing its images takes them.
	after := filepath.Join(t.TempDir(), "after.json")
	done := startCLI(t, nil, "run", scn, "--variant", "good", "--json", after)
	gcRun(t, done.runID(t))
	if code := done.wait(t, 3*time.Minute); code != 0 {
		t.Errorf("the run after the interrupted one: exit %d\n%s", code, done.stderr)
	}
	second := readRun(t, after).Variants
	removeBuiltImages(t, append(run.Variants, second...)...)
	removeCutLayer(t, run.Variants[0].Stages[0].Output, second[0].Image)
}

var stepLine = regexp.MustCompile(`(?m)^ ---> ([0-9a-f]{12})$`)

// removeCutLayer removes the layer the cancelled build committed after its output
// stream ended, so that no output names it. It is the child of the last layer the
// output names whose step is the same as that of the complete run's layer there (a
// COPY of this project copy's files, whose content hash no other build shares). The
// docker CLI is used because the engine API no longer returns an image's parent.
func removeCutLayer(tb testing.TB, cutOutput, completeImage string) {
	tb.Helper()
	ms := stepLine.FindAllStringSubmatch(cutOutput, -1)
	if len(ms) == 0 || completeImage == "" {
		return
	}
	parent := ms[len(ms)-1][1]
	ids, err := exec.Command("docker", "images", "-aq", "--no-trunc").Output()
	if err != nil {
		tb.Logf("docker images: %v", err)
		return
	}
	type img struct{ parent, step string }
	all := map[string]img{}
	args := append([]string{"image", "inspect", "-f", "{{.Id}}|{{.Parent}}|{{.ContainerConfig.Cmd}}"}, strings.Fields(string(ids))...)
	out, _ := exec.Command("docker", args...).Output()
	for _, l := range strings.Split(string(out), "\n") {
		if f := strings.SplitN(l, "|", 3); len(f) == 3 {
			all[f[0]] = img{f[1], f[2]}
		}
	}
	// The complete run's layer built on parent.
	var kept string
	for id := resolveID(completeImage); id != ""; {
		im, ok := all[id]
		if !ok {
			break
		}
		if strings.HasPrefix(strings.TrimPrefix(im.parent, "sha256:"), parent) {
			kept = id
			break
		}
		id = im.parent
	}
	if kept == "" {
		return
	}
	for id, im := range all {
		if id != kept && strings.HasPrefix(strings.TrimPrefix(im.parent, "sha256:"), parent) && im.step == all[kept].step {
			if out, err := exec.Command("docker", "image", "rm", id).CombinedOutput(); err != nil {
				tb.Logf("remove the cancelled build's layer %s: %v %s", id, err, out)
			}
		}
	}
}

func resolveID(ref string) string {
	out, err := exec.Command("docker", "image", "inspect", "-f", "{{.Id}}", ref).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func readRun(tb testing.TB, path string) *result.Run {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var run result.Run
	if err := json.Unmarshal(b, &run); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if len(run.Variants) == 0 {
		tb.Fatalf("%s: no variants", path)
	}
	return &run
}

// coldCopy copies the bad-input scenario with a file of its own in the project, so
// that every cache key of the copy is new, and returns the copy's scenario file.
func coldCopy(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.CopyFS(dir, os.DirFS("bad-input")); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "project", "app", "cold-cache"), []byte(runner.NewRunID()), 0o644); err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(dir, "scenario.yaml")
}

// TestKilledRunIsCollected kills a run with SIGKILL, which no handler sees: its
// container stays, and `bootmatrix gc` is what removes it. --older-than must spare
// what is younger. (gc is limited to the test's run with --run so that it cannot
// remove another run sharing this engine.)
func TestKilledRunIsCollected(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	c := startCLI(t, nil, "run", badInput, "--variant", "never-binds")
	id := c.runID(t)
	gcRun(t, id)
	ctr := waitContainer(t, c, id)

	ins, err := runnertest.Docker(t).ContainerInspect(context.Background(), ctr, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{runner.LabelManaged: "true", runner.LabelRun: id, runner.LabelVariant: "never-binds"} {
		if got := ins.Container.Config.Labels[k]; got != want {
			t.Errorf("container label %s=%q, want %q", k, got, want)
		}
	}

	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.wait(t, 30*time.Second)
	if n := leftovers(t, id); n["containers"] == 0 {
		t.Fatalf("a killed run left nothing to collect (%v): the test proves nothing", n)
	}

	gc := func(args ...string) string {
		out, err := exec.Command(bootmatrixBin(t), append([]string{"gc", "--run", id}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("bootmatrix gc %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	if out := gc("--older-than", "1h"); !strings.Contains(out, "removed 0 object(s)") {
		t.Errorf("gc --older-than 1h removed a minute-old run's objects: %s", out)
	}
	if n := leftovers(t, id); n["containers"] == 0 {
		t.Errorf("gc --older-than 1h removed the container")
	}
	if out := gc(); strings.Contains(out, "removed 0 object(s)") {
		t.Errorf("gc removed nothing: %s", out)
	}
	if n := leftovers(t, id); total(n) != 0 {
		t.Errorf("after gc, run %s still has %v", id, n)
	}
}

// TestCLIRefusesBadInput: problems found before anything runs end the command with
// one clear message and the exit code that names their kind.
func TestCLIRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "project")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(proj, "requirements.txt"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	head := "schemaVersion: 1\nname: bad\nproject: {dir: ./project}\nstart: \"python app.py\"\nmatrix:\n  include:\n"
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(head+body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	twice := write("twice.yaml", "    - {name: a, builder: python-slim, python: \"3.11\"}\n    - {name: a, builder: python-slim, python: \"3.13\"}\n")
	noDockerfile := write("nodockerfile.yaml", "    - {name: d, builder: dockerfile, dockerfile: Dockerfile}\n")

	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		want []string
	}{
		{"variant name twice", nil, []string{"run", twice}, 2,
			[]string{twice + ":8:", `variant name "a" is given twice: lines 7 and 8`, "give each variant its own name"}},
		{"missing Dockerfile", nil, []string{"run", noDockerfile}, 2,
			[]string{noDockerfile + ":7:", "Dockerfile Dockerfile does not exist", "create it or fix the path"}},
		{"engine unreachable", []string{"DOCKER_HOST=unix:///nonexistent.sock"}, []string{"run", badInput, "--variant", "good"}, 3,
			[]string{"DOCKER_HOST unix:///nonexistent.sock", "start it with"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := startCLI(t, tc.env, tc.args...)
			if code := c.wait(t, time.Minute); code != tc.code {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", code, tc.code, c.stderr)
			}
			msg := c.stderr.String()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, msg)
				}
			}
			if tc.code == 3 {
				if lines := strings.Split(strings.TrimSpace(msg), "\n"); len(lines) != 1 {
					t.Errorf("want one line, got %d:\n%s", len(lines), msg)
				}
			}
		})
	}
}

// TestBadInput runs the bad-input scenario: every broken variant fails where and how
// its expectation says while the good one still boots, and the runner removed every
// container itself (runnertest checks before its own clean-up), timeouts included.
func TestBadInput(t *testing.T) {
	run := runnertest.RunScenario(t, badInput, recipe.Offline())
	assertAll(t, run)
	// What the message must tell the user, beyond the scenario's own expectations.
	advice := map[string]string{
		"bad-requirement":       "numpy===",
		"image-missing":         "cannot be pulled offline",
		"nix-attribute-unknown": "error: undefined variable 'no-such-package'",
		"loopback-only":         "127.0.0.1:8080",
		"bad-wheel-hash":        "Expected sha256",
	}
	// The fix offered first follows the cause; for these it used to be advice that
	// cannot help (make images for an image the kit has not, "fix the start command"
	// for a missing setting).
	firstFix := map[string]diagnose.FixKind{
		"image-missing":          diagnose.FixBaseImageName,
		"image-not-in-kit":       diagnose.FixBaseImageName,
		"start-unbalanced-quote": diagnose.FixShellSyntax,
		"needs-setting":          diagnose.FixSetEnv,
		"private-index-offline":  diagnose.FixRunOnline,
		"not-in-offline-kit":     diagnose.FixRunOnline,
		"offline-kit-too-old":    diagnose.FixPinRequirement,
	}
	// Offline, what the kit's wheelhouse has for the requirement, and how to go online.
	kitHas := map[string]string{
		"not-in-offline-kit":  "the kit's wheelhouse, which has no distribution of openai for Python 3.13; run online (--online)",
		"offline-kit-too-old": "the kit's wheelhouse, which has httptools 0.1.1 for Python 3.13; run online (--online)",
	}
	for _, v := range run.Variants {
		if v.Name == "private-index-offline" {
			st := v.StageByName(result.StageInstall)
			if st == nil || !strings.Contains(st.Note, "https://pypi.example.internal/simple") || !strings.Contains(st.Note, "was not used") {
				t.Errorf("private-index-offline: the install stage does not say the requirements' index was not used: %+v", st)
			}
		}
		if want, ok := kitHas[v.Name]; ok {
			f := v.FirstFailure()
			if f == nil || !strings.Contains(f.Explanation, want) || !slices.ContainsFunc(v.Fixes, func(x result.Fix) bool { return x.ID == string(diagnose.FixRunOnline) }) {
				t.Errorf("%s: the diagnosis does not say what the offline kit has (%q) or offer %s: %+v, fixes %+v", v.Name, want, diagnose.FixRunOnline, f, v.Fixes)
			}
		}
		if want, ok := firstFix[v.Name]; ok && (len(v.Fixes) == 0 || v.Fixes[0].ID != string(want)) {
			t.Errorf("%s: fixes %+v, want %s first", v.Name, v.Fixes, want)
		}
		if v.Name == "never-binds" {
			// The variant's boot timeout (30s), not the scenario's (20s), applied, and boot
			// gave up on the idle app well before it (about 5s on an idle host), with the
			// facts of a full wait.
			f := v.FirstFailure()
			if f == nil || f.Seconds > 20 || !strings.Contains(f.Output, "of the boot timeout's 30s") || f.Facts.IdleSeconds == 0 ||
				f.Facts.Listeners == nil || len(f.Facts.Listeners) != 0 || f.Facts.TimedOut || !strings.Contains(f.Output, "bootmatrix: no listener: port 8080") {
				t.Errorf("never-binds: boot did not give up early on an idle app with the full wait's evidence: %+v", f)
			}
		}
		if v.Name == "crash-loop" {
			// A shell loop never exits: boot stopped on the restarts it saw (about 7s on an
			// idle host), not at its 45s.
			f := v.FirstFailure()
			if f == nil || f.Seconds > 30 || f.Facts.TimedOut || f.Facts.CrashLoop == nil ||
				f.Facts.CrashLoop.Command != "python app.py worker-crash" || len(f.Facts.CrashLoop.PIDs) < 3 {
				t.Errorf("crash-loop: boot did not stop on the restarts: %+v", f)
			}
		}
		if v.Name == "slow-start" {
			// Listening nowhere for 4 s while busy is getting ready, not idling.
			if st := v.StageByName(result.StageBoot); st == nil || st.Status != result.Pass || st.Seconds < 4 {
				t.Errorf("slow-start: boot did not wait for a busy app to bind: %+v", st)
			}
		}
		if len(v.Stages) != len(result.StageNames) {
			t.Errorf("%s: %d stages recorded, want %d", v.Name, len(v.Stages), len(result.StageNames))
		}
		if want, ok := advice[v.Name]; ok {
			f := v.FirstFailure()
			if f == nil || !strings.Contains(f.Output+strings.Join(f.Evidence, "\n"), want) {
				t.Errorf("%s: the failing stage does not say %q", v.Name, want)
			}
		}
	}
}

// loadBadInput loads the scenario and returns it with the named variant.
func loadBadInput(tb testing.TB, name string) (*scenario.Scenario, scenario.Variant) {
	tb.Helper()
	sc, err := scenario.Load(badInput, scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		tb.Fatal(err)
	}
	vs, err := sc.Select([]string{name}, nil)
	if err != nil || len(vs) != 1 {
		tb.Fatalf("select %s: %v", name, err)
	}
	return sc, vs[0]
}

func newRunner(tb testing.TB, opts ...runner.Option) *runner.Runner {
	tb.Helper()
	runnertest.RequireImages(tb, runnertest.KitImages...)
	return runnertest.Runner(tb, append([]runner.Option{runner.WithSubstitutions(recipe.Offline()),
		runner.WithRenderer(builtin.Registry().Render), runner.WithDiagnoser(diagnose.Diagnoser{})}, opts...)...)
}

func containersOf(tb testing.TB, runID string) []container.InspectResponse {
	tb.Helper()
	cli := runnertest.Docker(tb)
	cs, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: runFilter(runID)})
	if err != nil {
		tb.Fatal(err)
	}
	var out []container.InspectResponse
	for _, c := range cs.Items {
		ins, err := cli.ContainerInspect(context.Background(), c.ID, client.ContainerInspectOptions{})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, ins.Container)
	}
	return out
}

// TestContainersLeastPrivilege keeps two booted variants' containers to inspect them:
// never privileged, no host namespaces, no engine socket, nothing mounted writable,
// ports published on 127.0.0.1 at a port the engine picks (so the two, both listening
// on container port 8080, ran side by side), and the limits applied: the scenario's,
// or the defaults when it sets none.
func TestContainersLeastPrivilege(t *testing.T) {
	for _, tc := range []struct {
		name          string
		limits        *scenario.Limits // nil: the scenario's own
		memory, nanos int64
	}{
		{"scenario limits", nil, 256 << 20, 500_000_000},
		{"default limits", &scenario.Limits{}, 1 << 30, 1_000_000_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc, good := loadBadInput(t, "good")
			if tc.limits != nil {
				sc.Limits = *tc.limits
			}
			second := good
			second.Name = "good-2"
			// The container port taken on the host too: the runner must not care.
			if l, err := net.Listen("tcp", "127.0.0.1:8080"); err == nil {
				t.Cleanup(func() { _ = l.Close() })
			}
			r := newRunner(t, runner.WithKeepAll(true), runner.WithParallel(2))
			run, err := r.Run(context.Background(), sc, []scenario.Variant{good, second})
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range run.Variants {
				if !v.Boots {
					runnertest.AssertExpectation(t, v)
					t.Fatalf("%s did not boot", v.Name)
				}
			}
			cs := containersOf(t, r.RunID())
			if len(cs) != 2 {
				t.Fatalf("%d containers kept, want 2", len(cs))
			}
			hostPorts := map[string]bool{}
			for _, c := range cs {
				hc := c.HostConfig
				if hc.Privileged {
					t.Errorf("%s: privileged", c.Name)
				}
				if hc.NetworkMode.IsHost() || hc.PidMode.IsHost() || hc.IpcMode.IsHost() || hc.UTSMode.IsHost() {
					t.Errorf("%s: shares a host namespace (network %q pid %q ipc %q uts %q)", c.Name, hc.NetworkMode, hc.PidMode, hc.IpcMode, hc.UTSMode)
				}
				if len(hc.CapAdd) > 0 || len(hc.Devices) > 0 {
					t.Errorf("%s: extra capabilities %v or devices %v", c.Name, hc.CapAdd, hc.Devices)
				}
				for _, m := range c.Mounts {
					if strings.Contains(m.Source, "docker.sock") || strings.Contains(m.Destination, "docker.sock") {
						t.Errorf("%s: the engine socket is mounted: %s", c.Name, m.Source)
					}
					if m.RW {
						t.Errorf("%s: %s is mounted writable", c.Name, m.Destination)
					}
				}
				for _, b := range hc.Binds {
					if !strings.HasSuffix(b, ":ro") {
						t.Errorf("%s: bind %s is not read-only", c.Name, b)
					}
				}
				if hc.Memory != tc.memory || hc.NanoCPUs != tc.nanos {
					t.Errorf("%s: memory %d, NanoCPUs %d; want %d, %d", c.Name, hc.Memory, hc.NanoCPUs, tc.memory, tc.nanos)
				}
				if len(hc.PortBindings) != 1 {
					t.Errorf("%s: port bindings %v, want one", c.Name, hc.PortBindings)
				}
				for p, bs := range hc.PortBindings {
					if p.Num() != 8080 {
						t.Errorf("%s: publishes container port %s, want 8080", c.Name, p)
					}
					for _, b := range bs {
						if b.HostIP.String() != "127.0.0.1" || b.HostPort != "" && b.HostPort != "0" {
							t.Errorf("%s: binding %s:%q, want 127.0.0.1 and a port the engine picks", c.Name, b.HostIP, b.HostPort)
						}
					}
				}
				for _, bs := range c.NetworkSettings.Ports {
					for _, b := range bs {
						hostPorts[b.HostPort] = true
					}
				}
			}
			if len(hostPorts) != 2 {
				t.Errorf("host ports %v: want two distinct ones", hostPorts)
			}
		})
	}
}

// TestSecretsNeverReported runs apps that print secret-looking environment values, one
// booting and one failing (so its output is quoted as evidence), and renders every
// report format: the values must appear in none of them, nor in the runner's log.
func TestSecretsNeverReported(t *testing.T) {
	// The last is a URL's password under a name that does not look secret.
	secrets := []string{"sk-test-123456", "postgres://u:pw@h/db", "cache-pass-42"}
	sc, good := loadBadInput(t, "good")
	sc.Env = map[string]string{"OPENAI_API_KEY": secrets[0], "DATABASE_URL": secrets[1],
		"REDIS_URL": "redis://:" + secrets[2] + "@redis:6379/0", "APP_ENV": "test"}
	prints := good
	prints.Name, prints.Start = "prints-secrets", "python app.py print-env"
	fails := good
	fails.Name = "prints-secrets-and-fails"
	fails.Start = `python -c 'import os; print("key", os.environ["OPENAI_API_KEY"], "db", os.environ["DATABASE_URL"], "cache", os.environ["REDIS_URL"]); raise SystemExit(1)'`

	var logMu sync.Mutex
	var log strings.Builder
	logf := func(format string, args ...any) {
		logMu.Lock()
		defer logMu.Unlock()
		fmt.Fprintf(&log, format+"\n", args...)
	}
	r := newRunner(t, runner.WithLogf(logf), runner.WithParallel(2))
	run, err := r.Run(context.Background(), sc, []scenario.Variant{prints, fails})
	if err != nil {
		t.Fatal(err)
	}
	if !run.Variants[0].Boots || run.Variants[1].Boots {
		t.Fatalf("want the first to boot and the second to fail: %v, %v", run.Variants[0].Boots, run.Variants[1].Boots)
	}
	raw, _ := json.Marshal(run)
	if !strings.Contains(string(raw), "OPENAI_API_KEY=[redacted]") || !strings.Contains(string(raw), "key [redacted] db [redacted] cache redis://:[redacted]@redis") {
		t.Fatalf("the apps' output did not reach the result redacted; the test proves nothing:\n%s", raw)
	}
	outputs := map[string]func(*bytes.Buffer) error{
		"text":     func(b *bytes.Buffer) error { return report.WriteText(b, run) },
		"json":     func(b *bytes.Buffer) error { return report.WriteJSON(b, run) },
		"junit":    func(b *bytes.Buffer) error { return report.WriteJUnit(b, run) },
		"markdown": func(b *bytes.Buffer) error { return report.WriteMarkdown(b, run) },
		"html":     func(b *bytes.Buffer) error { return report.WriteHTML(b, run) },
	}
	for name, write := range outputs {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc := strings.ToLower(b.String())
		for _, s := range secrets {
			// Escaped forms too, so that a format's escaping cannot hide a leak.
			for _, form := range []string{s, strings.ReplaceAll(s, "/", "&#x2f;"), strings.ReplaceAll(s, "/", "&#47;"), strings.ReplaceAll(s, "/", `\/`)} {
				if strings.Contains(doc, form) {
					t.Errorf("%s report contains the secret %q", name, s)
				}
			}
		}
	}
	for _, s := range secrets {
		if strings.Contains(log.String(), s) {
			t.Errorf("the runner's log contains the secret %q", s)
		}
	}
}

// TestOOMKilled gives an app that allocates 512 MB a 64 MB limit: the boot must fail
// as oom-killed, which needs the engine's (or the cgroup's) word, not a guess from
// exit code 137. The limit is the variant's own, under the scenario's 256 MB, so the
// engine also proves that a variant's limit wins.
func TestOOMKilled(t *testing.T) {
	sc, v := loadBadInput(t, "good")
	if sc.Limits.MemoryBytes != 256<<20 {
		t.Fatalf("bad-input's scenario memory limit is %d, this test assumes 256 MiB", sc.Limits.MemoryBytes)
	}
	v.Limits.MemoryBytes = 64 << 20
	v.Name, v.Start = "hog", "python app.py hog"
	v.Expect = &scenario.Expectation{Stage: result.StageBoot, Class: diagnose.ClassOOMKilled}
	res, err := newRunner(t).RunVariant(context.Background(), sc, v)
	if err != nil {
		t.Fatal(err)
	}
	runnertest.AssertExpectation(t, res)
	if f := res.FirstFailure(); f == nil || !strings.Contains(f.Output, "bootmatrix: oom-killed: memory limit 64MiB") {
		t.Errorf("no oom-killed marker naming the limit in the boot output")
	}
}

// TestOutputBounded boots an app that prints 100 MB first: the harness keeps a
// bounded tail, so its heap must not grow with the output.
func TestOutputBounded(t *testing.T) {
	sc, v := loadBadInput(t, "good")
	v.Name, v.Start = "flood", "python app.py flood"
	r := newRunner(t)
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapInuse
	}
	before := heap()
	res, err := r.RunVariant(context.Background(), sc, v)
	if err != nil {
		t.Fatal(err)
	}
	// Sampled while res is alive: what the result keeps counts.
	after := heap()
	if !res.Boots {
		runnertest.AssertExpectation(t, res)
		t.Fatal("the flooding app did not boot")
	}
	var boot result.Stage
	for _, s := range res.Stages {
		if s.Name == result.StageBoot {
			boot = s
		}
	}
	// All 100 MB went through the harness: the header counts what it let go.
	var omitted int64
	if _, err := fmt.Sscanf(boot.Output, "[bootmatrix: %d earlier bytes omitted", &omitted); err != nil || omitted < 100<<20-1<<20 {
		t.Errorf("boot output does not say it omitted ~100 MB (%d bytes, %v): %.200q", omitted, err, boot.Output)
	}
	if len(boot.Output) > 1<<20 {
		t.Errorf("boot output kept %d bytes", len(boot.Output))
	}
	growth := int64(after) - int64(before)
	t.Logf("heap in use: %d MiB before, %d MiB after 100 MB of output", before>>20, after>>20)
	if growth > 50<<20 {
		t.Errorf("heap grew by %d MiB while the app printed 100 MB", growth>>20)
	}
}

// TestConcurrentCLIRuns starts two runs of one scenario at once on one engine: run
// ids, container names, host ports and image tags must not collide, so both meet
// every expectation.
func TestConcurrentCLIRuns(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	args := []string{"run", badInput, "--variant", "good", "--variant", "crashes-after-start", "--variant", "loopback-only"}
	a, b := startCLI(t, nil, args...), startCLI(t, nil, args...)
	for _, c := range []*cliRun{a, b} {
		gcRun(t, c.runID(t))
	}
	for i, c := range []*cliRun{a, b} {
		if code := c.wait(t, 3*time.Minute); code != 0 {
			t.Errorf("run %d: exit %d\nstdout:\n%s\nstderr:\n%s", i+1, code, c.stdout, c.stderr)
		}
	}
	if a.runID(t) == b.runID(t) {
		t.Errorf("both runs are %s", a.runID(t))
	}
}

// TestConcurrentRunnersColdCache runs two runners at once on a copy of the project
// that no cache holds yet, so both build the same cache keys at the same moment: each
// must end with a complete image under the key and boot from it.
func TestConcurrentRunnersColdCache(t *testing.T) {
	sc, err := scenario.Load(coldCopy(t), scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Select([]string{"good"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	good := vs[0]
	ra, rb := newRunner(t), newRunner(t)
	var wg sync.WaitGroup
	res := make([]result.Variant, 2)
	for i, r := range []*runner.Runner{ra, rb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i], _ = r.RunVariant(context.Background(), sc, good)
		}()
	}
	wg.Wait()
	removeBuiltImages(t, res...)
	adopted := 0
	for _, v := range res {
		for _, s := range v.Stages {
			adopted += strings.Count(s.Output, "at the same time; using its image")
		}
	}
	t.Logf("stages that found the other runner's image under their key: %d", adopted)
	for _, v := range res {
		runnertest.AssertExpectation(t, v)
		if v.Image == "" || v.Image != res[0].Image {
			t.Errorf("images %q and %q: want one content-addressed tag", v.Image, res[0].Image)
		}
	}
}

var (
	builtID = regexp.MustCompile(`Successfully built ([0-9a-f]{12})`)
	stepID  = regexp.MustCompile(`(?m)^ ---> ([0-9a-f]{12})$`)
)

// removeBuiltImages removes the images these variants' builds made: the final ones
// (their build output names them, the loser of a tag race included) and the layers of
// steps that ran rather than came from the cache, which an interrupted build leaves
// behind. Nothing else will ever use a one-off project copy's images. Layers are
// removed newest first and without force, so a layer another image still builds on
// stays.
func removeBuiltImages(tb testing.TB, vs ...result.Variant) {
	tb.Helper()
	var ids []string
	for _, v := range vs {
		if v.Image != "" {
			ids = append(ids, v.Image)
		}
		for _, s := range v.Stages {
			for _, m := range builtID.FindAllStringSubmatch(s.Output, -1) {
				ids = append(ids, m[1])
			}
			lines := strings.Split(s.Output, "\n")
			for i, l := range lines {
				if m := stepID.FindStringSubmatch(l); m != nil && (i == 0 || !strings.Contains(lines[i-1], "Using cache")) {
					ids = append(ids, m[1])
				}
			}
		}
	}
	tb.Cleanup(func() {
		cli := runnertest.Docker(tb)
		for i := len(ids) - 1; i >= 0; i-- {
			_, _ = cli.ImageRemove(context.Background(), ids[i], client.ImageRemoveOptions{PruneChildren: true})
		}
	})
}
