package report

import (
	"fmt"
	"io"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// TextOption changes how the terminal matrix is drawn.
type TextOption func(*textOpts)

type textOpts struct {
	ascii bool
}

// ASCII draws the matrix with ok/FAIL/- instead of ✓/✗/–, for terminals and CI
// logs that mangle Unicode.
func ASCII() TextOption { return func(o *textOpts) { o.ascii = true } }

type marks struct{ pass, fail, skip, arrow string }

var (
	unicodeMarks = marks{"✓", "✗", "–", "→"}
	asciiMarks   = marks{"ok", "FAIL", "-", "->"}
)

// WriteText writes the terminal report: the matrix (one row per variant, one
// column per stage, the failure class in the failed cell, whether the
// expectation held), then why each failing variant failed, then the recommended
// configuration and the rule that chose it. Output depends only on the run, so
// it is stable for golden tests.
func WriteText(w io.Writer, run *result.Run, opts ...TextOption) error {
	var o textOpts
	for _, opt := range opts {
		opt(&o)
	}
	m := unicodeMarks
	if o.ascii {
		m = asciiMarks
	}
	var b strings.Builder
	fmt.Fprintf(&b, "bootmatrix: %s", oneLine(run.Scenario))
	if run.Mode != "" {
		fmt.Fprintf(&b, " (%s)", oneLine(string(run.Mode)))
	}
	fmt.Fprintf(&b, ": %s, %.1fs\n\n", countRun(run).headline(), run.Seconds)

	header := []string{"variant"}
	for _, name := range result.StageNames {
		header = append(header, string(name))
	}
	header = append(header, "expect")
	rows := [][]string{header}
	for i := range run.Variants {
		v := &run.Variants[i]
		row := []string{oneLine(v.Name)}
		for _, name := range result.StageNames {
			row = append(row, oneLine(cell(v.StageByName(name), m)))
		}
		rows = append(rows, append(row, oneLine(expectCell(v, m.pass, m.fail, m.skip))))
	}
	writeTable(&b, rows)
	writeWhy(&b, run)
	writeNotes(&b, run)
	writeCaveats(&b, run)
	writeRecommendation(&b, run, m)
	_, err := io.WriteString(w, b.String())
	return err
}

// cell is a stage's mark, with the class when it failed. A stage the run never
// recorded is shown as skipped.
func cell(s *result.Stage, m marks) string {
	if s == nil {
		return m.skip
	}
	switch s.Status {
	case result.Pass:
		return m.pass
	case result.Fail:
		return m.fail + " " + classOf(s)
	default:
		return m.skip
	}
}

// writeTable pads every column but the last to its widest cell, so the
// expectation detail can run long without widening the matrix.
func writeTable(b *strings.Builder, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(r []string) {
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
		}
		b.WriteString("\n")
	}
	line(rows[0])
	rule := make([]string, len(widths))
	for i, w := range widths {
		rule[i] = strings.Repeat("-", w)
	}
	// The last column is unpadded (its detail runs long): rule its header only.
	rule[len(rule)-1] = strings.Repeat("-", utf8.RuneCountInString(rows[0][len(rows[0])-1]))
	line(rule)
	for _, r := range rows[1:] {
		line(r)
	}
}

