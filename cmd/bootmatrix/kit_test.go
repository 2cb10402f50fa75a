package main

import (
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/kit"
)

func TestKitProgress(t *testing.T) {
	t.Parallel()
	plan := kit.Plan{Images: []kit.Image{
		{Name: "debian:trixie", Ref: "r/debian:trixie", Tag: "r/debian:trixie-aaaaaaaaaaaa", State: kit.Current},
		{Name: "python:3.13-slim", Ref: "r/python:3.13-slim", Tag: "r/python:3.13-slim-?", State: kit.Missing},
		{Name: "builder", Ref: "r/builder", Tag: "r/builder:?", State: kit.Missing},
		{Name: "nix:latest", Ref: "r/nix:latest", Tag: "r/nix:nix-bbbbbbbbbbbb", State: kit.Outdated},
	}}
	now := time.Unix(0, 0)
	clock := func() time.Time { return now }

	var live strings.Builder
	kp := newKitProgress(&live, true, clock, plan)
	steps := []struct {
		line   string
		done   []bool
		active int
	}{
		{"== images: fetching slim-8a8aeeef (closure, 4 packages) from Debian trixie", []bool{true, false, false, false}, -1},
		{"== images: building r/python:3.13-slim-0123456789ab", []bool{true, false, false, false}, 1},
		{"== images: r/python:3.13-slim -> r/python:3.13-slim-0123456789ab", []bool{true, true, false, false}, 1},
		{"== images: building r/builder:0123456789ab", []bool{true, true, false, false}, 2},
		{"E: some tool's own complaint", []bool{true, true, false, false}, 2},
		{"== images: building wheels (cccccccccccc)", []bool{true, true, false, false}, 2},
		{"== images: assembling the Nix store (bbbbbbbbbbbb)", []bool{true, true, true, false}, 3},
		{"== images: r/nix:latest -> r/nix:nix-0123456789ab", []bool{true, true, true, true}, 3},
	}
	for _, st := range steps {
		kp.line(st.line)
		if !slicesEqual(kp.done, st.done) || kp.active != st.active {
			t.Errorf("after %q: done %v active %d, want %v %d", st.line, kp.done, kp.active, st.done, st.active)
		}
	}
	if !strings.Contains(live.String(), "E: some tool's own complaint\n") || !strings.Contains(live.String(), "r/nix:latest        done") {
		t.Errorf("live output lacks the tool's line or the final row:\n%q", live.String())
	}

	// Not a terminal: build.sh's lines as they came, nothing redrawn.
	var plain strings.Builder
	kp = newKitProgress(&plain, false, clock, plan)
	for _, st := range steps {
		kp.line(st.line)
	}
	kp.finish(true)
	var want strings.Builder
	for _, st := range steps {
		want.WriteString(st.line + "\n")
	}
	if plain.String() != want.String() {
		t.Errorf("plain output:\n%s\nwant:\n%s", plain.String(), want.String())
	}
}

func slicesEqual(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
