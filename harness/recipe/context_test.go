package recipe

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree makes files (path → content) and symlinks (path → "->target") under dir.
func writeTree(tb testing.TB, dir string, tree map[string]string) {
	tb.Helper()
	for name, content := range tree {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func TestWalkContextAsDockerBuild(t *testing.T) {
	t.Parallel()
	tree := map[string]string{
		"app.py":               "print()",
		"secret.env":           "KEY=1",
		"logs/a.log":           "x",
		"logs/keep.log":        "x",
		"build/out.bin":        "x",
		"docs/readme.md":       "x",
		"pkg/mod.py":           "x",
		"dangling":             "->nowhere",
		"loop":                 "->loop",
		"pkglink":              "->pkg",
		"docs/link-to-app":     "->../app.py",
		".dockerignore":        "# comment\nsecret.env\nlogs/*.log\n!logs/keep.log\n/build\n",
		"sub/secret.env":       "not matched: patterns are anchored at the root",
		"nested/.dockerignore": "nested ignore files are plain files",
	}
	var dropped []string
	cases := []struct {
		name string
		opts []ContextOption
		want []string
	}{
		{"links kept as links", nil, []string{
			".dockerignore", "app.py", "dangling", "docs/link-to-app", "docs/readme.md", "logs/keep.log", "loop",
			"nested/.dockerignore", "pkg/mod.py", "pkglink", "sub/secret.env"}},
		{"links dropped", []ContextOption{DropLinks(&dropped)}, []string{
			".dockerignore", "app.py", "docs/readme.md", "logs/keep.log",
			"nested/.dockerignore", "pkg/mod.py", "sub/secret.env"}},
	}
	dir := t.TempDir()
	writeTree(t, dir, tree)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx, err := WalkContext(dir, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, 0, len(ctx))
			for k := range ctx {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("context\n got %q\nwant %q", got, c.want)
			}
			if c.opts != nil {
				slices.Sort(dropped)
				if want := []string{"dangling", "docs/link-to-app", "loop", "pkglink"}; !slices.Equal(dropped, want) {
					t.Errorf("dropped %q, want %q", dropped, want)
				}
			}
			for _, name := range []string{"dangling", "loop", "pkglink"} {
				if f, ok := ctx[name]; ok {
					if fi, err := os.Lstat(f.Source); err != nil || fi.Mode()&os.ModeSymlink == 0 {
						t.Errorf("%s: Source %s is not the link itself (%v)", name, f.Source, err)
					}
				}
			}
		})
	}
}

func TestWalkContextBadDockerIgnore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"app.py": "x", ".dockerignore": "[\n"})
	_, err := WalkContext(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, ".dockerignore")) {
		t.Fatalf("error %v, want one naming %s", err, filepath.Join(dir, ".dockerignore"))
	}
}
