package nixpacks

import (
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
)

func TestTOMLSet(t *testing.T) {
	t.Parallel()
	const seed = `# comment kept
[phases.setup]
nixPkgs = ["python3"] # why

[phases.install]
cmds = [
  "a", # first
  "b",
]

[start]
cmd = "run"
`
	tests := []struct {
		name    string
		in      string
		table   string
		aliases []string
		value   string
		want    string
	}{
		{"replace one line keeps comment", seed, "phases.setup", keyNixPkgs, `["python313"]`,
			strings.Replace(seed, `nixPkgs = ["python3"] # why`, `nixPkgs = ["python313"] # why`, 1)},
		{"add to table after its last key", seed, "phases.setup", keyNixLibs, `["...", "zlib"]`,
			strings.Replace(seed, "# why\n", "# why\nnixLibs = [\"...\", \"zlib\"]\n", 1)},
		{"replace multi-line value", seed, "phases.install", keyCmds, `["c"]`,
			strings.Replace(seed, "cmds = [\n  \"a\", # first\n  \"b\",\n]", `cmds = ["c"]`, 1)},
		{"new table at end", "[start]\ncmd = \"x\"\n", "phases.setup", keyNixLibs, `["zlib"]`,
			"[start]\ncmd = \"x\"\n\n[phases.setup]\nnixLibs = [\"zlib\"]\n"},
		{"top-level key before the first table", "[start]\ncmd = \"x\"\n", "", []string{"providers"}, `["...", "python"]`,
			"providers = [\"...\", \"python\"]\n\n[start]\ncmd = \"x\"\n"},
		{"top-level key replaced", "providers = [\"node\"]\n[start]\ncmd = \"x\"\n", "", []string{"providers"}, `["python"]`,
			"providers = [\"python\"]\n[start]\ncmd = \"x\"\n"},
		{"top-level key into an empty file", "", "", []string{"providers"}, `["python"]`,
			"providers = [\"python\"]\n"},
		{"alias spelling kept", "[phases.setup]\nnixPackages = [\"a\"]\n", "phases.setup", keyNixPkgs, `["b"]`,
			"[phases.setup]\nnixPackages = [\"b\"]\n"},
		{"dotted key at top", "phases.setup.nixPkgs = [\"a\"]\n", "phases.setup", keyNixPkgs, `["b"]`,
			"phases.setup.nixPkgs = [\"b\"]\n"},
		{"empty file", "", "start", keyStartCmd, `"go"`, "[start]\ncmd = \"go\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := newTOMLText(tt.in)
			doc.set(tt.table, tt.aliases, tt.value)
			if got := doc.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
			if _, err := nixpacks.ParseConfig("x.toml", []byte(doc.String())); err != nil {
				t.Errorf("result does not parse: %v", err)
			}
		})
	}
}
