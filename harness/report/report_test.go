package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	junit "github.com/joshdk/go-junit"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t testing.TB, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./harness/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./harness/report -update rewrites it); got:\n%s", path, got)
	}
}

func render(t testing.TB, write func(io.Writer, *result.Run) error, run *result.Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, run); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func textWriter(opts ...TextOption) func(io.Writer, *result.Run) error {
	return func(w io.Writer, r *result.Run) error { return WriteText(w, r, opts...) }
}

func TestGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		write func(io.Writer, *result.Run) error
	}{
		{"seed.txt", textWriter()},
		{"seed-ascii.txt", textWriter(ASCII())},
		{"seed.md", WriteMarkdown},
		{"seed.junit.xml", WriteJUnit},
		{"seed.json", WriteJSON},
		{"seed.html", WriteHTML},
		{"surprises.txt", textWriter()},
		{"surprises.md", WriteMarkdown},
		{"undecided.txt", textWriter()},
		{"undecided.md", WriteMarkdown},
		{"undecided.junit.xml", WriteJUnit},
		{"undecided.html", WriteHTML},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			run := seedRun()
			switch {
			case strings.HasPrefix(c.name, "surprises"):
				run = surprisesRun()
			case strings.HasPrefix(c.name, "undecided"):
				run = undecidedRun()
			}
			golden(t, c.name, []byte(render(t, c.write, run)))
		})
	}
}

// The renderers must not depend on anything but the run: rendering twice gives
// the same bytes (map order in Axes is the usual way to lose this).
func TestDeterministic(t *testing.T) {
	t.Parallel()
	for name, w := range map[string]func(io.Writer, *result.Run) error{
		"text": textWriter(), "markdown": WriteMarkdown, "junit": WriteJUnit, "json": WriteJSON, "html": WriteHTML,
	} {
		first := render(t, w, seedRun())
		for range 5 {
			if again := render(t, w, seedRun()); again != first {
				t.Errorf("%s: two renderings of one run differ", name)
				break
			}
		}
	}
}

func TestTextMatrix(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		opts   []TextOption
		want   []*regexp.Regexp
		refuse []string
	}{
		{
			name: "unicode",
			want: []*regexp.Regexp{
				regexp.MustCompile(`(?m)^variant +build +install +import +ldd +boot +expect$`),
				regexp.MustCompile(`(?m)^pip-install-pep668 +✓ +✗ pep668-externally-managed +– +– +– +✓ met$`),
				regexp.MustCompile(`(?m)^break-system-packages +✓ +✓ +✗ missing-shared-library +✗ missing-shared-library +– +✓ met$`),
				regexp.MustCompile(`(?m)^nixlibs-login-shell +✓ +✓ +✓ +✓ +✓ +✓ met$`),
				// the Why section: class, explanation, evidence, where the library is and who provides it
				regexp.MustCompile(`(?m)^break-system-packages: import failed: missing-shared-library \(exit 1\)\n    the loader cannot find libstdc\+\+\.so\.6`),
				regexp.MustCompile(`(?m)^      > Original error was: libstdc\+\+\.so\.6: cannot open shared object file`),
				regexp.MustCompile(`(?m)^      found at /usr/lib/x86_64-linux-gnu/libstdc\+\+\.so\.6\n      provided by stdenv\.cc\.cc\.lib$`),
				// closest to pip-install-pep668 {builder, pins, python}: two keys differ, the earliest such
				regexp.MustCompile(`(?m)^Recommended: nixlibs-login-shell\n    closest to the first variant, pip-install-pep668; differs in nixpacks: \(unset\) → nixlibs-stdenv\.cc\.cc\.lib-installcmds-384ee6, shell: \(unset\) → login$`),
			},
			refuse: []string{"ok", "FAIL", "->"},
		},
		{
			name: "ascii",
			opts: []TextOption{ASCII()},
			want: []*regexp.Regexp{
				regexp.MustCompile(`(?m)^pip-install-pep668 +ok +FAIL pep668-externally-managed +- +- +- +ok met$`),
				regexp.MustCompile(`shell: \(unset\) -> login`),
			},
			refuse: []string{"✓", "✗", "–", "→"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := render(t, textWriter(c.opts...), seedRun())
			for _, re := range c.want {
				if !re.MatchString(out) {
					t.Errorf("output lacks %s:\n%s", re, out)
				}
			}
			table := out[:strings.Index(out, "\nWhy\n")]
			for _, r := range c.refuse {
				if strings.Contains(table, r) {
					t.Errorf("table contains %q", r)
				}
			}
		})
	}
}

