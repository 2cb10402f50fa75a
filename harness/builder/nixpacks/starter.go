package nixpacks

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Starters: the configuration as committed, then the usual fixes for a
// Python app that will not boot on Nix: nixLibs in a login and a plain
// shell, a venv install, and Nix's own Python packages for the native modules.
func (Builder) Starters(p *project.Project) ([]builder.StarterVariant, []string) {
	py := p.Python
	pyAttr := nixpacks.PythonAttr(py)
	cd := p.CdAppRoot()
	// start is the start command of the variants that keep nixpacks.toml's
	// when it has one.
	start := ""
	if p.Start == "" {
		start = cd + p.StartInAppRoot()
	}
	own := func(o starterOverrides) []builder.Setting {
		return []builder.Setting{{Key: scenario.SettingNixpacks, Value: o}}
	}
	vs := []builder.StarterVariant{{Name: "current", Python: py, Start: start,
		Why: []string{"The configuration as committed (nixpacks.toml, Nixpacks' Python provider)."}}}

	install := cd + "pip install --break-system-packages -r requirements.txt"
	for _, shell := range []string{"login", "plain"} {
		why := []string{"The same image started without a login shell: the profile script does not run."}
		if shell == "login" {
			why = []string{"nixLibs puts stdenv.cc.cc.lib (libstdc++.so.6, libgcc_s.so.1) on LD_LIBRARY_PATH",
				"through the Nix profile's etc/profile.d script, which /root/.profile sources: only a login shell reads it."}
		}
		// pip outside a venv is Nix's own: nixpkgs' python carries none.
		vs = append(vs, builder.StarterVariant{Name: "nixlibs-" + shell + "-shell", Python: py, Shell: shell,
			Own: own(starterOverrides{NixPkgs: quotedList{nixpacks.Marker, pyAttr + "Packages.pip"},
				NixLibs: nixAttrs{nixpacks.Marker, "stdenv.cc.cc.lib"}, InstallCmds: quotedList{install}}),
			Start: start, Why: why})
	}

	venvStart := p.Start
	if venvStart == "" {
		venvStart = cd + p.StartInAppRoot()
	}
	vs = append(vs, builder.StarterVariant{Name: "venv-install", Python: py,
		Own:   own(starterOverrides{InstallCmds: quotedList{cd + "python -m venv --copies " + nixpacks.VenvDir + " && . " + nixpacks.VenvDir + "/bin/activate && pip install -r requirements.txt"}}),
		Start: "export PATH=" + nixpacks.VenvDir + "/bin:$PATH && " + venvStart,
		Why: []string{"pip into a virtualenv (what Nixpacks' provider does by default): avoids PEP 668's",
			"externally-managed-environment; wheels with native code still need libstdc++."}})

	// Every requirement from Nix, as one python: a plain pythonXYPackages entry
	// is linked into the profile, which nixpkgs' python does not read, and the
	// withPackages python has no pip for the rest.
	var ps []string
	for _, r := range p.Requires {
		if n := requirements.Name(r); n != "" {
			ps = append(ps, "ps."+nixpacks.PythonPackageAttr(n))
		}
	}
	with := "(" + pyAttr + ".withPackages (ps: [" + strings.Join(ps, " ") + "]))"
	vs = append(vs, builder.StarterVariant{Name: "nix-python-packages", Python: py,
		Own:   own(starterOverrides{NixPkgs: quotedList{with}, InstallCmds: quotedList{}}),
		Start: start,
		Why: []string{"Nix's own Python packages as one interpreter (withPackages): their RUNPATHs point into",
			"the store, so the loader finds libstdc++ without LD_LIBRARY_PATH; pip installs nothing."}})
	return vs, nil
}

// starterOverrides is a starter variant's nixpacks: entry.
type starterOverrides struct {
	NixPkgs quotedList `yaml:"nixPkgs,omitempty"`
	NixLibs nixAttrs   `yaml:"nixLibs,omitempty"`
	// InstallCmds is written even when empty: [] replaces the provider's
	// install, which is what the variant means.
	InstallCmds quotedList `yaml:"installCmds"`
}

// quotedList is a one-line list of double-quoted strings.
type quotedList []string

func (l quotedList) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range l {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle})
	}
	return n, nil
}

// nixAttrs is a one-line list of Nix attributes, written bare as in
// nixpacks.toml's documentation; only the provider's "..." marker, which
// YAML would read as the end of the document, is quoted.
type nixAttrs []string

func (l nixAttrs) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range l {
		var style yaml.Style
		if s == nixpacks.Marker {
			style = yaml.DoubleQuotedStyle
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: style})
	}
	return n, nil
}
