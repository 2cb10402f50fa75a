package report

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// docs/report.png is a screenshot of a real run (make demo); this flag saves
// the fixture's instead, e.g. -screenshot=/tmp/report.png to compare.
var saveShot = flag.String("screenshot", "", "save the Chromium test's screenshot to this file")

// chromium finds a Chromium to drive: Debian's chromium package, or whatever
// $BOOTMATRIX_CHROMIUM names.
func chromium(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("headless Chromium test: not run with -short")
	}
	if p := os.Getenv("BOOTMATRIX_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("BOOTMATRIX_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("no chromium binary on PATH and BOOTMATRIX_REQUIRE_CHROMIUM=1: apt-get install -y chromium")
	}
	t.Skip("no chromium binary on PATH: apt-get install -y chromium (Debian's package) to run this test")
	return ""
}

// runChromium runs one headless Chromium with its own profile directory, so
// parallel runs and a user's browser never share state, and returns stdout.
func runChromium(t testing.TB, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--no-first-run", "--disable-extensions", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, tail(stderr.String(), 2000))
	}
	return stdout.Bytes()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// TestHTMLInChromium looks at the page the way a person does: rendered by a real
// browser, the grid coloured, and a link to one cell opening that cell's log.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	t.Parallel()
	page := filepath.Join(t.TempDir(), "seed.html")
	if err := os.WriteFile(page, []byte(render(t, WriteHTML, seedRun())), 0o644); err != nil {
		t.Fatal(err)
	}
	pageURL := func(fragment string) string {
		return (&url.URL{Scheme: "file", Path: page, Fragment: fragment}).String()
	}
	const opened = "nixpkgs-gcc-stdenv/ldd"

	// Subtests run one after another: two browsers at once on a shared CI
	// machine only make both slower.
	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(t.TempDir(), "report.png")
		runChromium(t, bin, "--screenshot="+shot, "--window-size=1400,900", pageURL("open="+opened))
		data, err := os.ReadFile(shot)
		if err != nil {
			t.Fatalf("chromium wrote no screenshot: %v", err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("screenshot is not a PNG: %v", err)
		}
		if b := img.Bounds(); b.Dx() != 1400 || b.Dy() != 900 {
			t.Errorf("screenshot is %dx%d, want 1400x900", b.Dx(), b.Dy())
		}
		c := countColours(img)
		total := img.Bounds().Dx() * img.Bounds().Dy()
		// The grid's pass cells (#2da44e), fail cells (#cf222e) and the open
		// panel's border (#0969da) must each cover a real share of the page.
		for _, k := range []struct {
			name string
			n    int
			min  int
		}{{"green (pass)", c.green, total / 50}, {"red (fail)", c.red, total / 100}, {"blue (open panel)", c.blue, 2000}} {
			if k.n < k.min {
				t.Errorf("%s pixels: %d, want at least %d: the grid or panel did not render", k.name, k.n, k.min)
			}
		}
		t.Logf("screenshot %s: %d green, %d red, %d blue pixels of %d", shot, c.green, c.red, c.blue, total)
		if *saveShot != "" {
			if err := os.WriteFile(*saveShot, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	})

	t.Run("fragment opens the cell's log", func(t *testing.T) {
		dom := string(runChromium(t, bin, "--dump-dom", pageURL("open="+opened)))
		open := regexp.MustCompile(`<details id="cell-([^"]+)"[^>]*\sopen[=>\s]`).FindAllStringSubmatch(dom, -1)
		if len(open) != 1 || open[0][1] != opened {
			t.Fatalf("open cells %v, want exactly [%s]", open, opened)
		}
		i := strings.Index(dom, `<details id="cell-`+opened+`"`)
		panel := dom[i : i+strings.Index(dom[i:], "</details>")]
		for _, want := range []string{"scanned 14 shared object(s)", "provided by <code>stdenv.cc.cc.lib</code>", "-gcc-14.2.0-lib/lib/libstdc++.so.6"} {
			if !strings.Contains(panel, want) {
				t.Errorf("the open panel lacks %q:\n%s", want, panel)
			}
		}
	})

	t.Run("no fragment, every cell closed", func(t *testing.T) {
		dom := string(runChromium(t, bin, "--dump-dom", pageURL("")))
		// One cell per variant and stage, skipped stages included.
		want := len(seedRun().Variants) * len(result.StageNames)
		if n := strings.Count(dom, `<details id="cell-`); n != want {
			t.Errorf("%d cells in the rendered grid, want %d (one per variant and stage)", n, want)
		}
		if regexp.MustCompile(`<details id="cell-[^"]+"[^>]*\sopen[=>\s]`).MatchString(dom) {
			t.Error("a cell is open without being asked for")
		}
	})
}

type colourCount struct{ green, red, blue int }

func countColours(img image.Image) colourCount {
	var c colourCount
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r32, g32, b32, _ := img.At(x, y).RGBA()
			r, g, bl := r32>>8, g32>>8, b32>>8
			switch {
			case g > 140 && r < 90 && bl < 110:
				c.green++
			case r > 180 && g < 70 && bl < 80:
				c.red++
			case bl > 190 && r < 40 && g > 80 && g < 130:
				c.blue++
			}
		}
	}
	return c
}
