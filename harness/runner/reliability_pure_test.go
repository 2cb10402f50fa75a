package runner

import (
	"strings"
	"testing"
)

func TestOOMKillCount(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     int
	}{
		{"cgroup v1 after a kill", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n", 1},
		{"cgroup v2 none", "low 0\nhigh 0\nmax 12\noom 0\noom_kill 0\n", 0},
		{"cgroup v2 several", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 2\noom_group_kill 0\n", 2},
		{"unreadable", "cat: /sys/fs/cgroup/memory.events: No such file or directory\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := oomKillCount(tc.in); got != tc.want {
				t.Errorf("oomKillCount = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestIncompleteBuild(t *testing.T) {
	for _, tc := range []struct {
		tags []string
		want bool
	}{
		{nil, true},                       // untagged: a concurrent build of the key took the tag
		{[]string{"<none>:<none>"}, true}, // untagged, as engine API 1.41 lists it
		{[]string{"bootmatrix-cache/build:abc-tmp-20261128t000000-0a0b0c0d"}, true},
		{[]string{"bootmatrix-cache/build:abc"}, false},
		{[]string{"bootmatrix-cache/build:abc", "bootmatrix-cache/build:abc-tmp-x"}, false},
	} {
		if got := incompleteBuild(tc.tags); got != tc.want {
			t.Errorf("incompleteBuild(%q) = %v, want %v", tc.tags, got, tc.want)
		}
	}
}

// A missing kit image is fixed by building the kit; a name the kit has no stand-in
// for is not, and the message must not send the user to `make images` for nothing.
func TestImageMissingMessage(t *testing.T) {
	offline := []string{"nixpacks", "python:3.11-slim"}
	for _, tc := range []struct {
		ref       string
		want, not []string
	}{
		{"bootmatrix-kit/nix:latest", []string{"bootmatrix-kit/nix:latest is not present: run `bootmatrix kit build`"}, []string{"--online"}},
		{"python:3.9-slim", []string{"python:3.9-slim is not present and cannot be pulled offline", "nixpacks, python:3.11-slim", "--online"}, nil},
	} {
		msg := errImageMissing{ref: tc.ref, offline: offline}.Error()
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: %q does not say %q", tc.ref, msg, w)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(msg, n) {
				t.Errorf("%s: %q says %q", tc.ref, msg, n)
			}
		}
	}
}
