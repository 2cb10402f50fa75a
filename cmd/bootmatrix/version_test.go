package main

import (
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/kit"
)

func TestVersionCommand(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	if code := run([]string{"version"}, &out, &out); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	// A test binary is a development build: it must say so, since it passes every requires.
	for _, want := range []string{"bootmatrix (devel) (development build", "\nkit        " + kit.RecipeHash() + "\n", "\ncommit     "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("version output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"version", "--kit-hash"}, &out, &out); code != 0 || out.String() != kit.RecipeHash()+"\n" {
		t.Errorf("version --kit-hash: exit %d, %q", code, out.String())
	}
}
