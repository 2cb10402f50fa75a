package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
)

// TestNightlyWorkflow lints the nightly workflow as GitHub would read it: syntax,
// expressions, job outputs, matrix keys used by steps. A workflow is otherwise only
// checked by running it at 3 a.m.
func TestNightlyWorkflow(t *testing.T) {
	t.Parallel()
	path := filepath.Join(repoRoot(t), ".github", "workflows", "nightly.yml")
	// No shellcheck/pyflakes: the result must not depend on what the host has installed.
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.LintFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Errorf("%s:%d:%d: %s [%s]", path, e.Line, e.Column, e.Message, e.Kind)
	}

	// The same linter on a copy with a typo in a job output must complain, or the
	// check above proves nothing.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "needs.matrix.outputs.matrix", "needs.matrix.outputs.matrx", 1)
	errs, err = l.Lint(path, []byte(broken), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 {
		t.Error("actionlint found nothing wrong with needs.matrix.outputs.matrx")
	}
}

// TestNightlyUsesCLI keeps the workflow and the CLI in step: the commands it runs
// must exist with the flags it passes.
func TestNightlyUsesCLI(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"matrix", "--help"},
		{"run", "--help"},
		{"merge", "--help"},
	} {
		var out strings.Builder
		if code := run(args, &out, &out); code != 0 {
			t.Errorf("bootmatrix %s: exit %d: %s", strings.Join(args, " "), code, out.String())
		}
	}
	var out strings.Builder
	if code := run([]string{"matrix", "--github", filepath.Join(repoRoot(t), "scenarios", "seed", "scenario.yaml"), "--shards", "3"}, &out, &out); code != 0 {
		t.Fatalf("matrix: exit %d: %s", code, out.String())
	}
	if !strings.HasPrefix(out.String(), `{"include":[{"shard":1,"variants":"`) {
		t.Errorf("matrix output %q is not a shard matrix", out.String())
	}
}
