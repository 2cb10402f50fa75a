package runner

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/bootmatrix/bootmatrix/harness/shellquote"
)

// box is a variant's running container.
type box struct {
	id       string
	hostPort int
	port     int
	// probes are the probe scripts already copied in: boot looks every second.
	probes map[string]bool
}

// startContainer starts an idle container from image: the stages exec into it, so its
// own process only has to stay alive.
func (r *Runner) startContainer(ctx context.Context, variant, image string, port int, env map[string]string, lim limits) (*box, error) {
	id, hostPort, err := r.eng.StartContainer(ctx, containerSpec{
		Image: image, Cmd: []string{"sleep", "infinity"}, Env: env, Port: port,
		Labels:   map[string]string{LabelManaged: "true", LabelRun: r.runID, LabelVariant: variant},
		Memory:   lim.memory,
		NanoCPUs: lim.nanoCPUs,
	})
	if err != nil {
		return nil, err
	}
	return &box{id: id, hostPort: hostPort, port: port}, nil
}

// terminate removes a variant's container, on a context of its own: it runs when
// the run's may already be cancelled.
func (r *Runner) terminate(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.eng.RemoveContainer(ctx, id); err != nil && !cerrdefs.IsNotFound(err) {
		r.logf("remove container %s: %v", id, err)
	}
}

type limits struct {
	memory, nanoCPUs int64
}

// execStart runs cmd in the container (engine.Exec).
func (r *Runner) execStart(ctx context.Context, id string, cmd, env []string, stdout, stderr io.Writer) <-chan execResult {
	return r.eng.Exec(ctx, id, cmd, env, stdout, stderr)
}

// execWait runs cmd to its end.
func (r *Runner) execWait(ctx context.Context, id string, cmd, env []string, stdout, stderr io.Writer) execResult {
	return <-r.eng.Exec(ctx, id, cmd, env, stdout, stderr)
}

// copyFile puts a probe script into the container.
func (r *Runner) copyFile(ctx context.Context, b *box, data []byte, dst string) error {
	return r.eng.CopyFile(ctx, b.id, data, dst, 0o644)
}

// oomKilled reports whether the memory limit killed a process in the container. The
// engine's State.OOMKilled is set only when the container's own PID 1 dies of it; the
// stages' processes are execs beside an idle PID 1, so the cgroup's OOM-kill counter
// (cgroup v2 memory.events, v1 memory.oom_control) is read from inside as well.
func (r *Runner) oomKilled(id string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := r.eng.InspectContainer(ctx, id)
	if err == nil && st.OOMKilled {
		return true
	}
	if err != nil || !st.Running {
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
