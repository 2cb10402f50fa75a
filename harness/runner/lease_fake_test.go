package runner

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// gc leaves the objects of a run whose lease is held, takes those of a run whose
// lease file outlived its process, and with Force takes everything, saying what.
func TestGCLeases(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	held, err := takeLease(dir, Lease{Run: "live", PID: os.Getpid(), Host: "h", Engine: "unix:///e"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = held.release() })
	// A lease file nobody locks: its process died (the kernel dropped the lock).
	if err := os.WriteFile(leasePath(dir, "dead"), []byte(`{"run":"dead","pid":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	lab := func(run string) map[string]string {
		return map[string]string{LabelManaged: "true", LabelRun: run, LabelVariant: "v-" + run}
	}
	f := newFake()
	f.objects = []object{
		{Kind: kindContainer, ID: "c-live", Labels: lab("live")},
		{Kind: kindContainer, ID: "c-dead", Labels: lab("dead")},
		{Kind: kindContainer, ID: "c-unleased", Labels: lab("unleased")},
		{Kind: kindImage, ID: "i-live", Labels: lab("live")},
	}
	var lives []Lease
	n, err := gc(context.Background(), f, GCOptions{StateDir: dir, OnLive: func(l Lease) { lives = append(lives, l) }})
	if err != nil || n != 2 || !slices.Equal(f.gone, []string{"c-dead", "c-unleased"}) {
		t.Errorf("gc removed %d %v (err %v), want c-dead and c-unleased", n, f.gone, err)
	}
	if len(lives) != 1 || lives[0].Run != "live" || lives[0].Engine != "unix:///e" || !strings.Contains(lives[0].String(), "pid ") {
		t.Errorf("live runs reported: %+v", lives)
	}
	if _, err := os.Stat(leasePath(dir, "dead")); !os.IsNotExist(err) {
		t.Errorf("the dead run's lease file stayed: %v", err)
	}

	f.gone = nil
	var removed []string
	n, err = gc(context.Background(), f, GCOptions{StateDir: dir, Force: true, OnRemove: func(r Removed) {
		removed = append(removed, r.Kind+" "+r.ID+" "+r.Run+" "+r.Variant)
	}})
	want := []string{"container c-live live v-live", "container c-dead dead v-dead", "container c-unleased unleased v-unleased", "image i-live live v-live"}
	if err != nil || n != 4 || !slices.Equal(removed, want) {
		t.Errorf("forced gc removed %d %q (err %v), want %q", n, removed, err, want)
	}

	// Released, the lease no longer keeps anything.
	if err := held.release(); err != nil {
		t.Fatal(err)
	}
	if _, ok := liveLease(dir, "live"); ok {
		t.Error("a released lease is still live")
	}
}

// A container removed while its variant runs (a forced gc, docker rm) ends the
// app's exec with SIGKILL; that is an interruption, not an app killed for memory.
func TestFakeContainerRemovedUnderRun(t *testing.T) {
	t.Parallel()
	c := &fakeBox{started: make(chan struct{})}
	f, a := fakeSetup(t, c)
	c.oomKill = 1 // the counter a dying cgroup may still show
	go func() {
		<-c.started
		time.Sleep(50 * time.Millisecond)
		f.mu.Lock()
		f.vanished = true
		f.mu.Unlock()
		a.exit <- 137
	}()
	chk := fakeChecks()
	chk.Settle = 5 * time.Second // the container goes while the app settles, never after
	v := fakeRunner(t, f, WithDiagnoser(diagnose.Diagnoser{})).RunRecipe(context.Background(), "v", fakeRecipe(), chk)
	st := v.StageByName(result.StageBoot)
	if st.Status != result.Fail || !st.Facts.Interrupted || st.Facts.OOMKilled || st.Class != diagnose.ClassInterrupted {
		t.Errorf("boot %s class %s facts %+v\n%s", st.Status, st.Class, st.Facts, st.Output)
	}
	if !strings.Contains(st.Output, "its container was removed or stopped from outside the run") {
		t.Errorf("output %q", st.Output)
	}
}
