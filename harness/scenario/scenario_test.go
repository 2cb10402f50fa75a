package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// want is one expected problem: its exact position, its field, and a piece of its message.
type want struct {
	line, col int
	field     string
	msg       string
}

func problems(t testing.TB, err error) []Problem {
	t.Helper()
	if err == nil {
		t.Fatal("no error, want validation problems")
	}
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error is %T (%v), want *ValidationError", err, err)
	}
	return ve.Problems
}

func checkProblems(t testing.TB, err error, wants []want) {
	t.Helper()
	got := problems(t, err)
	if len(got) != len(wants) {
		t.Fatalf("got %d problems, want %d:\n%v", len(got), len(wants), err)
	}
	for i, w := range wants {
		g := got[i]
		if g.Line != w.line || g.Column != w.col || g.Field != w.field || !strings.Contains(g.Msg+" — "+g.Hint, w.msg) {
			t.Errorf("problem %d = %d:%d %s: %s — %s\nwant %d:%d %s: …%s…", i, g.Line, g.Column, g.Field, g.Msg, g.Hint, w.line, w.col, w.field, w.msg)
		}
	}
}

func parseString(t testing.TB, src string, opts ...Option) (*Scenario, error) {
	t.Helper()
	opts = append([]Option{WithCheckFiles(false), testBuilders}, opts...)
	return Parse("inline.yaml", []byte(src), opts...)
}

func mustParse(t testing.TB, src string, opts ...Option) *Scenario {
	t.Helper()
	s, err := parseString(t, src, opts...)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return s
}

const head = "schemaVersion: 1\nname: t\nproject: {dir: .}\n" // three lines; cases start at line 4

func TestManyProblemsReportedAtOnce(t *testing.T) {
	t.Parallel()
	_, err := Load("testdata/many-problems.yaml", testBuilders)
	checkProblems(t, err, []want{
		{1, 1, "name", "missing"},
		{1, 16, "schemaVersion", "schema version 2 is not supported"},
		{2, 1, "nmae", `unknown field — did you mean "name"?`},
		{5, 3, "project.rot", `did you mean "root"?`},
		{6, 7, "port", "expected a whole number"},
		{7, 16, "health.path", "does not start with /"},
		{7, 32, "health.status", "999 is not an HTTP status"},
		{8, 18, "timeouts.boot", "90 has no unit — write 90s"},
		{8, 29, "timeouts.build", `"ten minutes" is not a duration`},
		{9, 18, "limits.memory", "not a memory size"},
		{9, 30, "limits.cpus", "out of range"},
		{11, 13, "matrix.builder[0]", `unknown builder "nixpack" — did you mean "nixpacks"?`},
		{12, 12, "matrix.python[0]", `3.10 is read as the number 3.1, not a string — quote it: "3.10"`},
		{13, 3, "matrix.shel", `unknown axis — did you mean "shell"?`},
		{14, 10, "matrix.pins[0]", "each pins value is a list of requirement lines — write [numpy==2.2.4]"},
		{17, 23, "matrix.include[0].expect.fails", `unknown stage "run"`},
		{17, 35, "matrix.include[0].expect.class", "not lower-case-with-dashes"},
		{18, 13, "matrix.include[1].name", `variant name "same" is given twice: lines 16 and 18`},
		{19, 18, "matrix.include[1].nixpacks.nixpkgs", `did you mean "nixPkgs"?`},
		{20, 15, "matrix.include[1].expect", `"crashes" is not an expectation`},
	})
}

