package report

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// WriteMarkdown writes a GitHub-flavoured report fit for $GITHUB_STEP_SUMMARY and
// PR comments: the matrix as a table, each failing variant's cause and evidence
// in a collapsed <details> block, and the recommended configuration.
func WriteMarkdown(w io.Writer, run *result.Run) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### bootmatrix: %s\n\n", mdText(run.Scenario))
	fmt.Fprintf(&b, "%s", countRun(run).headline())
	if run.Mode != "" {
		fmt.Fprintf(&b, " (%s)", mdText(string(run.Mode)))
	}
	fmt.Fprintf(&b, ", %.1fs.\n\n", run.Seconds)

	b.WriteString("| variant |")
	for _, s := range result.StageNames {
		b.WriteString(" " + string(s) + " |")
	}
	b.WriteString(" expect |\n|:---|")
	for range result.StageNames {
		b.WriteString(":---|")
	}
	b.WriteString(":---|\n")
	for i := range run.Variants {
		v := &run.Variants[i]
		fmt.Fprintf(&b, "| %s |", mdCell(v.Name))
		for _, name := range result.StageNames {
			fmt.Fprintf(&b, " %s |", mdCell(cell(v.StageByName(name), unicodeMarks)))
		}
		fmt.Fprintf(&b, " %s |\n", mdCell(expectCell(v, unicodeMarks.pass, unicodeMarks.fail, unicodeMarks.skip)))
	}

	for _, wy := range whys(run) {
		v := wy.v
		var summary string
		switch {
		case v.Error != "":
			summary = "could not run"
		case wy.failed != nil:
			summary = fmt.Sprintf("%s failed: <code>%s</code>", wy.failed.Name, htmlText(classOf(wy.failed)))
		default:
			summary = "no stage failed"
		}
		fmt.Fprintf(&b, "\n<details><summary><b>%s</b>: %s</summary>\n\n", htmlText(oneLine(v.Name)), summary)
		if v.Error != "" {
			b.WriteString(mdText(v.Error) + "\n\n")
		}
		if f := wy.failed; f != nil {
			if f.Explanation != "" {
				b.WriteString(mdText(f.Explanation) + "\n\n")
			}
			if len(f.Evidence) > 0 {
				b.WriteString(fenced(f.Evidence))
			}
			if tail := logTail(f); len(tail) > 0 {
				b.WriteString("No evidence was classified; the log ends:\n\n" + fenced(tail))
			}
		}
		for _, m := range wy.missing {
			fmt.Fprintf(&b, "- missing %s", mdCode(m.Library))
			if len(m.FoundAt) > 0 {
				at := make([]string, len(m.FoundAt))
				for i, p := range m.FoundAt {
					at[i] = mdCode(p)
				}
				fmt.Fprintf(&b, ", found at %s", strings.Join(at, ", "))
			} else {
				b.WriteString(", found nowhere in the image")
			}
			if m.Provider != "" {
				fmt.Fprintf(&b, ", provided by %s", mdCode(m.Provider))
			}
			b.WriteString("\n")
		}
		for _, fx := range v.Fixes {
			proof := ""
			if fx.Proven {
				proof = " (proven)"
			}
			fmt.Fprintf(&b, "- fix: %s%s\n", mdText(fx.Summary), proof)
		}
		switch {
		case !hasExpectation(v):
			b.WriteString("- no expectation: this outcome cannot fail a run; `bootmatrix pin` writes it into the scenario\n")
		case !v.ExpectationMet && v.Error == "":
			fmt.Fprintf(&b, "- expectation not met: %s\n", mdText(v.ExpectationDetail))
		}
		b.WriteString("\n</details>\n")
	}

	if ns := notesOf(run); len(ns) > 0 {
		b.WriteString("\n<details><summary>Builder notes</summary>\n\n")
		for _, n := range ns {
			fmt.Fprintf(&b, "- %s (%s)\n", mdText(n.text), mdText(n.who(len(run.Variants))))
		}
		b.WriteString("\n</details>\n")
	}

	if vs := undecided(run); len(vs) > 0 {
		b.WriteString("\n**Not decided** (the row is what bootmatrix built; a deploy may differ):\n\n")
		for _, v := range vs {
			for _, c := range v.Caveats {
				fmt.Fprintf(&b, "- %s, %s here: %s\n", mdCode(v.Name), outcomeWord(v), mdText(c))
			}
		}
	}

	r := recommend(run)
	if r.pick == nil {
		b.WriteString("\n**Recommended:** none (no variant boots)\n")
	} else {
		undecidedPick := ""
		if len(r.pick.Caveats) > 0 {
			undecidedPick = " Not decided: no variant boots without a caveat."
		}
		fmt.Fprintf(&b, "\n**Recommended:** %s: %s.%s  \n<sub>%s.</sub>\n", mdCode(r.pick.Name), mdText(r.reason("→")), undecidedPick, ruleFor(run))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// AppendStepSummary appends the Markdown report to the file $GITHUB_STEP_SUMMARY
// names, so a workflow shows the matrix without an extra step. Outside GitHub
// Actions (the variable unset) it does nothing.
func AppendStepSummary(run *result.Run) error {
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if path == "" {
		return nil
	}
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	if err := WriteMarkdown(fh, run); err != nil {
		_ = fh.Close()
		return fmt.Errorf("GITHUB_STEP_SUMMARY %s: %w", path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY %s: %w", path, err)
	}
	return nil
}

// A table cell ends at a line break or an unescaped pipe; a backtick would open a
// code span that swallows the rest of the row; < could start an HTML tag.
var mdCellReplacer = strings.NewReplacer("|", `\|`, "`", "\\`", "&", "&amp;", "<", "&lt;", ">", "&gt;")

func mdCell(s string) string { return mdCellReplacer.Replace(oneLine(s)) }

// mdText is prose inside a <details> block: the same hazards as a cell, plus
// emphasis markers that would eat path and attribute names like stdenv.cc.cc.lib
// or __init__.py.
var mdTextReplacer = strings.NewReplacer("`", "\\`", "&", "&amp;", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "|", `\|`)

func mdText(s string) string { return mdTextReplacer.Replace(oneLine(s)) }

// mdCode puts s in a code span whose fence is longer than any backtick run in it.
func mdCode(s string) string {
	s = oneLine(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return fence + pad + s + pad + fence
}

// fenced quotes evidence verbatim in a code block whose fence no line can close.
func fenced(lines []string) string {
	clean := make([]string, len(lines))
	for i, l := range lines {
		clean[i] = oneLine(l)
	}
	body := strings.Join(clean, "\n")
	fence := "```"
	for strings.Contains(body, fence) {
		fence += "`"
	}
	return fence + "text\n" + body + "\n" + fence + "\n\n"
}

var htmlReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func htmlText(s string) string { return htmlReplacer.Replace(s) }
