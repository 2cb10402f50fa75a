package runner

import (
	"context"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
)

func cacheImage(id, tag string, size int64, created time.Time) object {
	return object{Kind: kindImage, ID: id, Tags: []string{tag}, Size: size, Created: created,
		Labels: map[string]string{LabelManaged: "true", LabelCache: "true"}}
}

// Above the cap the least recently used images go first, by the index's record of
// last use, else their creation; this run's images and those in use stay.
func TestEvictLRU(t *testing.T) {
	t.Parallel()
	now := time.Now()
	state := t.TempDir()
	f := newFake()
	f.objects = []object{
		cacheImage("old-but-used", "c:a", 400, now.Add(-72*time.Hour)),
		cacheImage("unused", "c:b", 300, now.Add(-48*time.Hour)),
		cacheImage("in-use", "c:c", 200, now.Add(-50*time.Hour)),
		cacheImage("this-run", "c:d", 300, now.Add(-90*time.Hour)),
		cacheImage("recent", "c:e", 100, now.Add(-time.Hour)),
		cacheImage("unknown", "c:f", 100, now.Add(-40*time.Hour)),
	}
	f.removeErrs["in-use"] = cerrdefs.ErrConflict
	if err := updateCacheIndex(state, func(m map[string]time.Time) {
		m["c:a"] = now.Add(-time.Minute)
		m["c:b"] = now.Add(-47 * time.Hour)
	}); err != nil {
		t.Fatal(err)
	}
	ev, err := evict(context.Background(), f, evictOptions{state: state, max: 900, keep: map[string]bool{"c:d": true}})
	if err != nil {
		t.Fatal(err)
	}
	// Oldest use first: in-use (50h, refused), unused (47h), unknown (40h), recent
	// (1h); old-but-used (used a minute ago) is the last in line and not reached.
	if ev.Before != 1400 || ev.After != 900 || !slices.Equal(f.gone, []string{"unused", "unknown", "recent"}) || !slices.Equal(ev.Removed, []string{"c:b", "c:f", "c:e"}) {
		t.Errorf("eviction %+v, removed %v", ev, f.gone)
	}
	if idx := readCacheIndex(state); idx["c:b"] != (time.Time{}) || idx["c:a"].IsZero() {
		t.Errorf("index after eviction %v", idx)
	}

	f.gone = nil
	if ev, _ := evict(context.Background(), f, evictOptions{state: state}); len(f.gone) != 0 || ev.Before != 1400 {
		t.Errorf("no cap evicted %v", f.gone)
	}
}

// gc --cache --older-than goes by last use: an image built long ago and used a
// minute ago stays.
func TestGCCacheByLastUse(t *testing.T) {
	t.Parallel()
	now := time.Now()
	state := t.TempDir()
	f := newFake()
	f.objects = []object{
		cacheImage("used", "c:a", 1, now.Add(-72*time.Hour)),
		cacheImage("unused", "c:b", 1, now.Add(-72*time.Hour)),
	}
	if err := updateCacheIndex(state, func(m map[string]time.Time) { m["c:a"] = now.Add(-time.Minute) }); err != nil {
		t.Fatal(err)
	}
	n, err := gc(context.Background(), f, GCOptions{Cache: true, OlderThan: 24 * time.Hour, StateDir: state})
	if err != nil || n != 1 || !slices.Equal(f.gone, []string{"unused"}) {
		t.Errorf("gc removed %d %v (err %v), want only the unused image", n, f.gone, err)
	}
}

// A freshly built layer above the threshold is named in the build's output.
func TestLargeLayerReported(t *testing.T) {
	t.Parallel()
	f, _ := fakeSetup(t, &fakeBox{})
	f.layers = map[string][]layer{}
	r := fakeRunner(t, f)
	spec, err := r.prepare(context.Background(), "build", fakeRecipe().Setup, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	f.layers[spec.tag] = []layer{{CreatedBy: "/bin/sh -c pip install torch", Size: 2_100_000_000}, {CreatedBy: "COPY app.py", Size: 10}}
	out := NewTail(0)
	if _, _, err := r.buildImage(context.Background(), spec, fakeRecipe().Setup.Dockerfile, out); err != nil {
		t.Fatal(err)
	}
	want := "bootmatrix: large layer: 2.1 GB from pip install torch; the image cache (cap 10.0 GB, --cache-max) keeps it"
	if !strings.Contains(out.String(), want) || strings.Contains(out.String(), "COPY app.py") {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

// Eviction leaves what another run may be about to use: a build step the classic
// builder has just committed (untagged, with its base's cache labels), an image
// built a moment ago, and whatever a live run of the same state directory has used
// since it began. Once that run ends, its images are fair game.
func TestEvictSparesWhatOtherRunsUse(t *testing.T) {
	t.Parallel()
	now := time.Now()
	state := t.TempDir()
	held, err := takeLease(state, Lease{Run: "other", PID: os.Getpid(), Started: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = held.release() })
	f := newFake()
	f.objects = []object{
		cacheImage("step", untagged, 100, now.Add(-5*time.Second)),
		cacheImage("fresh", "c:a", 100, now.Add(-10*time.Second)),
		cacheImage("used-by-live", "c:b", 100, now.Add(-72*time.Hour)),
		cacheImage("old", "c:c", 100, now.Add(-72*time.Hour)),
		cacheImage("old-step", untagged, 100, now.Add(-3*time.Hour)),
	}
	if err := updateCacheIndex(state, func(m map[string]time.Time) {
		m["c:b"] = now.Add(-30 * time.Minute)
		m["c:c"] = now.Add(-2 * time.Hour)
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := evict(context.Background(), f, evictOptions{state: state, self: "me", max: 1}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f.gone, []string{"old-step", "old"}) {
		t.Errorf("with run other live, evicted %v, want old-step and old", f.gone)
	}

	if err := held.release(); err != nil {
		t.Fatal(err)
	}
	f.gone = nil
	if _, err := evict(context.Background(), f, evictOptions{state: state, self: "me", max: 1}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(f.gone, "used-by-live") || slices.Contains(f.gone, "step") || slices.Contains(f.gone, "fresh") {
		t.Errorf("after run other ended, evicted %v, want used-by-live and neither step nor fresh", f.gone)
	}
}

// gc --cache leaves a live build's just-committed step and, unless forced, the
// cache images a live run has used since it began.
func TestGCCacheSparesLiveBuilds(t *testing.T) {
	t.Parallel()
	now := time.Now()
	state := t.TempDir()
	held, err := takeLease(state, Lease{Run: "other", PID: os.Getpid(), Started: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = held.release() })
	if err := updateCacheIndex(state, func(m map[string]time.Time) { m["c:used"] = now.Add(-30 * time.Minute) }); err != nil {
		t.Fatal(err)
	}
	objects := []object{
		cacheImage("step", untagged, 1, now.Add(-5*time.Second)),
		cacheImage("left-step", untagged, 1, now.Add(-2*time.Hour)),
		cacheImage("cached", "c:old", 1, now.Add(-72*time.Hour)),
		cacheImage("used", "c:used", 1, now.Add(-72*time.Hour)),
	}
	for _, tc := range []struct {
		force bool
		want  []string
	}{
		{false, []string{"left-step", "cached"}},
		{true, []string{"left-step", "cached", "used"}},
	} {
		f := newFake()
		f.objects = objects
		if _, err := gc(context.Background(), f, GCOptions{Cache: true, Force: tc.force, StateDir: state}); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(f.gone, tc.want) {
			t.Errorf("gc --cache (force %v) removed %v, want %v", tc.force, f.gone, tc.want)
		}
	}
}
