package runner

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/bootmatrix/bootmatrix/harness/shellquote"
)

// box is a variant's running container.
type box struct {
	ctr      testcontainers.Container
	id       string
	hostPort int
	port     int
}

type tcLogger struct{ logf func(string, ...any) }

func (l tcLogger) Printf(format string, v ...any) { l.logf(format, v...) }

// startContainer starts an idle container from image: the stages exec into it, so its
// own process only has to stay alive, and tini as PID 1 makes stopping it immediate.
// Its port is published on 127.0.0.1 only; it is never privileged, never gets the
// engine's socket and never shares the host's network.
func (r *Runner) startContainer(ctx context.Context, variant, image string, port int, env map[string]string, lim limits) (*box, error) {
	p := network.MustParsePort(fmt.Sprintf("%d/tcp", port))
	req := testcontainers.ContainerRequest{
		Image:        image,
		Entrypoint:   []string{"sleep", "infinity"},
		Env:          env,
		ExposedPorts: []string{p.String()},
		Labels: map[string]string{
			LabelManaged: "true", LabelRun: r.runID, LabelVariant: variant,
		},
		HostConfigModifier: func(hc *container.HostConfig) {
			init := true
			hc.Init = &init
			hc.Privileged = false
			hc.NetworkMode = "bridge"
			hc.PortBindings = network.PortMap{p: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: ""}}}
			hc.Memory = lim.memory
			hc.MemorySwap = lim.memory // no swap beyond the limit: OOM shows as OOM
			hc.NanoCPUs = lim.nanoCPUs
			hc.Binds = nil
			hc.AutoRemove = false
		},
	}
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: req,
		Started:          true,
		Logger:           tcLogger{r.logf},
	})
	if err != nil {
		if c != nil {
			r.terminate(c)
		}
		return nil, fmt.Errorf("start container from %s: %w", image, err)
	}
	mp, err := c.MappedPort(ctx, p.String())
	if err != nil {
		r.terminate(c)
		return nil, fmt.Errorf("mapped port %s: %w", p, err)
	}
	return &box{ctr: c, id: c.GetContainerID(), hostPort: int(mp.Num()), port: port}, nil
}

func (r *Runner) terminate(c testcontainers.Container) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Terminate(ctx, testcontainers.StopTimeout(0)); err != nil {
		r.logf("remove container %s: %v", c.GetContainerID(), err)
	}
}

type limits struct {
	memory, nanoCPUs int64
}

// execResult is an exec's end.
type execResult struct {
	code int
	err  error // the exec could not be run or watched (not a non-zero exit)
}

// execStart runs cmd in the container; its stdout and stderr go to the writers until
// it ends. The returned channel yields once, when the stream has ended and the exit
// code is known. Cancelling ctx stops the watching, not the process: the container's
// removal ends that.
func (r *Runner) execStart(ctx context.Context, id string, cmd, env []string, stdout, stderr io.Writer) <-chan execResult {
	ch := make(chan execResult, 1)
	cr, err := r.cli.ExecCreate(ctx, id, client.ExecCreateOptions{
		Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		ch <- execResult{err: fmt.Errorf("exec create: %w", err)}
		return ch
	}
	att, err := r.cli.ExecAttach(ctx, cr.ID, client.ExecAttachOptions{})
	if err != nil {
		ch <- execResult{err: fmt.Errorf("exec attach: %w", err)}
		return ch
	}
	go func() {
		copied := make(chan struct{})
		go func() {
			defer close(copied)
			if _, err := stdcopy.StdCopy(stdout, stderr, att.Reader); err != nil && ctx.Err() == nil {
				// The exit code still comes from the engine; the output says it is cut short.
				fmt.Fprintf(stderr, "\nbootmatrix: output stream broke: %v\n", err)
			}
		}()
		select {
		case <-copied:
		case <-ctx.Done():
			att.Close()
			<-copied
			ch <- execResult{code: -1, err: ctx.Err()}
			return
		}
		att.Close()
		// The stream ends as the process does; the engine may need a moment to say so.
		ictx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		for {
			ins, err := r.cli.ExecInspect(ictx, cr.ID, client.ExecInspectOptions{})
			if err != nil {
				ch <- execResult{code: -1, err: fmt.Errorf("exec inspect: %w", err)}
				return
			}
			if !ins.Running {
				ch <- execResult{code: ins.ExitCode}
				return
			}
			select {
			case <-ictx.Done():
				ch <- execResult{code: -1, err: fmt.Errorf("exec inspect: still running after its output ended")}
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return ch
}

// execWait runs cmd to its end.
func (r *Runner) execWait(ctx context.Context, id string, cmd, env []string, stdout, stderr io.Writer) execResult {
	return <-r.execStart(ctx, id, cmd, env, stdout, stderr)
}

// copyFile puts a probe script into the container.
func (r *Runner) copyFile(ctx context.Context, b *box, data []byte, dst string) error {
	return b.ctr.CopyToContainer(ctx, data, dst, 0o644)
}

// oomKilled reports whether the memory limit killed a process in the container. The
// engine's State.OOMKilled is set only when the container's own PID 1 dies of it; the
// stages' processes are execs beside an idle PID 1, so the cgroup's OOM-kill counter
// (cgroup v2 memory.events, v1 memory.oom_control) is read from inside as well.
func (r *Runner) oomKilled(id string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ins, err := r.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err == nil && ins.Container.State != nil && ins.Container.State.OOMKilled {
		return true
	}
	if err != nil || ins.Container.State == nil || !ins.Container.State.Running {
		return false
	}
	for _, f := range []string{"/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"} {
		out := NewTail(4 << 10)
		res := r.execWait(ctx, id, []string{"cat", f}, nil, out, io.Discard)
		if res.err == nil && res.code == 0 {
			return oomKillCount(out.String()) > 0
		}
	}
	return false
}

// oomKillCount reads the "oom_kill N" line both cgroup versions write.
func oomKillCount(s string) int {
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == "oom_kill" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

// shellQuote and shellJoin quote for a POSIX shell, as every other command the harness writes.
func shellQuote(s string) string { return shellquote.Quote(s) }

func shellJoin(args []string) string { return shellquote.Join(args) }

func envList(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}
