package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	junit "github.com/joshdk/go-junit"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fixture is a run shaped like the seed's: PEP 668 at install, libstdc++ at
// import with the ldd finding, and two that boot.
func fixture() *result.Run {
	stages := func(failAt string, class string, ev ...string) []result.Stage {
		var out []result.Stage
		failed := false
		for _, n := range result.StageNames {
			s := result.Stage{Name: n, Status: result.Pass, Seconds: 1.25}
			switch {
			case failed && (n != result.StageLdd || failAt == result.StageInstall || failAt == result.StageBuild):
				s = result.Stage{Name: n, Status: result.Skip, Note: "skipped: " + failAt + " failed"}
			case n == failAt:
				s.Status, s.Class, s.Evidence, s.ExitCode = result.Fail, class, ev, 1
				s.Output = strings.Join(ev, "\n")
				s.Explanation = "because " + class
				failed = true
			}
			out = append(out, s)
		}
		return out
	}
	lib := stages(result.StageImport, "missing-shared-library",
		"Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory")
	for i := range lib {
		if lib[i].Name == result.StageLdd {
			lib[i].Status, lib[i].Class = result.Fail, "missing-shared-library"
			lib[i].Missing = []result.MissingLib{{Library: "libstdc++.so.6",
				FoundAt:  []string{"/nix/store/g7c14408vy7r5p2gp2xfriwny99h0d64-gcc-14.2.0-lib/lib/libstdc++.so.6"},
				Provider: "stdenv.cc.cc.lib"}}
		}
	}
	return &result.Run{
		Scenario: "seed", Mode: "offline", Seconds: 42.04,
		StartedAt: time.Date(2026, 1, 5, 15, 10, 0, 0, time.UTC),
		Variants: []result.Variant{
			{Name: "pip-install-pep668", Expectation: "fails at install with pep668-externally-managed", ExpectationMet: true,
				Stages: stages(result.StageInstall, "pep668-externally-managed", "error: externally-managed-environment",
					"This command has been disabled as it tries to modify the immutable `/nix/store` filesystem.")},
			{Name: "break-system-packages", Expectation: "fails at import with missing-shared-library", ExpectationMet: true, Stages: lib,
				Fixes: []result.Fix{{ID: "add-nixlibs", Summary: `add "stdenv.cc.cc.lib" to nixLibs`}}},
			{Name: "nixlibs-login-shell", Boots: true, Expectation: "boots", ExpectationMet: true, Stages: stages("", "")},
			{Name: "xss <script>alert(1)</script>", Expectation: "boots", ExpectationDetail: "expected to boot, but it failed at boot",
				Stages: stages(result.StageBoot, "health-unexpected", "body was <script>alert(1)</script>")},
			{Name: "dockerfile-python-slim", Boots: true, Expectation: "boots", ExpectationMet: true, Stages: stages("", "")},
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"seed.txt", func(b *bytes.Buffer) error { return WriteText(b, fixture()) }},
		{"seed-ascii.txt", func(b *bytes.Buffer) error { return WriteText(b, fixture(), ASCII()) }},
		{"seed.md", func(b *bytes.Buffer) error { return WriteMarkdown(b, fixture()) }},
		{"seed.junit.xml", func(b *bytes.Buffer) error { return WriteJUnit(b, fixture()) }},
		{"seed.json", func(b *bytes.Buffer) error { return WriteJSON(b, fixture()) }},
		{"seed.html", func(b *bytes.Buffer) error { return WriteHTML(b, fixture()) }},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := c.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, c.file, b.Bytes())
		})
	}
}

