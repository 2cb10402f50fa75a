package shellquote

import (
	"os/exec"
	"testing"
)

func TestQuote(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"stdenv.cc.cc.lib", "stdenv.cc.cc.lib"},
		{"0.0.0.0:$PORT", "'0.0.0.0:$PORT'"},
		{"", "''"},
		{"it's", `'it'\''s'`},
		{"a b", "'a b'"},
		{"user@host,x=1%", "user@host,x=1%"},
		{"*", "'*'"},
	}
	for _, tc := range tests {
		if got := Quote(tc.in); got != tc.want {
			t.Errorf("Quote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestQuoteRoundTrip has the real shell read each quoted word back.
func TestQuoteRoundTrip(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh on PATH: the round trip needs a POSIX shell")
	}
	words := []string{"plain", "", "it's", "$HOME", "`id`", "a\nb", `back\slash`, "*", "~", "x=1", "semi;colon", "!bang"}
	for _, w := range words {
		out, err := exec.Command(sh, "-c", "printf %s "+Quote(w)).Output()
		if err != nil {
			t.Fatalf("sh for %q: %v", w, err)
		}
		if string(out) != w {
			t.Errorf("sh read %q back as %q", w, out)
		}
	}
}
