package diagnose

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// sample is one failed stage that, alone, is classified as class: a captured output
// (testdata) and what the runner observed, as the runner records it in Facts. The
// builder's knowledge of the image (Context) changes explanations and fixes, never
// which class wins, so the samples go without it.
type sample struct {
	stage   result.StageName
	file    string // testdata file, read when output is empty
	output  string
	exit    int
	facts   result.Facts
	missing []result.MissingLib
	class   string
}

var (
	refused  = &result.HTTPAnswer{Method: "GET", Path: "/health", Error: "connection refused"}
	noAnswer = &result.HTTPAnswer{Method: "GET", Path: "/health", Error: "context deadline exceeded"}
)

var samples = map[string]sample{
	"interrupted":     {stage: result.StageInstall, file: "pip-network-unreachable-pip25.txt", facts: result.Facts{Interrupted: true}, class: ClassInterrupted},
	"oom-confirmed":   {stage: result.StageImport, exit: 137, facts: result.Facts{OOMKilled: true, MemoryLimit: 64 << 20}, class: ClassOOMKilled},
	"index-timeout":   {stage: result.StageInstall, file: "pip-network-unreachable-pip25.txt", exit: 137, facts: result.Facts{TimedOut: true, TimeoutSeconds: 300}, class: ClassIndexUnreachable},
	"timeout-build":   {stage: result.StageBuild, output: "Building wheel for numpy (pyproject.toml): started\n", exit: 137, facts: result.Facts{TimedOut: true, TimeoutSeconds: 600}, class: ClassTimeout},
	"timeout-install": {stage: result.StageInstall, output: "Collecting numpy==2.2.4\n", exit: 137, facts: result.Facts{TimedOut: true, TimeoutSeconds: 300}, class: ClassTimeout},
	"timeout-import":  {stage: result.StageImport, output: "$ python -c 'import torch'\n", exit: 137, facts: result.Facts{TimedOut: true, TimeoutSeconds: 60}, class: ClassTimeout},
	"hang": {stage: result.StageBoot, file: "gunicorn23-loopback.txt", exit: -1,
		facts: result.Facts{Port: 8080, Listeners: []result.Listener{{Addr: "0.0.0.0:8080", Port: 8080}}, Health: noAnswer}, class: ClassTimeout},
	"no-plan":          {stage: result.StageBuild, file: "nixpacks-no-build-plan.txt", exit: 1, facts: result.Facts{NoBuildPlan: true}, class: ClassNoBuildPlan},
	"no-start":         {stage: result.StageBuild, output: "Error: No start command could be found\n", exit: 1, facts: result.Facts{NoStartCommand: true}, class: ClassNoStartCommand},
	"image":            {stage: result.StageBuild, output: "Step 1/4 : FROM python:3.9-slim\n", exit: 1, facts: result.Facts{ImageUnavailable: "python:3.9-slim"}, class: ClassImageUnavailable},
	"image-pull":       {stage: result.StageBuild, file: "image-pull-registry-unreachable.txt", exit: 1, class: ClassImageUnavailable},
	"pep668":           {stage: result.StageInstall, file: "seed-pep668.txt", exit: 1, class: ClassPEP668},
	"nix-attr":         {stage: result.StageBuild, file: "nix-attribute-unknown-nixenv.txt", exit: 1, class: ClassNixAttribute},
	"dlopen":           {stage: result.StageImport, file: "dlopen-cairocffi-import-py313.txt", exit: 1, class: ClassDlopenMissing},
	"mise-python":      {stage: result.StageBuild, file: "railpack-mise-python-unknown.txt", exit: 1, class: ClassPythonUnavailable},
	"missing-lib":      {stage: result.StageImport, file: "numpy-libstdcxx-import.txt", exit: 1, class: ClassMissingLib},
	"missing-lib-boot": {stage: result.StageBoot, file: "gunicorn23-worker-boot-missing-lib.txt", exit: 3, class: ClassMissingLib},
	"glibc":            {stage: result.StageImport, file: "glibc-version-dlopen.txt", exit: 1, class: ClassGlibcVersion},
	"numpy-abi":        {stage: result.StageImport, file: "numpy-abi-1x-on-2x.txt", exit: 1, class: ClassNumpyABI},
	"index":            {stage: result.StageInstall, file: "pip-network-unreachable-pip23.txt", exit: 1, class: ClassIndexUnreachable},
	"apt-offline":      {stage: result.StageBuild, file: "apt-offline-unable-to-locate.txt", exit: 100, class: ClassIndexUnreachable},
	"hash":             {stage: result.StageInstall, file: "pip-hash-mismatch-pip23.txt", exit: 1, class: ClassHashMismatch},
	"build":            {stage: result.StageInstall, file: "build-no-gcc-pip23.txt", exit: 1, class: ClassBuildFromSource},
	"no-dist":          {stage: result.StageInstall, file: "pip-no-matching-offline-py311.txt", exit: 1, class: ClassNoDistribution},
	"apt-unknown":      {stage: result.StageBuild, file: "apt-unknown-package.txt", exit: 100, class: ClassAptPackageUnknown},
	"pip-not-found":    {stage: result.StageInstall, file: "pip-not-found-nix-python.txt", exit: 1, class: ClassPipNotFound},
	"req-loop":         {stage: result.StageInstall, file: "pip-include-loop-pip23.txt", exit: 2, class: ClassRequirementsFile},
	"shell-syntax":     {stage: result.StageBoot, file: "shell-syntax-unterminated-dash.txt", exit: 2, facts: result.Facts{Exited: true, AfterSeconds: 0.1, Port: 8080, Listeners: []result.Listener{}, Health: refused}, class: ClassShellSyntax},
	"oom-exit":         {stage: result.StageImport, file: "oom-python.txt", exit: 137, class: ClassOOMKilled},
	"worker":           {stage: result.StageBoot, file: "gunicorn23-worker-boot-no-module.txt", exit: 3, class: ClassWorkerBoot},
	"module":           {stage: result.StageImport, output: "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\nModuleNotFoundError: No module named 'numpy'\n", exit: 1, class: ClassModuleNotFound},
	"command":          {stage: result.StageBoot, output: "sh: 1: gunicorn: not found\n", exit: 127, class: ClassCommandNotFound},
	"loopback": {stage: result.StageBoot, file: "gunicorn23-loopback.txt", exit: -1,
		facts: result.Facts{Port: 8080, Listeners: []result.Listener{{Addr: "127.0.0.1:8080", Port: 8080, Loopback: true}}, Health: refused}, class: ClassPortNotBound},
	"wrong-port": {stage: result.StageBoot, file: "gunicorn23-default-bind.txt", exit: -1,
		facts: result.Facts{Port: 8080, Listeners: []result.Listener{{Addr: "0.0.0.0:8000", Port: 8000}}, Health: refused}, class: ClassPortNotBound},
	"crashed": {stage: result.StageBoot, file: "crash-after-start.txt", exit: 1, facts: result.Facts{Exited: true, AfterSeconds: 1.2, Port: 8080}, class: ClassCrashedAfterStart},
	"crash-loop": {stage: result.StageBoot, file: "crash-loop-shell.txt", exit: -1,
		facts: result.Facts{Port: 8080, Listeners: []result.Listener{}, Health: refused,
			CrashLoop: &result.CrashLoop{Command: "python app.py worker-crash", PIDs: []int{54, 62, 79}, Seconds: 5.9}}, class: ClassCrashLoop},
	"no-listener": {stage: result.StageBoot, output: "[INFO] Booting worker with pid: 12\n", exit: -1, facts: result.Facts{Port: 8080, Listeners: []result.Listener{}, Health: refused}, class: ClassPortNotBound},
	"health": {stage: result.StageBoot, file: "gunicorn23-loopback.txt", exit: -1,
		facts: result.Facts{Port: 8080, Health: &result.HTTPAnswer{Method: "GET", Path: "/health", Status: 404, WantStatus: 200, Body: "Not Found"}}, class: ClassHealthUnexpected},
}

