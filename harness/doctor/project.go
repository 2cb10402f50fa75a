package doctor

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// ProjectSpec describes a project taken as it is, with no scenario file: its
// own nixpacks.toml, requirements and Dockerfile are the starting point.
type ProjectSpec struct {
	Dir string
	// Root is the platform's root directory setting ("." by default).
	Root string
	// Python is the Python version ("3.13"); empty leaves it to the project.
	Python string
	// Pins are requirement lines written over the requirements ("numpy==2.2.4").
	Pins []string
	// Start overrides the project's start command; empty keeps nixpacks.toml's.
	Start string
	// Health is the health check path ("/health" by default).
	Health string
	// Port is the PORT the app listens on (8080 by default).
	Port int
}

// FromProject builds a one-variant scenario for a project directory, through
// the scenario loader, so the same checks and defaults apply (imports are
// detected from the requirements). The variant is named "project".
func FromProject(p ProjectSpec) (*scenario.Scenario, scenario.Variant, error) {
	dir, err := filepath.Abs(p.Dir)
	if err != nil {
		return nil, scenario.Variant{}, err
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, scenario.Variant{}, fmt.Errorf("--project %s: not a directory (give the repository's directory)", p.Dir)
	}
	root := p.Root
	if root == "" {
		root = "."
	}
	// The platform's own builder, the registry's default, takes the project as it is.
	inc := map[string]any{"name": "project", "builder": builtin.Registry().Default()}
	if p.Python != "" {
		inc["python"] = p.Python
	}
	if len(p.Pins) > 0 {
		inc["pins"] = p.Pins
	}
	health := p.Health
	if health == "" {
		health = scenario.DefaultHealthPath
	}
	doc := map[string]any{
		"schemaVersion": scenario.SchemaVersion,
		"name":          "doctor",
		"project":       map[string]any{"dir": dir, "root": root},
		"health":        map[string]any{"path": health},
		"matrix":        map[string]any{"include": []any{inc}},
	}
	if p.Start != "" {
		doc["start"] = p.Start
	}
	if p.Port != 0 {
		doc["port"] = p.Port
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, scenario.Variant{}, err
	}
	// The name only labels problems; nothing is written there.
	sc, err := scenario.Parse(filepath.Join(dir, "(doctor --project)"), data, scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		return nil, scenario.Variant{}, fmt.Errorf("--project %s: %s", p.Dir, strings.ReplaceAll(err.Error(), "(doctor --project)", "flags"))
	}
	if len(sc.Imports) == 0 {
		// The loader looks at the app root only; an app one directory down
		// (backend/requirements.txt under a root nixpacks.toml) counts too.
		sc.Imports = project.NativeImports(filepath.Join(dir, filepath.FromSlash(root)))
	}
	return sc, sc.Variants[0], nil
}
