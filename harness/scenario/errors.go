package scenario

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
)

// ValidationError is every problem found in one scenario file. The loader
// reports them all at once so a user fixes a file in one round trip.
type ValidationError struct {
	File     string
	Problems []Problem
}

// Problem is one thing wrong with a scenario file, at a position in it.
type Problem struct {
	// File is set when the problem is in another file the scenario makes a builder
	// read (a nixpacks.toml); Line and Column are then in that file.
	File string
	// Line and Column are 1-based; 0 means unknown.
	Line, Column int
	// Field is the dotted path of the offending field ("matrix.include[2].expect").
	Field string
	Msg   string
	// Hint says what to do about it.
	Hint string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	if p.Hint != "" {
		b.WriteString(" — ")
		b.WriteString(p.Hint)
	}
	return b.String()
}

// Error prints one "file:line:col: field: msg — what to do" line per problem.
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(cmp.Or(p.File, e.File))
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
			if p.Column > 0 {
				fmt.Fprintf(&b, ":%d", p.Column)
			}
		}
		b.WriteString(": ")
		b.WriteString(p.String())
	}
	return b.String()
}

// sortProblems orders problems by position and drops exact duplicates, which
// arise when several variants share the node a problem is reported at.
func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File // the scenario's own ("") first
		}
		if ps[i].Line != ps[j].Line {
			return ps[i].Line < ps[j].Line
		}
		return ps[i].Column < ps[j].Column
	})
	out := ps[:0]
	seen := map[Problem]bool{}
	for _, p := range ps {
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// suggest returns the known name closest to got, or "" when none is close.
func suggest(got string, known []string) string {
	best, bestD := "", 1<<30
	lg := strings.ToLower(got)
	for _, k := range known {
		d := editDistance(lg, strings.ToLower(k))
		if d < bestD {
			best, bestD = k, d
		}
	}
	limit := len(got) / 3
	if limit < 2 {
		limit = 2
	}
	if bestD > limit {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 20 // not a typo of a short field name; keeps fuzzed input cheap
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			c = min(c, prev[j]+1, cur[j-1]+1)
			cur[j] = c
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