// Every row of the table is as wide as the header up to the expect column: the
// columns line up whatever the names.
func TestTextColumnsAlign(t *testing.T) {
	t.Parallel()
	run := seedRun()
	run.Variants[3].Name = "a-much-longer-variant-name-than-the-others"
	out := render(t, textWriter(), run)
	lines := strings.Split(out, "\n")[2 : 2+2+len(run.Variants)]
	col := strings.Index(lines[0], "expect")
	for _, l := range lines[2:] {
		r := []rune(l)
		if len(r) < col || r[col-1] != ' ' || r[col] == ' ' {
			t.Errorf("expect column not at rune %d in %q", col, l)
		}
	}
}

func TestRecommendation(t *testing.T) {
	t.Parallel()
	axes := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	v := func(name string, boots bool, a map[string]string) result.Variant {
		return result.Variant{Name: name, Boots: boots, Axes: a}
	}
	cases := []struct {
		name     string
		variants []result.Variant
		want     string
		reason   string
	}{
		{"first boots", []result.Variant{v("a", true, axes("x", "1")), v("b", true, axes("x", "1"))}, "a", "the first variant boots as it is"},
		{"closest wins over earlier", []result.Variant{v("a", false, axes("x", "1", "y", "1")), v("b", true, axes("x", "2", "y", "2")), v("c", true, axes("x", "1", "y", "2"))}, "c", "closest to the first variant, a; differs in y: 1 → 2"},
		{"tie goes to the earlier", []result.Variant{v("a", false, axes("x", "1", "y", "1")), v("b", true, axes("x", "2", "y", "1")), v("c", true, axes("x", "1", "y", "2"))}, "b", "closest to the first variant, a; differs in x: 1 → 2"},
		{"no axes: first booting", []result.Variant{v("a", false, nil), v("b", false, nil), v("c", true, nil), v("d", true, nil)}, "c", "same axes as the first variant, a"},
		{"nothing boots", []result.Variant{v("a", false, nil)}, "", "no variant boots"},
		{"a decided boot wins over a closer undecided one", []result.Variant{v("a", false, axes("x", "1", "y", "1")), undecidedBoot("b", axes("x", "1", "y", "2")), v("c", true, axes("x", "2", "y", "2"))}, "c", "closest to the first variant, a; differs in x: 1 → 2, y: 1 → 2"},
		{"an undecided boot when nothing else boots", []result.Variant{v("a", false, axes("x", "1")), undecidedBoot("b", axes("x", "2"))}, "b", "closest to the first variant, a; differs in x: 1 → 2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := recommend(&result.Run{Variants: c.variants})
			got := ""
			if r.pick != nil {
				got = r.pick.Name
			}
			if got != c.want || r.reason("→") != c.reason {
				t.Errorf("recommend = %q (%s), want %q (%s)", got, r.reason("→"), c.want, c.reason)
			}
		})
	}
}

func undecidedBoot(name string, axes map[string]string) result.Variant {
	return result.Variant{Name: name, Boots: true, Axes: axes, Caveats: []string{"the kit cannot run this"}}
}

func TestTextKeepsCapturedControlsOut(t *testing.T) {
	t.Parallel()
	run := seedRun()
	run.Variants[1].Stages[2].Evidence = []string{"\x1b[2J\x1b[31mred\nsecond line\x07"}
	out := render(t, textWriter(), run)
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Error("terminal control characters from captured output reached the report")
	}
	if !strings.Contains(out, "      > [2J[31mred second line\n") {
		t.Errorf("evidence line not kept on one line:\n%s", out)
	}
}

