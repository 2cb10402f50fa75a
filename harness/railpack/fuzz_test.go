package railpack

import (
	"strings"
	"testing"
)

// FuzzParseConfig: any input either parses or yields problems that name the
// file and a position inside it; it never panics and never does both.
func FuzzParseConfig(f *testing.F) {
	for _, seed := range []string{
		`{}`, `{"deploy": {"aptPackages": ["...", "libgomp1"]}}`, `{"provider": "pyhton"}`,
		"{\n  // c\n  \"buildAptPackages\": [\"a\",],\n}", `{"a": "\u00e9\n"}`, `/* open`, `[`, `{"deploy": 1}`, "\uFEFF{}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		cfg, problems := ParseConfig("railpack.json", []byte(src))
		if (cfg == nil) == (len(problems) == 0) {
			t.Fatalf("want exactly one of a config and problems, got %v and %v", cfg, problems)
		}
		lines := strings.Count(src, "\n") + 1
		for _, p := range problems {
			if p.File != "railpack.json" || p.Line < 1 || p.Line > lines || p.Col < 1 {
				t.Fatalf("problem without a position in the input: %+v", p)
			}
		}
	})
}
