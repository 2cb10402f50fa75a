package railpack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/project"
	rp "github.com/bootmatrix/bootmatrix/harness/railpack"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// FixKinds: the changes to railpack.json that give the deploy image its
// libraries, and the switch to Railpack from another builder. (psycopg2 →
// psycopg2-binary is the doctor's own, whatever the builder.)
func (Builder) FixKinds() []diagnose.FixKind {
	return []diagnose.FixKind{diagnose.FixRailpackKeepDefaults, diagnose.FixRailpackDeployApt, diagnose.FixBuilderRailpack}
}

// Materialize writes the variant's overrides (all but env, which are
// service variables, not a file) into the app root's railpack.json, merged
// as the overlay merges them.
func (Builder) Materialize(_ *scenario.Scenario, v scenario.Variant, dir, root string, touched *[]string) (scenario.Variant, bool, error) {
	o := OverridesOf(v)
	nv := v
	rest := Overrides{Env: o.Env}
	if len(o.Env) == 0 {
		nv.Settings = withoutSetting(v.Settings)
	} else {
		nv.Settings = withoutSetting(v.Settings)
		nv.Settings[Setting] = rest
	}
	o.Env, o.Label = nil, ""
	if o.Provider == nil && o.BuildAptPackages == nil && o.Packages == nil && o.Deploy.AptPackages == nil &&
		o.Deploy.StartCommand == "" && o.Deploy.Variables == nil {
		return nv, false, nil
	}
	rel := path.Join(root, rp.DefaultConfigFile)
	file := filepath.Join(dir, filepath.FromSlash(rel))
	cur := &rp.Config{}
	if data, err := os.ReadFile(file); err == nil {
		c, ps := rp.ParseConfig(file, data)
		if len(ps) > 0 {
			return v, false, fmt.Errorf("variant %q: %w", v.Name, &rp.ConfigError{Problems: ps})
		}
		cur = c
	} else if !errors.Is(err, os.ErrNotExist) {
		return v, false, err
	}
	text, err := ConfigJSON(rp.Overlay(cur, o.Config()))
	if err != nil {
		return v, false, err
	}
	*touched = append(*touched, rel)
	return nv, false, builder.WriteText(dir, rel, text)
}

func withoutSetting(s map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		if k != Setting {
			out[k] = v
		}
	}
	return out
}

// ConfigJSON writes the railpack.json keys a Config holds.
func ConfigJSON(c *rp.Config) (string, error) {
	type deploy struct {
		AptPackages  []string          `json:"aptPackages,omitempty"`
		StartCommand string            `json:"startCommand,omitempty"`
		Variables    map[string]string `json:"variables,omitempty"`
		Paths        []string          `json:"paths,omitempty"`
	}
	doc := struct {
		Schema           string            `json:"$schema"`
		Provider         *string           `json:"provider,omitempty"`
		BuildAptPackages []string          `json:"buildAptPackages,omitempty"`
		Packages         map[string]string `json:"packages,omitempty"`
		Deploy           *deploy           `json:"deploy,omitempty"`
	}{Schema: "https://schema.railpack.com", Provider: c.Provider, BuildAptPackages: c.BuildAptPackages, Packages: c.Packages}
	d := deploy{AptPackages: c.Deploy.AptPackages, StartCommand: c.Deploy.StartCmd, Variables: c.Deploy.Variables, Paths: c.Deploy.Paths}
	if d.AptPackages != nil || d.StartCommand != "" || d.Variables != nil || d.Paths != nil {
		doc.Deploy = &d
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return "", err
	}
	// Lists of names on one line, as people write them: an edit of one
	// entry is then a one-line diff.
	out := stringList.ReplaceAllStringFunc(string(b), func(m string) string {
		items := quotedItem.FindAllString(m, -1)
		return "[" + strings.Join(items, ", ") + "]"
	})
	return out + "\n", nil
}

var (
	stringList = regexp.MustCompile(`\[\n\s+"(?:[^"\\]|\\.)*"(?:,\n\s+"(?:[^"\\]|\\.)*")*\n\s*\]`)
	quotedItem = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
)

// Describe is the start command and Python version the plan would use.
func (Builder) Describe(base *builder.FixBase) (string, string, error) {
	start, py := builder.DescribeVariant(base)
	o := OverridesOf(base.Variant)
	res, err := rp.Generate(context.Background(), filepath.Join(base.Dir, filepath.FromSlash(base.Root)),
		rp.WithEnv(variantEnv(base.Scenario, base.Variant, o)), rp.WithOverlay(o.Config()))
	if err != nil {
		return "", "", fmt.Errorf("variant %q: %w", base.Variant.Name, err)
	}
	if start == "" {
		start = res.Plan.Deploy.StartCmd
	}
	if p := res.ResolvedPackages["python"]; p != nil && base.Variant.Python == "" {
		py = p.RequestedVersion
	}
	return start, py, nil
}