func TestJSONSchema(t *testing.T) {
	t.Parallel()
	out := render(t, WriteJSON, seedRun())
	if !strings.HasPrefix(out, "{\n  \"scenario\": \"seed\",\n") {
		t.Errorf("not indented by two spaces or scenario not first:\n%.80s", out)
	}
	var raw struct {
		Scenario string `json:"scenario"`
		Variants []map[string]json.RawMessage
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	v := raw.Variants[1]
	for _, k := range []string{"name", "boots", "expectation_met", "stages", "axes", "expectation", "fixes"} {
		if _, ok := v[k]; !ok {
			t.Errorf("variant lacks %q", k)
		}
	}
	var stages []map[string]any
	if err := json.Unmarshal(v["stages"], &stages); err != nil {
		t.Fatal(err)
	}
	imp := stages[2]
	for _, k := range []string{"name", "status", "class", "seconds", "evidence", "exit_code", "output", "explanation", "modules"} {
		if _, ok := imp[k]; !ok {
			t.Errorf("import stage lacks %q", k)
		}
	}
	for i, s := range stages {
		got := s["seconds"].(float64)
		if want := float64(int(got*10+0.5)) / 10; got != want {
			t.Errorf("stage %d seconds %v not rounded to 0.1", i, got)
		}
	}
	if stages[0]["seconds"].(float64) != 2.0 || stages[2]["seconds"].(float64) != 1.1 {
		t.Errorf("seconds 2.03 and 1.12 rounded to %v and %v, want 2 and 1.1", stages[0]["seconds"], stages[2]["seconds"])
	}
	if strings.Contains(out, `\u003c`) {
		t.Error("< written as \\u003c: the file is meant to be readable")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	in := seedRun()
	back, err := ReadJSON(strings.NewReader(render(t, WriteJSON, in)))
	if err != nil {
		t.Fatal(err)
	}
	// Everything survives but the rounding: a second write is byte-identical.
	if a, b := render(t, WriteJSON, in), render(t, WriteJSON, back); a != b {
		t.Error("JSON → ReadJSON → JSON changed the file")
	}
	m := back.Variants[2].StageByName(result.StageLdd).Missing[0]
	if m.Provider != "stdenv.cc.cc.lib" || !strings.HasSuffix(m.FoundAt[0], "-gcc-14.2.0-lib/lib/libstdc++.so.6") {
		t.Errorf("missing library lost in the round trip: %+v", m)
	}
}

func TestReadJSONRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"", "not a bootmatrix result"},
		{"{}", "no scenario and no variants"},
		{"[1,2]", "not a bootmatrix result"},
		{"not json", "not a bootmatrix result"},
		{`{"scenario":"s","variants":[{"stages":[]}]}`, "variants[0] has no name"},
		{`{"scenario":"s","variants":[{"name":"v","stages":[{"name":"build","status":"ok"}]}]}`, `variant "v": stages[0] (build) has status "ok"`},
	}
	for _, c := range cases {
		_, err := ReadJSON(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadJSON(%q) = %v, want an error containing %q", c.in, err, c.want)
		}
	}
}

func TestMerge(t *testing.T) {
	t.Parallel()
	shards := func() (*result.Run, *result.Run, *result.Run) {
		a, b, c := seedRun(), seedRun(), seedRun()
		a.Variants, b.Variants, c.Variants = a.Variants[:3], b.Variants[3:6], c.Variants[6:]
		b.StartedAt = b.StartedAt.Add(-30e9) // started 30 s earlier
		c.Seconds = 500                      // ended last
		return a, b, c
	}
	a, b, c := shards()
	m, err := Merge(a, b, c)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := render(t, textWriter(), m), render(t, textWriter(), seedRun()); strings.SplitN(got, "\n", 2)[1] != strings.SplitN(want, "\n", 2)[1] {
		t.Errorf("merged shards do not report as the whole run:\n%s", got)
	}
	if !m.StartedAt.Equal(b.StartedAt) || m.Seconds != 530 {
		t.Errorf("merged run starts %v and lasts %vs, want %v and 530s", m.StartedAt, m.Seconds, b.StartedAt)
	}

	errCases := []struct {
		name string
		runs func() []*result.Run
		want string
	}{
		{"none", func() []*result.Run { return nil }, "no runs"},
		{"duplicate", func() []*result.Run { a, b, _ := shards(); return []*result.Run{a, b, seedRun()} },
			`variant "pip-install-pep668" is in shard 1 and in shard 3`},
		{"other scenario", func() []*result.Run { a, b, _ := shards(); b.Scenario = "other"; return []*result.Run{a, b} },
			`shard 2 is scenario "other", shard 1 is "seed"`},
		{"other mode", func() []*result.Run { a, b, _ := shards(); b.Mode = "online"; return []*result.Run{a, b} },
			"shard 2 ran online, shard 1 ran offline"},
	}
	for _, c := range errCases {
		if _, err := Merge(c.runs()...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Merge = %v, want an error containing %q", c.name, err, c.want)
		}
	}
}

