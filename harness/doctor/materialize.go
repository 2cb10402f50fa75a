package doctor

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	nixpacksbuilder "github.com/bootmatrix/bootmatrix/harness/builder/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// baseline is the starting variant with everything it changes written into a
// copy of the project: nixpacks overrides merged into the app root's
// nixpacks.toml, pins into the requirement files, the start command into
// [start].cmd. Its variant has no overrides left, so a candidate is that copy
// edited, and every difference between candidates is a difference of files.
type baseline struct {
	sc      *scenario.Scenario // Project.Dir is dir; Start cleared when it moved into the file
	v       scenario.Variant   // no Nixpacks, no Pins, no Expect
	dir     string
	root    string   // app root, slash path relative to the project
	touched []string // files the materialisation wrote
}

// splice writes an override list onto the file's list so that merging the
// result onto the provider's plan gives what merging the file and then the
// override did: each "..." of the override stands for the file's list (with
// the file's own "..." markers); no file list leaves the override as it is.
func splice(override, file []string) []string { return nixpacks.Splice(override, file) }

func hasOverrides(o scenario.NixpacksOverrides) bool {
	return o.NixPkgs != nil || o.NixLibs != nil || o.AptPkgs != nil || o.InstallCmds != nil ||
		o.BuildCmds != nil || o.StartCmd != "" || o.RunImage != ""
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

// materialize copies the project to dir and writes the variant's overrides,
// pins and start command into the copy.
func materialize(sc *scenario.Scenario, v scenario.Variant, dir string) (*baseline, error) {
	root, err := appRootOf(sc, v)
	if err != nil {
		return nil, err
	}
	if err := copyTree(sc.Project.Dir, dir); err != nil {
		return nil, fmt.Errorf("variant %q: copy project %s: %w", v.Name, sc.Project.Dir, err)
	}
	nsc := *sc
	nsc.Project.Dir = dir
	nv := v
	nv.Nixpacks = scenario.NixpacksOverrides{}
	nv.Pins = nil
	nv.Expect = nil
	b := &baseline{sc: &nsc, v: nv, dir: dir, root: root}

	if v.Builder == nixpacksbuilder.Name {
		start := v.Start
		if start == "" {
			start = sc.Start
		}
		if hasOverrides(v.Nixpacks) || start != "" {
			err := b.editConfig(func(t *tomlText, cfg *nixpacks.Config) error {
				o := v.Nixpacks
				lists := []struct {
					ov      []string
					phase   string
					aliases []string
					cur     func(*nixpacks.PhaseConfig) []string
				}{
					{o.NixPkgs, "setup", keyNixPkgs, func(p *nixpacks.PhaseConfig) []string { return p.NixPkgs }},
					{o.NixLibs, "setup", keyNixLibs, func(p *nixpacks.PhaseConfig) []string { return p.NixLibs }},
					{o.AptPkgs, "setup", keyAptPkgs, func(p *nixpacks.PhaseConfig) []string { return p.AptPkgs }},
					{o.InstallCmds, "install", keyCmds, func(p *nixpacks.PhaseConfig) []string { return p.Cmds }},
					{o.BuildCmds, "build", keyCmds, func(p *nixpacks.PhaseConfig) []string { return p.Cmds }},
				}
				for _, l := range lists {
					if l.ov == nil {
						continue
					}
					var cur []string
					if ph := phaseOf(cfg, l.phase); ph != nil {
						cur = l.cur(ph)
					}
					t.set("phases."+l.phase, l.aliases, tomlList(splice(l.ov, cur)))
				}
				if o.StartCmd != "" {
					t.set("start", keyStartCmd, tomlString(o.StartCmd))
				}
				if o.RunImage != "" {
					t.set("start", keyRunImage, tomlString(o.RunImage))
				}
				// The scenario's start command wins over the file's, as the platform's
				// start command setting does; in the file it is one more line a fix can edit.
				if start != "" {
					t.set("start", keyStartCmd, tomlString(start))
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("variant %q: %w", v.Name, err)
			}
			nsc.Start, b.v.Start = "", ""
		}
	}
	if len(v.Pins) > 0 {
		files, err := b.requirementFiles()
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("variant %q: pins %v: no requirements file is read by its install", v.Name, v.Pins)
		}
		for _, f := range files {
			text, err := readText(dir, f)
			if err != nil {
				return nil, err
			}
			if err := writeFile(dir, f, requirements.ApplyPins(text, v.Pins)); err != nil {
				return nil, err
			}
			b.touched = append(b.touched, f)
		}
	}
	return b, nil
}

func phaseOf(cfg *nixpacks.Config, name string) *nixpacks.PhaseConfig {
	if cfg == nil || cfg.Phases == nil {
		return nil
	}
	return cfg.Phases[name]
}

// configPath is the app root's nixpacks.toml, relative to the project.
func (b *baseline) configPath() string { return path.Join(b.root, "nixpacks.toml") }

// editConfig edits the copy's nixpacks.toml (creating it) and checks that
// Nixpacks would still read it. A nixpacks.json is not edited: the edit fails.
func (b *baseline) editConfig(f func(*tomlText, *nixpacks.Config) error) error {
	return editConfigIn(b.dir, b.root, f, &b.touched)
}

func editConfigIn(dir, root string, f func(*tomlText, *nixpacks.Config) error, touched *[]string) error {
	rel := path.Join(root, "nixpacks.toml")
	abs := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(root), "nixpacks.json")); err == nil {
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("%s/nixpacks.json: only nixpacks.toml is edited; convert the file to TOML", root)
		}
	}
	text, _, err := readMaybe(abs)
	if err != nil {
		return err
	}
	var cfg *nixpacks.Config
	if text != "" {
		if cfg, err = nixpacks.ParseConfig(rel, []byte(text)); err != nil {
			return err
		}
	}
	t := newTOMLText(text)
	if err := f(t, cfg); err != nil {
		return err
	}
	out := t.String()
	if _, err := nixpacks.ParseConfig(rel, []byte(out)); err != nil {
		return fmt.Errorf("editing %s produced a file Nixpacks would refuse: %w", rel, err)
	}
	if err := writeFile(dir, rel, out); err != nil {
		return err
	}
	*touched = append(*touched, rel)
	return nil
}

// plan is the Nixpacks plan of the copy at dir for the baseline's variant.
func (b *baseline) planIn(dir string) (*nixpacks.Plan, error) {
	rootAbs := filepath.Join(dir, filepath.FromSlash(b.root))
	cfg, err := nixpacks.LoadConfig(rootAbs)
	if err != nil {
		return nil, err
	}
	return nixpacks.BuildPlan(rootAbs, cfg, b.v.Python, nixpacks.Overrides{})
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