// Drafts writes the candidates of kind k: railpack.json and requirement
// edits for a Railpack baseline, the switch to Railpack for another.
func (Builder) Drafts(k diagnose.FixKind, base *builder.FixBase) []builder.Draft {
	if k == diagnose.FixBuilderRailpack {
		return switchToRailpack(base)
	}
	if base.Variant.Builder != Name {
		return nil
	}
	rel := path.Join(base.Root, rp.DefaultConfigFile)
	switch k {
	case diagnose.FixRailpackDeployApt:
		var pkgs []string
		for _, m := range base.Missing {
			if p := (Facts{}).Provider(m); p != "" && !slices.Contains(pkgs, p) {
				pkgs = append(pkgs, p)
			}
		}
		if len(pkgs) == 0 {
			return nil
		}
		return []builder.Draft{{ID: "railpack-deploy-apt-" + strings.Join(pkgs, "-"), Kind: k,
			Summary: fmt.Sprintf(`add %s to deploy.aptPackages in %s, "..." first`, strings.Join(pkgs, ", "), rel),
			Edit:    editConfig(rel, pkgs)}}
	case diagnose.FixRailpackKeepDefaults:
		data, err := os.ReadFile(filepath.Join(base.Dir, filepath.FromSlash(rel)))
		if err != nil {
			return nil
		}
		c, ps := rp.ParseConfig(rel, data)
		if len(ps) > 0 || c.Deploy.AptPackages == nil || slices.Contains(c.Deploy.AptPackages, "...") {
			return nil
		}
		return []builder.Draft{{ID: "railpack-keep-defaults", Kind: k,
			Summary: fmt.Sprintf(`put "..." first in deploy.aptPackages in %s, so Railpack's own runtime packages stay`, rel),
			Edit:    editConfig(rel, nil)}}
	}
	return nil
}

// editConfig adds pkgs (or only "...") to deploy.aptPackages, keeping the rest
// of the file as written.
func editConfig(rel string, pkgs []string) func(dir string, touched *[]string) error {
	return func(dir string, touched *[]string) error {
		file := filepath.Join(dir, filepath.FromSlash(rel))
		data, err := os.ReadFile(file)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		out, err := rp.AddDeployAptPackages(rel, data, pkgs...)
		if err != nil {
			return err
		}
		*touched = append(*touched, rel)
		return builder.WriteText(dir, rel, string(out))
	}
}

var cdPrefix = regexp.MustCompile(`^cd\s+([^\s;&|]+)\s*&&\s*`)

// switchToRailpack builds another builder's variant with Railpack: the same
// Python and start command, from the directory the start command runs in
// (Railway's root directory setting), with the start command and Python in
// railpack.json.
func switchToRailpack(base *builder.FixBase) []builder.Draft {
	// Railpack is Nixpacks' successor: the migration is offered to Nixpacks variants.
	if base.Variant.Builder != "nixpacks" || base.Start == "" {
		return nil
	}
	root, start := base.Root, base.Start
	if m := cdPrefix.FindStringSubmatch(start); m != nil {
		root, start = path.Clean(path.Join(base.Root, m[1])), start[len(m[0]):]
	}
	rootAbs := filepath.Join(base.Dir, filepath.FromSlash(root))
	if _, err := rp.Generate(context.Background(), rootAbs); err != nil {
		return nil
	}
	rel := path.Join(root, rp.DefaultConfigFile)
	settings := []string{"builder: RAILPACK"}
	if root != base.Root {
		settings = append(settings, "root directory: "+root)
	}
	py := base.Python
	return []builder.Draft{{ID: "builder-railpack", Kind: diagnose.FixBuilderRailpack,
		Summary:  fmt.Sprintf("build with Railpack (%s) from %s, start command in %s", strings.Join(settings, ", "), root, rel),
		Settings: settings,
		Edit: func(dir string, touched *[]string) error {
			file := filepath.Join(dir, filepath.FromSlash(rel))
			cur := &rp.Config{}
			if data, err := os.ReadFile(file); err == nil {
				c, ps := rp.ParseConfig(rel, data)
				if len(ps) > 0 {
					return &rp.ConfigError{Problems: ps}
				}
				cur = c
			}
			cur.Deploy.StartCmd = start
			if py != "" {
				cur.Packages = map[string]string{"python": py}
			}
			text, err := ConfigJSON(cur)
			if err != nil {
				return err
			}
			*touched = append(*touched, rel)
			return builder.WriteText(dir, rel, text)
		},
		Variant: func(v *scenario.Variant) {
			v.Builder, v.Root, v.Shell, v.Base, v.Start = Name, root, "", "", ""
			v.Nixpacks = scenario.NixpacksOverrides{}
			v.Python = ""
		}}}
}

// Starters: none yet; a project whose platform config names Railpack gets
// its variant from that file (init reads railway.toml).
func (Builder) Starters(*project.Project) ([]builder.StarterVariant, []string) { return nil, nil }