// A JUnit consumer (github.com/joshdk/go-junit, what CI report tools build on)
// reads the file and finds every case where it should be.
func TestJUnitParsesWithConsumer(t *testing.T) {
	t.Parallel()
	run := seedRun()
	// One variant whose expectation did not hold, so the expectation case fails.
	run.Variants[4].ExpectationMet = false
	run.Variants[4].ExpectationDetail = "expected to fail at import, but it booted"
	suites, err := junit.Ingest([]byte(render(t, WriteJUnit, run)))
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) != 1 || suites[0].Name != "seed" {
		t.Fatalf("got %d suites (%+v), want one named seed", len(suites), suites)
	}
	byID := map[string]junit.Test{}
	for _, tc := range suites[0].Tests {
		byID[tc.Classname+"/"+tc.Name] = tc
	}
	if len(byID) != 11*6 {
		t.Errorf("%d testcases, want 11 variants × (5 stages + expectation) = 66", len(byID))
	}
	cases := []struct {
		id, status, typ, body string
	}{
		{"pip-install-pep668/build", "passed", "", ""},
		{"pip-install-pep668/install", "failed", "pep668-externally-managed", "error: externally-managed-environment"},
		{"pip-install-pep668/import", "skipped", "", "skipped: install failed"},
		{"break-system-packages/import", "failed", "missing-shared-library", "Original error was: libstdc++.so.6"},
		{"break-system-packages/ldd", "failed", "missing-shared-library", "provided by stdenv.cc.cc.lib"},
		{"break-system-packages/boot", "skipped", "", "skipped: import failed"},
		{"break-system-packages/expectation", "passed", "", ""},
		{"nixlibs-login-shell/boot", "passed", "", ""},
		{"nixlibs-login-shell/expectation", "failed", "expectation", "expected to fail at import, but it booted"},
	}
	for _, c := range cases {
		tc, ok := byID[c.id]
		if !ok {
			t.Errorf("no testcase %s", c.id)
			continue
		}
		if string(tc.Status) != c.status {
			t.Errorf("%s: status %s, want %s", c.id, tc.Status, c.status)
		}
		switch c.status {
		case "failed":
			je, ok := tc.Error.(junit.Error)
			if !ok || je.Type != c.typ || !strings.Contains(je.Body, c.body) {
				t.Errorf("%s: failure %#v, want type %q and body containing %q", c.id, tc.Error, c.typ, c.body)
			}
		case "skipped":
			if tc.Message != c.body {
				t.Errorf("%s: skipped message %q, want %q", c.id, tc.Message, c.body)
			}
		}
	}
	if d := byID["nixpkgs-gcc-stdenv/build"].Duration.Seconds(); d < 12.4 || d > 12.6 {
		t.Errorf("build time %vs, want 12.5", d)
	}
	if !strings.Contains(byID["break-system-packages/import"].SystemOut, "IMPORTANT: PLEASE READ THIS") {
		t.Error("the import log is not in system-out")
	}
}

func TestJUnitSurvivesBinaryOutput(t *testing.T) {
	t.Parallel()
	run := seedRun()
	bad := "\x00\x01bad\xff\xfe bytes \x1b[31mred\x1b[0m \uFFFE ]]> end"
	run.Variants[0].Name = "v" + bad
	run.Variants[0].Stages[1].Evidence = []string{bad}
	run.Variants[0].Stages[1].Output = bad
	out := render(t, WriteJUnit, run)
	suites, err := junit.Ingest([]byte(out))
	if err != nil {
		t.Fatalf("captured bytes made XML a consumer cannot read: %v", err)
	}
	if got := suites[0].Tests[1].SystemOut; got != "bad\uFFFD bytes [31mred[0m  ]]> end" {
		t.Errorf("log read back as %q", got)
	}
	dec := xml.NewDecoder(strings.NewReader(out))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("encoding/xml refuses the file: %v", err)
		}
	}
}

