package builtin

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// problemsOf loads a scenario with the shipped builders and returns its problems.
func problemsOf(t testing.TB, file string, src []byte) []scenario.Problem {
	t.Helper()
	var err error
	if src == nil {
		_, err = scenario.Load(file, scenario.WithBuilders(Registry()))
	} else {
		_, err = scenario.Parse(file, src, scenario.WithBuilders(Registry()), scenario.WithCheckFiles(false))
	}
	if err == nil {
		return nil
	}
	var ve *scenario.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v is not a *scenario.ValidationError", err)
	}
	return ve.Problems
}

type wantProblem struct {
	line, col int
	field     string
	msg       string
}

func checkProblems(t testing.TB, got []scenario.Problem, want []wantProblem) {
	t.Helper()
	if len(got) != len(want) {
		var b strings.Builder
		for _, g := range got {
			fmt.Fprintf(&b, "\n  %d:%d %s: %s — %s", g.Line, g.Column, g.Field, g.Msg, g.Hint)
		}
		t.Fatalf("got %d problems, want %d:%s", len(got), len(want), b.String())
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Column != w.col || g.Field != w.field || !strings.Contains(g.Msg+" — "+g.Hint, w.msg) {
			t.Errorf("problem %d = %d:%d %s: %s — %s\nwant %d:%d %s: …%s…", i, g.Line, g.Column, g.Field, g.Msg, g.Hint, w.line, w.col, w.field, w.msg)
		}
	}
}

// TestBuildersCheckTheProject: each builder says what it needs of the project
// on disk, and the loader points at the setting at fault. Nixpacks on an app
// root with nothing to plan (matrix.include[2]) is no input error: a deploy's
// build fails there, and so does the variant's build stage (no-build-plan).
func TestBuildersCheckTheProject(t *testing.T) {
	t.Parallel()
	checkProblems(t, problemsOf(t, "../../scenario/testdata/files-bad.yaml", nil), []wantProblem{
		{5, 9, "project.root", `app root "missing-root" is not a directory in the project`},
		{10, 13, "matrix.include[0].root", `no requirements.txt in app root "empty" (builder python-slim`},
		{17, 7, "matrix.include[3]", "Dockerfile backend/Dockerfile does not exist"},
		{22, 19, "matrix.include[4].dockerfile", "Dockerfile backend/Dockerfile.prod does not exist"},
		{24, 13, "matrix.include[5].root", `app root "notadir.txt" is not a directory`},
	})
}

// TestBuildersRefuseSettings: a setting the variant's builder does not read is
// refused where it was written, naming the builders that read it.
func TestBuildersRefuseSettings(t *testing.T) {
	t.Parallel()
	const head = "schemaVersion: 1\nname: t\nproject: {dir: .}\n"
	const inc = head + "matrix:\n  include:\n"
	tests := []struct {
		name, src string
		want      []wantProblem
	}{
		{"unknown builder", head + "matrix:\n  builder: [nixpacks, docker]\n", []wantProblem{{5, 23, "matrix.builder[1]", `unknown builder "docker" — use one of nixpacks, python-slim, dockerfile, railpack`}}},
		{"misspelt builder", head + "matrix:\n  builder: [nixpack]\n", []wantProblem{{5, 13, "matrix.builder[0]", `did you mean "nixpacks"?`}}},
		{"nixpacks on python-slim", head + "matrix:\n  builder: [python-slim]\n  nixpacks: [{nixLibs: [x]}]\n", []wantProblem{{6, 14, "matrix.nixpacks", "nixpacks overrides apply to the nixpacks builder, not python-slim — exclude this combination"}}},
		{"dockerfile on nixpacks", inc + "    - dockerfile: Dockerfile\n", []wantProblem{{6, 19, "matrix.include[0].dockerfile", "dockerfile applies to the dockerfile builder, not nixpacks — set builder: dockerfile, or remove dockerfile"}}},
		{"base on dockerfile", inc + "    - {builder: dockerfile, base: \"python:3.11-slim\"}\n", []wantProblem{{6, 35, "matrix.include[0].base", "base does not apply to the dockerfile builder: the Dockerfile's FROM lines decide"}}},
		{"base on python-slim", inc + "    - {builder: python-slim, python: \"3.11\", base: \"python:3.11-slim\"}\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkProblems(t, problemsOf(t, "inline.yaml", []byte(tc.src)), tc.want)
		})
	}
}

// TestBuilderDefaults: a variant naming no builder gets the registry's first,
// and the dockerfile builder defaults the Dockerfile to the app root's.
func TestBuilderDefaults(t *testing.T) {
	t.Parallel()
	src := "schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  include:\n    - {name: a}\n    - {name: d, builder: dockerfile, root: app}\n"
	sc, err := scenario.Parse("inline.yaml", []byte(src), scenario.WithBuilders(Registry()), scenario.WithCheckFiles(false))
	if err != nil {
		t.Fatal(err)
	}
	if a := sc.Variants[0]; a.Builder != "nixpacks" {
		t.Errorf("default builder %q, want nixpacks", a.Builder)
	}
	if d := sc.Variants[1]; d.Dockerfile != "app/Dockerfile" {
		t.Errorf("dockerfile default %q, want app/Dockerfile", d.Dockerfile)
	}
}

// TestRegistry: names in registration order, an unknown name is an error that
// lists them, never a fall-through.
func TestRegistry(t *testing.T) {
	t.Parallel()
	r := Registry()
	if got := fmt.Sprint(r.Names()); got != "[nixpacks python-slim dockerfile railpack]" {
		t.Errorf("names %s", got)
	}
	if r.Default() != "nixpacks" {
		t.Errorf("default %s", r.Default())
	}
	if _, err := r.Lookup("heroku"); err == nil || !strings.Contains(err.Error(), `unknown builder "heroku" (use nixpacks, python-slim, dockerfile, railpack)`) {
		t.Errorf("lookup heroku: %v", err)
	}
	if _, err := r.Lookup(""); err == nil {
		t.Error("the empty name is a builder")
	}
	if _, err := r.RequirementFiles(&scenario.Scenario{}, scenario.Variant{Name: "x", Builder: "railway"}); err == nil {
		t.Error("requirement files of an unknown builder")
	}
}