func (s sample) stageOf(tb testing.TB) result.Stage {
	tb.Helper()
	out := s.output
	if out == "" && s.file != "" {
		b, err := os.ReadFile(filepath.Join("testdata", s.file))
		if err != nil {
			tb.Fatalf("sample: %v", err)
		}
		out = string(b)
	}
	return result.Stage{Name: s.stage, Status: result.Fail, ExitCode: s.exit, Seconds: 30, Output: out, Facts: s.facts}
}

// both is what a stage shows when it has the signs of a and of b: both outputs, both
// sets of facts (b's health answer replaces a's, since a stage has one last answer).
func both(tb testing.TB, a, b sample, exit int) (result.Stage, []result.MissingLib) {
	tb.Helper()
	sa, sb := a.stageOf(tb), b.stageOf(tb)
	st := sa
	st.ExitCode = exit
	st.Output = sa.Output + "\n" + sb.Output
	fa, fb := sa.Facts, sb.Facts
	f := fa
	f.TimedOut = fa.TimedOut || fb.TimedOut
	f.TimeoutSeconds = max(fa.TimeoutSeconds, fb.TimeoutSeconds)
	f.Interrupted = fa.Interrupted || fb.Interrupted
	f.NoBuildPlan = fa.NoBuildPlan || fb.NoBuildPlan
	f.NoStartCommand = fa.NoStartCommand || fb.NoStartCommand
	f.OOMKilled = fa.OOMKilled || fb.OOMKilled
	f.MemoryLimit = max(fa.MemoryLimit, fb.MemoryLimit)
	f.ImageUnavailable = fa.ImageUnavailable + fb.ImageUnavailable
	f.Exited = fa.Exited || fb.Exited
	f.AfterSeconds = max(fa.AfterSeconds, fb.AfterSeconds)
	f.Port = max(fa.Port, fb.Port)
	if fa.Listeners != nil || fb.Listeners != nil { // nil: the probe did not run
		f.Listeners = append(append([]result.Listener{}, fa.Listeners...), fb.Listeners...)
	}
	if fb.Health != nil {
		f.Health = fb.Health
	}
	st.Facts = f
	return st, append(append([]result.MissingLib(nil), a.missing...), b.missing...)
}

