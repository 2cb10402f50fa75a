package recipe

import (
	"strings"
	"testing"
)

func TestMirrorRef(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ ref, want string }{
		{"python:3.11-slim", "m.example:5000/library/python:3.11-slim"},
		{"docker.io/library/python:3.13-slim", "m.example:5000/library/python:3.13-slim"},
		{"debian", "m.example:5000/library/debian:latest"},
		{"ghcr.io/railwayapp/nixpacks:ubuntu-1745885067", "m.example:5000/railwayapp/nixpacks:ubuntu-1745885067"},
		{"acme/app:1", "m.example:5000/acme/app:1"},
		{"python@sha256:" + strings.Repeat("a", 64), "m.example:5000/library/python@sha256:" + strings.Repeat("a", 64)},
	} {
		got, err := MirrorRef(tc.ref, "m.example:5000")
		if err != nil || got != tc.want {
			t.Errorf("MirrorRef(%q) = %q, %v; want %q", tc.ref, got, err, tc.want)
		}
	}
	if _, err := MirrorRef("Not A Ref", "m"); err == nil {
		t.Error("MirrorRef of a malformed reference: no error")
	}
}

func TestSubstitutionsMirrorAndOverrides(t *testing.T) {
	t.Parallel()
	on, err := Online(nil).WithMirror("127.0.0.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	on = on.WithOverrides(map[string]string{"python:3.13-slim": "corp.example/py:3.13"})
	for _, tc := range []struct {
		ref, want string
		ok        bool
	}{
		{"python:3.11-slim", "127.0.0.1:5000/library/python:3.11-slim", true},
		{LogicalNixpacks, "127.0.0.1:5000/railwayapp/nixpacks:ubuntu-1745885067", true},
		{"python:3.13-slim", "corp.example/py:3.13", true}, // an override is taken as written
		{"docker.io/library/python:3.13-slim", "corp.example/py:3.13", true},
		{"node:20", "127.0.0.1:5000/library/node:20", true}, // a project's own FROM moves too
		{"bootmatrix-cache/build:abc", "bootmatrix-cache/build:abc", false},
	} {
		got, ok := on.Image(tc.ref)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Image(%q) = %q, %v; want %q, %v", tc.ref, got, ok, tc.want, tc.ok)
		}
	}
	// Offline, the kit's local images never move onto the mirror.
	off, _ := Offline().WithMirror("127.0.0.1:5000")
	if got, _ := off.Image("python:3.11-slim"); got != "bootmatrix-kit/python:3.11-slim" {
		t.Errorf("offline Image(python:3.11-slim) = %q, want the kit image", got)
	}
}

func TestCheckMirror(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"127.0.0.1:5000", "registry.example.com", "mirror.corp:443"} {
		if err := CheckMirror(good); err != nil {
			t.Errorf("CheckMirror(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"", "https://m.example", "m.example/path", "M A"} {
		if err := CheckMirror(bad); err == nil {
			t.Errorf("CheckMirror(%q): no error", bad)
		}
	}
}

func TestParseImageMap(t *testing.T) {
	t.Parallel()
	got, err := ParseImageMap("images.yaml", []byte("python:3.11-slim: corp.example/py:3.11\nnixpacks: corp.example/nixpacks:1\n"))
	if err != nil || got["python:3.11-slim"] != "corp.example/py:3.11" || got["nixpacks"] != "corp.example/nixpacks:1" {
		t.Fatalf("ParseImageMap = %v, %v", got, err)
	}
	for _, tc := range []struct{ text, want string }{
		{"- a\n", "images.yaml:1:1: want a mapping"},
		{"python:3.11-slim: corp.example/py:3.11\npython:3.13-slim: \"Bad Ref\"\n", "images.yaml:2:19: \"Bad Ref\" is not an image reference"},
		{"a: b\na: c\n", "images.yaml:2:1: a is mapped twice"},
		{"a: [b]\n", "images.yaml:1:1: each entry"},
	} {
		_, err := ParseImageMap("images.yaml", []byte(tc.text))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("ParseImageMap(%q) = %v, want %q…", tc.text, err, tc.want)
		}
	}
}