func TestHTMLEscapesCapturedText(t *testing.T) {
	t.Parallel()
	run := seedRun()
	const attack = "<script>alert(1)</script>"
	imp := run.Variants[1].StageByName(result.StageImport)
	imp.Explanation = "failure message " + attack
	imp.Evidence = append(imp.Evidence, attack)
	imp.Output += attack + "\n"
	run.Variants[2].Name = `x"><img src=x onerror=alert(1)>`
	page := render(t, WriteHTML, run)
	if strings.Contains(page, attack) {
		t.Error("captured <script> reached the page as a tag")
	}
	if strings.Contains(page, "<img") {
		t.Error("a variant name broke out of its attribute")
	}
	if n := strings.Count(page, "&lt;script&gt;alert(1)&lt;/script&gt;"); n < 3 {
		t.Errorf("captured <script> shown as text %d times, want at least 3 (explanation, evidence, log)", n)
	}
	if n := strings.Count(page, "<script>"); n != 1 {
		t.Errorf("%d <script> tags, want only the page's own", n)
	}
}

func TestHTMLSelfContained(t *testing.T) {
	t.Parallel()
	page := render(t, WriteHTML, seedRun())
	// Captured logs may mention URLs as text; nothing may load one.
	for _, re := range []string{`<link`, `\ssrc=`, `@import`, `url\(`, `href="(?:https?:)?//`, `<iframe`, `<object`} {
		if regexp.MustCompile(re).MatchString(page) {
			t.Errorf("page loads something from elsewhere: matches %s", re)
		}
	}
	want := []string{
		`<li class="boot"><b>4</b>boot</li>`,
		`<li class="unmet"><b>0</b>not met</li>`,
		`<td class="cell fail"><details id="cell-break-system-packages/import"><summary>✗ missing-shared-library`,
		`<td class="cell pass"><details id="cell-nixlibs-login-shell/boot">`,
		`<td class="cell skip"><details id="cell-pip-install-pep668/boot">`,
		`<td class="expect met" title="expected: boots">✓ met<small>expected: boots</small>`,
		`<b>Recommended:</b> nixlibs-login-shell`,
		"provided by <code>stdenv.cc.cc.lib</code>",
	}
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %s", w)
		}
	}
}

func TestMarkdownEscapes(t *testing.T) {
	t.Parallel()
	run := seedRun()
	run.Variants[0].Name = "a|b`c"
	run.Variants[1].StageByName(result.StageImport).Explanation = "see `x` | <b>y</b>"
	run.Variants[1].StageByName(result.StageImport).Evidence = []string{"```", "inside"}
	md := render(t, WriteMarkdown, run)
	for _, w := range []string{
		"| a\\|b\\`c |",
		"see \\`x\\` \\| &lt;b&gt;y&lt;/b&gt;",
		"````text\n```\ninside\n````",
		"<details><summary><b>break-system-packages</b>: import failed: <code>missing-shared-library</code></summary>",
	} {
		if !strings.Contains(md, w) {
			t.Errorf("markdown lacks %q:\n%s", w, md)
		}
	}
	// every table row has as many cells as the header
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| ") {
			if n := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(l, -1)); n != 8 {
				t.Errorf("row has %d cell borders, want 8: %s", n, l)
			}
		}
	}
}

func TestStepSummary(t *testing.T) {
	// Not parallel: it sets an environment variable.
	t.Run("appends", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "summary.md")
		t.Setenv("GITHUB_STEP_SUMMARY", path)
		if err := os.WriteFile(path, []byte("earlier\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := AppendStepSummary(seedRun()); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if want := "earlier\n" + render(t, WriteMarkdown, seedRun()); string(got) != want {
			t.Errorf("summary not appended:\n%s", got)
		}
	})
	t.Run("unset is a no-op", func(t *testing.T) {
		t.Setenv("GITHUB_STEP_SUMMARY", "")
		if err := AppendStepSummary(seedRun()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("unwritable names the file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing-dir", "summary.md")
		t.Setenv("GITHUB_STEP_SUMMARY", path)
		if err := AppendStepSummary(seedRun()); err == nil || !strings.Contains(err.Error(), "GITHUB_STEP_SUMMARY") {
			t.Errorf("AppendStepSummary = %v, want an error naming GITHUB_STEP_SUMMARY", err)
		}
	})
}

