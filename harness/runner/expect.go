package runner

import (
	"fmt"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// DescribeExpectation puts a scenario's claim in words for the report.
func DescribeExpectation(e *scenario.Expectation) string {
	if e == nil {
		return ""
	}
	if e.Boots {
		return "boots"
	}
	s := "fails"
	if e.Stage != "" {
		s += " at " + string(e.Stage)
	}
	if e.Class != "" {
		s += " with " + e.Class
	}
	if e.OutputContains != "" {
		s += fmt.Sprintf(" (output contains %q)", e.OutputContains)
	}
	return s
}

// Evaluate compares a finished, diagnosed variant with its expectation. It must run
// after the Diagnoser: the expected Class is the diagnosis's. No expectation claims
// nothing, so it is met.
func Evaluate(v *result.Variant, e *scenario.Expectation) (met bool, detail string) {
	if e == nil {
		return true, ""
	}
	if v.Error != "" {
		return false, "the variant did not run: " + v.Error
	}
	first := v.FirstFailure()
	if e.Boots {
		if v.Boots {
			return true, ""
		}
		if first == nil {
			return false, "expected to boot, but the boot stage did not pass"
		}
		return false, fmt.Sprintf("expected to boot, but it failed at %s%s", first.Name, withClass(first.Class))
	}
	if v.Boots && first == nil {
		return false, "expected to fail, but it booted"
	}
	if first == nil {
		return false, "expected to fail, but no stage failed"
	}
	var diffs []string
	if e.Stage != "" && first.Name != e.Stage {
		diffs = append(diffs, fmt.Sprintf("failed at %s%s, not at %s", first.Name, withClass(first.Class), e.Stage))
	}
	if e.Class != "" && first.Class != e.Class {
		got := first.Class
		if got == "" {
			got = "no class"
		}
		diffs = append(diffs, fmt.Sprintf("%s failed with %s, not %s", first.Name, got, e.Class))
	}
	if e.OutputContains != "" && !strings.Contains(stageText(first), e.OutputContains) {
		diffs = append(diffs, fmt.Sprintf("%s output does not contain %q", first.Name, e.OutputContains))
	}
	if len(diffs) > 0 {
		return false, strings.Join(diffs, "; ")
	}
	return true, ""
}

func withClass(c string) string {
	if c == "" {
		return ""
	}
	return " (" + c + ")"
}

// stageText is a stage's output plus the per-module import errors it may not repeat.
func stageText(st *result.Stage) string {
	var b strings.Builder
	b.WriteString(st.Output)
	for _, m := range st.Modules {
		if m.Error != "" {
			b.WriteString("\n")
			b.WriteString(m.Error)
		}
	}
	return b.String()
}
