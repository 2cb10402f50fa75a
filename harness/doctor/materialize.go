package doctor

import (
	"fmt"
	"path"
	"path/filepath"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// baseline is the starting variant with everything it changes written into a
// copy of the project: its builder's own settings into the builder's config
// file (nixpacks overrides and the start command into the app root's
// nixpacks.toml), pins into the requirement files. Its variant has no
// overrides left, so a candidate is that copy edited, and every difference
// between candidates is a difference of files.
type baseline struct {
	sc      *scenario.Scenario // Project.Dir is dir; Start cleared when it moved into a file
	v       scenario.Variant   // no builder settings of its own, no Pins, no Expect
	builder builder.Builder
	dir     string
	root    string   // app root, slash path relative to the project
	touched []string // files the materialisation wrote
}

// appRootOf is the variant's app root as a clean slash path.
func appRootOf(sc *scenario.Scenario, v scenario.Variant) (string, error) {
	root := v.Root
	if root == "" {
		root = sc.Project.Root
	}
	if root == "" {
		root = "."
	}
	root = path.Clean(filepath.ToSlash(root))
	if path.IsAbs(root) || root == ".." || len(root) > 2 && root[:3] == "../" {
		return "", fmt.Errorf("variant %q: root %q is outside the project", v.Name, root)
	}
	return root, nil
}

// materialize copies the project to dir and writes the variant's own
// settings (through its builder), pins and start command into the copy.
func materialize(sc *scenario.Scenario, v scenario.Variant, dir string) (*baseline, error) {
	bld, err := builtin.Registry().Lookup(v.Builder)
	if err != nil {
		return nil, fmt.Errorf("variant %q: %w", v.Name, err)
	}
	root, err := appRootOf(sc, v)
	if err != nil {
		return nil, err
	}
	if err := copyTree(sc.Project.Dir, dir); err != nil {
		return nil, fmt.Errorf("variant %q: copy project %s: %w", v.Name, sc.Project.Dir, err)
	}
	nsc := *sc
	nsc.Project.Dir = dir
	b := &baseline{sc: &nsc, builder: bld, dir: dir, root: root}
	nv, moved, err := bld.Materialize(sc, v, dir, root, &b.touched)
	if err != nil {
		return nil, fmt.Errorf("variant %q: %w", v.Name, err)
	}
	if moved {
		nsc.Start, nv.Start = "", ""
	}
	nv.Pins = nil
	nv.Expect = nil
	b.v = nv
	if len(v.Pins) > 0 {
		files, err := b.requirementFiles()
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("variant %q: pins %v: no requirements file is read by its install", v.Name, v.Pins)
		}
		for _, f := range files {
			text, err := builder.ReadText(dir, f)
			if err != nil {
				return nil, err
			}
			if err := builder.WriteText(dir, f, requirements.ApplyPins(text, v.Pins)); err != nil {
				return nil, err
			}
			b.touched = append(b.touched, f)
		}
	}
	return b, nil
}

// requirementFiles are the requirement files the variant's install reads,
// relative to the project.
func (b *baseline) requirementFiles() ([]string, error) {
	files, err := builtin.Registry().RequirementFiles(b.sc, b.v)
	if err != nil {
		return nil, fmt.Errorf("variant %q: %w", b.v.Name, err)
	}
	return files, nil
}
