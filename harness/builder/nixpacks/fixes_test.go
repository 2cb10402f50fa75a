package nixpacks

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder"
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
