package builtin

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/project"
)

// The starter scenario's variants are the builders' in registration order;
// the dockerfile builder proposes the project's Dockerfile, or only a hint
// when there is none.
func TestStarters(t *testing.T) {
	t.Parallel()
	nix := []string{"current", "nixlibs-login-shell", "nixlibs-plain-shell", "venv-install", "nix-python-packages", "python-slim"}
	tests := []struct {
		name       string
		dockerfile bool
		want       []string
		hint       bool
	}{
		{"with a Dockerfile", true, append(slices.Clone(nix), "dockerfile"), false},
		{"without one", false, nix, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			files := map[string]string{"requirements.txt": "numpy\ngunicorn\n"}
			if tt.dockerfile {
				files["Dockerfile"] = "FROM python:3.13-slim\n"
			}
			for name, text := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			p, err := project.Inspect(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			hint := false
			for _, b := range Registry().Builders() {
				vs, h := b.Starters(p)
				for _, v := range vs {
					names = append(names, v.Name)
					if len(v.Why) == 0 {
						t.Errorf("%s: %s says nothing of what it tries", b.Name(), v.Name)
					}
				}
				hint = hint || len(h) > 0
			}
			if !slices.Equal(names, tt.want) || hint != tt.hint {
				t.Errorf("starters %v (hint %v), want %v (hint %v)", names, hint, tt.want, tt.hint)
			}
		})
	}
}