func writeWhy(b *strings.Builder, run *result.Run) {
	ws := whys(run)
	if len(ws) == 0 {
		return
	}
	b.WriteString("\nWhy\n")
	for _, w := range ws {
		v := w.v
		switch {
		case v.Error != "":
			fmt.Fprintf(b, "\n%s: could not run\n    %s\n", oneLine(v.Name), oneLine(v.Error))
		case w.failed != nil:
			f := w.failed
			fmt.Fprintf(b, "\n%s: %s failed: %s", oneLine(v.Name), f.Name, oneLine(classOf(f)))
			if f.ExitCode != 0 {
				fmt.Fprintf(b, " (exit %d)", f.ExitCode)
			}
			b.WriteString("\n")
			if f.Explanation != "" {
				fmt.Fprintf(b, "    %s\n", oneLine(f.Explanation))
			}
			for _, e := range f.Evidence {
				fmt.Fprintf(b, "      > %s\n", oneLine(e))
			}
			if tail := logTail(f); len(tail) > 0 {
				b.WriteString("    no evidence was classified; the log ends:\n")
				for _, l := range tail {
					fmt.Fprintf(b, "      | %s\n", oneLine(l))
				}
			}
		default:
			fmt.Fprintf(b, "\n%s: no stage failed\n", oneLine(v.Name))
		}
		for _, ml := range w.missing {
			fmt.Fprintf(b, "    missing %s", oneLine(ml.Library))
			if len(ml.NeededBy) > 0 {
				fmt.Fprintf(b, ", needed by %s", oneLine(neededBy(ml.NeededBy)))
			}
			b.WriteString("\n")
			for _, at := range ml.FoundAt {
				fmt.Fprintf(b, "      found at %s\n", oneLine(at))
			}
			if len(ml.FoundAt) == 0 {
				b.WriteString("      found nowhere in the image\n")
			}
			if ml.Provider != "" {
				fmt.Fprintf(b, "      provided by %s\n", oneLine(ml.Provider))
			}
		}
		for _, fx := range v.Fixes {
			proof := ""
			if fx.Proven {
				proof = " (proven: a variant with it boots)"
			}
			fmt.Fprintf(b, "    fix: %s%s\n", oneLine(fx.Summary), proof)
		}
		switch {
		case !hasExpectation(v):
			b.WriteString("    no expectation: this outcome cannot fail a run; bootmatrix pin writes it into the scenario\n")
		case !v.ExpectationMet && v.Error == "":
			fmt.Fprintf(b, "    expectation not met: %s\n", oneLine(v.ExpectationDetail))
		}
	}
}

// writeNotes prints each builder note once, with the variants it holds for:
// the seed's rows share most of theirs, and a copy under every row would bury
// the causes.
func writeNotes(b *strings.Builder, run *result.Run) {
	ns := notesOf(run)
	if len(ns) == 0 {
		return
	}
	b.WriteString("\nBuilder notes\n\n")
	for _, n := range ns {
		fmt.Fprintf(b, "%s\n    (%s)\n", oneLine(n.text), oneLine(n.who(len(run.Variants))))
	}
}

// writeCaveats lists the variants whose outcome bootmatrix could not decide as a
// deploy would, with why: their matrix row is the outcome of what it built.
func writeCaveats(b *strings.Builder, run *result.Run) {
	vs := undecided(run)
	if len(vs) == 0 {
		return
	}
	b.WriteString("\nNot decided (the row is what bootmatrix built; a deploy may differ)\n")
	for _, v := range vs {
		fmt.Fprintf(b, "\n%s: %s here\n", oneLine(v.Name), outcomeWord(v))
		for _, c := range v.Caveats {
			fmt.Fprintf(b, "    caveat: %s\n", oneLine(c))
		}
	}
}

func writeRecommendation(b *strings.Builder, run *result.Run, m marks) {
	r := recommend(run)
	b.WriteString("\n")
	if r.pick == nil {
		b.WriteString("Recommended: none (no variant boots)\n")
		return
	}
	fmt.Fprintf(b, "Recommended: %s\n    %s\n", oneLine(r.pick.Name), oneLine(r.reason(m.arrow)))
	if len(r.pick.Caveats) > 0 {
		b.WriteString("    not decided: no variant boots without a caveat (above)\n")
	}
	fmt.Fprintf(b, "    (%s)\n", ruleFor(run))
}

// oneLine keeps captured text from breaking the layout or the terminal: line
// breaks become spaces, other control characters (escape sequences included) are
// dropped, invalid UTF-8 becomes U+FFFD.
func oneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			return ' '
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// logTail stands in for evidence when the classifier found none: the last few
// lines of the stage's log are still better than nothing to go on.
func logTail(s *result.Stage) []string {
	if len(s.Evidence) > 0 {
		return nil
	}
	var lines []string
	for _, l := range strings.Split(s.Output, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines[max(0, len(lines)-tailLines):]
}

const tailLines = 3

// neededBy names the first few objects by file name: the full site-packages paths
// of every extension that needs a library would bury the line that matters. The
// JSON and HTML reports keep the full list.
func neededBy(paths []string) string {
	const show = 2
	names := make([]string, 0, show)
	for i, p := range paths {
		if i == show {
			break
		}
		names = append(names, path.Base(p))
	}
	s := strings.Join(names, ", ")
	if more := len(paths) - show; more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}
