package runner

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
)

// Three cache images of about 1 MB each under a 2.5 MB cap: the one used least
// recently goes, by the engine's own sizes; a layer above the (lowered) threshold is
// named in its build's output.
func TestEvictAboveSmallCap(t *testing.T) {
	engineForTest(t)
	state := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	r, err := New(ctx, WithRunID("test-"+NewRunID()), WithStateDir(state), WithCacheMax(2_500_000), WithLogf(t.Logf))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	r.largeLayer = 900_000
	nonce := "evict-" + NewRunID()
	var tags []string
	for _, name := range []string{"a", "b", "c"} {
		b := recipe.Build{Dockerfile: "FROM " + testKitImage + "\nLABEL org.bootmatrix.test.nonce=" + nonce + "\n" +
			"RUN head -c 1000000 /dev/urandom > /blob-" + name + "\n"}
		spec, err := r.prepare(ctx, "build", b, nil, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		out := NewTail(0)
		if _, code, err := r.buildImage(ctx, spec, b.Dockerfile, out); err != nil {
			t.Fatalf("build %s: exit %d: %v\n%s", name, code, err, out)
		}
		if !strings.Contains(out.String(), "bootmatrix: large layer: 1.0 MB from head -c 1000000 /dev/urandom > /blob-"+name) {
			t.Errorf("build %s does not report its 1 MB layer:\n%s", name, out)
		}
		tags = append(tags, spec.tag)
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			_ = r.eng.RemoveImage(ctx, spec.tag, true)
		})
		time.Sleep(10 * time.Millisecond) // distinct uses
	}
	// a is used again; b is now the least recently used.
	r.touchCache(tags[0])
	// The three were built a moment ago: a grace of a nanosecond lets them count as
	// no other run's.
	ev, err := evict(ctx, r.eng, evictOptions{state: state, self: r.runID, max: r.cacheMax,
		labels: []string{"org.bootmatrix.test.nonce=" + nonce}, grace: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("eviction: %+v", ev)
	if ev.Before < 3_000_000 || ev.After > 2_500_000 || !slices.Equal(ev.Removed, []string{tags[1]}) {
		t.Errorf("evicted %q (size %d → %d), want only %s", ev.Removed, ev.Before, ev.After, tags[1])
	}
	for i, tag := range tags {
		_, err := r.eng.InspectImage(ctx, tag)
		if gone := err != nil; gone != (i == 1) {
			t.Errorf("%s: gone %v", tag, gone)
		}
	}
}
