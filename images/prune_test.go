package images_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestPruneCacheKeepsBuildsInUse: a kit build prunes the cache's other assemblies
// of its stage only once no build has used them for a day, so two kits of different
// recipes sharing one KIT_CACHE (a branch's and main's, or one built beside the
// usual under another KIT_REPO) do not delete each other's, and a stage that finds
// its assembly complete marks it used.
func TestPruneCacheKeepsBuildsInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, h := range []string{"current", "recent", "stale", "reused"} {
		if err := os.MkdirAll(filepath.Join(dir, h, "wheelhouse"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-48 * time.Hour)
	for _, h := range []string{"stale", "reused", "current"} {
		if err := os.Chtimes(filepath.Join(dir, h), old, old); err != nil {
			t.Fatal(err)
		}
	}
	script := `set -e; KIT_CACHE=` + dir + ` KIT_OUT=` + dir + `/out; . lib/common.sh
cache_used "$1/reused"
prune_cache "$1" current`
	if out, err := exec.Command("bash", "-c", script, "bash", dir).CombinedOutput(); err != nil {
		t.Fatalf("prune_cache: %v\n%s", err, out)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if want := []string{"current", "recent", "reused"}; !slices.Equal(left, want) {
		t.Errorf("after prune_cache, the cache holds %v, want %v (only the build unused for a day goes)", left, want)
	}
	if fi, err := os.Stat(filepath.Join(dir, "current")); err != nil || time.Since(fi.ModTime()) > time.Hour {
		t.Errorf("the kept build is not marked used: %v %v", fi.ModTime(), err)
	}
}
