package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

// actionAsWorkflow rewrites a composite action as the workflow actionlint knows how to
// check: its inputs become workflow_dispatch inputs (the same `inputs` context) and
// its steps one job's steps, so expressions, step outputs and scripts are linted as
// they will run. actionlint on its own reads an action's metadata only to check the
// inputs a workflow passes to it.
func actionAsWorkflow(t testing.TB, data []byte) []byte {
	t.Helper()
	var action struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string    `yaml:"using"`
			Steps yaml.Node `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" || len(action.Runs.Steps.Content) == 0 {
		t.Fatalf("action.yml is not a composite action with steps (using: %q)", action.Runs.Using)
	}
	type input struct {
		Type    string `yaml:"type"`
		Default string `yaml:"default"`
	}
	inputs := map[string]input{}
	for name, in := range action.Inputs {
		inputs[name] = input{Type: "string", Default: in.Default}
	}
	wf := map[string]any{
		"on": map[string]any{"workflow_dispatch": map[string]any{"inputs": inputs}},
		"jobs": map[string]any{"action": map[string]any{
			"runs-on": "ubuntu-latest",
			"steps":   &action.Runs.Steps,
		}},
	}
	out, err := yaml.Marshal(wf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func lint(t testing.TB, path string, data []byte) []*actionlint.Error {
	t.Helper()
	// No shellcheck/pyflakes: the result must not depend on what the host has installed.
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

// TestActionLint lints the action's steps, and the example workflow a user copies.
func TestActionLint(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range lint(t, "action.yml", actionAsWorkflow(t, data)) {
		t.Errorf("action.yml (its steps as a workflow, line %d): %s [%s]", e.Line, e.Message, e.Kind)
	}
	// A misspelt step output and an undefined input must be caught, or the check above proves nothing.
	for _, broken := range []struct{ from, to string }{
		{"steps.install.outputs.kit-hash }}\n        restore-keys", "steps.instal.outputs.kit-hash }}\n        restore-keys"},
		{"inputs.output-dir }}\n      run:", "inputs.outdir }}\n      run:"},
	} {
		if !strings.Contains(string(data), broken.from) {
			t.Errorf("action.yml no longer contains %q; update this test", broken.from)
			continue
		}
		if len(lint(t, "action.yml", actionAsWorkflow(t, []byte(strings.Replace(string(data), broken.from, broken.to, 1))))) == 0 {
			t.Errorf("actionlint found nothing wrong with %q", broken.to)
		}
	}

	example := filepath.Join(root, "docs", "action-example.yml")
	ex, err := os.ReadFile(example)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range lint(t, example, ex) {
		t.Errorf("%s:%d:%d: %s [%s]", example, e.Line, e.Column, e.Message, e.Kind)
	}
	checkActionInputs(t, example, ex, data)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "      - uses: bootmatrix/bootmatrix@main\n        with:\n          scenario: bootmatrix.yaml\n") {
		t.Error("README.md does not show the example workflow's three lines")
	}
}

// checkActionInputs checks that every step of the workflow that uses this action
// passes only inputs it declares (actionlint knows the inputs of local and popular
// actions only).
func checkActionInputs(t testing.TB, path string, workflow, action []byte) {
	t.Helper()
	var a struct {
		Inputs map[string]any `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(action, &a); err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string         `yaml:"uses"`
				With map[string]any `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(workflow, &wf); err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, job := range wf.Jobs {
		for _, st := range job.Steps {
			if !strings.HasPrefix(st.Uses, "bootmatrix/bootmatrix@") {
				continue
			}
			used++
			for k := range st.With {
				if _, ok := a.Inputs[k]; !ok {
					t.Errorf("%s: input %q is not one action.yml declares", path, k)
				}
			}
		}
	}
	if used == 0 {
		t.Errorf("%s does not use bootmatrix/bootmatrix", path)
	}
}