// Each sample alone is its own class, and between them they reach every rule of the
// precedence table, so the pairs below compete rules that really fire.
func TestSamplesReachEveryRule(t *testing.T) {
	t.Parallel()
	reached := make([]bool, len(classRules))
	for name, s := range samples {
		c := newClassifier(s.stageOf(t), s.missing, Context{})
		f, i := c.classify()
		if f.Class != s.class {
			t.Errorf("sample %s: class %s, want %s (%s)", name, f.Class, s.class, f.Explanation)
		}
		if i >= 0 {
			reached[i] = true
		}
	}
	for i, ok := range reached {
		if !ok {
			t.Errorf("no sample reaches rule %d (%s: %s)", i+1, classRules[i].class, classRules[i].why)
		}
	}
}

// When one stage shows the signs of two classes, the more specific cause wins; a few
// pairs are decided by a finer point (the fix that comes first, or the explanation).
func TestPrecedencePairs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		// stage, when set, is where both happen instead of a's stage
		stage result.StageName
		exit  int // the combined stage's exit code; a's when zero
		want  string
		// firstFix and explains tell apart findings of the same class
		firstFix FixKind
		explains string
	}{
		{a: "oom-confirmed", b: "timeout-import", want: ClassOOMKilled},
		{a: "oom-confirmed", b: "crashed", stage: result.StageBoot, want: ClassOOMKilled},
		{a: "index", b: "timeout-install", exit: 137, want: ClassIndexUnreachable, explains: "ran out of time while retrying"},
		{a: "timeout-import", b: "oom-exit", exit: 137, want: ClassTimeout},
		{a: "timeout-import", b: "missing-lib", want: ClassTimeout},
		{a: "timeout-build", b: "image", want: ClassTimeout},
		{a: "image", b: "apt-offline", want: ClassImageUnavailable},
		{a: "image-pull", b: "index", stage: result.StageBuild, want: ClassImageUnavailable},
		{a: "pep668", b: "build", want: ClassPEP668},
		{a: "nix-attr", b: "apt-offline", want: ClassNixAttribute},
		// cffi's message quotes the loader's "cannot open shared object file": still a dlopen by name
		{a: "dlopen", b: "missing-lib", want: ClassDlopenMissing},
		{a: "dlopen", b: "module", want: ClassDlopenMissing},
		{a: "pep668", b: "dlopen", stage: result.StageInstall, want: ClassPEP668},
		{a: "mise-python", b: "apt-offline", want: ClassPythonUnavailable},
		{a: "nix-attr", b: "mise-python", want: ClassNixAttribute},
		{a: "missing-lib", b: "glibc", want: ClassMissingLib},
		{a: "missing-lib", b: "numpy-abi", want: ClassMissingLib},
		{a: "glibc", b: "numpy-abi", want: ClassGlibcVersion},
		{a: "missing-lib-boot", b: "worker", want: ClassMissingLib, explains: "gunicorn's worker failed to boot because"},
		{a: "index", b: "no-dist", want: ClassIndexUnreachable},
		{a: "index", b: "hash", want: ClassIndexUnreachable},
		{a: "apt-offline", b: "apt-unknown", want: ClassIndexUnreachable, explains: "apt could not reach"},
		{a: "hash", b: "build", want: ClassHashMismatch},
		// a failed build after pip found no version at all is the missing version's fault
		{a: "no-dist", b: "build", want: ClassNoDistribution},
		{a: "build", b: "apt-unknown", stage: result.StageInstall, want: ClassBuildFromSource},
		{a: "no-dist", b: "apt-unknown", stage: result.StageInstall, want: ClassNoDistribution},
		{a: "oom-exit", b: "module", want: ClassOOMKilled},
		{a: "worker", b: "module", stage: result.StageBoot, want: ClassWorkerBoot},
		{a: "worker", b: "command", exit: 3, want: ClassWorkerBoot},
		{a: "module", b: "command", stage: result.StageImport, exit: 127, want: ClassModuleNotFound},
		{a: "command", b: "crashed", exit: 127, want: ClassCommandNotFound},
		{a: "command", b: "no-listener", want: ClassCommandNotFound},
		{a: "loopback", b: "crashed", want: ClassPortNotBound, firstFix: FixBindAllInterfaces},
		{a: "wrong-port", b: "crashed", want: ClassPortNotBound, firstFix: FixUsePortEnv},
		{a: "crashed", b: "no-listener", want: ClassCrashedAfterStart},
		// a process that keeps dying is why nothing listens, or why a master's socket never answers
		{a: "crash-loop", b: "no-listener", want: ClassCrashLoop, explains: "kept ending and being started again"},
		{a: "crash-loop", b: "hang", want: ClassCrashLoop},
		{a: "crash-loop", b: "loopback", want: ClassCrashLoop},
		// the cause the dying process names beats the loop it dies in
		{a: "module", b: "crash-loop", stage: result.StageBoot, want: ClassModuleNotFound},
		{a: "worker", b: "crash-loop", want: ClassWorkerBoot},
		{a: "loopback", b: "no-listener", want: ClassPortNotBound, firstFix: FixBindAllInterfaces, explains: "127.0.0.1 only"},
		{a: "wrong-port", b: "no-listener", want: ClassPortNotBound, firstFix: FixUsePortEnv, explains: "not on $PORT"},
		{a: "no-listener", b: "loopback", want: ClassPortNotBound, firstFix: FixBindAllInterfaces},
		// something reachable on the port that never answers is a hang, not a bind problem
		{a: "hang", b: "loopback", want: ClassTimeout},
		{a: "hang", b: "no-listener", want: ClassTimeout},
		// an answer that is wrong is not a hang
		{a: "hang", b: "health", want: ClassHealthUnexpected},
		{a: "crashed", b: "health", want: ClassCrashedAfterStart},
		// the shell's own refusal is why the app exited at once and nothing listens
		{a: "shell-syntax", b: "crashed", want: ClassShellSyntax},
		{a: "shell-syntax", b: "no-listener", want: ClassShellSyntax},
		{a: "command", b: "shell-syntax", exit: 2, want: ClassShellSyntax},
		// pip 23 dies of its own recursion, which is not a lack of memory or of versions
		{a: "req-loop", b: "no-dist", want: ClassRequirementsFile},
		{a: "req-loop", b: "build", want: ClassRequirementsFile},
	}
	for _, tc := range tests {
		t.Run(tc.a+"+"+tc.b, func(t *testing.T) {
			t.Parallel()
			a, b := samples[tc.a], samples[tc.b]
			if a.class == "" || b.class == "" {
				t.Fatalf("unknown sample %q or %q", tc.a, tc.b)
			}
			if a.class == b.class && tc.firstFix == "" && tc.explains == "" {
				t.Fatalf("%s and %s are both %s: nothing competes", tc.a, tc.b, a.class)
			}
			if tc.stage != "" {
				a.stage, b.stage = tc.stage, tc.stage
			} else if a.stage != b.stage {
				t.Fatalf("%s is a %s stage, %s a %s stage: they cannot show in one output", tc.a, a.stage, tc.b, b.stage)
			}
			exit := tc.exit
			if exit == 0 {
				exit = a.exit
			}
			st, missing := both(t, a, b, exit)
			f := Classify(st, missing, Context{})
			if f.Class != tc.want {
				t.Fatalf("class %s, want %s\nexplanation: %s\nevidence:\n  %s", f.Class, tc.want, f.Explanation, strings.Join(f.Evidence, "\n  "))
			}
			checkFinding(t, f)
			if tc.firstFix != "" && (len(f.Fixes) == 0 || f.Fixes[0] != tc.firstFix) {
				t.Errorf("fixes %v, want %s first", f.Fixes, tc.firstFix)
			}
			if tc.explains != "" && !strings.Contains(f.Explanation, tc.explains) {
				t.Errorf("explanation lacks %q: %s", tc.explains, f.Explanation)
			}
		})
	}
}

// An interrupted stage says nothing about the variant, whatever else it shows.
func TestInterruptedWinsOverEverything(t *testing.T) {
	t.Parallel()
	for name, s := range samples {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := s.stageOf(t)
			st.Facts.Interrupted = true
			f := Classify(st, s.missing, Context{})
			if f.Class != ClassInterrupted {
				t.Fatalf("class %s, want %s", f.Class, ClassInterrupted)
			}
			if len(f.Fixes) != 1 || f.Fixes[0] != FixRunAgain {
				t.Errorf("fixes %v", f.Fixes)
			}
		})
	}
}