func TestErrorFormat(t *testing.T) {
	t.Parallel()
	_, err := parseString(t, head+"matrix:\n  python: [3.10]\n")
	const line = `inline.yaml:5:12: matrix.python[0]: 3.10 is read as the number 3.1, not a string — quote it: "3.10"`
	if err == nil || err.Error() != line {
		t.Fatalf("Error() = %q, want %q", err, line)
	}
	_, err = parseString(t, head+"matrix: [\n")
	if err == nil || !strings.HasPrefix(err.Error(), "inline.yaml:4: yaml: malformed YAML: ") {
		t.Fatalf("Error() = %q, want the yaml error's own line and no column", err)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	inc := head + "matrix:\n  include:\n" // include entries start at line 6
	cases := []struct {
		name string
		src  string
		want []want
	}{
		{"empty file", "", []want{{1, 1, "", "the file is empty"}}},
		{"comment only", "# nothing\n", []want{{1, 1, "", "the file is empty"}}},
		{"not a mapping", "- a\n- b\n", []want{{1, 1, "", "expected a mapping, found a list"}}},
		{"malformed yaml", "schemaVersion: 1\nname: [unclosed\nproject: {}\n", []want{{2, 0, "yaml", "malformed YAML: did not find expected ',' or ']'"}}},
		{"tab indentation", "schemaVersion: 1\nmatrix:\n\tpython: []\n", []want{{3, 0, "yaml", "cannot start any token — indent with spaces"}}},
		{"unknown anchor", head + "matrix: {include: [*nope]}\n", []want{{4, 20, "yaml", "unknown anchor 'nope' referenced — define the anchor (&nope)"}}},
		{"unclosed at end of file", "[[[", []want{{1, 0, "yaml", "did not find expected node content"}}},
		{"second document", head + "matrix: {include: [{name: a}]}\n---\nname: b\n", []want{{5, 1, "", "a second YAML document"}}},
		{"schemaVersion missing", "name: t\nproject: {dir: .}\nmatrix: {include: [{name: a}]}\n", []want{{1, 1, "schemaVersion", "missing — add schemaVersion: 1"}}},
		{"schemaVersion 2", "schemaVersion: 2\nname: t\nproject: {dir: .}\nmatrix: {include: [{name: a}]}\n", []want{{1, 16, "schemaVersion", "not supported"}}},
		{"schemaVersion string", "schemaVersion: \"1\"\nname: t\nproject: {dir: .}\nmatrix: {include: [{name: a}]}\n", []want{{1, 16, "schemaVersion", `expected a whole number, found "1"`}}},
		{"unknown top-level field", head + "matrx: {}\nmatrix: {include: [{name: a}]}\n", []want{{4, 1, "matrx", `unknown field — did you mean "matrix"?`}}},
		{"unknown field far from any", head + "zzzzzzzz: 1\nmatrix: {include: [{name: a}]}\n", []want{{4, 1, "zzzzzzzz", "known fields: schemaVersion, name"}}},
		{"unknown nested field", head + "health: {path: /h, stauts: 200}\nmatrix: {include: [{name: a}]}\n", []want{{4, 20, "health.stauts", `did you mean "status"?`}}},
		{"unknown include field", inc + "    - name: a\n      expected: boots\n", []want{{7, 7, "matrix.include[0].expected", `did you mean "expect"?`}}},
		{"unknown nixpacks field", inc + "    - nixpacks: {nixLib: [x]}\n", []want{{6, 18, "matrix.include[0].nixpacks.nixLib", `did you mean "nixLibs"?`}}},
		{"unknown expect field", inc + "    - expect: {fails: boot, outptu: x}\n", []want{{6, 29, "matrix.include[0].expect.outptu", `did you mean "output"?`}}},
		{"duplicate key", head + "port: 1\nport: 2\nmatrix: {include: [{name: a}]}\n", []want{{5, 1, "port", "given twice (first at line 4)"}}},
		{"unknown axis", head + "matrix:\n  pyton: [\"3.11\"]\n", []want{{5, 3, "matrix.pyton", `unknown axis — did you mean "python"?`}}},
		{"python float", head + "matrix:\n  python: [\"3.11\", 3.10]\n", []want{{5, 20, "matrix.python[1]", `quote it: "3.10"`}}},
		{"python int", head + "matrix:\n  python: [3]\n", []want{{5, 12, "matrix.python[0]", "3 is read as the number 3"}}},
		{"python not a version", head + "matrix:\n  python: [\"three\"]\n", []want{{5, 12, "matrix.python[0]", "not a Python version"}}},
		{"unknown builder", head + "matrix:\n  builder: [nixpacks, docker]\n", []want{{5, 23, "matrix.builder[1]", `unknown builder "docker"`}}},
		{"unknown shell", head + "matrix:\n  shell: [bash]\n", []want{{5, 11, "matrix.shell[0]", `unknown shell "bash" — use one of login, plain`}}},
		{"unknown shell in include", inc + "    - shell: logn\n", []want{{6, 14, "matrix.include[0].shell", `did you mean "login"?`}}},
		{"axis not a list", head + "matrix:\n  python: \"3.11\"\n", []want{{5, 11, "matrix.python", "an axis is a list of values"}}},
		{"empty axis", head + "matrix:\n  python: []\n  builder: [nixpacks]\n", []want{{5, 11, "matrix.python", "axis has no values"}}},
		{"repeated axis value", head + "matrix:\n  python: [\"3.11\", \"3.11\"]\n", []want{{5, 20, "matrix.python[1]", "same value as matrix.python[0]"}}},
		{"pins value not a list", head + "matrix:\n  pins: [\"numpy==1\"]\n", []want{{5, 10, "matrix.pins[0]", "write [numpy==1]"}}},
		{"bad requirement", inc + "    - pins: [\"-e .\"]\n", []want{{6, 14, "matrix.include[0].pins[0]", "not a requirement line"}}},
		{"bad duration", head + "timeouts: {boot: 90, build: 1x}\nmatrix: {include: [{name: a}]}\n", []want{{4, 18, "timeouts.boot", "90 has no unit"}, {4, 29, "timeouts.build", `"1x" is not a duration`}}},
		{"negative duration", inc + "    - timeouts: {boot: -5s}\n", []want{{6, 24, "matrix.include[0].timeouts.boot", "-5s is not a positive duration — write 5s"}}},
		// it has a unit: the hint must not ask for one
		{"negative settle", head + "settle: -1s\nmatrix: {include: [{name: a}]}\n", []want{{4, 9, "settle", "-1s is not a positive duration — write 1s, or leave settle out for its default"}}},
		{"zero settle", head + "settle: 0s\nmatrix: {include: [{name: a}]}\n", []want{{4, 9, "settle", "0s is not a positive duration — write a positive duration such as 2s, or leave settle out for its default"}}},
		{"unknown stage", inc + "    - expect: {fails: deploy}\n", []want{{6, 23, "matrix.include[0].expect.fails", `unknown stage "deploy"`}}},
		{"bad class", inc + "    - expect: {fails: boot, class: Missing_Lib}\n", []want{{6, 36, "matrix.include[0].expect.class", "not lower-case-with-dashes"}}},
		{"expect without fails", inc + "    - expect: {class: x}\n", []want{{6, 15, "matrix.include[0].expect.fails", "missing"}}},
		{"expect word", inc + "    - expect: fails\n", []want{{6, 15, "matrix.include[0].expect", `"fails" is not an expectation`}}},
		{"duplicate names", inc + "    - name: a\n      python: \"3.11\"\n    - name: a\n      python: \"3.13\"\n", []want{{8, 13, "matrix.include[1].name", `variant name "a" is given twice: lines 6 and 8`}}},
		{"bad variant name", inc + "    - name: \"my variant\"\n", []want{{6, 13, "matrix.include[0].name", "not a usable variant name"}}},
		{"named include extends two", head + "matrix:\n  python: [\"3.11\", \"3.13\"]\n  include:\n    - name: both\n      shell: login\n", []want{{7, 13, "matrix.include[0].name", "extends 2 combinations"}}},
		{"expands to nothing", head + "matrix:\n  python: [\"3.11\"]\n  exclude:\n    - python: \"3.11\"\n", []want{{4, 1, "matrix", "expands to no variants"}}},
		{"matrix missing", head, []want{{1, 1, "matrix", "missing"}}},
		{"matrix empty", head + "matrix:\n", []want{{4, 1, "matrix", "empty"}}},
		{"exclude non-axis", head + "matrix:\n  python: [\"3.11\"]\n  exclude:\n    - {shell: login}\n", []want{{7, 15, "matrix.exclude[0].shell", "shell is not an axis of this matrix"}}},
		{"exclude non-axis field", head + "matrix:\n  python: [\"3.11\"]\n  exclude:\n    - {expect: boots}\n", []want{{7, 8, "matrix.exclude[0].expect", "unknown field"}}},
		{"nixpacks on python-slim", head + "matrix:\n  builder: [python-slim]\n  nixpacks: [{nixLibs: [x]}]\n", []want{{6, 14, "matrix.nixpacks", "nixpacks overrides apply to the nixpacks builder, not python-slim"}}},
		{"dockerfile on nixpacks", inc + "    - dockerfile: Dockerfile\n", []want{{6, 19, "matrix.include[0].dockerfile", "applies to the dockerfile builder, not nixpacks"}}},
		{"base on dockerfile", inc + "    - {builder: dockerfile, base: \"python:3.11-slim\"}\n", []want{{6, 35, "matrix.include[0].base", "base does not apply to the dockerfile builder"}}},
		{"root outside project", inc + "    - root: ../other\n", []want{{6, 13, "matrix.include[0].root", "not a path inside the project"}}},
		{"port out of range", head + "port: 70000\nmatrix: {include: [{name: a}]}\n", []want{{4, 7, "port", "out of range"}}},
		{"env name", head + "env: {1BAD: x}\nmatrix: {include: [{name: a}]}\n", []want{{4, 7, "env.1BAD", "not a valid environment variable name"}}},
		// at the secret's entry, naming the env line, not at the top of the file
		{"secret in env", head + "env: {TOKEN: x}\nsecrets: [TOKEN]\nmatrix: {include: [{name: a}]}\n", []want{{5, 11, "secrets[0]", "TOKEN is both a secret and set in env (line 4) — "}}},
		{"project dir missing", "schemaVersion: 1\nname: t\nproject: {root: .}\nmatrix: {include: [{name: a}]}\n", []want{{3, 10, "project.dir", "missing"}}},
		{"project missing", "schemaVersion: 1\nname: t\nmatrix: {include: [{name: a}]}\n", []want{{1, 1, "project", "missing"}}},
		{"imports not modules", head + "imports: [numpy, \"not-a-module\"]\nmatrix: {include: [{name: a}]}\n", []want{{4, 18, "imports[1]", "not a module name"}}},
		{"too many variants", head + "matrix:\n  python: [\"3.1\", \"3.2\", \"3.3\"]\n  pins: [[a], [b], [c]]\n", []want{{4, 1, "matrix", "more than 8 combinations"}}},
		{"alias bomb", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n" +
			"schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix: {include: [{name: a}]}\n", []want{
			{1, 1, "a", "unknown field"}, {2, 1, "b", "unknown field"}, {3, 1, "c", "unknown field"}, {4, 1, "d", "unknown field"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseString(t, tc.src, WithMaxVariants(8))
			checkProblems(t, err, tc.want)
		})
	}
}

func TestFileChecks(t *testing.T) {
	t.Parallel()
	// What each builder needs of the project is checked by the builders
	// themselves (harness/builder/builtin tests this file with them).
	_, err := Load("testdata/files-bad.yaml", testBuilders)
	checkProblems(t, err, []want{
		{5, 9, "project.root", `app root "missing-root" is not a directory in the project`},
		{24, 13, "matrix.include[5].root", `app root "notadir.txt" is not a directory`},
	})

	cases := []struct {
		name, project string
		want          []want
	}{
		{"missing dir", "./nowhere", []want{{3, 16, "project.dir", "does not exist"}}},
		{"dir is a file", "./project/notadir.txt", []want{{3, 16, "project.dir", "is not a directory"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := "schemaVersion: 1\nname: t\nproject: {dir: " + tc.project + "}\nmatrix: {include: [{name: a}]}\n"
			_, err := Parse("testdata/inline.yaml", []byte(src), testBuilders)
			checkProblems(t, err, tc.want)
		})
	}

	// The same files pass when file checks are off: nothing on disk is read.
	if _, err := Load("testdata/files-bad.yaml", WithCheckFiles(false)); err != nil {
		t.Errorf("WithCheckFiles(false): %v", err)
	}
}

func TestFullScenario(t *testing.T) {
	t.Parallel()
	s, err := Load("testdata/full.yaml", testBuilders)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs("testdata")
	if s.Dir != abs || s.Project.Dir != filepath.Join(abs, "project") || s.Project.Root != "." {
		t.Errorf("paths: Dir %q Project %+v", s.Dir, s.Project)
	}
	if s.Port != 9000 || s.Start != "gunicorn --bind 0.0.0.0:$PORT app:app" {
		t.Errorf("port %d start %q", s.Port, s.Start)
	}
	if s.Health != (HTTPCheck{Path: "/healthz", ExpectStatus: 204}) {
		t.Errorf("health %+v", s.Health)
	}
	if s.Config == nil || *s.Config != (HTTPCheck{Path: "/config", ExpectStatus: 200, ExpectBody: `{"apiBase":"/api"}`}) {
		t.Errorf("config %+v", s.Config)
	}
	if !reflect.DeepEqual(s.Env, map[string]string{"APP_ENV": "test", "WORKERS": "2"}) || !reflect.DeepEqual(s.Secrets, []string{"OPENAI_API_KEY"}) {
		t.Errorf("env %v secrets %v", s.Env, s.Secrets)
	}
	if s.Limits.MemoryBytes != 512<<20 || s.Limits.NanoCPUs != 5e8 {
		t.Errorf("limits %+v", s.Limits)
	}
	if s.Settle != 3*time.Second {
		t.Errorf("settle %s, want 3s", s.Settle)
	}
	wantT := DefaultTimeouts()
	wantT[result.StageBuild], wantT[result.StageBoot] = 5*time.Minute, 30*time.Second
	if !reflect.DeepEqual(s.Timeouts, wantT) {
		t.Errorf("timeouts %+v, want %+v", s.Timeouts, wantT)
	}
	// Imports come from the requirements files of the roots in use, native packages only.
	if want := []string{"numpy", "PIL", "psycopg2", "pandas"}; !reflect.DeepEqual(s.Imports, want) {
		t.Errorf("imports %v, want %v", s.Imports, want)
	}

	names := variantNames(s)
	wantNames := []string{
		"nixpacks-py3.11-numpy1.24.2-login-backend-libs",
		"nixpacks-py3.11-numpy1.24.2-plain-backend-libs",
		"nixpacks-py3.13-numpy1.24.2-login-backend-libs",
		"nixpacks-py3.13-numpy1.24.2-plain-backend-libs",
		"nixpacks-py3.13-login-backend-libs",
		"nixpacks-py3.13-plain-backend-libs",
		"python-slim-py3.11-numpy1.24.2-plain",
		"python-slim-py3.13-numpy1.24.2-plain",
		"python-slim-py3.13-plain",
		"docker",
	}
	if !reflect.DeepEqual(names, wantNames) {
		t.Fatalf("names\n got %q\nwant %q", names, wantNames)
	}
	byName := map[string]Variant{}
	for _, v := range s.Variants {
		byName[v.Name] = v
	}
	// The nixpacks include entry extended every nixpacks combination.
	nix := byName["nixpacks-py3.13-login-backend-libs"]
	if nix.Root != "backend" || nix.Base != "nixpacks" || nix.Start != "cd backend && gunicorn app:app" || nix.Line != 16 ||
		!reflect.DeepEqual(nix.Nixpacks, NixpacksOverrides{NixLibs: []string{"...", "stdenv.cc.cc.lib"}, StartCmd: "gunicorn app:app"}) ||
		nix.Expect == nil || !nix.Expect.Boots || !reflect.DeepEqual(nix.Timeouts, Timeouts{result.StageInstall: 2 * time.Minute}) ||
		s.TimeoutsFor(nix).For(result.StageBoot) != 30*time.Second {
		t.Errorf("extended variant %+v", nix)
	}
	if nix.Pins == nil || len(nix.Pins) != 0 || nix.Axes["pins"] != "none" {
		t.Errorf("empty pins axis value: %#v, axes %v", nix.Pins, nix.Axes)
	}
	slim := byName["python-slim-py3.11-numpy1.24.2-plain"]
	if slim.Root != "." || slim.Expect != nil || slim.Timeouts != nil || s.TimeoutsFor(slim).For(result.StageInstall) != DefaultTimeouts()[result.StageInstall] ||
		slim.Limits != (Limits{}) || slim.Settle != 0 {
		t.Errorf("untouched variant %+v", slim)
	}
	// A variant keeps only what it sets; the runner fills the rest from the scenario.
	if d := byName["docker"]; d.Limits != (Limits{MemoryBytes: 1 << 30}) || d.Settle != 5*time.Second {
		t.Errorf("docker: limits %+v settle %s, want 1GiB and 5s", d.Limits, d.Settle)
	}
	d := byName["docker"]
	if d.Builder != "dockerfile" || d.Dockerfile != "Dockerfile" || d.Base != "" || d.Line != 29 ||
		!reflect.DeepEqual(d.BuildArgs, map[string]string{"PYTHON": "3.13"}) ||
		*d.Expect != (Expectation{Stage: "boot", Class: "worker-boot-failed", OutputContains: "exited with code 3"}) ||
		!reflect.DeepEqual(d.Axes, map[string]string{"builder": "dockerfile"}) {
		t.Errorf("new variant %+v", d)
	}
}

func variantNames(s *Scenario) []string {
	var out []string
	for _, v := range s.Variants {
		out = append(out, v.Name)
	}
	return out
}

func TestExpansion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		matrix string
		want   []string // name followed by its axes as k=v, space separated
	}{
		{"product in axis order", `
  python: ["3.11", "3.13"]
  builder: [nixpacks, python-slim]`, []string{
			"nixpacks-py3.11 builder=nixpacks python=3.11",
			"python-slim-py3.11 builder=python-slim python=3.11",
			"nixpacks-py3.13 builder=nixpacks python=3.13",
			"python-slim-py3.13 builder=python-slim python=3.13",
		}},
		{"include extends matching combinations", `
  python: ["3.11", "3.13"]
  shell: [login, plain]
  include:
    - {python: "3.13", pins: [numpy==2.2.4]}`, []string{
			"py3.11-login python=3.11 shell=login",
			"py3.11-plain python=3.11 shell=plain",
			"py3.13-numpy2.2.4-login python=3.13 pins=numpy==2.2.4 shell=login",
			"py3.13-numpy2.2.4-plain python=3.13 pins=numpy==2.2.4 shell=plain",
		}},
		{"include may not overwrite an axis value: it becomes a new variant", `
  python: ["3.11"]
  include:
    - {python: "3.13", shell: login}`, []string{
			"py3.11 python=3.11",
			"py3.13-login python=3.13 shell=login",
		}},
		{"include without axis keys extends all", `
  python: ["3.11", "3.13"]
  include:
    - {shell: plain}`, []string{
			"py3.11-plain python=3.11 shell=plain",
			"py3.13-plain python=3.13 shell=plain",
		}},
		{"later include overwrites added values, not original ones", `
  python: ["3.11", "3.13"]
  include:
    - {shell: plain}
    - {python: "3.13", shell: login}`, []string{
			"py3.11-plain python=3.11 shell=plain",
			"py3.13-login python=3.13 shell=login",
		}},
		{"exclude removes combinations matching all its keys", `
  builder: [nixpacks, python-slim]
  shell: [login, plain]
  exclude:
    - {builder: python-slim, shell: login}`, []string{
			"nixpacks-login builder=nixpacks shell=login",
			"nixpacks-plain builder=nixpacks shell=plain",
			"python-slim-plain builder=python-slim shell=plain",
		}},
		{"exclude applies before include, which can add a combination back", `
  builder: [nixpacks, python-slim]
  shell: [login, plain]
  exclude:
    - {builder: python-slim, shell: login}
  include:
    - {builder: python-slim, shell: login, python: "3.13"}`, []string{
			"nixpacks-login builder=nixpacks shell=login",
			"nixpacks-plain builder=nixpacks shell=plain",
			"python-slim-plain builder=python-slim shell=plain",
			"python-slim-py3.13-login builder=python-slim python=3.13 shell=login",
		}},
		{"includes only", `
  include:
    - {name: first}
    - {python: "3.11"}
    - {}`, []string{
			"first",
			"py3.11 python=3.11",
			"variant",
		}},
		{"pins and nixpacks axes", `
  pins: [["numpy==1.24.2", "gunicorn==21.2.0"], []]
  nixpacks:
    - {nixPkgs: ["...", gcc]}
    - {label: libs, nixLibs: [stdenv.cc.cc.lib]}`, []string{
			"numpy1.24.2-gunicorn21.2.0-nixpkgs-gcc pins=numpy==1.24.2 gunicorn==21.2.0 nixpacks=nixpkgs-gcc",
			"numpy1.24.2-gunicorn21.2.0-libs pins=numpy==1.24.2 gunicorn==21.2.0 nixpacks=libs",
			"nixpkgs-gcc pins=none nixpacks=nixpkgs-gcc",
			"libs pins=none nixpacks=libs",
		}},
		{"generated names never collide with given ones", `
  include:
    - {python: "3.11", start: a}
    - {python: "3.11", start: b}
    - {name: py3.11-3}`, []string{
			"py3.11 python=3.11",
			"py3.11-2 python=3.11",
			"py3.11-3",
		}},
		{"repeated parts appear once", `
  builder: [nixpacks]
  root: [nixpacks]`, []string{
			"nixpacks builder=nixpacks root=nixpacks",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := mustParse(t, head+"matrix:"+tc.matrix+"\n")
			var got []string
			for _, v := range s.Variants {
				got = append(got, describe(v))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("variants\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func describe(v Variant) string {
	parts := []string{v.Name}
	for _, k := range axisNames {
		if x, ok := v.Axes[k]; ok {
			parts = append(parts, k+"="+x)
		}
	}
	return strings.Join(parts, " ")
}

func TestExampleName(t *testing.T) {
	t.Parallel()
	s := mustParse(t, head+`matrix:
  builder: [nixpacks]
  python: ["3.13"]
  pins: [["numpy==2.2.4"]]
  shell: [login]
  root: ["."]
`)
	if got := s.Variants[0].Name; got != "nixpacks-py3.13-numpy2.2.4-login" {
		t.Errorf("name %q", got)
	}
	// The same file gives the same names every time.
	for i := 0; i < 5; i++ {
		if again := mustParse(t, head+"matrix:\n  python: [\"3.11\", \"3.13\"]\n  shell: [login, plain]\n"); !reflect.DeepEqual(variantNames(again), []string{"py3.11-login", "py3.11-plain", "py3.13-login", "py3.13-plain"}) {
			t.Fatalf("names %v", variantNames(again))
		}
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	s := mustParse(t, head+"matrix:\n  include:\n    - {name: a}\n    - {name: d, builder: dockerfile, root: app}\n")
	if s.Port != 8080 || s.Health != (HTTPCheck{Path: "/health", ExpectStatus: 200}) || s.Config != nil ||
		s.Project.Root != "." || !reflect.DeepEqual(s.Timeouts, DefaultTimeouts()) || s.Imports != nil || s.Limits != (Limits{}) {
		t.Errorf("scenario defaults %+v", s)
	}
	a := s.Variants[0]
	if a.Builder != "nixpacks" || a.Shell != "" || a.Root != "." || a.Python != "" || a.Pins != nil ||
		a.Expect != nil || a.Timeouts != nil || a.Line != 6 || len(a.Axes) != 0 {
		t.Errorf("variant defaults %+v", a)
	}
	if d := s.Variants[1]; d.Dockerfile != "app/Dockerfile" || d.Line != 7 {
		t.Errorf("dockerfile default %+v", d)
	}
	// An empty value means "not given".
	s = mustParse(t, head+"port:\nhealth:\nmatrix: {include: [{name: a, expect: }]}\n")
	if s.Port != 8080 || s.Variants[0].Expect != nil {
		t.Errorf("null values %+v", s)
	}
	// Explicit imports replace detection, even when empty.
	s = mustParse(t, head+"imports: []\nmatrix: {include: [{name: a}]}\n")
	if s.Imports == nil || len(s.Imports) != 0 {
		t.Errorf("imports %#v", s.Imports)
	}
}

func TestYAMLFeatures(t *testing.T) {
	t.Parallel()
	s := mustParse(t, head+`matrix:
  include:
    - &nix
      builder: nixpacks
      nixpacks: {installCmds: [pip install --break-system-packages -r requirements.txt]}
      expect: {fails: import, class: missing-shared-library}
    - <<: *nix
      name: login
      shell: login
      expect: boots
`)
	if len(s.Variants) != 2 {
		t.Fatalf("variants %v", variantNames(s))
	}
	v := s.Variants[1]
	if v.Name != "login" || v.Shell != ShellLogin || !v.Expect.Boots || len(v.Nixpacks.InstallCmds) != 1 {
		t.Errorf("merged entry %+v", v)
	}
}

func TestNativeImports(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, req string
		want      []string
	}{
		{"pinned and plain", "numpy==2.4.0\ngunicorn\n", []string{"numpy"}},
		{"names normalised", "Pillow>=10\npsycopg2_binary\nPyYAML\nscikit.learn\n", []string{"PIL", "psycopg2", "yaml", "sklearn"}},
		{"comments options and markers", "# numpy\n-r base.txt\n--index-url x\npandas ; python_version>'3.8'  # data\n  orjson[extra]\n", []string{"pandas", "orjson"}},
		{"deduplicated", "psycopg2\npsycopg2-binary\nnumpy\nnumpy\n", []string{"psycopg2", "numpy"}},
		{"url form", "pydantic-core @ https://example.invalid/x.whl\n", []string{"pydantic_core"}},
		{"none native", "flask\nrequests\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := NativeImports([]byte(tc.req)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("NativeImports = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestImportsDetectedFromAppRoot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "project", "backend"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "project", "backend", "requirements.txt"), []byte("fastapi\nnumpy==2.4.0\nlxml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "schemaVersion: 1\nname: t\nproject: {dir: project, root: backend}\nmatrix: {include: [{name: a}]}\n"
	s, err := Parse(filepath.Join(dir, "scenario.yaml"), []byte(src), testBuilders)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"numpy", "lxml"}; !reflect.DeepEqual(s.Imports, want) {
		t.Errorf("imports %v, want %v", s.Imports, want)
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	s := mustParse(t, head+"matrix:\n  builder: [nixpacks, python-slim]\n  python: [\"3.11\", \"3.13\"]\n")
	cases := []struct {
		name             string
		include, exclude []string
		want             []string
		err              string
	}{
		{"all", nil, nil, []string{"nixpacks-py3.11", "nixpacks-py3.13", "python-slim-py3.11", "python-slim-py3.13"}, ""},
		{"by name", []string{"nixpacks-py3.13"}, nil, []string{"nixpacks-py3.13"}, ""},
		{"by glob", []string{"*-py3.11"}, nil, []string{"nixpacks-py3.11", "python-slim-py3.11"}, ""},
		{"by axis", []string{"python=3.13"}, []string{"builder=python-*"}, []string{"nixpacks-py3.13"}, ""},
		{"exclude only", nil, []string{"nixpacks-*"}, []string{"python-slim-py3.11", "python-slim-py3.13"}, ""},
		{"typo", []string{"nixpack-py3.13"}, nil, nil, `pattern "nixpack-py3.13" matches no variant`},
		{"bad glob", []string{"[x"}, nil, nil, "bad variant pattern"},
		{"nothing left", []string{"nixpacks-*"}, []string{"*"}, nil, "no variant selected"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vs, err := s.Select(tc.include, tc.exclude)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range vs {
				got = append(got, v.Name)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("selected %v, want %v", got, tc.want)
			}
		})
	}
}

// The seed scenarios are the product's demo: they must load with every file
// check against the fixture project, one variant per attempt in the incident.
func TestSeedScenarios(t *testing.T) {
	t.Parallel()
	type exp struct{ name, stage, class, python, pin string }
	cases := []struct {
		file string
		want []exp
	}{
		{"../../scenarios/seed/scenario.yaml", []exp{
			{"pip-install-pep668", "install", "pep668-externally-managed", "3.11", "numpy==1.24.2"},
			{"nix-python-without-pip", "install", "pip-not-found", "3.11", "numpy==1.24.2"},
			{"break-system-packages", "import", "missing-shared-library", "3.11", "numpy==1.24.2"},
			{"nixpkgs-gcc-stdenv", "import", "missing-shared-library", "3.11", "numpy==1.24.2"},
			{"nixpkgs-glibc-zlib-numpy1", "import", "missing-shared-library", "3.11", "numpy==1.24.2"},
			{"nixlibs-login-shell", "", "", "3.11", "numpy==1.24.2"},
			{"nixlibs-plain-shell", "import", "command-not-found", "3.11", "numpy==1.24.2"},
			{"nixpacks-defaults-backend-root", "", "", "3.13", "numpy==2.2.4"},
			{"dockerfile-python-slim", "", "", "3.13", "numpy==2.2.4"},
			{"nix-python-packages", "import", "module-not-found", "3.11", ""},
			{"nix-python-withpackages", "", "", "3.11", ""},
			{"railpack-defaults-backend-root", "", "", "3.13", "numpy==2.2.4"},
		}},
		{"../../scenarios/seed-online/scenario.yaml", []exp{
			{"pip-install-pep668", "install", "pep668-externally-managed", "3.11", "numpy==2.4.0"},
			{"nix-python-without-pip", "install", "pip-not-found", "3.11", "numpy==2.4.0"},
			{"break-system-packages", "import", "missing-shared-library", "3.11", "numpy==2.4.0"},
			{"nixpkgs-gcc-stdenv", "import", "missing-shared-library", "3.11", "numpy==2.4.0"},
			{"nixpkgs-glibc-zlib-numpy1", "import", "missing-shared-library", "3.11", "numpy==1.26.4"},
			{"nixlibs-login-shell", "", "", "3.11", "numpy==2.4.0"},
			{"nixlibs-plain-shell", "import", "command-not-found", "3.11", "numpy==2.4.0"},
			{"nixpacks-defaults-backend-root", "", "", "3.11", "numpy==2.4.0"},
			{"dockerfile-python-slim", "", "", "3.13", "numpy==2.4.0"},
			{"nix-python-packages", "import", "module-not-found", "3.11", ""},
			{"nix-python-withpackages", "", "", "3.11", ""},
		}},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(filepath.Dir(tc.file)), func(t *testing.T) {
			t.Parallel()
			s, err := Load(tc.file, WithBuilders(ownerBuilders{})) // the seed has a railpack row
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Imports, []string{"numpy", "psycopg2"}) || s.Health.ExpectBody != `{"ok":true}` || s.Config == nil {
				t.Errorf("scenario %+v", s)
			}
			if len(s.Variants) != len(tc.want) {
				t.Fatalf("variants %v", variantNames(s))
			}
			for i, w := range tc.want {
				v := s.Variants[i]
				if v.Name != w.name || v.Python != w.python || v.Expect == nil {
					t.Errorf("variant %d: %+v, want %+v", i, v, w)
					continue
				}
				if (w.stage == "") != v.Expect.Boots || string(v.Expect.Stage) != w.stage || v.Expect.Class != w.class {
					t.Errorf("%s: expect %+v, want %+v", v.Name, *v.Expect, w)
				}
				if pin := strings.Join(v.Pins, ","); pin != w.pin {
					t.Errorf("%s: pins %q, want %q", v.Name, pin, w.pin)
				}
			}
			if v := s.Variants[8]; v.Builder != "dockerfile" || v.Dockerfile != "backend/Dockerfile" || v.Root != "backend" {
				t.Errorf("dockerfile variant %+v", v)
			}
			if v := s.Variants[6]; v.Shell != ShellPlain || !reflect.DeepEqual(v.Nixpacks.NixLibs, []string{"...", "stdenv.cc.cc.lib"}) {
				t.Errorf("plain-shell variant %+v", v)
			}
		})
	}
}

func TestKnownClasses(t *testing.T) {
	t.Parallel()
	known := []string{"missing-shared-library", "pep668-externally-managed"}
	src := head + "matrix:\n  include:\n    - {name: a, expect: {fails: import, class: missing-shared-lib}}\n    - {name: b, expect: {fails: import, class: missing-shared-library}}\n"
	_, err := Parse("testdata/inline.yaml", []byte(src), testBuilders, WithCheckFiles(false), WithClasses(known))
	checkProblems(t, err, []want{
		{6, 48, "matrix.include[0].expect.class", `unknown class "missing-shared-lib" — did you mean "missing-shared-library"?`},
	})
	// Without the catalogue any well-formed name passes: the loader does not know the classifier.
	if _, err := Parse("testdata/inline.yaml", []byte(src), testBuilders, WithCheckFiles(false)); err != nil {
		t.Errorf("without WithClasses: %v", err)
	}
}

func TestSettleAndVariantLimitsBadValues(t *testing.T) {
	t.Parallel()
	src := head + "settle: 2\nmatrix:\n  include:\n    - {name: a, settle: soon, limits: {memory: lots, cpu: 1}}\n"
	_, err := Parse("testdata/inline.yaml", []byte(src), testBuilders, WithCheckFiles(false))
	checkProblems(t, err, []want{
		{4, 9, "settle", "2 has no unit — write 2s"},
		{7, 25, "matrix.include[0].settle", `"soon" is not a duration`},
		{7, 48, "matrix.include[0].limits.memory", `"lots" is not a memory size`},
		{7, 54, "matrix.include[0].limits.cpu", `unknown field — did you mean "cpus"?`},
	})
}
