package main

import (
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
)

func TestProgress(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 5, 15, 10, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	events := []runner.Event{
		{Variant: "nix-login", Stage: "build", Time: at(0)},
		{Variant: "slim", Stage: "build", Time: at(0.5)},
		{Variant: "nix-login", Stage: "build", Status: result.Pass, Seconds: 2, Time: at(2)},
		{Variant: "nix-login", Stage: "install", Time: at(2)},
		{Variant: "slim", Stage: "build", Status: result.Fail, Seconds: 3, Time: at(3.5)},
	}
	tests := []struct {
		name string
		live bool
		want string
	}{
		{
			name: "pipe: one plain line per event, no escapes",
			want: "15:10:00  nix-login  build   start\n" +
				"15:10:00  slim       build   start\n" +
				"15:10:02  nix-login  build   pass   2.0s\n" +
				"15:10:02  nix-login  install start\n" +
				"15:10:03  slim       build   fail   3.0s\n",
		},
		{
			// Two draws: the second moves the cursor back up over the first two lines
			// and clears each before rewriting it; elapsed time runs only while a stage does.
			name: "terminal: one line per variant redrawn in place",
			live: true,
			want: "\r\x1b[2Knix-login  build   running    1.0s\n" +
				"\r\x1b[2Kslim       build   running    0.5s\n" +
				"\x1b[2A" +
				"\r\x1b[2Knix-login  install running    5.0s\n" +
				"\r\x1b[2Kslim       build   FAILED     3.0s\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			now := at(1)
			p := newProgress(&b, tc.live, func() time.Time { return now }, []string{"nix-login", "slim"})
			p.Event(events[0])
			p.Event(events[1])
			p.Draw()
			for _, e := range events[2:] {
				p.Event(e)
			}
			now = at(5)
			p.Draw()
			if got := b.String(); got != tc.want {
				t.Errorf("output:\n%q\nwant:\n%q", got, tc.want)
			}
		})
	}
}

func TestProgressWaitingAndBoots(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	t0 := time.Date(2026, 1, 5, 15, 10, 0, 0, time.UTC)
	p := newProgress(&b, true, func() time.Time { return t0.Add(time.Minute) }, []string{"a", "b"})
	p.Event(runner.Event{Variant: "a", Stage: "build", Time: t0})
	p.Event(runner.Event{Variant: "a", Stage: "boot", Status: result.Pass, Seconds: 1, Time: t0.Add(12 * time.Second)})
	p.Draw()
	want := "\r\x1b[2Ka  boot    boots     12.0s\n\r\x1b[2Kb  waiting\n"
	if got := b.String(); got != want {
		t.Errorf("output:\n%q\nwant:\n%q", got, want)
	}
}

// On a terminal narrower than a line, each line is cut to one column less than
// the terminal's width: a wrapped line would throw the redraw's cursor movement
// off by a line for every wrap.
func TestProgressCutsLinesToTheTerminal(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	t0 := time.Date(2026, 1, 5, 15, 10, 0, 0, time.UTC)
	long := "nixpacks-defaults-backend-root-with-a-very-long-name"
	p := newProgress(&b, true, func() time.Time { return t0.Add(time.Minute) }, []string{long, "b"})
	p.cols = func() int { return 30 }
	p.Event(runner.Event{Variant: long, Stage: "build", Time: t0})
	p.Draw()
	want := "\r\x1b[2K" + long[:28] + "…\n\r\x1b[2Kb" + strings.Repeat(" ", 27) + "…\n"
	if got := b.String(); got != want {
		t.Errorf("output:\n%q\nwant:\n%q", got, want)
	}
}

func TestGithubMatrix(t *testing.T) {
	t.Parallel()
	names := []string{"a", "b", "c", "d", "e"}
	tests := []struct {
		shards int
		want   []ghInclude
	}{
		{0, []ghInclude{{Variant: "a"}, {Variant: "b"}, {Variant: "c"}, {Variant: "d"}, {Variant: "e"}}},
		{1, []ghInclude{{Shard: 1, Variants: "a,b,c,d,e"}}},
		{2, []ghInclude{{Shard: 1, Variants: "a,b,c"}, {Shard: 2, Variants: "d,e"}}},
		{3, []ghInclude{{Shard: 1, Variants: "a,b"}, {Shard: 2, Variants: "c,d"}, {Shard: 3, Variants: "e"}}},
		// More shards than variants: no empty shard, whose job would run nothing.
		{9, []ghInclude{{Shard: 1, Variants: "a"}, {Shard: 2, Variants: "b"}, {Shard: 3, Variants: "c"}, {Shard: 4, Variants: "d"}, {Shard: 5, Variants: "e"}}},
	}
	for _, tc := range tests {
		got := githubMatrix(names, tc.shards)
		if len(got) != len(tc.want) {
			t.Errorf("shards=%d: %+v, want %+v", tc.shards, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("shards=%d: %+v, want %+v", tc.shards, got, tc.want)
				break
			}
		}
	}
}

