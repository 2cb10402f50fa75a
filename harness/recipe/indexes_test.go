package recipe

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIndexOption(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]string{
		"--index-url https://user:tok3n@pypi.example.internal/simple": "https://pypi.example.internal/simple",
		"-i https://pypi.example.internal/simple  # private":          "https://pypi.example.internal/simple",
		"--extra-index-url=https://t0ken@mirror.example/simple?x=1":   "https://mirror.example/simple",
		"  --index-url\thttps://pypi.example.internal/simple":         "https://pypi.example.internal/simple",
		"# --index-url https://pypi.example.internal/simple":          "",
		"--index-urlx https://pypi.example.internal/simple":           "",
		"numpy==2.2.4":       "",
		"-r other.txt":       "",
		"--find-links /w":    "",
		"--index-url":        "",
		"-idontknow":         "",
		"--index-url %zz":    "",
		"-e git+https://x/y": "",
	} {
		if got := indexOption(line); got != want {
			t.Errorf("indexOption(%q) = %q, want %q", line, got, want)
		}
	}
}

// The recipe tells the diagnosis which indexes its requirement files name,
// included files too, without credentials, and only from requirement files.
func TestRequirementIndexes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	included := filepath.Join(dir, "extra.txt")
	if err := os.WriteFile(included, []byte("--extra-index-url https://ci:s3cret@mirror.example/simple\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := &Recipe{Builder: "python-slim", Setup: Build{Context: map[string]File{
		"requirements.txt": {Data: []byte("--index-url https://deploy:t0ken@pypi.example.internal/simple\n-r extra.txt\nacme-internal==1.2\n")},
		"extra.txt":        {Source: included},
		"app.py":           {Data: []byte("--index-url https://not-a-requirements-file.example/simple\n")},
	}}}
	ctx := rc.DiagnoseContext()
	if want := []string{"https://mirror.example/simple", "https://pypi.example.internal/simple"}; !slices.Equal(ctx.Indexes, want) {
		t.Fatalf("indexes %q, want %q", ctx.Indexes, want)
	}
}
