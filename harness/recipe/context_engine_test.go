package recipe_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func TestMain(m *testing.M) {
	runnertest.DisableReaper()
	os.Exit(m.Run())
}

const kitBookworm = "bootmatrix-kit/debian:bookworm"

// ignoring is a project whose .dockerignore lists a secret and an ignored
// directory with an exception.
var ignoring = map[string]string{
	"app.py":        "print('hi')\n",
	"secret.env":    "API_KEY=sk-live-0123456789\n",
	"logs/a.log":    "x\n",
	"logs/keep.log": "kept by !logs/keep.log\n",
	".dockerignore": "secret.env\nlogs/*.log\n!logs/keep.log\n",
}

// linking is a project with dangling and looping links, a symlinked directory and
// a link out of a subdirectory.
var linking = map[string]string{
	"app.py":     "print('hi')\n",
	"pkg/mod.py": "x = 1\n",
	"dangling":   "->does-not-exist",
	"loop":       "->loop",
	"pkglink":    "->pkg",
	"pkg/up":     "->../app.py",
}

// TestContextMatchesDockerBuild builds each directory through WalkContext and the
// runner, and the same directory with `docker build` (classic builder, the
// Dockerfile from outside the context as the runner's own is), and compares what
// each image has under /app: paths, types and link targets. The runner's image is
// the one kept in the shared cache, so the secret must not be in it.
func TestContextMatchesDockerBuild(t *testing.T) {
	runnertest.RequireImages(t, kitBookworm)
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("docker CLI not installed: the test compares with `docker build`")
	}
	dockerfile := "FROM " + kitBookworm + "\nCOPY . /app\n"
	for _, c := range []struct {
		name   string
		tree   map[string]string
		absent []string // entries of /app that must not be there
	}{
		// The runner names its Dockerfile "Dockerfile" when the project has none...
		{"dockerignore", ignoring, []string{"f secret.env", "f logs/a.log", "f Dockerfile"}},
		{"symlinks", linking, []string{"f Dockerfile"}},
		// ...and .bootmatrix.Dockerfile beside the project's own.
		{"project Dockerfile", maps.Collect(func(yield func(string, string) bool) {
			maps.All(ignoring)(yield)
			yield("Dockerfile", "FROM scratch\n")
		}), []string{"f secret.env", "f .bootmatrix.Dockerfile"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, c.tree)

			files, err := recipe.WalkContext(dir)
			if err != nil {
				t.Fatal(err)
			}
			r := runnertest.Runner(t)
			rc := &recipe.Recipe{
				Builder: "test",
				Setup:   recipe.Build{Dockerfile: dockerfile, Context: files},
				Shell:   []string{"sh", "-c"}, Start: "true", Workdir: "/app", Python: "python3",
			}
			ctx := context.Background()
			v := r.RunRecipe(ctx, "context", rc, runner.Checks{Timeouts: scenario.Timeouts{result.StageImport: 20 * time.Second}})
			if st := v.StageByName(result.StageBuild); st == nil || st.Status != result.Pass {
				t.Fatalf("build stage %+v", st)
			}
			ours := listApp(t, v.Image)
			theirs := listApp(t, dockerBuild(t, dir, dockerfile))
			if !slices.Equal(ours, theirs) {
				t.Errorf("/app differs from docker build's\n ours   %q\n docker %q", ours, theirs)
			}
			t.Logf("/app: %q", ours)
			for _, line := range c.absent {
				if slices.Contains(ours, line) {
					t.Errorf("cached image %s has %q", v.Image, line)
				}
			}
		})
	}
}

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

// dockerBuild runs `docker build` of dir with the classic builder, the one the
// runner's engine calls use, and returns the image ID.
func dockerBuild(tb testing.TB, dir, dockerfile string) string {
	tb.Helper()
	df := filepath.Join(tb.TempDir(), "Dockerfile")
	if err := os.WriteFile(df, []byte(dockerfile), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("docker", "build", "-q", "--label", "bootmatrix.test=context", "-f", df, dir)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("docker build: %v\n%s", err, stderr.String())
	}
	id := strings.TrimSpace(string(out))
	tb.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", id).Run() })
	return id
}

// listApp lists /app in image: one "type path link-target" line per entry, sorted.
func listApp(tb testing.TB, image string) []string {
	tb.Helper()
	out, err := exec.Command("docker", "run", "--rm", "--entrypoint", "find", image,
		"/app", "-mindepth", "1", "-printf", `%y %P %l\n`).CombinedOutput()
	if err != nil {
		tb.Fatalf("list /app in %s: %v\n%s", image, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	slices.Sort(lines)
	return lines
}
