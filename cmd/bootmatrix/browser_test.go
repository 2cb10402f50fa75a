package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/report"
)

// chromium runs Debian's headless Chromium on args with a private profile, so
// parallel runs do not fight over one.
func chromium(t *testing.T, args ...string) []byte {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium binary: apt-get install chromium to check the HTML report in a browser")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--no-first-run", "--disable-extensions"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// fixtureHTML renders the fixture run (one variant booting, one failing at
// import with the libstdc++ finding) to a temporary page.
func fixtureHTML(t *testing.T) (path string, page []byte) {
	t.Helper()
	res, err := readRun(filepath.Join("testdata", "fixture-run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.WriteHTML(&b, res); err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, b.Bytes()
}

// cssColour reads a rule's background from the page itself, so the check follows
// the palette instead of freezing it.
func cssColour(t *testing.T, page []byte, selector string) [3]uint8 {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(selector) + `\{background:#([0-9a-fA-F]{6})`)
	m := re.FindSubmatch(page)
	if m == nil {
		t.Fatalf("no %s{background:#rrggbb} rule in the page", selector)
	}
	var c [3]uint8
	for i := range c {
		v, _ := strconv.ParseUint(string(m[1][2*i:2*i+2]), 16, 8)
		c[i] = uint8(v)
	}
	return c
}

func TestHTMLInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("short: no browser")
	}
	t.Parallel()
	path, page := fixtureHTML(t)

	t.Run("screenshot shows pass and fail cells", func(t *testing.T) {
		t.Parallel()
		shot := filepath.Join(t.TempDir(), "shot.png")
		chromium(t, "--screenshot="+shot, "--window-size=1400,900", "file://"+path)
		fh, err := os.Open(shot)
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		img, err := png.Decode(fh)
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		colours := map[string][3]uint8{
			"pass": cssColour(t, page, "td.pass"),
			"fail": cssColour(t, page, "td.fail"),
		}
		counts := map[string]int{}
		bounds := img.Bounds()
		for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
			for x := bounds.Min.X; x < bounds.Max.X; x++ {
				r, g, b, _ := img.At(x, y).RGBA()
				for name, c := range colours {
					if near(uint8(r>>8), c[0]) && near(uint8(g>>8), c[1]) && near(uint8(b>>8), c[2]) {
						counts[name]++
					}
				}
			}
		}
		// The fixture has 7 passing and 2 failing cells; a cell is at least
		// 60×25 px at this size, minus text.
		for name, want := range map[string]int{"pass": 7 * 800, "fail": 2 * 800} {
			if counts[name] < want {
				t.Errorf("%s cells: %d pixels near %v, want at least %d", name, counts[name], colours[name], want)
			}
		}
	})

	tests := []struct {
		fragment string
		open     string // the one cell expected open, "" for none
	}{
		{"", ""},
		{"#open=nix-plain/import", "nix-plain/import"},
		{"#open=slim-ok/boot", "slim-ok/boot"},
		{"#open=no-such/cell", ""},
	}
	openRe := regexp.MustCompile(`<details id="cell-([^"]+)"[^>]*\sopen[=>\s"]`)
	for _, tc := range tests {
		t.Run("dump-dom"+tc.fragment, func(t *testing.T) {
			t.Parallel()
			dom := chromium(t, "--dump-dom", "file://"+path+tc.fragment)
			if !bytes.Contains(dom, []byte(`id="cell-nix-plain/import"`)) {
				t.Fatalf("the DOM has no cell-nix-plain/import:\n%.2000s", dom)
			}
			var open []string
			for _, m := range openRe.FindAllSubmatch(dom, -1) {
				open = append(open, string(m[1]))
			}
			want := []string{}
			if tc.open != "" {
				want = []string{tc.open}
			}
			if fmt.Sprint(open) != fmt.Sprint(want) {
				t.Errorf("open cells %v, want %v", open, want)
			}
		})
	}
}

func near(a, b uint8) bool {
	d := int(a) - int(b)
	return d >= -6 && d <= 6
}
