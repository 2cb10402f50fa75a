package diagnose

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateDoc = flag.Bool("update-doc", false, "rewrite docs/failure-classes.md from the catalogue")

const classesDoc = "../../docs/failure-classes.md"

// catalogueMarkdown renders the catalogue as the reference page users read when a
// report names a class or a fix.
func catalogueMarkdown() string {
	var b strings.Builder
	b.WriteString("# Failure classes and fixes\n\n")
	b.WriteString("Written from `harness/diagnose/catalogue.go` by `go test ./harness/diagnose -run TestClassesDoc -update-doc`;\n")
	b.WriteString("a test fails when the two differ. Class and fix IDs are stable: reports, scenario\n")
	b.WriteString("expectations (`expect: {fails: boot, class: …}`) and merged shards refer to them.\n\n")
	b.WriteString("## Classes\n\n| class | title | what it means | fixes, smallest first |\n| --- | --- | --- | --- |\n")
	for _, c := range Catalogue() {
		fixes := make([]string, 0, len(c.Fixes))
		for _, k := range c.Fixes {
			fixes = append(fixes, "`"+string(k)+"`")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", c.ID, c.Title, c.Explanation, strings.Join(fixes, ", "))
	}
	b.WriteString("\n## Fixes\n\n`bootmatrix doctor` builds and boots a candidate for the fixes it can write\n")
	b.WriteString("(nixpacks.toml, requirements.txt or Dockerfile changes); the others are advice.\n\n| fix | what to change |\n| --- | --- |\n")
	seen := map[FixKind]bool{}
	for _, c := range Catalogue() {
		for _, k := range c.Fixes {
			if !seen[k] {
				seen[k] = true
				fmt.Fprintf(&b, "| `%s` | %s |\n", k, FixTitle(k))
			}
		}
	}
	return b.String()
}

func TestClassesDoc(t *testing.T) {
	t.Parallel()
	want := catalogueMarkdown()
	if *updateDoc {
		if err := os.WriteFile(classesDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(classesDoc)
	if err != nil {
		t.Fatalf("%v (go test ./harness/diagnose -run TestClassesDoc -update-doc writes it)", err)
	}
	if string(got) != want {
		t.Errorf("%s is out of date with the catalogue: go test ./harness/diagnose -run TestClassesDoc -update-doc rewrites it", classesDoc)
	}
}
