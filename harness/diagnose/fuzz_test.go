package diagnose

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

var fuzzStages = []result.StageName{"", result.StageBuild, result.StageInstall, result.StageImport, result.StageLdd, result.StageBoot}

// FuzzClassify: no input makes Classify panic, answer a class outside the catalogue or
// return evidence that is unbounded, invalid UTF-8 or carries control bytes.
func FuzzClassify(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for i, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), 1, string(b), false, false, "libstdc++.so.6")
	}
	f.Add(uint8(5), 137, "\x00\xff\xfe\x1b[31m\x1b]0;t\x07Killed\r\n\x1b[", true, false, "")
	f.Add(uint8(4), 1, "\tlibz.so.1 => not found\n\x1b[1;31mlibstdc++.so.6 => not found", false, true, "/nix/store/x-gcc-1-lib/lib/libstdc++.so.6")
	f.Add(uint8(3), 1, ": cannot open shared object file: ::: cannot open shared object file", false, false, "/nix/store/")
	f.Add(uint8(2), 1, "version `GLIBC_2.38' not found (required by \nerror: attribute '", false, false, "-")
	f.Add(uint8(0), 0, strings.Repeat("\x1b", 1000)+strings.Repeat("é", 3000), false, false, "\xff")
	f.Fuzz(func(t *testing.T, stage uint8, exit int, out string, oom, timedOut bool, lib string) {
		ctx := Context{Shell: scenario.ShellPlain}
		if stage&0x10 != 0 {
			ctx.Builder = "nixpacks" // a name without facts: the output decides
		}
		missing := []result.MissingLib{{Library: lib, NeededBy: []string{out[:min(len(out), 40)]}, FoundAt: []string{lib}}}
		facts := result.Facts{OOMKilled: oom, TimedOut: timedOut, MemoryLimit: int64(exit) << 20, TimeoutSeconds: float64(exit),
			ImageUnavailable: lib, Exited: stage&0x20 != 0, AfterSeconds: float64(exit) / 7, Port: exit % 65536}
		if stage&0x40 != 0 {
			facts.Listeners = []result.Listener{{Addr: lib, Port: exit % 65536, Loopback: oom}, {Addr: out[:min(len(out), 20)], Port: 1}}
		}
		if stage&0x80 != 0 {
			facts.Health = &result.HTTPAnswer{Method: lib, Path: out[:min(len(out), 30)], Status: exit, Body: out, Error: lib}
		}
		fd := Classify(result.Stage{Name: fuzzStages[int(stage)%len(fuzzStages)], ExitCode: exit, Output: out, Facts: facts}, missing, ctx)
		checkFinding(t, fd)
		for _, e := range append(fd.Evidence, fd.Explanation) {
			if !utf8.ValidString(e) {
				t.Errorf("invalid UTF-8: %q", e)
			}
		}
		if len(out) < 1<<16 {
			checkIndexedMatching(t, out)
		}
	})
}

// checkIndexedMatching: the indexed matcher finds exactly the signals that trying every
// rule on every line finds.
func checkIndexedMatching(tb testing.TB, out string) {
	tb.Helper()
	got := scanOutput(out)
	var want [nSignals]int
	for _, raw := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if len(raw) > maxLineBytes {
			raw = raw[:maxLineBytes]
		}
		line := cleanLine(raw)
		if line == "" {
			continue
		}
		var seen [nSignals]bool
		for _, r := range signalRules {
			if !seen[r.s] && r.matches(line) {
				seen[r.s] = true
				want[r.s]++
			}
		}
	}
	if got.count != want {
		tb.Errorf("indexed matcher counts %v, every-rule matcher %v", got.count, want)
	}
}

func TestIndexedMatchingOnTestdata(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checkIndexedMatching(t, string(b))
	}
}

// Pathological inputs finish quickly: megabytes of one line, of escapes, of matching lines.
func TestClassifyPathological(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("allocates tens of megabytes")
	}
	const mb = 1 << 20
	cases := map[string]string{
		"one line":         strings.Repeat("a", 20*mb),
		"newlines":         strings.Repeat("\n", 20*mb),
		"carriage returns": strings.Repeat("\r", 20*mb),
		"escapes":          strings.Repeat("\x1b[", 10*mb),
		"osc unterminated": "\x1b]" + strings.Repeat("x", 20*mb),
		"binary":           binaryJunk(20 * mb),
		"matching lines":   strings.Repeat("Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory\n", 20*mb/90),
		"long exception":   strings.Repeat("E", 5*mb) + "Error: " + strings.Repeat("x", 5*mb),
	}
	for name, in := range cases {
		start := time.Now()
		fd := Classify(result.Stage{Name: result.StageBoot, ExitCode: 1, Output: in}, nil, Context{})
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: %v", name, d)
		}
		checkFinding(t, fd)
	}
}

func binaryJunk(n int) string {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return string(b)
}

// realisticOutput is size bytes of a pip install log followed by gunicorn's failure with
// the library error, so the classifier must read to the end.
func realisticOutput(size int) string {
	var b strings.Builder
	b.Grow(size + 4096)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "  Downloading package-%d.0.%d-py3-none-any.whl (%d kB)\n", i%977, i%13, i%4096)
		fmt.Fprintf(&b, "\x1b[32m     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ 84.2/84.2 kB 3.1 MB/s eta 0:00:00\x1b[0m\n")
		if i%50 == 0 {
			b.WriteString("  File \"/opt/venv/lib/python3.11/site-packages/x.py\", line 1, in <module>\n")
		}
	}
	b.WriteString("Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory\n")
	b.WriteString("[2026-01-05 14:51:02 +0000] [1] [ERROR] Worker (pid:4) exited with code 3\n")
	return b.String()
}

// BenchmarkClassify reads sizes up to MaxScanBytes in full, so ns/op grows in proportion
// to the size and MB/s stays flat; above it only the last MaxScanBytes are read.
func BenchmarkClassify(b *testing.B) {
	for _, mb := range []int{1, 5, 10, 16, 50} {
		in := realisticOutput(mb << 20)
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				fd := Classify(result.Stage{Name: result.StageBoot, ExitCode: 3, Output: in}, nil, Context{Builder: "nixpacks", Shell: scenario.ShellLogin, Python: "3.11"})
				if fd.Class != ClassMissingLib {
					b.Fatalf("class %s", fd.Class)
				}
			}
		})
	}
}
