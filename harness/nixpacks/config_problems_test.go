package nixpacks

import (
	"errors"
	"fmt"
	"testing"
)

// Nixpacks stops at a config's first problem; the reader goes on, so that the
// scenario's validation can list them all, each at its line and column.
func TestConfigEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	src := `providers = "python"
[variables]
PORT = 8000
[phases.setup]
nixPkgs = ["python311", 3, true]
nixpkgsArchive = 1
[phases.oops]
[start]
cmd = ["gunicorn"]
onlyIncludeFiles = "app.py"
`
	_, err := ParseConfig("nixpacks.toml", []byte(src))
	got := Problems(err)
	want := []string{
		"1:1 providers must be a list of strings, not a string (write providers = [\"...\"])",
		"3:1 variables.PORT must be a string, not a number (quote it)",
		"5:1 phases.setup.nixPkgs[1] must be a string, not a number",
		"5:1 phases.setup.nixPkgs[2] must be a string, not a boolean",
		"6:1 phases.setup.nixpkgsArchive must be a string, not a number",
		"9:1 start.cmd must be a string, not a list",
		"10:1 start.onlyIncludeFiles must be a list of strings, not a string (write onlyIncludeFiles = [\"...\"])",
	}
	if len(got) != len(want) {
		t.Fatalf("%d problems, want %d:\n%v", len(got), len(want), err)
	}
	for i, e := range got {
		if s := fmt.Sprintf("%d:%d %s", e.Line, e.Column, e.Msg); s != want[i] {
			t.Errorf("problem %d\n got %s\nwant %s", i, s, want[i])
		}
	}
	var ce *ConfigError
	if !errors.As(err, &ce) || ce != got[0] {
		t.Errorf("errors.As does not find the first *ConfigError in %T", err)
	}
	if _, err := ParseConfig("ok.toml", []byte("[phases.setup]\nnixPkgs = [\"...\"]\n")); err != nil || Problems(err) != nil {
		t.Errorf("a good config: %v", err)
	}
}
