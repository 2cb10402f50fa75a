package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

// TestInstall is a user's first run: the CLI installed with go install into a fresh
// GOPATH and HOME, the kit built from the recipes in that binary, init and run on a
// copy of the seed project (testdata/install/*.txtar).
//
// To keep it affordable it shares the Go build and module caches (a fresh GOCACHE
// would recompile every dependency, a fresh module cache download them again), and it
// seeds the fresh HOME's kit cache with links to the shared cache: the .deb downloads,
// Debian roots and sources, and the cached builds (CPython, the Nix store, the
// wheelhouse, Railpack's Pythons), which are keyed by their recipes' inputs and not by
// the repository the images go under. So Debian is not downloaded and CPython is not
// compiled again (make images does both on a cold cache); every image is. Its images
// go under a repository of its own (BOOTMATRIX_KIT_REPO), so they start missing, are
// really built, and are removed at the end; the run uses that kit.
func TestInstall(t *testing.T) {
	runnertest.Docker(t)
	repo := repoRoot(t)
	shared := os.Getenv("KIT_CACHE")
	if shared == "" {
		shared = filepath.Join("images", "cache")
	}
	if !filepath.IsAbs(shared) {
		shared = filepath.Join(repo, shared)
	}
	for _, d := range sharedCache {
		if _, err := os.Stat(filepath.Join(shared, d)); err != nil {
			t.Skipf("no shared kit cache at %s (%v): run make images first, or this test would download Debian and compile CPython", shared, err)
		}
	}
	goenv := map[string]string{}
	for _, k := range []string{"GOCACHE", "GOMODCACHE", "GOROOT"} {
		out, err := exec.Command("go", "env", k).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", k, err)
		}
		goenv[k] = strings.TrimSpace(string(out))
	}
	kitRepo := fmt.Sprintf("bminstall%d", os.Getpid())
	t.Cleanup(func() { removeRepoImages(t, kitRepo) })

	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/install",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			gopath, home := filepath.Join(env.WorkDir, "gopath"), filepath.Join(env.WorkDir, "home")
			env.Setenv("REPO", repo)
			env.Setenv("GOPATH", gopath)
			env.Setenv("HOME", home)
			env.Setenv("KITREPO", kitRepo)
			env.Setenv("BOOTMATRIX_KIT_REPO", kitRepo)
			env.Setenv("PATH", filepath.Join(gopath, "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
			for k, v := range goenv {
				env.Setenv(k, v)
			}
			for _, k := range []string{"GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOFLAGS", "GOTOOLCHAIN", "DOCKER_HOST", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY"} {
				if v, ok := os.LookupEnv(k); ok {
					env.Setenv(k, v)
				}
			}
			// The kit's default cache directory in the fresh HOME (os.UserCacheDir),
			// holding only the downloads.
			kc := filepath.Join(home, ".cache", "bootmatrix", "kit")
			if err := os.MkdirAll(kc, 0o755); err != nil {
				return err
			}
			for _, d := range sharedCache {
				if err := os.Symlink(filepath.Join(shared, d), filepath.Join(kc, d)); err != nil {
					return err
				}
			}
			return os.CopyFS(filepath.Join(env.WorkDir, "project"), os.DirFS(filepath.Join(repo, "scenarios", "seed", "project")))
		},
	})
}

// sharedCache are the kit cache's directories TestInstall reuses: downloads, roots
// and the stages' cached builds (images/stages/*.sh).
var sharedCache = []string{"debs", "roots", "src", "cpython", "nixpacks", "railpack", "wheelhouse"}

// removeRepoImages removes every image tagged under repo/.
func removeRepoImages(t testing.TB, repo string) {
	out, err := exec.Command("docker", "images", "--format", "{{.Repository}}:{{.Tag}}").Output()
	if err != nil {
		t.Logf("listing images to remove %s/*: %v", repo, err)
		return
	}
	var refs []string
	for _, r := range strings.Fields(string(out)) {
		if strings.HasPrefix(r, repo+"/") {
			refs = append(refs, r)
		}
	}
	if len(refs) > 0 {
		if out, err := exec.Command("docker", append([]string{"rmi"}, refs...)...).CombinedOutput(); err != nil {
			t.Logf("docker rmi %v: %v: %s", refs, err, out)
		}
	}
}
