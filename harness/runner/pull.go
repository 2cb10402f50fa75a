package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// pullCall is one pull of a reference, shared by every variant of the run that needs
// it: the first starts it, the others wait and read its outcome.
type pullCall struct {
	done   chan struct{}
	err    error
	output string
}

// pulls memoises the run's pulls: an image is pulled once per run however many
// variants build on it, and a failed pull is not retried by every later variant.
type pulls struct {
	mu    sync.Mutex
	calls map[string]*pullCall
}

// PullProgress is one message of an image pull, as the engine reports it: a layer's
// state, or the image's own (Layer empty), or the pull's end (Done).
type PullProgress struct {
	// Ref is the reference pulled, as the build's FROM names it.
	Ref string
	// Layer is the engine's short layer id; empty for a message about the image.
	Layer string
	// Status is the engine's own word for the state: "Waiting", "Downloading",
	// "Extracting", "Pull complete", "Already exists", "Digest: sha256:…".
	Status string
	// Current and Total are the bytes of Status's work done and in all; Total is 0
	// when the engine does not say.
	Current, Total int64
	// Done marks the pull's end, the last message for Ref; Err is why it failed.
	Done bool
	Err  error
	Time time.Time
}

// pull fetches ref into the engine once per run; out gets its progress (the first
// variant's) or a copy of it (the ones that waited), one line per state as docker
// prints to a pipe, and WithPullProgress gets every message typed.
func (r *Runner) pull(ctx context.Context, ref string, out io.Writer) error {
	r.pulls.mu.Lock()
	if r.pulls.calls == nil {
		r.pulls.calls = map[string]*pullCall{}
	}
	if c, ok := r.pulls.calls[ref]; ok {
		r.pulls.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		_, _ = io.WriteString(out, c.output)
		return c.err
	}
	c := &pullCall{done: make(chan struct{})}
	r.pulls.calls[ref] = c
	r.pulls.mu.Unlock()

	var log strings.Builder
	w := io.MultiWriter(out, &log)
	err := r.eng.PullImage(ctx, ref, func(p PullProgress) {
		p.Ref, p.Time = ref, time.Now()
		if r.pullProgress != nil {
			r.pullProgress(p)
		}
		writePullLine(w, p)
	})
	if err != nil && ctx.Err() == nil {
		err = classifyPull(ref, err)
	}
	if r.pullProgress != nil {
		r.pullProgress(PullProgress{Ref: ref, Done: true, Err: err, Time: time.Now()})
	}
	c.err, c.output = err, log.String()
	if ctx.Err() != nil {
		// An interrupted pull says nothing of the registry: forget it.
		r.pulls.mu.Lock()
		delete(r.pulls.calls, ref)
		r.pulls.mu.Unlock()
	}
	close(c.done)
	return err
}

// writePullLine writes p to a build's output the way docker's jsonmessage does to a
// pipe: one line per state, none for the byte counts in between, which would make a
// large layer thousands of lines of the report.
func writePullLine(w io.Writer, p PullProgress) {
	if p.Current > 0 || p.Total > 0 {
		return
	}
	if p.Layer != "" {
		fmt.Fprintf(w, "%s: %s\n", p.Layer, p.Status)
		return
	}
	fmt.Fprintf(w, "%s\n", p.Status)
}

// errPull is a pull the registry (or the way to it) refused, with its own words.
type errPull struct {
	result.PullFailure
}

func (e errPull) Error() string {
	return fmt.Sprintf("pull %s: %s: %s; %s", e.Ref, e.Reason, e.Message, pullFix(e.PullFailure))
}

// pullFix is the one thing to do for a failed pull, named for its registry.
func pullFix(p result.PullFailure) string {
	switch p.Reason {
	case result.PullDenied:
		return fmt.Sprintf("log in to %s (docker login %s, or an auths entry or credential helper in ~/.docker/config.json), or map the image to one you may pull with --images", p.Registry, p.Registry)
	case result.PullNotFound:
		return fmt.Sprintf("%s has no such repository or tag: push it there (bootmatrix kit push %s for the offline kit's stand-ins), or name an existing tag with --images", p.Registry, p.Registry)
	case result.PullTLS:
		return fmt.Sprintf("%s does not speak TLS as the engine expects: serve it with a certificate the engine trusts, or add it to insecure-registries in the engine's daemon.json", p.Registry)
	default:
		return fmt.Sprintf("the engine cannot reach %s: check that it runs and that --registry-mirror / BOOTMATRIX_REGISTRY_MIRROR names it", p.Registry)
	}
}

// classifyPull keeps the registry's answer and says which kind of refusal it is,
// from the engine's error type where it has one and the registry's text otherwise.
func classifyPull(ref string, err error) error {
	msg := oneLine(err.Error())
	p := result.PullFailure{Ref: ref, Registry: registryOf(ref), Message: msg}
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "server gave http response to https client") || strings.Contains(low, "tls:") || strings.Contains(low, "x509:") || strings.Contains(low, "first record does not look like a tls handshake"):
		p.Reason = result.PullTLS
	case strings.Contains(low, "dial tcp") || strings.Contains(low, "no such host") || strings.Contains(low, "connection refused") || strings.Contains(low, "i/o timeout") || strings.Contains(low, "network is unreachable"):
		p.Reason = result.PullUnreachable
	case cerrdefs.IsUnauthorized(err) || cerrdefs.IsPermissionDenied(err) || strings.Contains(low, "unauthorized") || strings.Contains(low, "denied") || strings.Contains(low, "authentication required") || strings.Contains(low, "no basic auth credentials"):
		p.Reason = result.PullDenied
	case cerrdefs.IsNotFound(err) || strings.Contains(low, "manifest unknown") || strings.Contains(low, "not found") || strings.Contains(low, "name unknown"):
		p.Reason = result.PullNotFound
	default:
		p.Reason = result.PullUnreachable
	}
	return errPull{p}
}

// registryOf is the registry host of a reference, as Docker resolves it.
func registryOf(ref string) string {
	name := ref
	if i := strings.IndexByte(name, '/'); i > 0 {
		host := name[:i]
		if strings.ContainsAny(host, ".:") || host == "localhost" {
			return host
		}
	}
	return "docker.io"
}

// asPull reports a pull failure among err's chain.
func asPull(err error) (result.PullFailure, bool) {
	var p errPull
	if errors.As(err, &p) {
		return p.PullFailure, true
	}
	return result.PullFailure{}, false
}
