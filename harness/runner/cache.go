package runner

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"
)

// The image cache is bounded: above a cap (WithCacheMax, default DefaultCacheMax)
// the images used least recently are evicted. An image's labels cannot change once
// it is built, so its last use is recorded in a small index in the state directory,
// a JSON map from cache tag to time, read and written under a flock. An image the
// index does not know counts as last used when it was created.

// DefaultCacheMax is the cache's cap unless WithCacheMax or BOOTMATRIX_CACHE_MAX
// says otherwise.
const DefaultCacheMax = 10_000_000_000

// largeLayer is the size above which a built layer is reported in its stage's
// output: one such layer is a tenth of the default cap.
const largeLayer = 1_000_000_000

func cacheIndexPath(state string) string { return filepath.Join(state, "cache-use.json") }

// updateCacheIndex applies f to the index under its lock.
func updateCacheIndex(state string, f func(map[string]time.Time)) error {
	if err := os.MkdirAll(state, 0o700); err != nil {
		return err
	}
	fh, err := os.OpenFile(cacheIndexPath(state), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer func() { _ = fh.Close() }()
	if err := syscall.Flock(int(fh.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	b, err := io.ReadAll(fh)
	if err != nil {
		return err
	}
	idx := map[string]time.Time{}
	// A damaged index loses the record of last use, not the cache: start afresh.
	_ = json.Unmarshal(b, &idx)
	f(idx)
	out, err := json.Marshal(idx)
	if err != nil {
		return err
	}
	if err := fh.Truncate(0); err != nil {
		return err
	}
	_, err = fh.WriteAt(out, 0)
	return err
}

// readCacheIndex returns the recorded last uses; an absent index is empty.
func readCacheIndex(state string) map[string]time.Time {
	idx := map[string]time.Time{}
	if state == "" {
		return idx
	}
	_ = updateCacheIndex(state, func(m map[string]time.Time) { idx = m })
	return idx
}

// touchCache records that tag was used now.
func (r *Runner) touchCache(tag string) {
	if r.stateDir == "" {
		return
	}
	r.mu.Lock()
	r.used[tag] = true
	r.mu.Unlock()
	now := time.Now().UTC()
	if err := updateCacheIndex(r.stateDir, func(m map[string]time.Time) { m[tag] = now }); err != nil {
		r.logf("record the use of %s: %v", tag, err)
	}
}

// lastUse is when a cache image was last used: the latest of its tags' records,
// else its creation.
func lastUse(o object, idx map[string]time.Time) time.Time {
	t := o.Created
	for _, tag := range o.Tags {
		if u, ok := idx[tag]; ok && u.After(t) {
			t = u
		}
	}
	return t
}

// evictOptions say what evict may remove: images labelled labels, above max bytes,
// but not those in keep (by tag) or in use by another run than self under state.
// grace overrides incompleteGrace for tests.
type evictOptions struct {
	state, self string
	max         int64
	labels      []string
	keep        map[string]bool
	grace       time.Duration
}

// inUse reports whether another run may be using a cache image that no container
// holds yet, so that removing it would fail that run rather than free space:
//   - one created or used within grace (incompleteGrace): the classic builder commits each
//     step as an untagged image that inherits its base's cache labels, and the next
//     step's container is created from it only a moment later (removed in that
//     moment, the build fails with "failed to get digest … no such file"); a stage's
//     image waits as briefly for the next stage to start from it;
//   - one used since the earliest live run of this state directory began, which may
//     still come back to it (since is zero when no other run is live).
//
// A run on another host or state directory is seen only through the first rule.
func inUse(o object, idx map[string]time.Time, since time.Time, grace time.Duration) bool {
	u := lastUse(o, idx)
	return time.Since(u) < grace || !since.IsZero() && !u.Before(since)
}

// liveSince is when the earliest live run under state other than self began; zero
// when there is none.
func liveSince(state, self string) time.Time {
	if state == "" {
		return time.Time{}
	}
	ents, err := os.ReadDir(leaseDir(state))
	if err != nil {
		return time.Time{}
	}
	var since time.Time
	for _, ent := range ents {
		run, ok := strings.CutSuffix(ent.Name(), ".lease")
		if !ok || ent.Name() == filepath.Base(leasePath(state, self)) {
			continue
		}
		if l, live := liveLease(state, run); live && !l.Started.IsZero() && (since.IsZero() || l.Started.Before(since)) {
			since = l.Started
		}
	}
	return since
}

// Eviction is what one pass over the cache did.
type Eviction struct {
	Before, After int64 // the cache's size, in bytes its images hold alone
	Removed       []string
}

// evict removes the least recently used cache images carrying labels until the
// cache is at most max bytes. Size is what each image holds alone (its size less
// the layers it shares), which is what removing it frees; layers the cache's images
// share among themselves count once their last sharer is what is left. Images in
// keep, used by this run, stay, as do images the engine refuses to remove (a
// container, or a child image, still uses them) and those another run may be
// about to use (inUse).
func evict(ctx context.Context, e engine, o evictOptions) (Eviction, error) {
	state, max, keep := o.state, o.max, o.keep
	var ev Eviction
	objs, err := e.List(ctx, kindImage, o.labels)
	if err != nil {
		return ev, fmt.Errorf("list cache images: %w", err)
	}
	// The list's sizes count shared layers on engines before API 1.42; the disk
	// usage does not.
	if sizes, err := e.UniqueSizes(ctx); err == nil {
		for i := range objs {
			if n, ok := sizes[objs[i].ID]; ok {
				objs[i].Size = n
			}
		}
	}
	for _, o := range objs {
		ev.Before += o.Size
	}
	ev.After = ev.Before
	if max <= 0 || ev.Before <= max {
		return ev, nil
	}
	idx := readCacheIndex(state)
	since := liveSince(state, o.self)
	grace := cmp.Or(o.grace, incompleteGrace)
	slices.SortStableFunc(objs, func(a, b object) int { return lastUse(a, idx).Compare(lastUse(b, idx)) })
	for _, o := range objs {
		if ev.After <= max {
			break
		}
		if slices.ContainsFunc(o.Tags, func(t string) bool { return keep[t] }) || inUse(o, idx, since, grace) {
			continue
		}
		switch err := e.Remove(ctx, o); {
		case err == nil:
			ev.After -= o.Size
			ev.Removed = append(ev.Removed, cmp.Or(strings.Join(slices.DeleteFunc(slices.Clone(o.Tags), func(t string) bool { return t == untagged }), ", "), short(o.ID)))
		case cerrdefs.IsNotFound(err), cerrdefs.IsConflict(err):
		default:
			return ev, fmt.Errorf("evict %s: %w", short(o.ID), err)
		}
	}
	if state != "" && len(ev.Removed) > 0 {
		_ = updateCacheIndex(state, func(m map[string]time.Time) {
			for _, t := range ev.Removed {
				for _, tag := range strings.Split(t, ", ") {
					delete(m, tag)
				}
			}
		})
	}
	return ev, nil
}

// EvictCache brings the image cache under the runner's cap (WithCacheMax),
// least recently used first, keeping the images this runner used.
func (r *Runner) EvictCache(ctx context.Context) (Eviction, error) {
	if r.cacheMax <= 0 || r.stateDir == "" {
		return Eviction{}, nil
	}
	r.mu.Lock()
	keep := make(map[string]bool, len(r.used))
	for t := range r.used {
		keep[t] = true
	}
	r.mu.Unlock()
	return evict(ctx, r.eng, evictOptions{state: r.stateDir, self: r.runID, max: r.cacheMax,
		labels: []string{LabelManaged + "=true", LabelCache + "=true"}, keep: keep})
}

// reportLargeLayers writes a line for every layer of a freshly built image above
// largeLayer (r.largeLayer in tests).
func (r *Runner) reportLargeLayers(ctx context.Context, tag string, out *Tail) {
	ls, err := r.eng.History(ctx, tag)
	if err != nil {
		r.logf("history of %s: %v", tag, err)
		return
	}
	for _, l := range ls {
		if l.Size > r.largeLayer {
			fmt.Fprintf(out, "bootmatrix: large layer: %s from %s; the image cache (cap %s, --cache-max) keeps it\n",
				humanBytes(l.Size), oneLine(strings.TrimPrefix(l.CreatedBy, "/bin/sh -c ")), humanBytes(r.cacheMax))
		}
	}
}

// humanBytes writes a size in decimal units, as --cache-max reads them.
func humanBytes(n int64) string {
	switch {
	case n <= 0:
		return "none"
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%d bytes", n)
}
