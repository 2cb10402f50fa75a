package images_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// bashC matches a derivation's `args = [ "-c" "…" ]`, the script as a Nix string.
var bashC = regexp.MustCompile(`args = \[ "-c" "((?:[^"\\]|\\.)*)" \]`)

// TestNixBashBuildersDoNotTailCall: bash -c execs its script's last simple command,
// and a coreutils program closes stdout and stderr before it exits. Nix reads that
// as the builder's end and kills it while it still runs ("failed due to signal 9",
// NixOS/nix#2176): 52 of 300 such builds on this kit's Nix, 0 of 300 with a trailing
// `exit`. Every bash -c builder of the stand-in nixpkgs must end in one.
func TestNixBashBuildersDoNotTailCall(t *testing.T) {
	t.Parallel()
	var files []string
	err := filepath.WalkDir(filepath.Join("nixpacks", "nixpkgs"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".nix") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range bashC.FindAllSubmatchIndex(src, -1) {
			n++
			script := strings.TrimSpace(string(src[m[2]:m[3]]))
			line := 1 + strings.Count(string(src[:m[0]]), "\n")
			if !lastCommandIsBuiltin(script) {
				t.Errorf("%s:%d: bash -c builder %q ends in an external command; end it in `; exit` so bash waits for it", f, line, script)
			}
		}
	}
	if n == 0 {
		t.Fatal("no bash -c builder found: the pattern no longer matches pkgs.nix")
	}
}

// lastCommandIsBuiltin says whether the script's last command is one bash runs
// itself (so it never execs a program that could close the log pipe first).
func lastCommandIsBuiltin(script string) bool {
	cmds := regexp.MustCompile(`&&|\|\||;|\n`).Split(script, -1)
	last := strings.Fields(strings.TrimSpace(cmds[len(cmds)-1]))
	if len(last) == 0 {
		return false
	}
	switch last[0] {
	case "exit", "printf", "echo", "true", ":":
		return true
	}
	return false
}
