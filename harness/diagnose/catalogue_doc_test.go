package diagnose

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
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
	b.WriteString("## Precedence\n\nWhen several classes match one failed stage, the first rule that holds decides\n")
	b.WriteString("(`classRules` in `harness/diagnose/catalogue.go`). The kernel or the runner stopping the\n")
	b.WriteString("stage comes first, then causes the output names, then symptoms, then what only the runner\n")
	b.WriteString("saw at boot. \"Facts\" are what the runner observed (`result.Facts`), not text it printed.\n\n")
	b.WriteString("| # | class | when |\n| --- | --- | --- |\n")
	for i, r := range classRules {
		fmt.Fprintf(&b, "| %d | `%s` | %s |\n", i+1, r.class, r.why)
	}
	fmt.Fprintf(&b, "| %d | `%s` | no rule above holds |\n\n", len(classRules)+1, ClassUnclassified)
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

// Classify's doc comment lists the precedence for readers of the code; it must be the
// table's order, rule for rule.
func TestClassifyDocMatchesRules(t *testing.T) {
	t.Parallel()
	file, err := parser.ParseFile(token.NewFileSet(), "classify.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	for _, d := range file.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "Classify" && fd.Doc != nil {
			doc = fd.Doc.Text()
		}
	}
	_, list, ok := strings.Cut(doc, "In order:\n\n")
	if !ok {
		t.Fatalf("Classify's doc comment has no \"In order:\" paragraph:\n%s", doc)
	}
	list, _, _ = strings.Cut(list, "\n\n")
	var got []string
	for _, w := range regexp.MustCompile(`[a-z0-9]+(?:-[a-z0-9]+)*`).FindAllString(list, -1) {
		if slices.Contains(ClassIDs(), w) {
			got = append(got, w)
		}
	}
	var want []string
	for _, r := range classRules {
		want = append(want, r.class)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Classify's doc comment lists\n  %v\nthe rule table is\n  %v", got, want)
	}
}
