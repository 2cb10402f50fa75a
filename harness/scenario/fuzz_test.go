package scenario

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func FuzzParse(f *testing.F) {
	for _, pattern := range []string{"testdata/*.yaml", "../../scenarios/*/scenario.yaml"} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Add([]byte(head + "matrix:\n  python: [3.10]\n  include: [{<<: *x}]\n"))
	f.Add([]byte("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		start := time.Now()
		s, err := Parse("fuzz.yaml", data, WithCheckFiles(false))
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Parse took %v", d)
		}
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("error %T %v, want a *ValidationError with problems", err, err)
			}
			_ = ve.Error()
			return
		}
		if len(s.Variants) == 0 {
			t.Fatal("a valid scenario has variants")
		}
		seen := map[string]bool{}
		for _, v := range s.Variants {
			if v.Name == "" || seen[v.Name] {
				t.Fatalf("variant name %q empty or repeated", v.Name)
			}
			seen[v.Name] = true
		}
	})
}
