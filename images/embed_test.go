package images_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/images"
)

// notRecipes are the files and directories of images/ that build.sh never reads:
// documentation, Go code and tests, and what a build leaves behind (gitignored).
var notRecipes = map[string]bool{
	"README.md": true, "doc.go": true, "embed.go": true,
	"cache": true, "out": true, "wheelhouse": true,
}

// TestRecipesEmbedEverything proves the embedded recipes are byte for byte the ones in
// the tree, and that nothing build.sh could read is left out: a stage file or
// directory added without the go:embed line would make `bootmatrix kit build` build
// another kit than `make images` — or fail only for users.
func TestRecipesEmbedEverything(t *testing.T) {
	t.Parallel()
	n := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == "." {
			return err
		}
		top := strings.SplitN(filepath.ToSlash(path), "/", 2)[0]
		if notRecipes[top] || strings.HasSuffix(path, "_test.go") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		disk, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		emb, err := fs.ReadFile(images.Recipes, filepath.ToSlash(path))
		if err != nil {
			t.Errorf("images/%s is not embedded: add %s to the go:embed line in images/embed.go (or to notRecipes in this test if build.sh never reads it)", path, top)
			return nil
		}
		if !bytes.Equal(disk, emb) {
			t.Errorf("images/%s: the embedded copy differs from the file", path)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Stat(images.Recipes, "build.sh"); err != nil || n < 10 {
		t.Fatalf("only %d recipe files found (build.sh: %v)", n, err)
	}
}