func TestJSONRoundTripKeepsStableNames(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	v := raw["variants"].([]any)[1].(map[string]any)
	for _, k := range []string{"name", "boots", "expectation_met", "stages"} {
		if _, ok := v[k]; !ok {
			t.Errorf("variant lacks %q", k)
		}
	}
	s := v["stages"].([]any)[2].(map[string]any)
	for _, k := range []string{"name", "status", "class", "seconds", "evidence"} {
		if _, ok := s[k]; !ok {
			t.Errorf("stage lacks %q", k)
		}
	}
	if s["seconds"].(float64) != 1.3 && s["seconds"].(float64) != 1.2 {
		t.Errorf("seconds not rounded to 0.1: %v", s["seconds"])
	}
	back, err := ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Variants) != 5 || back.Variants[1].StageByName("ldd").Missing[0].Provider != "stdenv.cc.cc.lib" {
		t.Errorf("round trip lost data: %+v", back.Variants[1])
	}
}

func TestReadJSONRejectsOtherFiles(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "{}", "[1,2]", "not json"} {
		if _, err := ReadJSON(strings.NewReader(in)); err == nil {
			t.Errorf("ReadJSON(%q) accepted it", in)
		}
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	a, b := fixture(), fixture()
	a.Variants, b.Variants = a.Variants[:2], b.Variants[2:]
	m, err := Merge(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Variants) != 5 {
		t.Errorf("merged %d variants, want 5", len(m.Variants))
	}
	if _, err := Merge(fixture(), fixture()); err == nil || !strings.Contains(err.Error(), "pip-install-pep668") {
		t.Errorf("duplicate variants across shards not refused: %v", err)
	}
}

func TestJUnitParsesWithConsumer(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJUnit(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	suites, err := junit.Ingest(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 1 {
		t.Fatalf("%d suites, want 1", len(suites))
	}
	s := suites[0]
	// 5 variants × (5 stages + expectation)
	if len(s.Tests) != 30 {
		t.Errorf("%d testcases, want 30", len(s.Tests))
	}
	var failed, skipped int
	for _, tc := range s.Tests {
		switch tc.Status {
		case junit.StatusFailed:
			failed++
			if tc.Classname == "break-system-packages" && tc.Name == "import" {
				je, ok := tc.Error.(junit.Error)
				if !ok || je.Type != "missing-shared-library" || !strings.Contains(je.Body, "libstdc++.so.6") {
					t.Errorf("import failure lacks its class or evidence: %#v", tc.Error)
				}
			}
		case junit.StatusSkipped:
			skipped++
		}
	}
	// install(pep668); import+ldd (lib); boot + expectation (xss)
	if failed != 5 {
		t.Errorf("%d failures, want 5", failed)
	}
	if skipped == 0 {
		t.Error("no skipped stages")
	}
}

func TestJUnitSurvivesBinaryOutput(t *testing.T) {
	t.Parallel()
	run := fixture()
	run.Variants[0].Stages[1].Evidence = []string{"\x00\x01bad\xff\xfe bytes \x1b[31mred\x1b[0m"}
	var b bytes.Buffer
	if err := WriteJUnit(&b, run); err != nil {
		t.Fatal(err)
	}
	if _, err := junit.Ingest(b.Bytes()); err != nil {
		t.Fatalf("binary bytes made unreadable XML: %v", err)
	}
}

func TestHTMLEscapesCapturedText(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteHTML(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, "<script>alert(1)</script>") {
		t.Error("captured <script> reached the page as a tag")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("captured <script> is not shown as text")
	}
	for _, ext := range []string{"http://", "https://", "<link", "src="} {
		if strings.Contains(page, ext) {
			t.Errorf("page is not self-contained: contains %q", ext)
		}
	}
}

func TestMarkdownEscapesCells(t *testing.T) {
	t.Parallel()
	run := fixture()
	run.Variants[0].Name = "a|b`c"
	var b bytes.Buffer
	if err := WriteMarkdown(&b, run); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| a\\|b\\`c |") {
		t.Errorf("pipe and backtick not escaped:\n%s", b.String())
	}
}

func TestStepSummaryAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", path)
	if err := os.WriteFile(path, []byte("earlier\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AppendStepSummary(fixture()); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(got), "earlier\n### bootmatrix: seed") {
		t.Errorf("summary not appended:\n%s", got)
	}
}
