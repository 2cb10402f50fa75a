package report

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// WriteMarkdown writes a GitHub-flavoured table fit for $GITHUB_STEP_SUMMARY and
// PR comments, with each failing variant's evidence in a collapsed block.
func WriteMarkdown(w io.Writer, run *result.Run) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### bootmatrix: %s\n\n", mdEscape(run.Scenario))
	fmt.Fprintf(&b, "%d variant(s), %d boot, %s.\n\n", len(run.Variants), countBoots(run), expectSummary(run))
	b.WriteString("| variant |")
	for _, s := range result.StageNames {
		b.WriteString(" " + s + " |")
	}
	b.WriteString(" expected |\n|---|")
	for range result.StageNames {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, v := range run.Variants {
		fmt.Fprintf(&b, "| %s |", mdEscape(v.Name))
		for _, name := range result.StageNames {
			fmt.Fprintf(&b, " %s |", mdEscape(cell(v.StageByName(name), unicodeMarks)))
		}
		exp := "✓"
		if !v.ExpectationMet {
			exp = "✗"
		}
		fmt.Fprintf(&b, " %s %s |\n", exp, mdEscape(v.Expectation))
	}
	for _, v := range run.Variants {
		f := v.FirstFailure()
		if f == nil {
			continue
		}
		fmt.Fprintf(&b, "\n<details><summary>%s: %s failed (%s)</summary>\n\n", htmlText(v.Name), htmlText(f.Name), htmlText(f.Class))
		if f.Explanation != "" {
			b.WriteString(htmlText(f.Explanation) + "\n\n")
		}
		if len(f.Evidence) > 0 {
			fence := "```"
			for strings.Contains(strings.Join(f.Evidence, "\n"), fence) {
				fence += "`"
			}
			b.WriteString(fence + "text\n" + strings.Join(f.Evidence, "\n") + "\n" + fence + "\n")
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// AppendStepSummary adds the Markdown report to $GITHUB_STEP_SUMMARY when the
// variable is set, so a workflow shows the matrix without an extra step.
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
		fh.Close()
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	return fh.Close()
}

var mdReplacer = strings.NewReplacer("|", `\|`, "`", "\\`", "<", "&lt;", ">", "&gt;", "\n", " ")

func mdEscape(s string) string { return mdReplacer.Replace(s) }

var htmlReplacer = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func htmlText(s string) string { return htmlReplacer.Replace(s) }
