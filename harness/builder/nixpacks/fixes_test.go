package nixpacks

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Describe's Python is what a switch to python:<version>-slim builds on, so
// a plan's interpreter attribute must map back to its own version.
func TestDescribePython(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, variant, toml, want string
	}{
		{"the variant's version", "3.11", "", "3.11"},
		{"the plan's attribute", "", "[phases.setup]\nnixPkgs = [\"python311\"]\n", "3.11"},
		{"Nixpacks' default", "", "", "3.13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write := func(name, text string) {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("requirements.txt", "flask\n")
			write("main.py", "print()\n")
			if tt.toml != "" {
				write("nixpacks.toml", tt.toml)
			}
			base := &builder.FixBase{Scenario: &scenario.Scenario{}, Dir: dir, Root: ".",
				Variant: scenario.Variant{Name: "v", Builder: Name, Python: tt.variant}}
			start, py, err := Builder{}.Describe(base)
			if err != nil {
				t.Fatal(err)
			}
			if py != tt.want || start != "python main.py" {
				t.Errorf("Describe = %q, %q; want %q, %q", start, py, "python main.py", tt.want)
			}
		})
	}
}

func TestPipInstallArgs(t *testing.T) {
	t.Parallel()
	got := pipInstallArgs([]string{"cd backend && pip install --break-system-packages gunicorn 'numpy==1.24.2'", "python -m pip install -r requirements.txt flask", "echo install x"})
	if want := []string{"gunicorn", "numpy", "flask"}; !slices.Equal(got, want) {
		t.Errorf("pipInstallArgs = %q, want %q", got, want)
	}
}

// add-nixpkgs writes what the diagnosis says the build lacks, with "..." so the
// provider's packages stay; a list that has it all already is no candidate.
func TestAddNixPkgsDraft(t *testing.T) {
	t.Parallel()
	need := []result.Fix{{ID: string(diagnose.FixAddNixPkgs), Packages: []string{"postgresql_16.dev", "gcc"}}}
	tests := []struct {
		name, toml string
		fixes      []result.Fix
		want       string // the nixPkgs line written; "" for no draft
	}{
		{"replaced list gets the splice", "[phases.setup]\nnixPkgs = [\"python313\", \"gcc\"]\n", need,
			`nixPkgs = ["...", "python313", "gcc", "postgresql_16.dev"]`},
		{"no list: the splice and the attributes", "", need, `nixPkgs = ["...", "postgresql_16.dev", "gcc"]`},
		{"only the splice is missing", "[phases.setup]\nnixPkgs = [\"python313\", \"postgresql_16.dev\", \"gcc\"]\n", need,
			`nixPkgs = ["...", "python313", "postgresql_16.dev", "gcc"]`},
		{"already there", "[phases.setup]\nnixPkgs = [\"...\", \"postgresql_16.dev\", \"gcc\"]\n", need, ""},
		{"nothing to add", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, text := range map[string]string{"requirements.txt": "psycopg2\n", "main.py": "print()\n", "nixpacks.toml": tt.toml} {
				if text != "" {
					if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			base := &builder.FixBase{Scenario: &scenario.Scenario{}, Dir: dir, Root: ".", Fixes: tt.fixes,
				Variant: scenario.Variant{Name: "v", Builder: Name}}
			drafts := Builder{}.Drafts(diagnose.FixAddNixPkgs, base)
			if tt.want == "" {
				if len(drafts) != 0 {
					t.Fatalf("want no draft, got %+v", drafts)
				}
				return
			}
			if len(drafts) != 1 {
				t.Fatalf("want one draft, got %d", len(drafts))
			}
			if strings.Contains(drafts[0].Summary, "(and )") {
				t.Errorf("summary names nothing added: %s", drafts[0].Summary)
			}
			var touched []string
			if err := drafts[0].Edit(dir, &touched); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(dir, "nixpacks.toml"))
			if !strings.Contains(string(got), tt.want) {
				t.Errorf("nixpacks.toml:\n%s\nwant a line %s", got, tt.want)
			}
		})
	}
}

// The add-nixlibs summary reads for the number of attributes it adds.
func TestAddNixLibsSummary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		missing []result.MissingLib
		want    string
	}{
		{"one", []result.MissingLib{{Library: "libGL.so.1", Provider: "libGL"}}, "add libGL to nixLibs in nixpacks.toml: its lib directory goes on LD_LIBRARY_PATH"},
		{"two", []result.MissingLib{{Library: "libGL.so.1", Provider: "libGL"}, {Library: "libglib-2.0.so.0", Provider: "glib"}},
			"add libGL, glib to nixLibs in nixpacks.toml: their lib directories go on LD_LIBRARY_PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("pyqt5\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			base := &builder.FixBase{Scenario: &scenario.Scenario{}, Dir: dir, Root: ".", Missing: tc.missing,
				Variant: scenario.Variant{Name: "v", Builder: Name}}
			drafts := Builder{}.Drafts(diagnose.FixAddNixLibs, base)
			if len(drafts) != 1 || !strings.Contains(drafts[0].Summary, tc.want) {
				t.Fatalf("drafts %+v, want one saying %q", drafts, tc.want)
			}
		})
	}
}
