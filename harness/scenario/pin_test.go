package scenario

import (
	"os"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

func expectsOf(tb testing.TB, src []byte) map[string]*Expectation {
	tb.Helper()
	s, err := Parse("pinned.yaml", src, WithCheckFiles(false))
	if err != nil {
		tb.Fatalf("pinned file does not load: %v\n%s", err, src)
	}
	out := map[string]*Expectation{}
	for _, v := range s.Variants {
		out[v.Name] = v.Expect
	}
	return out
}

// changedLines are the lines of b that a does not have, in order, ignoring blank lines.
func changedLines(a, b string) []string {
	have := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		have[l]++
	}
	var out []string
	for _, l := range strings.Split(b, "\n") {
		if have[l] > 0 {
			have[l]--
			continue
		}
		out = append(out, l)
	}
	return out
}

func TestPin(t *testing.T) {
	t.Parallel()
	seed, err := os.ReadFile("../../scenarios/seed/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	installFail := Expectation{Stage: result.StageInstall, Class: "pep668-externally-managed"}
	cases := []struct {
		name string
		src  string
		pins map[string]Expectation
		// changed are the only lines the output adds or changes
		changed []string
		// others keep these expectations (nil: none)
		keep map[string]*Expectation
	}{
		{
			name:    "own entry: the expect line is replaced, the rest of the file kept byte for byte",
			src:     string(seed),
			pins:    map[string]Expectation{"nixlibs-login-shell": installFail},
			changed: []string{"      expect: {fails: install, class: pep668-externally-managed}"},
		},
		{
			name: "axis combination: a new include entry names its axis values",
			src:  "schemaVersion: 1\nname: t\nproject: {dir: .}\n\n# two builders\nmatrix:\n  builder: [nixpacks, python-slim] # the candidates\n  python: [\"3.11\", \"3.13\"]\n",
			pins: map[string]Expectation{"python-slim-py3.11": {Boots: true}, "nixpacks-py3.13": installFail},
			changed: []string{
				"  include:",
				"    - {builder: nixpacks, python: \"3.13\", expect: {fails: install, class: pep668-externally-managed}}",
				"    - {builder: python-slim, python: \"3.11\", expect: boots}",
			},
			keep: map[string]*Expectation{"nixpacks-py3.11": nil, "python-slim-py3.13": nil},
		},
		{
			name: "an entry shared by every combination is left alone",
			src:  "schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  builder: [nixpacks, python-slim]\n  include:\n    # everything boots\n    - expect: boots\n",
			pins: map[string]Expectation{"nixpacks": installFail},
			changed: []string{
				"    - {builder: nixpacks, expect: {fails: install, class: pep668-externally-managed}}",
			},
			keep: map[string]*Expectation{"python-slim": {Boots: true}},
		},
		{
			name: "an entry an alias repeats is not edited in place",
			src:  "schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  builder: [nixpacks, python-slim]\n  python: [\"3.11\"]\n  include:\n    - &py {python: \"3.11\", start: \"python app.py\"}\n    - *py\n",
			pins: map[string]Expectation{"python-slim-py3.11": {Boots: true}},
			changed: []string{
				"    - {builder: python-slim, python: \"3.11\", expect: boots}",
			},
			keep: map[string]*Expectation{"nixpacks-py3.11": nil},
		},
		{
			name:    "an anchored entry no alias uses is edited in place",
			src:     "schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  builder: [nixpacks]\n  include:\n    - &slim {name: slim, builder: python-slim}\n",
			pins:    map[string]Expectation{"slim": {Boots: true}},
			changed: []string{"    - &slim {name: slim, builder: python-slim, expect: boots}"},
			keep:    map[string]*Expectation{"nixpacks": nil},
		},
		{
			name:    "an expectation with output keeps it quoted",
			src:     "schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  include:\n    - name: a # the only one\n      builder: python-slim\n",
			pins:    map[string]Expectation{"a": {Stage: result.StageBoot, Class: "port-not-bound", OutputContains: "127.0.0.1: 8080"}},
			changed: []string{`      expect: {fails: boot, class: port-not-bound, output: "127.0.0.1: 8080"}`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := Pin("pinned.yaml", []byte(tc.src), tc.pins)
			if err != nil {
				t.Fatal(err)
			}
			got := changedLines(tc.src, string(out))
			if strings.Join(got, "\n") != strings.Join(tc.changed, "\n") {
				t.Errorf("changed lines:\n%s\nwant:\n%s\nfile:\n%s", strings.Join(got, "\n"), strings.Join(tc.changed, "\n"), out)
			}
			// A line that went is an expect line, or a flow entry that gained one.
			for _, l := range changedLines(string(out), tc.src) {
				kept := strings.TrimSpace(l) == "" || strings.Contains(l, "expect:")
				for _, c := range got {
					kept = kept || strings.HasPrefix(c, strings.TrimSuffix(l, "}"))
				}
				if !kept {
					t.Errorf("line lost: %q\nfile:\n%s", l, out)
				}
			}
			ex := expectsOf(t, out)
			for name, want := range tc.pins {
				if ex[name] == nil || *ex[name] != want {
					t.Errorf("%s: expect %+v, want %+v", name, ex[name], want)
				}
			}
			for name, want := range tc.keep {
				if (ex[name] == nil) != (want == nil) || want != nil && *ex[name] != *want {
					t.Errorf("%s: expect %+v, want it kept as %+v", name, ex[name], want)
				}
			}
		})
	}
}

func TestPinRefuses(t *testing.T) {
	t.Parallel()
	src := []byte("schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  builder: [nixpacks]\n")
	if _, err := Pin("s.yaml", src, map[string]Expectation{"nope": {Boots: true}}); err == nil || !strings.Contains(err.Error(), `no variant "nope"`) {
		t.Errorf("unknown variant: err = %v", err)
	}
	if _, err := Pin("s.yaml", []byte("schemaVersion: 1\nname: t\n"), map[string]Expectation{"a": {Boots: true}}); err == nil {
		t.Error("a file that does not load was pinned")
	}
	shared := []byte("schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix:\n  builder: [nixpacks]\n  include:\n    - &slim {name: slim, builder: python-slim}\n    - {<<: *slim, name: slim2}\n")
	if _, err := Parse("s.yaml", shared, WithCheckFiles(false)); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	if _, err := Pin("s.yaml", shared, map[string]Expectation{"slim": {Boots: true}}); err == nil || !strings.Contains(err.Error(), "s.yaml:7: variant slim") {
		t.Errorf("aliased entry: err = %v", err)
	}
}
