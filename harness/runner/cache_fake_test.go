package runner

import (
	"context"
	"io"
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
	ev, err := evict(context.Background(), f, state, 900, nil, map[string]bool{"c:d": true})
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
	if ev, _ := evict(context.Background(), f, state, 0, nil, nil); len(f.gone) != 0 || ev.Before != 1400 {
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
