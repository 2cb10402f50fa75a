package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/hashicorp/go-multierror"
)

// Cleanup removes everything labelled with the run id: containers, networks, volumes
// and per-run images. Cached images are shared between runs and stay.
func Cleanup(ctx context.Context, runID string) error {
	if runID == "" {
		return errors.New("cleanup: empty run id (it would match every run)")
	}
	// The run's own clean-up: its lease is live, and that is the run asking.
	_, err := GC(ctx, GCOptions{RunID: runID, Force: true})
	return err
}

// GCOptions select what GC removes.
type GCOptions struct {
	// OlderThan keeps objects created more recently; zero removes regardless of age.
	OlderThan time.Duration
	// RunID limits GC to one run's objects.
	RunID string
	// Cache also removes the content-addressed image cache (bootmatrix-cache/…);
	// with OlderThan, those not used (rather than created) more recently.
	Cache bool

	// Force removes the objects of live runs too (a run's lease says it is live).
	Force bool
	// StateDir is where runs keep their leases; "" is DefaultStateDir.
	StateDir string
	// OnRemove is told of every object removed, OnLive of every live run whose
	// objects stay; either may be nil.
	OnRemove func(Removed)
	OnLive   func(Lease)

	// incompleteAfter overrides incompleteGrace, and labels narrow what gc
	// lists, for tests on a shared engine.
	incompleteAfter time.Duration
	labels          []string
}

// Removed is one object gc removed.
type Removed struct {
	Kind    string
	ID      string
	Run     string // "" for a cache image
	Variant string
	Tags    []string
}

// GC removes labelled objects left by crashed or --keep runs and returns how many it
// removed. The objects of a run that still holds its lease stay unless o.Force: a
// live run whose container goes reports false failures. Kit images are not labelled
// managed and are never touched.
func GC(ctx context.Context, o GCOptions) (int, error) {
	e, err := connectEngine(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { _ = e.Close() }()
	return gc(ctx, e, o)
}

func gc(ctx context.Context, e engine, o GCOptions) (int, error) {
	labels := []string{LabelManaged + "=true"}
	if o.RunID != "" {
		labels = append(labels, LabelRun+"="+o.RunID)
	}
	labels = append(labels, o.labels...)
	cutoff := time.Now().Add(-o.OlderThan)
	old := func(t time.Time) bool { return o.OlderThan == 0 || t.Before(cutoff) }
	dir := cmp.Or(o.StateDir, DefaultStateDir())
	// A cache image's age is the time since its last use: one built long ago and
	// used by every run is not old.
	var idx map[string]time.Time
	if o.Cache && o.OlderThan > 0 {
		idx = readCacheIndex(dir)
	}
	// Cache images carry no run label: those a live run has used since it began
	// may be its next stage's base, and stay unless forced.
	var since time.Time
	if o.Cache && !o.Force {
		if since = liveSince(dir, ""); !since.IsZero() && idx == nil {
			idx = readCacheIndex(dir)
		}
	}
	grace := cmp.Or(o.incompleteAfter, incompleteGrace)
	live := map[string]bool{}
	isLive := func(run string) bool {
		if o.Force || run == "" {
			return false
		}
		if l, ok := live[run]; ok {
			return l
		}
		l, ok := liveLease(dir, run)
		live[run] = ok
		if ok && o.OnLive != nil {
			o.OnLive(l)
		}
		return ok
	}
	var merr *multierror.Error
	n := 0
	// Containers first: networks, volumes and images in use by one cannot go.
	for _, kind := range []objectKind{kindContainer, kindNetwork, kindVolume, kindImage} {
		objs, err := e.List(ctx, kind, labels)
		if err != nil {
			if kind == kindContainer {
				return n, fmt.Errorf("list containers: %w", err)
			}
			merr = multierror.Append(merr, fmt.Errorf("list %ss: %w", kind, err))
			continue
		}
		for _, obj := range objs {
			created := obj.Created
			if kind == kindImage && obj.Labels[LabelCache] == "true" && idx != nil {
				created = lastUse(obj, idx)
			}
			if !old(created) || kind == kindImage && !removableImage(obj, o.Cache, grace) ||
				kind == kindImage && obj.Labels[LabelCache] == "true" && !since.IsZero() && !lastUse(obj, idx).Before(since) ||
				isLive(obj.Labels[LabelRun]) {
				continue
			}
			err := e.Remove(ctx, obj)
			switch {
			case err == nil:
				n++
				if o.OnRemove != nil {
					o.OnRemove(Removed{Kind: string(kind), ID: obj.ID, Run: obj.Labels[LabelRun], Variant: obj.Labels[LabelVariant], Tags: obj.Tags})
				}
			case cerrdefs.IsNotFound(err):
			case kind == kindImage && cerrdefs.IsConflict(err):
				// a running container still uses it; a later gc takes it
			default:
				merr = multierror.Append(merr, fmt.Errorf("remove %s %s: %w", kind, short(obj.ID), err))
			}
		}
	}
	return n, merr.ErrorOrNil()
}

// removableImage reports whether gc removes an image it found old enough: per-run
// images always, cache images only when asked, or when incomplete; never an
// incomplete one younger than grace, which is a live build's.
func removableImage(im object, cache bool, grace time.Duration) bool {
	switch {
	case im.Labels[LabelCache] != "true":
		return true
	case incompleteBuild(im.Tags):
		// Older than grace: a run killed between build and tag, or the loser of two
		// processes building one key at once; nothing will ever use it by its cache
		// tag. Younger: a step the classic builder has just committed (it inherits
		// its base's labels) or a tag about to move, which a live build needs.
		return time.Since(im.Created) > grace
	}
	return cache
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

// untagged is how older engine APIs list an image without a tag.
const untagged = "<none>:<none>"

// incompleteBuild reports whether a cache image has no tag but temporary ones (or
// none at all, when a concurrent build of the same key took its tag). Engine API
// 1.41 lists an untagged image as ["<none>:<none>"], later ones as no tag.
func incompleteBuild(tags []string) bool {
	for _, t := range tags {
		if t != untagged && !strings.Contains(t, tmpTagInfix) {
			return false
		}
	}
	return true
}