// Runs at the edges (nothing ran, a variant without stages, only setup errors)
// render in every format without panicking, and the machine formats stay readable.
func TestEdgeRuns(t *testing.T) {
	t.Parallel()
	runs := map[string]*result.Run{
		"no variants": {Scenario: "empty"},
		"no stages":   {Scenario: "s", Variants: []result.Variant{{Name: "v", Expectation: "boots"}}},
		"setup error": {Scenario: "s", Variants: []result.Variant{{Name: "v", Error: "engine down", ExpectationDetail: "the variant did not run: engine down"}}},
	}
	writers := map[string]func(io.Writer, *result.Run) error{
		"text": textWriter(), "ascii": textWriter(ASCII()), "markdown": WriteMarkdown, "junit": WriteJUnit, "json": WriteJSON, "html": WriteHTML,
	}
	for rn, run := range runs {
		for wn, w := range writers {
			out := render(t, w, run)
			switch wn {
			case "junit":
				if _, err := junit.Ingest([]byte(out)); err != nil {
					t.Errorf("%s: junit unreadable: %v", rn, err)
				}
			case "json":
				if _, err := ReadJSON(strings.NewReader(out)); err != nil && len(run.Variants) > 0 {
					t.Errorf("%s: json unreadable: %v", rn, err)
				}
			case "text", "markdown":
				if !strings.Contains(out, "Recommended:") {
					t.Errorf("%s: %s has no recommendation line:\n%s", rn, wn, out)
				}
			}
		}
	}
	if out := render(t, textWriter(), runs["setup error"]); !strings.Contains(out, "v: could not run\n    engine down\n") {
		t.Errorf("setup error not explained:\n%s", out)
	}
}

// A variant whose scenario claims nothing is shown as no expectation in every
// format and counted apart, even though it failed: a matrix of such rows used to
// read "✓ met" everywhere and "N of N expectations met".
func TestNoExpectationIsNotMet(t *testing.T) {
	t.Parallel()
	run := surprisesRun()
	last := run.Variants[len(run.Variants)-1]
	if last.Expectation != "" || last.FirstFailure() == nil {
		t.Fatalf("fixture: want a failing variant without expectation last, got %+v", last)
	}
	cases := []struct {
		name  string
		write func(io.Writer, *result.Run) error
		want  []*regexp.Regexp
	}{
		{"text", textWriter(), []*regexp.Regexp{
			regexp.MustCompile(`(?m)^bootmatrix: seed \(offline\): 12 variants, 3 boot, 9 fail, 8 of 11 expectations met, 1 without expectation, `),
			regexp.MustCompile(`(?m)^init-row-no-expect +✓ +✗ pep668-externally-managed +– +– +– +– none$`),
			regexp.MustCompile(`(?m)^    no expectation: this outcome cannot fail a run; bootmatrix pin writes it into the scenario$`),
		}},
		{"ascii", textWriter(ASCII()), []*regexp.Regexp{
			regexp.MustCompile(`(?m)^init-row-no-expect +ok +FAIL pep668-externally-managed +- +- +- +- none$`),
		}},
		{"markdown", WriteMarkdown, []*regexp.Regexp{
			regexp.MustCompile(`8 of 11 expectations met, 1 without expectation`),
			regexp.MustCompile(`(?m)^\| init-row-no-expect \|.*\| – none \|$`),
		}},
		{"junit", WriteJUnit, []*regexp.Regexp{
			regexp.MustCompile(`<testcase classname="init-row-no-expect" name="expectation" time="0.0">\s*<skipped message="no expectation">`),
		}},
		{"html", WriteHTML, []*regexp.Regexp{
			regexp.MustCompile(`<td class="expect none">– none</td>`),
			regexp.MustCompile(`<li class="none"><b>1</b>without expectation</li>`),
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := render(t, c.write, run)
			for _, re := range c.want {
				if !re.MatchString(out) {
					t.Errorf("output lacks %s:\n%s", re, out)
				}
			}
			if strings.Contains(out, "init-row-no-expect  ✓ met") || regexp.MustCompile(`init-row-no-expect[^\n]*met`).MatchString(out) {
				t.Errorf("a variant without expectation is shown as met:\n%s", out)
			}
		})
	}
}

// Each builder note is printed once, with the variants it holds for.
func TestNotesGrouped(t *testing.T) {
	t.Parallel()
	run := &result.Run{Variants: []result.Variant{
		{Name: "a", Notes: []string{"shared", "only a"}},
		{Name: "b", Notes: []string{"shared"}},
		{Name: "c", Notes: []string{"shared", "b and c? no: c"}},
	}}
	got := render(t, textWriter(), run)
	for _, want := range []string{"shared\n    (all 3 variants)\n", "only a\n    (a)\n", "b and c? no: c\n    (c)\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "shared") != 1 {
		t.Errorf("a shared note is printed more than once:\n%s", got)
	}
}
