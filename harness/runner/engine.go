package runner

import (
	"context"
	"io"
	"time"
)

// engine is what the stages need of a container engine. mobyEngine is the real one;
// the stage logic (the import loop, the health poll, settle, exit grace, timeouts and
// interrupts) is tested against a fake. A method reports a missing object with an
// error that cerrdefs.IsNotFound recognises, and a conflict (an image still in use)
// with one cerrdefs.IsConflict recognises.
type engine interface {
	// CPUs is the engine's CPU count, 0 when it does not say.
	CPUs(ctx context.Context) int
	// InspectImage returns an image's ID and the command it starts with.
	InspectImage(ctx context.Context, ref string) (imageInfo, error)
	// Build builds an image from a tar build context and tags it; the builder's output
	// goes to out. code is the failing step's exit code.
	Build(ctx context.Context, req buildRequest, out io.Writer) (code int, err error)
	TagImage(ctx context.Context, source, target string) error
	// PullImage pulls ref with the credentials Docker's own configuration has for its
	// registry; progress goes to progress as the engine reports it (Ref and Time
	// unset). The error carries the registry's answer.
	PullImage(ctx context.Context, ref string, progress func(PullProgress)) error
	// RemoveImage untags ref, deleting the image and its untagged parents when that
	// was its last tag.
	RemoveImage(ctx context.Context, ref string, force bool) error
	// StartContainer creates and starts a container and returns its ID and the host
	// port its port is published on.
	StartContainer(ctx context.Context, spec containerSpec) (id string, hostPort int, err error)
	// Exec runs cmd in a container; stdout and stderr go to the writers until it ends.
	// The channel yields once, when the output has ended and the exit code is known.
	// Cancelling ctx stops the watching, not the process.
	Exec(ctx context.Context, id string, cmd, env []string, stdout, stderr io.Writer) <-chan execResult
	// CopyFile writes data to the absolute path dst in a container, creating its directory.
	CopyFile(ctx context.Context, id string, data []byte, dst string, mode int64) error
	// InspectContainer returns a container's state.
	InspectContainer(ctx context.Context, id string) (containerState, error)
	// RemoveContainer stops and removes a container and its anonymous volumes.
	RemoveContainer(ctx context.Context, id string) error
	// UniqueSizes maps image IDs to what each image holds alone (its size less the
	// layers it shares with other images), as the engine's disk usage counts it.
	UniqueSizes(ctx context.Context) (map[string]int64, error)
	// History lists an image's layers, newest first.
	History(ctx context.Context, ref string) ([]layer, error)
	// List lists the objects of a kind carrying every label (key=value).
	List(ctx context.Context, kind objectKind, labels []string) ([]object, error)
	// Remove removes one listed object; images with their untagged parents.
	Remove(ctx context.Context, o object) error
	Close() error
}

// imageInfo is what the runner reads of an image.
type imageInfo struct {
	ID string
	// Command is the image's ENTRYPOINT followed by its CMD.
	Command []string
}

// buildRequest is one image build.
type buildRequest struct {
	// Context is the tar stream of the build context, Dockerfile included.
	Context    io.Reader
	Dockerfile string // its name inside the context
	Tag        string
	Args       map[string]string
	// Labels the engine adds itself (nil when the Dockerfile carries them).
	Labels map[string]string
	// HostNetwork runs the build's steps on the host's network, only so that they
	// reach a package index on 127.0.0.1 (the bridge cannot).
	HostNetwork bool
}

// containerSpec is an idle container the stages exec into.
type containerSpec struct {
	Image  string
	Cmd    []string
	Env    map[string]string
	Labels map[string]string
	// Port is published on 127.0.0.1 at a port the engine picks.
	Port     int
	Memory   int64
	NanoCPUs int64
}

// containerState is what the runner reads of a container.
type containerState struct {
	Running bool
	// OOMKilled: the memory limit killed the container's PID 1.
	OOMKilled bool
}

// execResult is an exec's end.
type execResult struct {
	code int
	err  error // the exec could not be run or watched (not a non-zero exit)
}

// objectKind is a kind of engine object gc removes.
type objectKind string

const (
	kindContainer objectKind = "container"
	kindNetwork   objectKind = "network"
	kindVolume    objectKind = "volume"
	kindImage     objectKind = "image"
)

// object is one listed engine object.
type object struct {
	Kind    objectKind
	ID      string
	Created time.Time // zero when the engine did not say
	Labels  map[string]string
	Tags    []string // images only
	// Size is what an image holds alone: its size less the layers it shares with
	// other images (images only).
	Size int64
}

// layer is one layer of an image's history.
type layer struct {
	CreatedBy string
	Size      int64
}
