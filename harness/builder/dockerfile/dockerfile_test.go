package dockerfile

import "testing"

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
