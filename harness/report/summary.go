package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// The renderers differ only in markup: what they say (counts, why each variant
// failed, which configuration to deploy) is worked out once here, so the terminal,
// the step summary and the HTML page never disagree.

type counts struct {
	variants, boot, fail, met, unmet int
	// none are the variants whose scenario claims nothing: they count in neither
	// met nor unmet, so that a matrix with no expectations cannot look all green.
	none int
}

func countRun(run *result.Run) counts {
	c := counts{variants: len(run.Variants)}
	for i := range run.Variants {
		v := &run.Variants[i]
		if v.Boots {
			c.boot++
		} else {
			c.fail++
		}
		switch {
		case !hasExpectation(v):
			c.none++
		case v.ExpectationMet:
			c.met++
		default:
			c.unmet++
		}
	}
	return c
}

// hasExpectation: the scenario made a claim about v. A variant without one is
// recorded as met (it claims nothing, so nothing failed), but the reports must
// not show it as a kept promise.
func hasExpectation(v *result.Variant) bool { return v.Expectation != "" }

// headline is the one-line summary every format starts with.
func (c counts) headline() string {
	s := fmt.Sprintf("%s, %d boot, %d fail, %d of %d expectations met",
		plural(c.variants, "variant"), c.boot, c.fail, c.met, c.met+c.unmet)
	if c.none > 0 {
		s += fmt.Sprintf(", %d without expectation", c.none)
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func classOf(s *result.Stage) string {
	if s.Class == "" {
		return "unclassified"
	}
	return s.Class
}

// why is what the reports say about one variant that did not boot or did not do
// what the scenario expected.
type why struct {
	v *result.Variant
	// failed is the first failed stage; nil when the variant could not run or
	// no stage failed (it booted against expectation, or never reached boot).
	failed *result.Stage
	// missing are the unresolved libraries of every stage, once each: the import
	// stage fails first, but it is the ldd stage that knows where the file is.
	missing []result.MissingLib
}

func whys(run *result.Run) []why {
	var out []why
	for i := range run.Variants {
		v := &run.Variants[i]
		f := v.FirstFailure()
		if f == nil && v.Error == "" && (v.ExpectationMet || !hasExpectation(v)) {
			continue
		}
		out = append(out, why{v: v, failed: f, missing: missingOf(v)})
	}
	return out
}

func missingOf(v *result.Variant) []result.MissingLib {
	var out []result.MissingLib
	seen := map[string]bool{}
	for _, s := range v.Stages {
		for _, m := range s.Missing {
			if !seen[m.Library] {
				seen[m.Library] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// recommendation names the configuration to deploy.
type recommendation struct {
	pick *result.Variant // nil when nothing boots
	// ref is the variant the pick is compared with: the scenario's first, which by
	// convention is the configuration as it is committed today.
	ref  *result.Variant
	diff []axisChange
}

type axisChange struct{ key, from, to string }

// recommend applies one rule, stated in every report so nobody reads more into
// it: among the variants that boot, the one whose matrix axes differ from the
// first variant's in the fewest keys, ties going to the earlier variant. The
// first variant itself wins when it boots; without axes that is simply the first
// variant that boots.
func recommend(run *result.Run) recommendation {
	if len(run.Variants) == 0 {
		return recommendation{}
	}
	r := recommendation{ref: &run.Variants[0]}
	// A boot bootmatrix could not decide is no proof that a deploy boots:
	// it is picked only when no decided variant boots.
	for _, decided := range []bool{true, false} {
		best := -1
		for i := range run.Variants {
			v := &run.Variants[i]
			if !v.Boots || (decided && len(v.Caveats) > 0) {
				continue
			}
			d := axisDiff(r.ref.Axes, v.Axes)
			if best < 0 || len(d) < best {
				best, r.pick, r.diff = len(d), v, d
			}
		}
		if r.pick != nil {
			break
		}
	}
	return r
}

// undecided are the variants that carry caveats: their outcome is that of what
// bootmatrix built, and a real deploy may differ.
func undecided(run *result.Run) []*result.Variant {
	var out []*result.Variant
	for i := range run.Variants {
		if len(run.Variants[i].Caveats) > 0 {
			out = append(out, &run.Variants[i])
		}
	}
	return out
}

// ruleFor is the recommendation rule as it applied to this run: the clause on
// undecided boots only where one of them could have been picked.
func ruleFor(run *result.Run) string {
	for _, v := range undecided(run) {
		if v.Boots {
			return recommendRule + "; a variant that boots with a caveat (not decided) only when no other boots"
		}
	}
	return recommendRule
}

// outcomeWord is a variant's outcome in a few words, for the caveats section.
func outcomeWord(v *result.Variant) string {
	switch f := v.FirstFailure(); {
	case v.Error != "":
		return "could not run"
	case v.Boots:
		return "boots"
	case f != nil:
		return fmt.Sprintf("fails at %s (%s)", f.Name, classOf(f))
	default:
		return "does not boot"
	}
}

func axisDiff(from, to map[string]string) []axisChange {
	keys := map[string]bool{}
	for k := range from {
		keys[k] = true
	}
	for k := range to {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	var out []axisChange
	for _, k := range sorted {
		a, aok := from[k]
		b, bok := to[k]
		if a == b && aok == bok {
			continue
		}
		if !aok {
			a = "(unset)"
		}
		if !bok {
			b = "(unset)"
		}
		out = append(out, axisChange{k, a, b})
	}
	return out
}

// reason says, in words, why the pick was made.
func (r recommendation) reason(arrow string) string {
	switch {
	case r.pick == nil:
		return "no variant boots"
	case r.pick == r.ref:
		return "the first variant boots as it is"
	case len(r.diff) == 0:
		return fmt.Sprintf("same axes as the first variant, %s", r.ref.Name)
	}
	parts := make([]string, len(r.diff))
	for i, c := range r.diff {
		parts[i] = fmt.Sprintf("%s: %s %s %s", c.key, c.from, arrow, c.to)
	}
	return fmt.Sprintf("closest to the first variant, %s; differs in %s", r.ref.Name, strings.Join(parts, ", "))
}

const recommendRule = "rule: of the variants that boot, the one whose matrix axes differ from the first variant's in the fewest keys; ties go to the earlier variant"

// axesLine shows a variant's axes in a stable order.
func axesLine(axes map[string]string) string {
	keys := make([]string, 0, len(axes))
	for k := range axes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + axes[k]
	}
	return strings.Join(parts, " ")
}

// expectCell is the expectation column's text: met, not met and how not, or
// none when the scenario claims nothing about the variant.
func expectCell(v *result.Variant, met, unmet, none string) string {
	if !hasExpectation(v) {
		return none + " none"
	}
	if v.ExpectationMet && len(v.Caveats) > 0 {
		return met + " met, not decided"
	}
	if v.ExpectationMet {
		return met + " met"
	}
	s := unmet + " not met"
	detail := v.ExpectationDetail
	if detail == "" && v.Error != "" {
		detail = "could not run: " + v.Error
	}
	if detail != "" {
		s += ": " + detail
	}
	return s
}

// note is one builder note and the variants whose rendering gave it.
type note struct {
	text     string
	variants []string
}

// who names the variants a note holds for, or says it holds for all.
func (n note) who(total int) string {
	if len(n.variants) == total && total > 1 {
		return fmt.Sprintf("all %d variants", total)
	}
	return strings.Join(n.variants, ", ")
}

// notesOf are the run's builder notes, each once, in the order they first appear.
func notesOf(run *result.Run) []note {
	var out []note
	at := map[string]int{}
	for i := range run.Variants {
		v := &run.Variants[i]
		for _, t := range v.Notes {
			j, ok := at[t]
			if !ok {
				j = len(out)
				at[t] = j
				out = append(out, note{text: t})
			}
			if k := len(out[j].variants); k == 0 || out[j].variants[k-1] != v.Name {
				out[j].variants = append(out[j].variants, v.Name)
			}
		}
	}
	return out
}
