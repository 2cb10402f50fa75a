package dockerfile

import (
	"maps"
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	src := "# syntax=docker/dockerfile:1\n# escape=`\r\nFROM a:1 AS b\r\n\nRUN echo x `\n# a comment inside\n\n  && echo y\n# trailing\nrun true\n"
	f := Parse(src)
	if f.Escape != '`' {
		t.Errorf("escape %q", f.Escape)
	}
	type ins struct {
		cmd        string
		args       []string
		start, end int
	}
	var got []ins
	for _, in := range f.Instructions {
		got = append(got, ins{in.Cmd, in.Args, in.Start, in.End})
	}
	want := []ins{{"FROM", []string{"a:1", "AS", "b"}, 2, 2}, {"RUN", []string{"echo", "x", "&&", "echo", "y"}, 4, 7}, {"RUN", []string{"true"}, 9, 9}}
	if len(got) != len(want) {
		t.Fatalf("instructions %+v", got)
	}
	for i := range want {
		if got[i].cmd != want[i].cmd || !slices.Equal(got[i].args, want[i].args) || got[i].start != want[i].start || got[i].end != want[i].end {
			t.Errorf("instruction %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if f.Lines[2] != "FROM a:1 AS b" {
		t.Errorf("CRLF kept: %q", f.Lines[2])
	}
	// A directive after the first instruction is a comment; so is one after a comment.
	if Parse("FROM x\n# escape=`\nRUN a `\n").Escape != '\\' {
		t.Error("a late escape directive counted")
	}
}

func TestGlobals(t *testing.T) {
	t.Parallel()
	f := Parse("ARG A=1 B=\"two words\" C\nARG D=\"\"\nARG E=${A}x\nFROM x\nARG LATE=no\n")
	tests := []struct {
		name string
		args map[string]string
		want map[string]string
	}{
		{"defaults", nil, map[string]string{"A": "1", "B": "two words", "D": "", "E": "1x"}},
		{"build args win, even empty", map[string]string{"A": "", "C": "3", "UNDECLARED": "u", "LATE": "yes"}, map[string]string{"A": "", "B": "two words", "C": "3", "D": "", "E": "x"}},
	}
	for _, tc := range tests {
		if got := f.Globals(tc.args); !maps.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"V": "1", "EMPTY": ""}
	tests := map[string]string{
		"python:${V:+3.13}-slim":     "python:3.13-slim",
		"python:${UNSET:+3.13}-slim": "python:-slim",
		"${EMPTY:+set}":              "",
		"${EMPTY+set}":               "set",
		"${EMPTY:-default}":          "default",
		"${EMPTY-default}":           "",
		"${UNSET-default}":           "default",
		"$V/${V}":                    "1/1",
		"${UNSET}":                   "",
		"${IMG:-bootmatrix-kit/nix}": "bootmatrix-kit/nix",
	}
	for in, want := range tests {
		if got := Expand(in, vars); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseFrom(t *testing.T) {
	t.Parallel()
	g := map[string]string{"PY": "3.13"}
	tests := []struct {
		line                  string
		ok                    bool
		image, expanded, name string
		flags                 []string
	}{
		{"FROM python:${PY}-slim AS deps", true, "python:${PY}-slim", "python:3.13-slim", "deps", nil},
		{"FROM --platform=linux/amd64 debian:bookworm", true, "debian:bookworm", "debian:bookworm", "", []string{"--platform=linux/amd64"}},
		{"FROM a b", false, "", "", "", nil},
		{"FROM --platform=x", false, "", "", "", nil},
	}
	for _, tc := range tests {
		fr, ok := ParseFrom(Parse(tc.line).Instructions[0], g)
		if ok != tc.ok {
			t.Errorf("%q: ok %v", tc.line, ok)
			continue
		}
		if ok && (fr.Image != tc.image || fr.Expanded != tc.expanded || fr.Stage != tc.name || !slices.Equal(fr.Flags, tc.flags)) {
			t.Errorf("%q: %+v", tc.line, fr)
		}
	}
}
