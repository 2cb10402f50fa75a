package dockerfile

import (
	"slices"
	"testing"
)

func TestBaseImages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		df   string
		args map[string]string
		want []string
	}{
		{"plain", "FROM bootmatrix-kit/debian:bookworm\nRUN true\n", nil, []string{"bootmatrix-kit/debian:bookworm"}},
		{"arg base", "ARG BASE\nFROM ${BASE}\n", map[string]string{"BASE": "bootmatrix-cache/build:abc"}, []string{"bootmatrix-cache/build:abc"}},
		{"arg default", "ARG PY=3.11\nFROM bootmatrix-kit/python:${PY}-slim\n", nil, []string{"bootmatrix-kit/python:3.11-slim"}},
		{"arg default syntax", "FROM ${IMG:-bootmatrix-kit/nix:latest}\n", nil, []string{"bootmatrix-kit/nix:latest"}},
		{"stages and copy from", "FROM --platform=linux/amd64 a:1 AS build\nRUN x\nFROM b:2\n# COPY --from=commented:1 / /\nCOPY --from=build /x /x\nCOPY --chown=0:0 --from=bootmatrix-kit/wheelhouse:latest /wheelhouse /w\nCOPY --from=0 /y /y\n",
			nil, []string{"a:1", "b:2", "bootmatrix-kit/wheelhouse:latest"}},
		{"scratch and continuation", "FROM scratch\nCOPY \\\n  --from=w:1 / /\n", nil, []string{"w:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Parse(tc.df).BaseImages(tc.args); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
