package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// mobyEngine is the engine through testcontainers-go's Docker client: the runner's
// one connection to Docker. The variants' containers are created, started, waited
// for and terminated by testcontainers-go's provider over that client; builds,
// execs, copies, inspection and gc call the client directly (the package doc says why).
type mobyEngine struct {
	cli *testcontainers.DockerClient
	tc  *testcontainers.DockerProvider

	mu   sync.Mutex
	ctrs map[string]testcontainers.Container // started here and not yet terminated, by ID
}

// Connect returns a client for the engine and pings it; the error is one line saying
// where it looked and how to start an engine.
func Connect(ctx context.Context) (*client.Client, error) {
	cli, err := dial(ctx)
	if err != nil {
		return nil, err
	}
	return cli.Client, nil
}

// dial makes testcontainers-go's client. It finds the engine the way testcontainers-go
// does (its properties, the Docker context, the default socket), except that
// DOCKER_HOST, when set, is the engine: testcontainers-go would skip one that does
// not answer and quietly use the local socket instead.
func dial(ctx context.Context) (*testcontainers.DockerClient, error) {
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	unreachable := func(host string, err error) error {
		return fmt.Errorf("docker engine not reachable (DOCKER_HOST %s): %s; start it with `sudo systemctl start docker` (or run `dockerd`), or set DOCKER_HOST to a running engine",
			host, oneLine(err.Error()))
	}
	host := os.Getenv("DOCKER_HOST")
	cli, err := testcontainers.NewDockerClientWithOpts(pctx, client.FromEnv)
	if err != nil {
		if host == "" {
			host = "unset"
		}
		return nil, unreachable(host, err)
	}
	if _, err := cli.Ping(pctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		if host == "" {
			host = "unset, so " + cli.DaemonHost()
		}
		_ = cli.Close()
		return nil, unreachable(host, err)
	}
	return cli, nil
}

// connectEngine connects; testcontainers-go's messages about the containers it
// manages go to logf.
func connectEngine(ctx context.Context, logf func(string, ...any)) (*mobyEngine, error) {
	cli, err := dial(ctx)
	if err != nil {
		return nil, err
	}
	// The provider makes a client of its own, which SetClient replaces before it is
	// used: dial's Info answer is cached for the process, so that one never reached
	// the engine.
	p, err := testcontainers.NewDockerProvider(testcontainers.WithLogger(tcLogger{logf}))
	if err != nil {
		_ = cli.Close()
		return nil, fmt.Errorf("testcontainers provider: %w", err)
	}
	p.SetClient(cli)
	return &mobyEngine{cli: cli, tc: p, ctrs: map[string]testcontainers.Container{}}, nil
}

// reaperOff refuses testcontainers-go's reaper, Ryuk: with it on, the first container
// would wait for testcontainers/ryuk to be pulled, which an offline engine cannot do,
// and the runner removes what it creates by label itself. Turning it off is the
// program's choice (the CLI's main makes it), so New only says how.
func reaperOff() error {
	if testcontainers.ReadConfig().Config.RyukDisabled {
		return nil
	}
	return errors.New("testcontainers-go's reaper is on, and starting a container would pull testcontainers/ryuk: set TESTCONTAINERS_RYUK_DISABLED=true in the environment (or ryuk.disabled=true in ~/.testcontainers.properties) before the process first uses testcontainers-go; the runner removes what it creates by label itself")
}

// tcLogger hands testcontainers-go's lines to the runner's WithLogf.
type tcLogger struct{ logf func(string, ...any) }

func (l tcLogger) Printf(format string, v ...any) {
	if l.logf != nil {
		l.logf("%s", strings.TrimRight(fmt.Sprintf(format, v...), "\n"))
	}
}

func (m *mobyEngine) Close() error { return m.cli.Close() }

func (m *mobyEngine) CPUs(ctx context.Context) int {
	ictx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	info, err := m.cli.Info(ictx, client.InfoOptions{})
	if err != nil {
		return 0
	}
	return info.Info.NCPU
}

