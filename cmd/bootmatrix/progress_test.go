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
