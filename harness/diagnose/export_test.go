package diagnose

import (
	"strings"
	"testing"
)

// What the external tests (package diagnose_test, which may import the
// builders that implement BuilderFacts) need of the package's internals.

// TailLines is how many last lines an unclassified finding quotes.
const TailLines = tailLines

// CheckFinding holds for every finding, whatever the input.
func CheckFinding(tb testing.TB, f Finding) {
	tb.Helper()
	if _, ok := Lookup(f.Class); !ok {
		tb.Errorf("class %q is not in the catalogue", f.Class)
	}
	if f.Explanation == "" {
		tb.Error("empty explanation")
	}
	if len(f.Evidence) > MaxEvidenceLines {
		tb.Errorf("%d evidence lines, want at most %d", len(f.Evidence), MaxEvidenceLines)
	}
	for _, e := range f.Evidence {
		if len([]rune(e)) > MaxEvidenceRunes {
			tb.Errorf("evidence line of %d runes: %.80q", len([]rune(e)), e)
		}
		if strings.ContainsAny(e, "\x1b\r\n\x00") {
			tb.Errorf("evidence line with control bytes: %.80q", e)
		}
	}
	if len(f.Suggestions) != len(f.Fixes) {
		tb.Errorf("%d suggestions for %d fixes", len(f.Suggestions), len(f.Fixes))
	}
	for i := range f.Suggestions {
		if i < len(f.Fixes) && f.Suggestions[i].ID != string(f.Fixes[i]) {
			tb.Errorf("suggestion %d is %s, fix is %s", i, f.Suggestions[i].ID, f.Fixes[i])
		}
		if f.Suggestions[i].Proven {
			tb.Errorf("suggestion %s claims to be proven", f.Suggestions[i].ID)
		}
	}
}

func checkFinding(tb testing.TB, f Finding) { tb.Helper(); CheckFinding(tb, f) }
