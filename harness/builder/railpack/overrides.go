package railpack

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	rp "github.com/bootmatrix/bootmatrix/harness/railpack"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Overrides are a variant's railpack overrides: railpack.json's keys, laid
// over the project's file as an edit of it would be (a list with "..." keeps
// the file's list, or the provider's packages, at that place), and RAILPACK_*
// variables for this variant only.
type Overrides struct {
	Label            string            `json:"label,omitempty"`
	Provider         *string           `json:"provider,omitempty"`
	BuildAptPackages []string          `json:"buildAptPackages,omitempty"`
	Packages         map[string]string `json:"packages,omitempty"`
	Deploy           DeployOverrides   `json:"deploy,omitzero"`
	Env              map[string]string `json:"env,omitempty"`
}

// DeployOverrides is the deploy object.
type DeployOverrides struct {
	AptPackages  []string          `json:"aptPackages,omitempty"`
	StartCommand string            `json:"startCommand,omitempty"`
	Variables    map[string]string `json:"variables,omitempty"`
}

// Config is the overrides as the model's config overlay.
func (o Overrides) Config() *rp.Config {
	return &rp.Config{Provider: o.Provider, BuildAptPackages: o.BuildAptPackages, Packages: o.Packages,
		Deploy: rp.DeployConfig{AptPackages: o.Deploy.AptPackages, StartCmd: o.Deploy.StartCommand, Variables: o.Deploy.Variables}}
}

// OverridesOf is the variant's railpack overrides (zero when it has none).
func OverridesOf(v scenario.Variant) Overrides {
	o, _ := v.Settings[Setting].(Overrides)
	return o
}

// OwnSettings: railpack.
func (Builder) OwnSettings() []string { return []string{Setting} }

var (
	overrideFields = []string{"label", "provider", "buildAptPackages", "packages", "deploy", "env"}
	deployFields   = []string{"aptPackages", "startCommand", "variables"}
)

// ParseSetting reads a railpack overrides object, every problem at its node.
func (Builder) ParseSetting(_ string, n *yaml.Node) (scenario.SettingValue, []scenario.NodeProblem) {
	var o Overrides
	var ps []scenario.NodeProblem
	bad := func(n *yaml.Node, field, msg, hint string) {
		ps = append(ps, scenario.NodeProblem{Node: n, Field: field, Msg: msg, Hint: hint})
	}
	if n.Kind != yaml.MappingNode {
		bad(n, "", "expected an overrides object", `write {deploy: {aptPackages: ["...", "libgomp1"]}}`)
		return scenario.SettingValue{}, ps
	}
	strList := func(v *yaml.Node, field string) []string {
		if v.Kind != yaml.SequenceNode {
			bad(v, field, "expected a list of strings, found "+kind(v), `write a list: ["...", "libpq5"]; "..." keeps Railpack's own packages`)
			return nil
		}
		out := []string{}
		for _, it := range v.Content {
			if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
				bad(it, field, "expected a string, found "+kind(it), "write a package name")
				continue
			}
			out = append(out, it.Value)
		}
		return out
	}
	strMap := func(v *yaml.Node, field string) map[string]string {
		if v.Kind != yaml.MappingNode {
			bad(v, field, "expected a mapping of strings, found "+kind(v), "write {NAME: value}")
			return nil
		}
		out := map[string]string{}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			if val.Kind != yaml.ScalarNode {
				bad(val, field+"."+k.Value, "expected a string, found "+kind(val), "quote the value")
				continue
			}
			out[k.Value] = val.Value
		}
		return out
	}
	str := func(v *yaml.Node, field string) string {
		if v.Kind != yaml.ScalarNode {
			bad(v, field, "expected a string, found "+kind(v), "write one string")
			return ""
		}
		return v.Value
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "label":
			o.Label = str(v, "label")
		case "provider":
			p := str(v, "provider")
			if p != "" && !slices.Contains(rp.Providers, strings.ToLower(p)) {
				bad(v, "provider", fmt.Sprintf("unknown provider %q", p), "Railpack's providers are "+strings.Join(rp.Providers, ", ")+"; this builder plans python")
			} else if p != "" {
				o.Provider = &p
			}
		case "buildAptPackages":
			o.BuildAptPackages = strList(v, "buildAptPackages")
		case "packages":
			o.Packages = strMap(v, "packages")
		case "env":
			o.Env = strMap(v, "env")
			for name := range o.Env {
				if !strings.HasPrefix(name, "RAILPACK_") {
					bad(v, "env."+name, fmt.Sprintf("%s is not a RAILPACK_* variable", name), "set other variables in the scenario's env, which every variant's build and run sees")
				}
			}
		case "deploy":
			if v.Kind != yaml.MappingNode {
				bad(v, "deploy", "expected an object, found "+kind(v), `write deploy: {aptPackages: ["...", "libgomp1"]}`)
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				dk, dv := v.Content[j], v.Content[j+1]
				switch dk.Value {
				case "aptPackages":
					o.Deploy.AptPackages = strList(dv, "deploy.aptPackages")
				case "startCommand":
					o.Deploy.StartCommand = str(dv, "deploy.startCommand")
				case "variables":
					o.Deploy.Variables = strMap(dv, "deploy.variables")
				default:
					bad(dk, "deploy."+dk.Value, "unknown field", "use one of "+strings.Join(deployFields, ", "))
				}
			}
		default:
			bad(k, k.Value, "unknown field", "use one of "+strings.Join(overrideFields, ", "))
		}
	}
	if len(ps) > 0 {
		return scenario.SettingValue{}, ps
	}
	key, _ := json.Marshal(o)
	return scenario.SettingValue{Value: o, Key: string(key), Label: label(o)}, nil
}

// label names the overrides in generated variant names: the label, or what
// they change.
func label(o Overrides) string {
	if o.Label != "" {
		return o.Label
	}
	var parts []string
	if o.Deploy.AptPackages != nil {
		parts = append(parts, "deploy-apt-"+strings.Join(o.Deploy.AptPackages, "-"))
	}
	if o.BuildAptPackages != nil {
		parts = append(parts, "build-apt-"+strings.Join(o.BuildAptPackages, "-"))
	}
	for _, k := range slices.Sorted(maps.Keys(o.Packages)) {
		parts = append(parts, k+o.Packages[k])
	}
	if o.Deploy.StartCommand != "" {
		parts = append(parts, "start")
	}
	for _, k := range slices.Sorted(maps.Keys(o.Env)) {
		parts = append(parts, strings.ToLower(strings.TrimPrefix(k, "RAILPACK_")))
	}
	if len(parts) == 0 {
		return "railpack-defaults"
	}
	return strings.ReplaceAll(strings.Join(parts, "-"), "...", "defaults")
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	}
	return "an alias"
}
