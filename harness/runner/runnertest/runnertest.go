// Package runnertest holds the helpers container tests share: skip (or fail, under
// BOOTMATRIX_REQUIRE_DOCKER=1) when the engine or a kit image is missing, a runner
// whose objects are removed when the test ends, and label counting to prove it.
package runnertest

import (
	"context"
	"os"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/bootmatrix/bootmatrix/harness/runner"
)

// DisableReaper turns testcontainers-go's reaper off for this test process, unless
// TESTCONTAINERS_RYUK_DISABLED is already set: its image cannot be pulled offline,
// and Runner removes what a test creates by label. Call it first thing in the
// TestMain of a package whose tests use Runner; runner.New refuses a reaper that is on.
func DisableReaper() {
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
}

// Required reports whether missing Docker or kit images fail tests instead of skipping them.
func Required() bool { return os.Getenv("BOOTMATRIX_REQUIRE_DOCKER") == "1" }

func unavailable(tb testing.TB, msg string) {
	tb.Helper()
	if Required() {
		tb.Fatal(msg + " (BOOTMATRIX_REQUIRE_DOCKER=1)")
	}
	tb.Skip(msg)
}

// Docker returns a client for the engine, or skips the test (fails when required).
// testing.Short() always skips: container tests are not short.
func Docker(tb testing.TB) *client.Client {
	tb.Helper()
	if testing.Short() {
		tb.Skip("container test skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cli, err := runner.Connect(ctx)
	if err != nil {
		unavailable(tb, err.Error())
	}
	tb.Cleanup(func() { _ = cli.Close() })
	return cli
}

// RequireImages skips (or fails) unless every image is present.
func RequireImages(tb testing.TB, refs ...string) {
	tb.Helper()
	cli := Docker(tb)
	for _, ref := range refs {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := cli.ImageInspect(ctx, ref)
		cancel()
		switch {
		case cerrdefs.IsNotFound(err):
			unavailable(tb, "kit image "+ref+" missing: run bootmatrix kit build (make images)")
		case err != nil:
			tb.Fatalf("inspect %s: %v", ref, err)
		}
	}
}

// Runner returns a runner with a run id of its own. When the test ends, everything
// labelled with that id is removed, and the test fails if anything was left behind
// that the runner itself should have removed (unless opts keep containers).
func Runner(tb testing.TB, opts ...runner.Option) *runner.Runner {
	tb.Helper()
	Docker(tb)
	id := "test-" + runner.NewRunID()
	all := append([]runner.Option{runner.WithRunID(id), runner.WithLogf(tb.Logf)}, opts...)
	r, err := runner.New(context.Background(), all...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		// Counted before the clean-up: a runner must remove its containers itself
		// when a variant fails or a stage times out, not rely on this one.
		if n := CountLabelled(tb, id); n != 0 && !r.Keeps() {
			tb.Errorf("the runner left %d container(s) of run %s behind", n, id)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := runner.Cleanup(ctx, id); err != nil {
			tb.Errorf("cleanup run %s: %v", id, err)
		}
		if n := CountLabelled(tb, id); n != 0 {
			tb.Errorf("%d container(s) labelled with run %s remain after cleanup", n, id)
		}
		_ = r.Close()
	})
	return r
}

// CountLabelled counts the containers (running or not) labelled with the run id.
func CountLabelled(tb testing.TB, runID string) int {
	tb.Helper()
	cli := Docker(tb)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	f := make(client.Filters).Add("label", runner.LabelRun+"="+runID)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		tb.Fatalf("list containers: %v", err)
	}
	return len(cs.Items)
}
