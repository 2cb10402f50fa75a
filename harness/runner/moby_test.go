package runner

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// TestMobyContainerIsolation starts a variant's container the way the stages do and
// reads back what the engine made of it: every isolation property is set by the
// runner, none left to testcontainers-go's defaults, and RemoveContainer leaves
// nothing behind.
func TestMobyContainerIsolation(t *testing.T) {
	if testing.Short() {
		t.Skip("container test skipped in -short mode")
	}
	unavailable := func(msg string) {
		t.Helper()
		if os.Getenv("BOOTMATRIX_REQUIRE_DOCKER") == "1" {
			t.Fatal(msg + " (BOOTMATRIX_REQUIRE_DOCKER=1)")
		}
		t.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	e, err := connectEngine(ctx, t.Logf)
	if err != nil {
		unavailable(err.Error())
	}
	t.Cleanup(func() { _ = e.Close() })
	const image = "bootmatrix-kit/debian:bookworm"
	if _, err := e.InspectImage(ctx, image); err != nil {
		unavailable("kit image " + image + " missing: run make images")
	}
	runID := "test-" + NewRunID()
	t.Cleanup(func() {
		gctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := gc(gctx, e, GCOptions{RunID: runID}); err != nil {
			t.Errorf("cleanup run %s: %v", runID, err)
		}
	})
	const memory, nanoCPUs = 128 << 20, 250_000_000
	labels := map[string]string{LabelManaged: "true", LabelRun: runID, LabelVariant: "isolation"}
	id, hostPort, err := e.StartContainer(ctx, containerSpec{
		Image: image, Cmd: []string{"sleep", "infinity"}, Env: map[string]string{"A": "1"},
		Labels: labels, Port: 8080, Memory: memory, NanoCPUs: nanoCPUs,
	})
	if err != nil {
		t.Fatal(err)
	}
	if e.tc.Client() != e.cli {
		t.Error("testcontainers-go's provider talks to the engine through a client of its own")
	}
	// The test's own teardown if it stops early; a no-op once RemoveContainer ran.
	testcontainers.CleanupContainer(t, e.ctrs[id], testcontainers.StopTimeout(0))

	ins, err := e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := ins.Container
	hc := c.HostConfig
	if c.State == nil || !c.State.Running {
		t.Errorf("container not running: %+v", c.State)
	}
	if hc.Init == nil || !*hc.Init {
		t.Error("no init as PID 1")
	}
	if hc.Privileged {
		t.Error("privileged")
	}
	if hc.NetworkMode != "bridge" {
		t.Errorf("network mode %q, want bridge", hc.NetworkMode)
	}
	if len(hc.Binds) > 0 || len(hc.Mounts) > 0 || len(c.Mounts) > 0 {
		t.Errorf("binds %v, mounts %v %v: want none", hc.Binds, hc.Mounts, c.Mounts)
	}
	if hc.Memory != memory || hc.MemorySwap != memory || hc.NanoCPUs != nanoCPUs {
		t.Errorf("memory %d, memory+swap %d, NanoCPUs %d; want %d, %d, %d",
			hc.Memory, hc.MemorySwap, hc.NanoCPUs, memory, memory, nanoCPUs)
	}
	if hc.AutoRemove {
		t.Error("auto-remove: the exit state must survive for OOM and exit checks")
	}
	if len(hc.PortBindings) != 1 {
		t.Errorf("port bindings %v, want one", hc.PortBindings)
	}
	for p, bs := range hc.PortBindings {
		if p.String() != "8080/tcp" || len(bs) != 1 || bs[0].HostIP.String() != "127.0.0.1" || (bs[0].HostPort != "" && bs[0].HostPort != "0") {
			t.Errorf("binding %s %v, want 8080/tcp on 127.0.0.1 at a port the engine picks", p, bs)
		}
	}
	published := false
	for _, bs := range c.NetworkSettings.Ports {
		for _, b := range bs {
			published = published || b.HostIP.String() == "127.0.0.1" && b.HostPort == strconv.Itoa(hostPort)
			if b.HostIP.String() != "127.0.0.1" {
				t.Errorf("published on %s", b.HostIP)
			}
		}
	}
	if !published {
		t.Errorf("host port %d not published on 127.0.0.1: %v", hostPort, c.NetworkSettings.Ports)
	}
	for k, v := range labels {
		if c.Config.Labels[k] != v {
			t.Errorf("label %s = %q, want %q", k, c.Config.Labels[k], v)
		}
	}
	if !slices.Contains(c.Config.Env, "A=1") {
		t.Errorf("env %v lacks A=1", c.Config.Env)
	}

	if err := e.RemoveContainer(ctx, id); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := e.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("container still there after RemoveContainer: %v", err)
	}
	if len(e.ctrs) != 0 {
		t.Errorf("engine still tracks %d container(s)", len(e.ctrs))
	}
	if err := e.RemoveContainer(ctx, id); !cerrdefs.IsNotFound(err) {
		t.Errorf("second remove: %v, want not found", err)
	}
}
