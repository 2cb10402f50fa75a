package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bootmatrix/bootmatrix/harness/runner"
)

// TestMain lets the scripts run the real binary: testscript re-executes this
// test binary as "bootmatrix", so flags, exit codes and output are what users get.
func TestMain(m *testing.M) {
	// Tests that call run() in this process start as main does.
	setUpTestcontainers()
	testscript.Main(m, map[string]func(){
		"bootmatrix": main,
	})
}

func TestScripts(t *testing.T) {
	t.Parallel()
	repo := repoRoot(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// Scripts copy fixtures from the repository and reach the engine the way the
			// user's shell would; testscript starts from an empty environment.
			env.Setenv("REPO", repo)
			// The seed's backend, for the script that really runs a variant: a copy, so a
			// build context never reaches outside the script's work directory.
			if err := copyDir(filepath.Join(repo, "scenarios", "seed", "project", "backend"), filepath.Join(env.WorkDir, "seedapp")); err != nil {
				return err
			}
			for _, k := range []string{"DOCKER_HOST", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "BOOTMATRIX_ONLINE"} {
				if v, ok := os.LookupEnv(k); ok {
					env.Setenv(k, v)
				}
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits": cmdExits,
		},
		// testscript answers [short] itself, before it asks Condition.
		Condition: func(cond string) (bool, error) {
			if cond == "docker" {
				return dockerReady()
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// cmdExits is "exits CODE PROG ARGS...": run PROG and require exactly that exit
// code, since `! exec` accepts any failure and the codes are part of the CLI's contract.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}

// kitImages are what the docker script's scenario needs: a python-slim build
// with the offline wheelhouse.
var kitImages = []string{"bootmatrix-kit/python:3.13-slim", "bootmatrix-kit/wheelhouse:latest"}

// dockerReady is the [docker] condition. Under BOOTMATRIX_REQUIRE_DOCKER=1 a
// missing engine or kit image is an error, which fails the script instead of skipping it.
func dockerReady() (bool, error) {
	if testing.Short() {
		return false, nil
	}
	err := checkDocker()
	if err == nil {
		return true, nil
	}
	if os.Getenv("BOOTMATRIX_REQUIRE_DOCKER") == "1" {
		return false, fmt.Errorf("BOOTMATRIX_REQUIRE_DOCKER=1: %w", err)
	}
	return false, nil
}

func checkDocker() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli, err := runner.Connect(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = cli.Close() }()
	for _, img := range kitImages {
		if _, err := cli.ImageInspect(ctx, img); err != nil {
			return fmt.Errorf("kit image %s missing: run make images: %w", img, err)
		}
	}
	return nil
}

func repoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s: %v", root, err)
	}
	return root
}

func copyDir(from, to string) error {
	// The whole tree: the seed's app is a package (api/), not one file.
	return os.CopyFS(to, os.DirFS(from))
}

func TestCacheCap(t *testing.T) {
	for _, tc := range []struct {
		flag, env string
		want      int64
		err       string
	}{
		{"", "", runner.DefaultCacheMax, ""},
		{"500MB", "", 500_000_000, ""},
		{"0", "", 0, ""},
		{"", "2GB", 2_000_000_000, ""},
		{"1GB", "2GB", 1_000_000_000, ""},
		{"lots", "", 0, `--cache-max "lots": want a size`},
		{"", "-1", 0, `BOOTMATRIX_CACHE_MAX "-1"`},
	} {
		t.Setenv("BOOTMATRIX_CACHE_MAX", tc.env)
		got, err := cacheCap(tc.flag)
		if got != tc.want || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("cacheCap(%q) with BOOTMATRIX_CACHE_MAX=%q = %d, %v", tc.flag, tc.env, got, err)
		}
	}
}