// A pull shows one line per layer: on a terminal, redrawn with a bar under the
// variants and cleared when the pull ends; on a pipe, a plain line per state.
func TestProgressPull(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 5, 15, 10, 0, 0, time.UTC)
	const ref = "m.example/library/python:3.11-slim"
	pull := func(p *progress, s float64, layer, status string, cur, total int64) {
		p.Pull(runner.PullProgress{Ref: ref, Layer: layer, Status: status, Current: cur, Total: total,
			Time: t0.Add(time.Duration(s * float64(time.Second)))})
	}
	feed := func(p *progress) {
		p.Event(runner.Event{Variant: "slim", Stage: "build", Time: t0})
		pull(p, 0, "", "Pulling from library/python", 0, 0)
		pull(p, 0, "a1b2c3d4e5f6", "Pulling fs layer", 0, 0)
		pull(p, 0, "0f0e0d0c0b0a", "Already exists", 0, 0)
		pull(p, 1, "a1b2c3d4e5f6", "Downloading", 1000000, 4000000)
		pull(p, 2, "a1b2c3d4e5f6", "Downloading", 2000000, 4000000)
	}
	t.Run("terminal", func(t *testing.T) {
		t.Parallel()
		var b strings.Builder
		p := newProgress(&b, true, func() time.Time { return t0.Add(2 * time.Second) }, []string{"slim"})
		feed(p)
		if b.Len() != 0 {
			t.Fatalf("live mode wrote between draws: %q", b.String())
		}
		p.Draw()
		p.Pull(runner.PullProgress{Ref: ref, Done: true, Time: t0.Add(3 * time.Second)})
		p.Draw()
		want := "\r\x1b[2Kslim  build   running    2.0s\n" +
			"\r\x1b[2Kpull " + ref + "  Pulling from library/python\n" +
			"\r\x1b[2K  a1b2c3d4e5f6  Downloading        [==========>         ] 2MB/4MB 50%\n" +
			"\r\x1b[2K  0f0e0d0c0b0a  Already exists\n" +
			// The pull ended: back up four lines, one left, the rest cleared.
			"\x1b[4A\r\x1b[2Kslim  build   running    2.0s\n\x1b[J"
		if got := b.String(); got != want {
			t.Errorf("output:\n%q\nwant:\n%q", got, want)
		}
	})
	t.Run("pipe", func(t *testing.T) {
		t.Parallel()
		var b strings.Builder
		p := newProgress(&b, false, func() time.Time { return t0 }, []string{"slim"})
		feed(p)
		pull(p, 6, "a1b2c3d4e5f6", "Downloading", 3000000, 4000000)
		p.Pull(runner.PullProgress{Ref: ref, Done: true, Time: t0.Add(7 * time.Second)})
		want := "15:10:00  slim  build   start\n" +
			"15:10:00  pull " + ref + "  Pulling from library/python\n" +
			"15:10:00  pull " + ref + "  a1b2c3d4e5f6  Pulling fs layer\n" +
			"15:10:00  pull " + ref + "  0f0e0d0c0b0a  Already exists\n" +
			"15:10:01  pull " + ref + "  a1b2c3d4e5f6  Downloading  1MB/4MB 25%\n" +
			// 15:10:02's bytes come less than plainPullEvery after the last line.
			"15:10:06  pull " + ref + "  a1b2c3d4e5f6  Downloading  3MB/4MB 75%\n" +
			"15:10:07  pull " + ref + " done\n"
		if got := b.String(); got != want {
			t.Errorf("output:\n%q\nwant:\n%q", got, want)
		}
	})
}

// A 1 GB layer reported every 10 ms for 100 s prints a line per plainPullEvery on
// a pipe, not ten thousand, and every change of state still prints at once.
func TestProgressPullThrottle(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 5, 15, 10, 0, 0, time.UTC)
	var b strings.Builder
	p := newProgress(&b, false, func() time.Time { return t0 }, nil)
	const total, steps = 1 << 30, 10000
	var at time.Time
	for i := range steps {
		at = t0.Add(time.Duration(i) * 10 * time.Millisecond)
		p.Pull(runner.PullProgress{Ref: "python:3.11", Layer: "a1b2c3d4e5f6", Status: "Downloading", Current: int64(i+1) * total / steps, Total: total, Time: at})
	}
	p.Pull(runner.PullProgress{Ref: "python:3.11", Layer: "a1b2c3d4e5f6", Status: "Download complete", Time: at})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if want := int(100*time.Second/plainPullEvery) + 1; len(lines) != want {
		t.Fatalf("%d lines, want %d (one per %v and the state change):\n%s", len(lines), want, plainPullEvery, b.String())
	}
	if !strings.HasSuffix(lines[0], "Downloading  107.4kB/1.074GB 0%") {
		t.Errorf("first line %q, want the first bytes at once", lines[0])
	}
	if !strings.HasSuffix(lines[len(lines)-1], "a1b2c3d4e5f6  Download complete") {
		t.Errorf("last line %q, want the state change at once", lines[len(lines)-1])
	}
}
