package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
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

// TestWorkflowsUseCLI keeps the workflow, the action and the CLI in step: every
// bootmatrix command they run must name a subcommand that exists, with flags it
// accepts and the number of arguments it takes. Each command line is checked the
// way cobra would parse it, without running it (a shard's run needs the engine).
func TestWorkflowsUseCLI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file   string
		want   []string // the subcommands found, sorted, duplicates removed
		broken []struct{ from, to string }
	}{
		{
			file: filepath.Join(".github", "workflows", "nightly.yml"),
			want: []string{"gc", "matrix", "merge"},
			broken: []struct{ from, to string }{
				{"--markdown ", "--md "},
				{"bin/bootmatrix merge ", "bin/bootmatrix merg "},
				{`--shards "$SHARDS"`, `--shard "$SHARDS"`},
				{"bootmatrix gc ", "bootmatrix gc everything "},
			},
		},
		{
			file: "action.yml",
			want: []string{"kit", "matrix", "run", "version"},
			broken: []struct{ from, to string }{
				{"--junit ", "--junit-xml "},
				{"--kit-hash", "--kithash"},
				{"kit build --cache-dir", "kit biuld --cache-dir"},
				{"kit status --cache-dir", "kit status --cachedir"},
				{`"--$MODE"`, `"--mode=$MODE"`},
			},
		},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(repoRoot(t), tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			cmds, err := workflowCommands(data)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			var seen []string
			for _, args := range cmds {
				if err := checkCLIArgs(args); err != nil {
					t.Errorf("%s: bootmatrix %s: %v", path, strings.Join(args, " "), err)
				}
				seen = append(seen, args[0])
			}
			// Finding fewer commands than the file runs would check nothing.
			slices.Sort(seen)
			if !slices.Equal(slices.Compact(seen), tc.want) {
				t.Errorf("%s: found bootmatrix commands %v, want %v", path, seen, tc.want)
			}
			// The same check on copies with a misspelt flag, an unknown subcommand or a
			// surplus argument must complain, or the loop above proves nothing.
			for _, broken := range tc.broken {
				text := string(data)
				if !strings.Contains(text, broken.from) {
					t.Errorf("%s no longer contains %q; update this test", tc.file, broken.from)
					continue
				}
				cmds, err := workflowCommands([]byte(strings.Replace(text, broken.from, broken.to, 1)))
				if err != nil {
					t.Fatal(err)
				}
				failed := false
				for _, args := range cmds {
					failed = failed || checkCLIArgs(args) != nil
				}
				if !failed {
					t.Errorf("no complaint about %s with %q for %q", tc.file, broken.to, broken.from)
				}
			}
		})
	}

	var out strings.Builder
	if code := run([]string{"matrix", "--github", filepath.Join(repoRoot(t), "scenarios", "seed", "scenario.yaml"), "--shards", "3"}, &out, &out); code != 0 {
		t.Fatalf("matrix: exit %d: %s", code, out.String())
	}
	if !strings.HasPrefix(out.String(), `{"include":[{"shard":1,"variants":"`) {
		t.Errorf("matrix output %q is not a shard matrix", out.String())
	}
}

// cliCall finds the CLI in a step's script — built (bin/bootmatrix), through go run,
// or installed on PATH (as a command word, or through $(command -v bootmatrix)) — up
// to the end of its shell command.
var cliCall = regexp.MustCompile(`(?m)(?:bin/bootmatrix|go run \./cmd/bootmatrix|\$\(command -v bootmatrix\)"?|(?:^|[ \t(])bootmatrix)((?:[ \t]+[^ \t\n|;&)]+)+)`)

// workflowVars are values of the shape the workflow's variables take at run time,
// so that a flag's value is parsed as it would be (--shards needs a number).
var workflowVars = map[string]string{
	"SCENARIO": "scenarios/seed/scenario.yaml", "SHARDS": "3", "SHARD": "1",
	"VARIANTS": "nixpacks-py3.13", "GITHUB_STEP_SUMMARY": "summary.md",
	"MODE": "offline", "OUT": "bootmatrix-out", "SUFFIX": "-shard-1", "SUMMARY": "summary.md",
	"BOOTMATRIX_KIT_CACHE": "/tmp/kit",
}

// workflowCommands returns the arguments of every bootmatrix command in the run
// steps of a workflow's jobs or of a composite action, with quotes removed, line
// continuations joined and variables expanded; a variable without a sample value
// is an error.
func workflowCommands(data []byte) ([][]string, error) {
	type steps []struct {
		Run string `yaml:"run"`
	}
	var wf struct {
		Jobs map[string]struct {
			Steps steps `yaml:"steps"`
		} `yaml:"jobs"`
		Runs struct {
			Steps steps `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		return nil, err
	}
	all := wf.Runs.Steps
	for _, job := range wf.Jobs {
		all = append(all, job.Steps...)
	}
	var out [][]string
	for _, st := range all {
		script := strings.ReplaceAll(st.Run, "\\\n", " ")
		for _, m := range cliCall.FindAllStringSubmatch(script, -1) {
			var args []string
			var unknown []string
			for _, f := range strings.Fields(m[1]) {
				args = append(args, os.Expand(strings.Trim(f, `"'`), func(k string) string {
					v, ok := workflowVars[k]
					if !ok {
						unknown = append(unknown, k)
					}
					return v
				}))
			}
			if len(unknown) > 0 {
				return nil, fmt.Errorf("%s: no sample value for $%s; add one to workflowVars", strings.TrimSpace(m[0]), strings.Join(unknown, ", $"))
			}
			if len(args) > 0 {
				out = append(out, args)
			}
		}
	}
	return out, nil
}

// checkCLIArgs parses args the way the CLI would, without running the command.
func checkCLIArgs(args []string) error {
	root := newRootCmd(io.Discard, io.Discard)
	c, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if c == root {
		return fmt.Errorf("%q is not a subcommand", args[0])
	}
	if err := c.ParseFlags(rest); err != nil {
		return err
	}
	return c.ValidateArgs(c.Flags().Args())
}
