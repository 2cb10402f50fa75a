package dockerfile

import (
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
)

func TestImageRepo(t *testing.T) {
	t.Parallel()
	for ref, want := range map[string]string{
		"python:3.11-slim": "python", "docker.io/library/python:3.13": "python", "python@sha256:abc": "python",
		"localhost:5000/python:3.11": "localhost:5000/python", "ghcr.io/railwayapp/nixpacks:ubuntu-1": "ghcr.io/railwayapp/nixpacks",
		"pythonista:1": "pythonista",
	} {
		if got := imageRepo(ref); got != want {
			t.Errorf("imageRepo(%s) = %s, want %s", ref, got, want)
		}
	}
}

// TestRewriteReadsArgsAsDocker: FROM lines resolve with Docker's rules, so the
// image Docker would build on is the one substituted (the runner's cache key
// reads the same file with the same parser).
func TestRewriteReadsArgsAsDocker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		args       map[string]string
		want       string
	}{
		{"conditional tag", "ARG V\nFROM python:${V:+3.13}-slim\n", map[string]string{"V": "1"}, "FROM bootmatrix-kit/python:3.13-slim\n"},
		{"empty default", "ARG BASE=\"\"\nFROM ${BASE:-python:3.11-slim}\n", nil, "FROM bootmatrix-kit/python:3.11-slim\n"},
		{"empty build arg wins", "ARG PY=3.13\nFROM python:${PY:-3.11}-slim\n", map[string]string{"PY": ""}, "FROM bootmatrix-kit/python:3.11-slim\n"},
		{"undeclared build arg unseen", "FROM python:${PY:-3.11}-slim\n", map[string]string{"PY": "3.13"}, "FROM bootmatrix-kit/python:3.11-slim\n"},
	}
	for _, tc := range tests {
		var notes []string
		got, _, err := rewriteDockerfile("Dockerfile", tc.text, tc.args, recipe.Offline(), &notes)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s: got\n%s\nwant a line %q", tc.name, got, tc.want)
		}
	}
}
