package runner

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestTail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		max      int
		writes   []string
		want     string   // exact, when set
		contains []string // otherwise every one must appear
		absent   []string
	}{
		{name: "empty", max: 16, want: ""},
		{name: "fits", max: 16, writes: []string{"abc\n", "def\n"}, want: "abc\ndef\n"},
		{name: "exactly full", max: 8, writes: []string{"abc\ndef\n"}, want: "abc\ndef\n"},
		{
			name: "wraps at a line boundary", max: 10, writes: []string{"line1\nline2\nline3\n"},
			contains: []string{"[bootmatrix: 12 earlier bytes omitted]\n", "line3\n"},
			absent:   []string{"line1", "line2"},
		},
		{
			name: "error line before the tail survives", max: 12,
			writes:   []string{"ok\nERROR: boom\n", "noise1\nnoise2\nnoise3\nlast\n"},
			contains: []string{"ERROR: boom\n", "[bootmatrix: last lines]\n", "last\n"},
			absent:   []string{"noise1"},
		},
		{
			name: "error line split across writes", max: 8,
			writes:   []string{"libstdc++.so.6: can", "not open shared object file\n", "aaaaaaaaaaaa\nzz\n"},
			contains: []string{"libstdc++.so.6: cannot open shared object file\n", "zz\n"},
		},
		{
			name: "one write larger than the ring", max: 8,
			writes:   []string{strings.Repeat("x", 100) + "\nend\n"},
			contains: []string{"end\n"},
			absent:   []string{"xxxxxxxx"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl := NewTail(tc.max)
			for _, w := range tc.writes {
				tl.WriteString(w)
			}
			got := tl.String()
			if tc.want != "" || (len(tc.contains) == 0 && len(tc.absent) == 0) {
				if got != tc.want {
					t.Fatalf("got %q, want %q", got, tc.want)
				}
			}
			for _, c := range tc.contains {
				if !strings.Contains(got, c) {
					t.Errorf("%q lacks %q", got, c)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(got, a) {
					t.Errorf("%q has %q", got, a)
				}
			}
		})
	}
}

// A process printing 100 MB must not make the Tail hold 100 MB.
func TestTailBounded(t *testing.T) {
	t.Parallel()
	tl := NewTail(1 << 10)
	line := []byte(strings.Repeat("y", 99) + "\n")
	errLine := []byte("error: " + strings.Repeat("e", 2000) + "\n")
	for i := range 1_000_000 {
		_, _ = tl.Write(line)
		if i%1000 == 0 {
			_, _ = tl.Write(errLine)
		}
	}
	if tl.Len() < 100_000_000 {
		t.Fatalf("Len = %d", tl.Len())
	}
	got := tl.String()
	if len(got) > 1<<10+defaultKeyLines*(defaultLineCap+1)+200 {
		t.Fatalf("String is %d bytes", len(got))
	}
	if len(tl.keys) != defaultKeyLines || tl.dropped != 1000-defaultKeyLines {
		t.Errorf("kept %d error lines, dropped %d", len(tl.keys), tl.dropped)
	}
	if !strings.Contains(got, fmt.Sprintf("[bootmatrix: %d more error lines omitted]", 1000-defaultKeyLines)) {
		t.Errorf("no omission note in %q", got[:200])
	}
	if bytes.Contains([]byte(got), []byte(strings.Repeat("e", defaultLineCap))) {
		t.Errorf("an error line was kept beyond %d bytes", defaultLineCap)
	}
}
