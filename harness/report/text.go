package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// TextOption changes how the terminal matrix is drawn.
type TextOption func(*textOpts)

type textOpts struct {
	ascii bool
}

// ASCII draws the matrix without Unicode marks, for terminals and logs that mangle them.
func ASCII() TextOption { return func(o *textOpts) { o.ascii = true } }

type marks struct{ pass, fail, skip, met, unmet string }

var (
	unicodeMarks = marks{"✓", "✗", "–", "✓", "✗"}
	asciiMarks   = marks{"ok", "FAIL", "-", "ok", "NO"}
)

// WriteText writes the matrix (variant × stage, the failure class in the failed
// cell, whether the expectation held), then why each failing variant failed, then
// the recommended configuration.
func WriteText(w io.Writer, run *result.Run, opts ...TextOption) error {
	var o textOpts
	for _, opt := range opts {
		opt(&o)
	}
	m := unicodeMarks
	if o.ascii {
		m = asciiMarks
	}
	header := append([]string{"variant"}, result.StageNames...)
	header = append(header, "expected")
	rows := [][]string{header}
	for _, v := range run.Variants {
		row := []string{v.Name}
		for _, name := range result.StageNames {
			row = append(row, cell(v.StageByName(name), m))
		}
		exp := m.met
		if !v.ExpectationMet {
			exp = m.unmet
		}
		if v.Expectation != "" {
			exp += " " + shortExpectation(v.Expectation)
		}
		row = append(row, exp)
		rows = append(rows, row)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "scenario %s", run.Scenario)
	if run.Mode != "" {
		fmt.Fprintf(&b, " (%s)", run.Mode)
	}
	fmt.Fprintf(&b, ": %d variant(s), %d boot, %s\n\n", len(run.Variants), countBoots(run), expectSummary(run))
	writeTable(&b, rows)
	why(&b, run)
	recommend(&b, run)
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(s *result.Stage, m marks) string {
	if s == nil {
		return m.skip
	}
	switch s.Status {
	case result.Pass:
		return m.pass
	case result.Fail:
		if s.Class != "" {
			return m.fail + " " + s.Class
		}
		return m.fail
	default:
		return m.skip
	}
}

func countBoots(run *result.Run) int {
	n := 0
	for _, v := range run.Variants {
		if v.Boots {
			n++
		}
	}
	return n
}

func expectSummary(run *result.Run) string {
	unmet := 0
	for _, v := range run.Variants {
		if !v.ExpectationMet {
			unmet++
		}
	}
	if unmet == 0 {
		return "every expectation held"
	}
	return fmt.Sprintf("%d expectation(s) did not hold", unmet)
}

func writeTable(b *strings.Builder, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			if n := utf8.RuneCountInString(c); n > widths[i] {
				widths[i] = n
			}
		}
	}
	for ri, r := range rows {
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)+2))
		}
		b.WriteString("\n")
		if ri == 0 {
			total := 0
			for _, w := range widths {
				total += w + 2
			}
			b.WriteString(strings.Repeat("-", total) + "\n")
		}
	}
}

func why(b *strings.Builder, run *result.Run) {
	first := true
	for _, v := range run.Variants {
		f := v.FirstFailure()
		if f == nil && v.Error == "" && v.ExpectationMet {
			continue
		}
		if f == nil && v.Error == "" {
			continue
		}
		if first {
			b.WriteString("\nWhy\n")
			first = false
		}
		if v.Error != "" {
			fmt.Fprintf(b, "\n%s: could not run: %s\n", v.Name, v.Error)
			continue
		}
		class := f.Class
		if class == "" {
			class = "unclassified"
		}
		fmt.Fprintf(b, "\n%s: %s failed: %s\n", v.Name, f.Name, class)
		if f.Explanation != "" {
			fmt.Fprintf(b, "  %s\n", f.Explanation)
		}
		for _, e := range f.Evidence {
			fmt.Fprintf(b, "    | %s\n", e)
		}
		if ldd := v.StageByName(result.StageLdd); ldd != nil {
			for _, m := range ldd.Missing {
				fmt.Fprintf(b, "  missing %s", m.Library)
				if len(m.FoundAt) > 0 {
					fmt.Fprintf(b, ", present at %s", strings.Join(m.FoundAt, ", "))
				}
				if m.Provider != "" {
					fmt.Fprintf(b, " (provided by %s)", m.Provider)
				}
				b.WriteString("\n")
			}
		}
		for _, fx := range v.Fixes {
			state := "untried"
			if fx.Proven {
				state = "boots"
			}
			fmt.Fprintf(b, "  fix (%s): %s\n", state, fx.Summary)
		}
		if !v.ExpectationMet && v.ExpectationDetail != "" {
			fmt.Fprintf(b, "  expectation: %s\n", v.ExpectationDetail)
		}
	}
}

// recommend names the configuration to deploy: among the variants that boot, the
// one defined first in the scenario, since scenario authors list the configuration
// closest to what they run today first. Ties never arise; the rule is stated in
// the output so nobody reads more into it.
func recommend(b *strings.Builder, run *result.Run) {
	var booting []result.Variant
	for _, v := range run.Variants {
		if v.Boots {
			booting = append(booting, v)
		}
	}
	b.WriteString("\n")
	if len(booting) == 0 {
		b.WriteString("Recommended: none of the variants boots.\n")
		return
	}
	r := booting[0]
	fmt.Fprintf(b, "Recommended: %s (the first variant in the scenario that boots", r.Name)
	if len(booting) > 1 {
		others := make([]string, 0, len(booting)-1)
		for _, v := range booting[1:] {
			others = append(others, v.Name)
		}
		sort.Strings(others)
		fmt.Fprintf(b, "; also booting: %s", strings.Join(others, ", "))
	}
	b.WriteString(")\n")
}

// shortExpectation keeps the table narrow: the output substring a scenario also
// demands is in the JSON and HTML reports.
func shortExpectation(e string) string {
	if i := strings.Index(e, " (output contains"); i > 0 {
		return e[:i]
	}
	return e
}
