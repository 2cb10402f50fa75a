package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/platform"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

const initFile = "bootmatrix.yaml"

func newInitCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Write a starter bootmatrix.yaml for the project in DIR (default: .)",
		Long: `init reads DIR's nixpacks.toml, requirements.txt (in DIR or one directory down),
Dockerfile and package.json, and the platform's own config file (railway.toml or
railway.json in DIR or one directory down, or render.yaml), and writes
DIR/bootmatrix.yaml: the configuration as it is today (the platform file's builder,
root directory, build and start commands and health check path, each commented with
the file and line it came from) plus the usual fixes for a Python app that will not boot on a Nix-based
builder (nixLibs with stdenv.cc.cc.lib in a login or plain shell, a venv install,
Nix's own Python packages, python-slim, the project's Dockerfile), each commented.
It refuses to overwrite an existing file without --force.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			out := filepath.Join(dir, initFile)
			if _, err := os.Stat(out); err == nil && !force {
				return usageErr(fmt.Errorf("%s exists: pass --force to overwrite it", out))
			}
			p, err := inspectProject(dir)
			if err != nil {
				return usageErr(err)
			}
			reg := builtin.Registry()
			data, err := p.scenarioFile(reg).encode()
			if err != nil {
				return envErr(err)
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return envErr(fmt.Errorf("init: %w", err))
			}
			// Loading what was just written catches a template that drifted from the schema.
			if _, err := scenario.Load(out, scenario.WithClasses(diagnose.ClassIDs()), scenario.WithBuilders(reg)); err != nil {
				return envErr(fmt.Errorf("init wrote %s but it does not load (please report this): %w", out, err))
			}
			if p.platform != nil {
				for _, pr := range p.platform.Problems {
					fmt.Fprintf(cmd.ErrOrStderr(), "bootmatrix: init: %s\n", pr)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: %s\nnext: bootmatrix list %s, then bootmatrix run %s, then bootmatrix pin %s to keep the outcomes as expectations\n", out, p.summary(), out, out, out)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing bootmatrix.yaml")
	return cmd
}

// starter is the project as init sees it: what harness/project found, the
// platform's own config file, and the choices of the scenario init writes.
type starter struct {
	*project.Project
	platform *platform.Config
}

func inspectProject(dir string) (*starter, error) {
	p, err := project.Inspect(dir)
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	cfg, err := platform.Read(dir)
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	return &starter{Project: p, platform: cfg}, nil
}

func (p *starter) summary() string {
	parts := []string{"app root " + p.AppRoot, "Python " + p.Python}
	if p.Config != nil {
		parts = append(parts, "nixpacks.toml read")
	}
	if p.Dockerfile != "" {
		parts = append(parts, "Dockerfile "+p.Dockerfile)
	}
	if p.platform != nil {
		parts = append(parts, p.platform.File+" read")
		if n := len(p.platform.Problems); n > 0 {
			parts = append(parts, fmt.Sprintf("%d problem(s) in it, listed at the top of the file", n))
		}
	}
	return strings.Join(parts, ", ")
}

// scenarioFile is the starter scenario for the project: the configuration
// as it is today, then the usual fixes for a Python app that will not boot on
// a Nix-based builder, each variant with a comment saying what it tries. The
// variants are the builders' (builder.Starter), in the registry's order.
func (p *starter) scenarioFile(reg *builder.Registry) *starterFile {
	f := &starterFile{
		SchemaVersion: scenario.SchemaVersion,
		Name:          sanitizeName(filepath.Base(absOr(p.Dir))),
		Project:       starterProject{Dir: ".", Root: p.ScenarioRoot()},
		Imports:       quotedList(p.Native),
		Port:          scenario.DefaultPort,
		Health:        starterHealth{Path: scenario.DefaultHealthPath, Status: scenario.DefaultStatus},
		comments:      map[string]string{},
	}

	header := []string{
		"Written by `bootmatrix init`: the project's configuration as it is today and",
		"the usual fixes for a Python app that will not boot on a Nix-based builder.",
		"Edit freely; reference: docs/scenario-schema.md. Run: bootmatrix run " + initFile,
	}
	read := "No nixpacks.toml: the Nixpacks variants use the Python provider's defaults."
	if p.Config != nil {
		read = fmt.Sprintf("Read: %s.", filepath.Base(p.Config.File))
	}
	header = append(header, read+fmt.Sprintf(" Requirements: %s/requirements.txt.", p.AppRoot))
	if p.PackageJSON {
		header = append(header,
			fmt.Sprintf("package.json is present: Nixpacks detects provider %q at the repository root;", p.Provider),
			"the variants below build the Python app only.")
	}
	for _, n := range p.Notes {
		header = append(header, fmt.Sprintf("Note: %s.", n))
	}
	f.comments["schemaVersion"] = comment(header...)
	if len(p.Native) == 0 {
		f.comments["port"] = comment("No native packages detected in requirements.txt: list the modules to import here.",
			"imports: [numpy]")
	} else {
		f.comments["imports"] = comment("Each is imported in a fresh interpreter, started the way the platform starts the app.")
	}
	f.comments["health"] = comment("The endpoint the boot stage polls: change path/body to what your app answers.")
	// A blank line before the variants, then why none has an expect yet.
	f.comments["matrix"] = "\n" + comment(
		"No variant has an expect yet, so a run cannot fail on any of them (the report",
		"shows \"– none\"). After a first run, `bootmatrix pin "+initFile+"` writes each",
		"variant's outcome as its expect; from then on a run that does otherwise exits 1.")

	var hints []string
	var current *starterVariant
	if p.platform != nil {
		row, name, lines := p.platformRow(p.platform)
		header = append(header, lines...)
		f.comments["schemaVersion"] = comment(header...)
		if p.platform.HealthPath.Set() {
			f.Health.Path = p.platform.HealthPath.Value
			f.comments["health"] = comment("The endpoint the boot stage polls, from " + p.platform.HealthPath.From + ".")
		}
		current = &starterVariant{StarterVariant: row, Builder: name, comment: comment(row.Why...)}
		f.Matrix.Include = append(f.Matrix.Include, *current)
	}
	for _, b := range reg.Builders() {
		vs, hint := b.Starters(p.Project)
		if current != nil && b.Name() == "railpack" && current.Builder != "railpack" && p.platform.Platform == "railway" {
			vs = append(vs, builder.StarterVariant{Name: "railpack", Root: current.Root, Start: current.Start,
				Why: []string{"Railpack, Nixpacks' successor, on the same root and start command."}})
		}
		for _, sv := range vs {
			if current != nil && sv.Name == "current" && current.Builder == string(b.Name()) {
				continue
			}
			if current != nil && sv.Name == "current" {
				// The platform's row is "current"; the builder's own
				// reading of the project keeps its builder's name.
				sv.Name = string(b.Name()) + "-as-committed"
			}
			if current != nil && current.Start != "" && (sv.Root == "" || sv.Root == current.Root) {
				// The platform's start command is a setting of the service, not of
				// one build: every row on its root starts with it.
				if pre, _, ok := strings.Cut(sv.Start, " && "); ok && strings.HasPrefix(pre, "export PATH=") {
					sv.Start = pre + " && " + current.Start
				} else {
					sv.Start = current.Start
				}
			}
			why := sv.Why
			if len(f.Matrix.Include) > 0 {
				why = append([]string{""}, why...)
			}
			f.Matrix.Include = append(f.Matrix.Include, starterVariant{StarterVariant: sv, Builder: string(b.Name()), comment: comment(why...)})
		}
		if len(hint) > 0 {
			hints = append(append(hints, ""), hint...)
		}
	}
	if len(hints) > 0 {
		f.trailer = comment(hints...)
	}
	return f
}

func absOr(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

var nameBad = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitizeName(s string) string {
	s = strings.Trim(nameBad.ReplaceAllString(s, "-"), "-")
	if s == "" || s == "." {
		return "app"
	}
	return s
}
