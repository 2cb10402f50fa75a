package runner

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client/pkg/jsonmessage"
)

// fakeEngine is an engine in memory, for the stage logic's tests: builds succeed
// unless buildFn says otherwise, containers "publish" the port of an httptest
// server, and execs run the test's handler. It is never a stand-in for a behaviour a
// test claims of a real container: those tests run on the engine.
type fakeEngine struct {
	mu sync.Mutex
	// images by reference (tags and IDs).
	images map[string]imageInfo
	// buildFn decides a build's outcome from its Dockerfile; nil succeeds.
	buildFn func(dockerfile string, out io.Writer) (int, error)
	// exec handles every exec; cmd is the shell command string (the last argument).
	exec func(ctx context.Context, cmd string, env []string, stdout, stderr io.Writer) int
	// hostPort is what StartContainer publishes the container's port on.
	hostPort int
	// imageCommand is the ENTRYPOINT and CMD of every image the fake builds.
	imageCommand []string
	startErr     error
	state        containerState
	// vanished: the container was removed from outside (InspectContainer: not found).
	vanished bool
	cpus     int

	builds     []string // Dockerfiles built, in order
	hostNet    []bool   // each build's HostNetwork, in the same order
	started    []containerSpec
	removed    []string
	copied     map[string][]byte
	objects    []object
	removeErrs map[string]error
	gone       []string // IDs of objects Remove removed
	layers     map[string][]layer
	closed     bool
	pullable   map[string]imageInfo // references PullImage can fetch
	pullErr    error                // PullImage's error for any other reference
	pulled     []string             // references PullImage was called with
	// pullStream is the engine's pull stream (its JSON messages) for a reference;
	// PullImage decodes it as it decodes the engine's.
	pullStream map[string]string
}

func newFake() *fakeEngine {
	return &fakeEngine{images: map[string]imageInfo{}, copied: map[string][]byte{}, removeErrs: map[string]error{},
		state: containerState{Running: true}}
}

func (f *fakeEngine) CPUs(context.Context) int { return f.cpus }

func (f *fakeEngine) InspectImage(_ context.Context, ref string) (imageInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if im, ok := f.images[ref]; ok {
		return im, nil
	}
	return imageInfo{}, cerrdefs.ErrNotFound.WithMessage("no such image: " + ref)
}

func (f *fakeEngine) Build(ctx context.Context, req buildRequest, out io.Writer) (int, error) {
	dockerfile, err := readDockerfile(req.Context, req.Dockerfile)
	if err != nil {
		return 0, err
	}
	f.mu.Lock()
	f.builds = append(f.builds, dockerfile)
	f.hostNet = append(f.hostNet, req.HostNetwork)
	fn := f.buildFn
	f.mu.Unlock()
	if fn != nil {
		if code, err := fn(dockerfile, out); err != nil {
			return code, err
		}
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	f.mu.Lock()
	f.images[req.Tag] = imageInfo{ID: "sha256:" + req.Tag, Command: f.imageCommand}
	f.mu.Unlock()
	return 0, nil
}

// readDockerfile reads the named file out of a build context's tar stream.
func readDockerfile(r io.Reader, name string) (string, error) {
	tr := tar.NewReader(r)
	var found string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return found, nil
		}
		if err != nil {
			return "", err
		}
		if h.Name == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				return "", err
			}
			found = string(b)
		}
	}
}

func (f *fakeEngine) TagImage(_ context.Context, source, target string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	im, ok := f.images[source]
	if !ok {
		return cerrdefs.ErrNotFound
	}
	f.images[target] = im
	return nil
}

func (f *fakeEngine) RemoveImage(_ context.Context, ref string, _ bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.images[ref]; !ok {
		return cerrdefs.ErrNotFound
	}
	delete(f.images, ref)
	return nil
}

func (f *fakeEngine) StartContainer(_ context.Context, spec containerSpec) (string, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.startErr != nil {
		return "", 0, f.startErr
	}
	f.started = append(f.started, spec)
	return fmt.Sprintf("ctr%d", len(f.started)), f.hostPort, nil
}

func (f *fakeEngine) Exec(ctx context.Context, _ string, cmd, env []string, stdout, stderr io.Writer) <-chan execResult {
	ch := make(chan execResult, 1)
	go func() {
		code := 0
		if f.exec != nil {
			code = f.exec(ctx, cmd[len(cmd)-1], env, stdout, stderr)
		}
		if ctx.Err() != nil {
			ch <- execResult{code: -1, err: ctx.Err()}
			return
		}
		ch <- execResult{code: code}
	}()
	return ch
}

func (f *fakeEngine) CopyFile(_ context.Context, _ string, data []byte, dst string, _ int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.copied[dst] = data
	return nil
}

func (f *fakeEngine) InspectContainer(context.Context, string) (containerState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.vanished {
		return containerState{}, cerrdefs.ErrNotFound.WithMessage("no such container")
	}
	return f.state, nil
}

func (f *fakeEngine) RemoveContainer(_ context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, id)
	return nil
}

func (f *fakeEngine) List(_ context.Context, kind objectKind, labels []string) ([]object, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []object
next:
	for _, o := range f.objects {
		if o.Kind != kind {
			continue
		}
		for _, l := range labels {
			k, v, _ := strings.Cut(l, "=")
			if o.Labels[k] != v {
				continue next
			}
		}
		out = append(out, o)
	}
	return out, nil
}

func (f *fakeEngine) UniqueSizes(context.Context) (map[string]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	sizes := map[string]int64{}
	for _, o := range f.objects {
		sizes[o.ID] = o.Size
	}
	return sizes, nil
}

func (f *fakeEngine) History(_ context.Context, ref string) ([]layer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.layers[ref], nil
}

