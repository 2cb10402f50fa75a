package scenario

import (
	"strings"
	"testing"
)

func TestRequires(t *testing.T) {
	t.Parallel()
	src := head + "matrix: {include: [{name: a}]}\nrequires: \">= 0.3\"\n"
	t.Run("new enough", func(t *testing.T) {
		t.Parallel()
		s := mustParse(t, src, WithVersion("v0.3.2"))
		if s.Requires != (Requirement{Text: ">= 0.3"}) {
			t.Errorf("Requires = %+v", s.Requires)
		}
	})
	t.Run("too old", func(t *testing.T) {
		t.Parallel()
		_, err := parseString(t, src, WithVersion("v0.2.9"))
		checkProblems(t, err, []want{{5, 11, "requires", "this scenario needs bootmatrix >= 0.3; this is v0.2.9 — install a newer one: go install github.com/bootmatrix/bootmatrix/cmd/bootmatrix@latest"}})
		if !strings.HasPrefix(err.Error(), "inline.yaml:5:11: requires: ") {
			t.Errorf("error %q does not start with file:line:col: field", err)
		}
	})
	t.Run("development build", func(t *testing.T) {
		t.Parallel()
		s := mustParse(t, src, WithVersion("(devel)"))
		if !s.Requires.Unchecked {
			t.Errorf("a development build's Requires = %+v, want Unchecked", s.Requires)
		}
	})
	t.Run("not a requirement", func(t *testing.T) {
		t.Parallel()
		_, err := parseString(t, head+"matrix: {include: [{name: a}]}\nrequires: latest\n", WithVersion("v1.0.0"))
		checkProblems(t, err, []want{{5, 11, "requires", `"latest" is not a version requirement — write the oldest bootmatrix`}})
	})
}
