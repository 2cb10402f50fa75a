package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/hashicorp/go-multierror"
	"github.com/moby/moby/client"
)

// Cleanup removes everything labelled with the run id: containers, networks, volumes
// and per-run images. Cached images are shared between runs and stay.
func Cleanup(ctx context.Context, runID string) error {
	if runID == "" {
		return errors.New("cleanup: empty run id (it would match every run)")
	}
	_, err := GC(ctx, GCOptions{RunID: runID})
	return err
}

// GCOptions select what GC removes.
type GCOptions struct {
	// OlderThan keeps objects created more recently; zero removes regardless of age.
	OlderThan time.Duration
	// RunID limits GC to one run's objects.
	RunID string
	// Cache also removes the content-addressed image cache (bootmatrix-cache/…).
	Cache bool
}

// GC removes labelled objects left by crashed or --keep runs and returns how many it
// removed. Kit images are not labelled managed and are never touched.
func GC(ctx context.Context, o GCOptions) (int, error) {
	cli, err := Connect(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = cli.Close() }()
	f := make(client.Filters).Add("label", LabelManaged+"=true")
	if o.RunID != "" {
		f.Add("label", LabelRun+"="+o.RunID)
	}
	cutoff := time.Now().Add(-o.OlderThan)
	old := func(t time.Time) bool { return o.OlderThan == 0 || t.Before(cutoff) }
	var merr *multierror.Error
	n := 0
	gone := func(what, id string, err error) {
		switch {
		case err == nil:
			n++
		case cerrdefs.IsNotFound(err):
		default:
			merr = multierror.Append(merr, fmt.Errorf("remove %s %s: %w", what, short(id), err))
		}
	}

	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return n, fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs.Items {
		if old(time.Unix(c.Created, 0)) {
			_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
			if cerrdefs.IsConflict(err) {
				// Another remover (the run's own teardown, racing a second signal) got there
				// first: the container is as good as gone once that finishes, so wait for it
				// rather than report a failure and exit with it still listed.
				err = waitRemoved(ctx, cli, c.ID)
			}
			gone("container", c.ID, err)
		}
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		merr = multierror.Append(merr, fmt.Errorf("list networks: %w", err))
	}
	for _, nw := range nets.Items {
		if old(nw.Created) {
			_, err := cli.NetworkRemove(ctx, nw.ID, client.NetworkRemoveOptions{})
			gone("network", nw.ID, err)
		}
	}
	vols, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		merr = multierror.Append(merr, fmt.Errorf("list volumes: %w", err))
	}
	for _, v := range vols.Items {
		t, perr := time.Parse(time.RFC3339Nano, v.CreatedAt)
		if perr != nil || old(t) {
			_, err := cli.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true})
			gone("volume", v.Name, err)
		}
	}
	imgs, err := cli.ImageList(ctx, client.ImageListOptions{Filters: f})
	if err != nil {
		merr = multierror.Append(merr, fmt.Errorf("list images: %w", err))
	}
	for _, im := range imgs.Items {
		created := time.Unix(im.Created, 0)
		switch {
		case !old(created):
			continue
		case im.Labels[LabelCache] != "true" || o.Cache:
		case incompleteBuild(im.RepoTags) && time.Since(created) > incompleteGrace:
			// A run killed between build and tag, or the loser of two processes
			// building one key at once: nothing will ever use it by its cache tag.
		default:
			continue
		}
		// PruneChildren: the legacy builder's untagged intermediate layers go too.
		_, err := cli.ImageRemove(ctx, im.ID, client.ImageRemoveOptions{Force: true, PruneChildren: true})
		if cerrdefs.IsConflict(err) {
			continue // a running container still uses it; a later gc takes it
		}
		gone("image", im.ID, err)
	}
	return n, merr.ErrorOrNil()
}

// waitRemoved polls until the container is gone or ctx ends.
func waitRemoved(ctx context.Context, cli *client.Client, id string) error {
	for {
		_, err := cli.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
		if cerrdefs.IsNotFound(err) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("still being removed: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// incompleteGrace keeps gc off a temporary tag that a live build is about to move:
// that takes milliseconds, so a minute-old one is left over.
const incompleteGrace = time.Minute

// incompleteBuild reports whether a cache image has no tag but temporary ones (or
// none at all, when a concurrent build of the same key took its tag).
func incompleteBuild(tags []string) bool {
	for _, t := range tags {
		if !strings.Contains(t, tmpTagInfix) {
			return false
		}
	}
	return true
}