func (f *fakeEngine) Remove(_ context.Context, o object) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.removeErrs[o.ID]; err != nil {
		return err
	}
	f.gone = append(f.gone, o.ID)
	return nil
}

func (f *fakeEngine) Close() error { f.closed = true; return nil }

// app is the variant's app as the fake sees it: an httptest server for the health
// and config endpoints, and a start command that runs until the stage lets it go or
// the test makes it exit.
type app struct {
	srv  *httptest.Server
	port int
	mu   sync.Mutex
	// health answers /health; nil answers 200 {"ok": true}.
	health http.HandlerFunc
	exit   chan int // a code sent here ends the start command
}

func newApp(t testing.TB) *app {
	a := &app{exit: make(chan int, 1)}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		h := a.health
		a.mu.Unlock()
		switch {
		case r.URL.Path == "/health" && h != nil:
			h(w, r)
		case r.URL.Path == "/health":
			_, _ = io.WriteString(w, `{"ok": true}`)
		case r.URL.Path == "/config":
			_, _ = io.WriteString(w, `{"apiBase": "http://api.test"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(a.srv.Close)
	u, _ := url.Parse(a.srv.URL)
	a.port, _ = strconv.Atoi(u.Port())
	return a
}

func (a *app) setHealth(h http.HandlerFunc) {
	a.mu.Lock()
	a.health = h
	a.mu.Unlock()
}

// closedPort is a port nothing listens on.
func closedPort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

// fakeBox is the behaviour of the fake's execs.
type fakeBox struct {
	// imports by module: exit code and what the import prints to stderr; a
	// negative code blocks until the stage gives up.
	imports map[string]importOutcome
	ldd     string // the ldd probe's stdout; "" is a clean report
	listen  string // the listener probe's stdout
	// procs is the process probe's stdout at its nth run (from 0); nil prints nothing.
	procs   func(n int) string
	nprocs  int
	oomKill int // the cgroup's oom_kill counter
	app     *app
	started chan struct{} // closed when the start command runs
	once    sync.Once
	blocked chan struct{} // closed when an import that blocks starts
	bonce   sync.Once
}

type importOutcome struct {
	code int
	out  string
}

const cleanLdd = `BOOTMATRIX-LDD-JSON:{"python":"3.13","interpreter":"/lib64/ld-linux-x86-64.so.2","dirs":["/site"],"scanned":3,"missing":[],"errors":[]}`

func (c *fakeBox) handle(ctx context.Context, cmd string, _ []string, stdout, stderr io.Writer) int {
	switch {
	case strings.Contains(cmd, "import "):
		mod := strings.Fields(cmd[strings.Index(cmd, "import ")+len("import "):])[0]
		o, ok := c.imports[mod]
		if !ok {
			_, _ = io.WriteString(stdout, "1.0\n")
			return 0
		}
		if o.code < 0 {
			if c.blocked != nil {
				c.bonce.Do(func() { close(c.blocked) })
			}
			<-ctx.Done()
			return -1
		}
		_, _ = io.WriteString(stderr, o.out)
		return o.code
	case strings.Contains(cmd, "ldd.py"):
		out := c.ldd
		if out == "" {
			out = cleanLdd
		}
		_, _ = io.WriteString(stdout, out+"\n")
		return 0
	case strings.Contains(cmd, "listen.py"):
		_, _ = io.WriteString(stdout, c.listen)
		return 0
	case strings.Contains(cmd, "procs.py"):
		if c.procs != nil {
			_, _ = io.WriteString(stdout, c.procs(c.nprocs))
			c.nprocs++
		}
		return 0
	case strings.HasPrefix(cmd, "/sys/fs/cgroup/"): // cat, run without a shell
		fmt.Fprintf(stdout, "oom 0\noom_kill %d\n", c.oomKill)
		return 0
	default:
		if c.started != nil {
			c.once.Do(func() { close(c.started) })
		}
		_, _ = io.WriteString(stdout, "booting\n")
		var exit chan int
		if c.app != nil {
			exit = c.app.exit
		}
		select {
		case <-ctx.Done():
			return -1
		case code := <-exit:
			_, _ = io.WriteString(stderr, "worker exited\n")
			return code
		}
	}
}

// fakeRunner is a runner on the fake engine with short settle and exit grace.
func fakeRunner(t testing.TB, f *fakeEngine, opts ...Option) *Runner {
	t.Helper()
	all := append([]Option{withEngine(f), WithRunID("test-run"), WithLogf(t.Logf)}, opts...)
	r, err := New(context.Background(), all...)
	if err != nil {
		t.Fatal(err)
	}
	r.exitGrace = 300 * time.Millisecond
	r.failFast = 200 * time.Millisecond
	return r
}

// PullImage plays the canned stream pullStream holds for ref (one layer's "Pull
// complete" when it holds none and ref is pullable) through the engine's decoder; then it succeeds for references
// pullable holds (their images appear), and fails with pullErr otherwise; pulled
// counts the calls.
func (f *fakeEngine) PullImage(_ context.Context, ref string, progress func(PullProgress)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pulled = append(f.pulled, ref)
	stream, ok := f.pullStream[ref]
	if _, pullable := f.pullable[ref]; !ok && pullable {
		stream = `{"status":"Pull complete","progressDetail":{},"id":"0a1b2c3d4e5f"}`
	}
	if err := jsonmessage.DisplayStream(strings.NewReader(stream), io.Discard, pullPrinter(progress)); err != nil {
		return err
	}
	if info, ok := f.pullable[ref]; ok {
		f.images[ref] = info
		return nil
	}
	if f.pullErr != nil {
		return f.pullErr
	}
	return cerrdefs.ErrNotFound.WithMessage("manifest for " + ref + " not found: manifest unknown")
}
