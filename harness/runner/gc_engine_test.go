package runner

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// engineForTest connects to the real engine, or skips: these tests claim what the
// engine answers, which no fake can stand in for.
func engineForTest(t *testing.T) *mobyEngine {
	t.Helper()
	if testing.Short() {
		t.Skip("container test skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	e, err := connectEngine(ctx, t.Logf)
	if err != nil {
		if requireDocker() {
			t.Fatal(err)
		}
		t.Skip(err.Error())
	}
	t.Cleanup(func() { _ = e.Close() })
	if _, err := e.InspectImage(ctx, testKitImage); err != nil {
		if requireDocker() {
			t.Fatal(err)
		}
		t.Skip("kit image " + testKitImage + " missing: run make images")
	}
	return e
}

const testKitImage = "bootmatrix-kit/debian:bookworm"

// labelledBuild builds a cache-labelled image of run under tag and returns its ID.
func labelledBuild(t *testing.T, e *mobyEngine, run, tag, nonce string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	df := "FROM " + testKitImage + "\n"
	line, _ := labelInstruction(df, map[string]string{LabelManaged: "true", LabelCache: "true",
		LabelCacheStage: "build", LabelRun: run, "org.bootmatrix.test.nonce": nonce})
	spec := &buildSpec{stage: "build", dockerfile: "Dockerfile"}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeContext(pw, spec.dockerfile, df+line, nil)) }()
	out := NewTail(0)
	if code, err := e.Build(ctx, buildRequest{Context: pr, Dockerfile: "Dockerfile", Tag: tag}, out); err != nil {
		t.Fatalf("build %s: exit %d: %v\n%s", tag, code, err, out)
	}
	im, err := e.InspectImage(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = e.RemoveImage(ctx, im.ID, true)
	})
	return im.ID
}

// A cache image whose tag moved on to a newer build is untagged. Engine API 1.41
// lists it as ["<none>:<none>"], not as no tag; gc takes it either way, and leaves
// the image the tag names.
func TestGCUntaggedCacheImage(t *testing.T) {
	e := engineForTest(t)
	run := "test-" + NewRunID()
	tag := "bootmatrix-cache/gctest:" + strings.ReplaceAll(run, "-", "")
	old := labelledBuild(t, e, run, tag, run+"-1")
	current := labelledBuild(t, e, run, tag, run+"-2")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	objs, err := e.List(ctx, kindImage, []string{LabelRun + "=" + run})
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string][]string{}
	for _, o := range objs {
		listed[o.ID] = o.Tags
	}
	t.Logf("the engine lists the untagged image with tags %q", listed[old])
	if tags, ok := listed[old]; !ok || len(tags) > 1 || len(tags) == 1 && tags[0] != "<none>:<none>" {
		t.Fatalf("untagged image listed as %q (present %v), want no tag or <none>:<none>", tags, ok)
	}
	n, err := gc(ctx, e, GCOptions{RunID: run, incompleteAfter: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.InspectImage(ctx, old); err == nil {
		t.Errorf("gc removed %d object(s) but left the untagged cache image %s", n, short(old))
	}
	if _, err := e.InspectImage(ctx, current); err != nil {
		t.Errorf("gc removed the tagged cache image: %v", err)
	}
	if n != 1 {
		t.Errorf("gc removed %d object(s), want 1", n)
	}
}

func requireDocker() bool { return os.Getenv("BOOTMATRIX_REQUIRE_DOCKER") == "1" }