func (m *mobyEngine) InspectImage(ctx context.Context, ref string) (imageInfo, error) {
	ins, err := m.cli.ImageInspect(ctx, ref)
	if err != nil {
		return imageInfo{}, err
	}
	info := imageInfo{ID: ins.ID}
	if ins.Config != nil {
		info.Command = append(append([]string{}, ins.Config.Entrypoint...), ins.Config.Cmd...)
	}
	return info, nil
}

// buildMessage is one line of the engine's build output stream.
type buildMessage struct {
	Stream      string `json:"stream"`
	Status      string `json:"status"`
	Progress    string `json:"progress"`
	Error       string `json:"error"`
	ErrorDetail *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"errorDetail"`
}

var nonZero = regexp.MustCompile(`returned a non-zero code: (\d+)`)

func (m *mobyEngine) Build(ctx context.Context, req buildRequest, out io.Writer) (int, error) {
	args := make(map[string]*string, len(req.Args))
	for k, v := range req.Args {
		args[k] = &v
	}
	resp, err := m.cli.ImageBuild(ctx, req.Context, client.ImageBuildOptions{
		Tags:        []string{req.Tag},
		Dockerfile:  req.Dockerfile,
		BuildArgs:   args,
		Remove:      true,
		ForceRemove: true, // no intermediate container survives a failed step
		PullParent:  false,
		Version:     build.BuilderV1,
		Labels:      req.Labels,
		NetworkMode: buildNetwork(req.HostNetwork),
	})
	if err != nil {
		return 0, fmt.Errorf("docker build: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	return readBuildStream(ctx, resp.Body, out)
}

func buildNetwork(host bool) string {
	if host {
		return "host"
	}
	return ""
}

// readBuildStream copies the build's messages to out and returns the failing step's
// exit code and message.
func readBuildStream(ctx context.Context, r io.Reader, out io.Writer) (int, error) {
	dec := json.NewDecoder(r)
	for {
		var msg buildMessage
		if err := dec.Decode(&msg); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, fmt.Errorf("read build output: %w", err)
		}
		switch {
		case msg.Stream != "":
			_, _ = io.WriteString(out, msg.Stream)
		case msg.Status != "":
			_, _ = io.WriteString(out, msg.Status+" "+msg.Progress+"\n")
		}
		if msg.Error != "" || msg.ErrorDetail != nil {
			text := msg.Error
			if text == "" {
				text = msg.ErrorDetail.Message
			}
			_, _ = io.WriteString(out, text+"\n")
			code := 1
			if g := nonZero.FindStringSubmatch(text); g != nil {
				code, _ = strconv.Atoi(g[1])
			}
			return code, errors.New(oneLine(text))
		}
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	return 0, nil
}

func (m *mobyEngine) TagImage(ctx context.Context, source, target string) error {
	_, err := m.cli.ImageTag(ctx, client.ImageTagOptions{Source: source, Target: target})
	return err
}

func (m *mobyEngine) RemoveImage(ctx context.Context, ref string, force bool) error {
	// PruneChildren (the API's default, which the client turns off): the legacy
	// builder's untagged intermediate layers go with the image.
	_, err := m.cli.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: force, PruneChildren: true})
	return err
}

// StartContainer starts an idle container. tini as PID 1 makes stopping it
// immediate. Its port is published on 127.0.0.1 only; it is never privileged, has no
// binds or mounts (so never the engine's socket) and never shares the host's network.
func (m *mobyEngine) StartContainer(ctx context.Context, spec containerSpec) (string, int, error) {
	p := network.MustParsePort(fmt.Sprintf("%d/tcp", spec.Port))
	req := testcontainers.ContainerRequest{
		Image:        spec.Image,
		Entrypoint:   spec.Cmd,
		Env:          spec.Env,
		Labels:       maps.Clone(spec.Labels), // testcontainers-go adds its own to the map
		ExposedPorts: []string{p.String()},
		// Replaces testcontainers-go's defaults whole: every field the container's
		// isolation depends on is set here.
		HostConfigModifier: func(hc *container.HostConfig) {
			init := true
			hc.Init = &init
			hc.Privileged = false
			hc.NetworkMode = "bridge"
			hc.Binds = nil
			hc.Mounts = nil
			hc.PortBindings = network.PortMap{p: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: ""}}}
			hc.Resources = container.Resources{
				Memory:     spec.Memory,
				MemorySwap: spec.Memory, // no swap beyond the limit: OOM shows as OOM
				NanoCPUs:   spec.NanoCPUs,
			}
			hc.AutoRemove = false
		},
		// The engine publishes the port as part of the start and may report it a
		// moment later; the strategy polls for it and gives up at once, with the exit
		// code, if the container stopped running (an image without sleep, say).
		WaitingFor: wait.ForMappedPort(p.String()).WithPollInterval(50 * time.Millisecond).WithStartupTimeout(30 * time.Second),
	}
	// GenericContainer with Started would do these two calls on a provider, and a
	// client, of its own.
	ctr, err := m.tc.CreateContainer(ctx, req)
	if err == nil {
		err = ctr.Start(ctx)
	}
	fail := func(err error) (string, int, error) {
		if ctr != nil && ctr.GetContainerID() != "" {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
			defer cancel()
			_ = ctr.Terminate(rctx, testcontainers.StopTimeout(0))
		}
		return "", 0, err
	}
	if err != nil {
		return fail(fmt.Errorf("start container from %s: %w", spec.Image, err))
	}
	mp, err := ctr.MappedPort(ctx, p.String())
	if err != nil {
		return fail(fmt.Errorf("mapped port %s: %w", p, err))
	}
	id := ctr.GetContainerID()
	m.mu.Lock()
	m.ctrs[id] = ctr
	m.mu.Unlock()
	return id, int(mp.Num()), nil
}

// RemoveContainer returns once the container is gone. A container this engine
// started is terminated through testcontainers-go, with no stop timeout (its
// processes are discarded with it); any other, such as one gc found, is force-removed.
// A removal already under way (the runner's own, when a second signal's clean-up
// races it) is waited for: the engine refuses a second one, and the container still
// exists until the first ends.
func (m *mobyEngine) RemoveContainer(ctx context.Context, id string) error {
	m.mu.Lock()
	ctr := m.ctrs[id]
	delete(m.ctrs, id)
	m.mu.Unlock()
	var err error
	if ctr != nil {
		err = ctr.Terminate(ctx, testcontainers.StopTimeout(0))
	} else {
		_, err = m.cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	}
	if err == nil || !cerrdefs.IsConflict(err) || !strings.Contains(err.Error(), "already in progress") {
		return err
	}
	for {
		if _, ierr := m.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{}); cerrdefs.IsNotFound(ierr) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; still there when waiting for it ended: %w", err, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (m *mobyEngine) InspectContainer(ctx context.Context, id string) (containerState, error) {
	ins, err := m.cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return containerState{}, err
	}
	if ins.Container.State == nil {
		return containerState{}, nil
	}
	return containerState{Running: ins.Container.State.Running, OOMKilled: ins.Container.State.OOMKilled}, nil
}

func (m *mobyEngine) CopyFile(ctx context.Context, id string, data []byte, dst string, mode int64) error {
	name := path.Clean(dst)
	if !path.IsAbs(name) || name == "/" {
		return fmt.Errorf("copy into container: %q is not an absolute file path", dst)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name[1:], Mode: mode, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	_, err := m.cli.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: "/", Content: &buf})
	return err
}

func (m *mobyEngine) Exec(ctx context.Context, id string, cmd, env []string, stdout, stderr io.Writer) <-chan execResult {
	ch := make(chan execResult, 1)
	cr, err := m.cli.ExecCreate(ctx, id, client.ExecCreateOptions{
		Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		ch <- execResult{err: fmt.Errorf("exec create: %w", err)}
		return ch
	}
	att, err := m.cli.ExecAttach(ctx, cr.ID, client.ExecAttachOptions{})
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
			ins, err := m.cli.ExecInspect(ictx, cr.ID, client.ExecInspectOptions{})
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

func (m *mobyEngine) List(ctx context.Context, kind objectKind, labels []string) ([]object, error) {
	f := make(client.Filters)
	for _, l := range labels {
		f.Add("label", l)
	}
	var out []object
	switch kind {
	case kindContainer:
		cs, err := m.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
		if err != nil {
			return nil, err
		}
		for _, c := range cs.Items {
			out = append(out, object{Kind: kind, ID: c.ID, Created: time.Unix(c.Created, 0), Labels: c.Labels})
		}
	case kindNetwork:
		nets, err := m.cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
		if err != nil {
			return nil, err
		}
		for _, n := range nets.Items {
			out = append(out, object{Kind: kind, ID: n.ID, Created: n.Created, Labels: n.Labels})
		}
	case kindVolume:
		vols, err := m.cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
		if err != nil {
			return nil, err
		}
		for _, v := range vols.Items {
			// An unreadable date stays zero, which counts as old.
			t, _ := time.Parse(time.RFC3339Nano, v.CreatedAt)
			out = append(out, object{Kind: kind, ID: v.Name, Created: t, Labels: v.Labels})
		}
	case kindImage:
		imgs, err := m.cli.ImageList(ctx, client.ImageListOptions{Filters: f, SharedSize: true})
		if err != nil {
			return nil, err
		}
		for _, im := range imgs.Items {
			size := im.Size
			if im.SharedSize > 0 {
				size -= im.SharedSize
			}
			out = append(out, object{Kind: kind, ID: im.ID, Created: time.Unix(im.Created, 0), Labels: im.Labels, Tags: im.RepoTags, Size: size})
		}
	default:
		return nil, fmt.Errorf("list %s: unknown kind", kind)
	}
	return out, nil
}

// UniqueSizes reads the engine's disk usage, which (unlike the image list before API
// 1.42) computes what each image shares with the others.
func (m *mobyEngine) UniqueSizes(ctx context.Context) (map[string]int64, error) {
	du, err := m.cli.DiskUsage(ctx, client.DiskUsageOptions{Images: true, Verbose: true})
	if err != nil {
		return nil, err
	}
	sizes := make(map[string]int64, len(du.Images.Items))
	for _, im := range du.Images.Items {
		n := im.Size
		if im.SharedSize > 0 {
			n -= im.SharedSize
		}
		sizes[im.ID] = n
	}
	return sizes, nil
}

func (m *mobyEngine) History(ctx context.Context, ref string) ([]layer, error) {
	h, err := m.cli.ImageHistory(ctx, ref)
	if err != nil {
		return nil, err
	}
	ls := make([]layer, 0, len(h.Items))
	for _, it := range h.Items {
		ls = append(ls, layer{CreatedBy: it.CreatedBy, Size: it.Size})
	}
	return ls, nil
}

func (m *mobyEngine) Remove(ctx context.Context, o object) error {
	var err error
	switch o.Kind {
	case kindContainer:
		err = m.RemoveContainer(ctx, o.ID)
	case kindNetwork:
		_, err = m.cli.NetworkRemove(ctx, o.ID, client.NetworkRemoveOptions{})
	case kindVolume:
		_, err = m.cli.VolumeRemove(ctx, o.ID, client.VolumeRemoveOptions{Force: true})
	case kindImage:
		err = m.RemoveImage(ctx, o.ID, true)
	default:
		err = fmt.Errorf("unknown kind %s", o.Kind)
	}
	return err
}
