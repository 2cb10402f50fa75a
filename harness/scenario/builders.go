package scenario

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Variant settings that only some builders read. The loader refuses one given
// to a builder that does not read it: silently ignoring it would make the
// variant test something other than it says.
const (
	SettingNixpacks   = "nixpacks"
	SettingDockerfile = "dockerfile"
	SettingBase       = "base"
)

// settingNouns say a setting's name in a problem ("nixpacks overrides apply …").
var settingNouns = map[string]string{
	SettingNixpacks:   "nixpacks overrides apply",
	SettingDockerfile: "dockerfile applies",
	SettingBase:       "base applies",
}

// Builders is what the loader needs to know of the builders a variant may
// name. The builder packages implement it (they import scenario, so scenario
// cannot import them); a loader without one accepts any builder name and
// checks nothing builder-specific.
type Builders interface {
	// Names lists the builders in the order a hint shows them.
	Names() []BuilderName
	// Default is the builder of a variant that names none.
	Default() BuilderName
	// Spec describes one builder; ok is false for a name that is not a builder.
	Spec(name BuilderName) (spec BuilderSpec, ok bool)
}

// BuilderSpec is what one builder tells the loader.
type BuilderSpec interface {
	// Settings are the builder-specific settings (Setting*) the builder reads.
	Settings() []string
	// Complete fills the builder's defaults into a variant the loader has built
	// (the dockerfile builder's Dockerfile path, for instance).
	Complete(v *Variant)
	// CheckProject reports what the builder will not find in the project on
	// disk (dir is the project's directory, absolute) when it builds v.
	CheckProject(dir string, v Variant) []SettingProblem
}

// Refuser is implemented by a builder that has more to say than "it applies to
// another builder" about a setting it does not read.
type Refuser interface {
	// Refusal returns the problem's message and hint for setting, or "" for the
	// loader's own.
	Refusal(setting string) (msg, hint string)
}

// SettingProblem is one problem a builder finds; Setting names where the loader
// points: "root", "dockerfile", or "" for the variant as a whole.
type SettingProblem struct {
	Setting string
	Msg     string
	Hint    string
	// File, Line and Column place a problem in a file of the project the builder
	// reads (its config file) rather than at the variant's setting.
	File         string
	Line, Column int
}

// WithBuilders names the builders a variant may use and lets each check its own
// settings and the files it will read (see Builders).
func WithBuilders(b Builders) Option { return func(o *options) { o.builders = b } }

var builderNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// knownBuilder checks a builder axis value and returns the hint for a bad one.
func (o options) knownBuilder(name string) (string, bool) {
	if o.builders == nil {
		if builderNameRe.MatchString(name) {
			return "", true
		}
		return "write a builder name in lower case with dashes", false
	}
	if _, ok := o.builders.Spec(BuilderName(name)); ok {
		return "", true
	}
	var known []string
	for _, n := range o.builders.Names() {
		known = append(known, string(n))
	}
	hint := "use one of " + strings.Join(known, ", ")
	if sg := suggest(name, known); sg != "" {
		hint = fmt.Sprintf("did you mean %q? (%s)", sg, hint)
	}
	return hint, false
}

func (o options) defaultBuilder() BuilderName {
	if o.builders == nil {
		return ""
	}
	return o.builders.Default()
}

func (o options) spec(name BuilderName) BuilderSpec {
	if o.builders == nil {
		return nil
	}
	s, _ := o.builders.Spec(name)
	return s
}

// refusal is the problem for a setting the variant's builder does not read.
func (o options) refusal(spec BuilderSpec, builder BuilderName, setting string) (string, string) {
	if r, ok := spec.(Refuser); ok {
		if msg, hint := r.Refusal(setting); msg != "" {
			return msg, hint
		}
	}
	var readers []string
	for _, n := range o.builders.Names() {
		if s, ok := o.builders.Spec(n); ok && readsSetting(s, setting) {
			readers = append(readers, string(n))
		}
	}
	noun := settingNouns[setting]
	if noun == "" {
		noun = setting + " applies"
	}
	who := "no builder"
	if len(readers) > 0 {
		who = "the " + strings.Join(readers, " or ") + " builder"
	}
	hint := "exclude this combination, or drop " + setting + " from it"
	if !slices.Contains(axisNames, setting) && !slices.Contains(o.ownSettings(), setting) && len(readers) > 0 {
		hint = fmt.Sprintf("set builder: %s, or remove %s", readers[0], setting)
	}
	return fmt.Sprintf("%s to %s, not %s", noun, who, builder), hint
}

func readsSetting(s BuilderSpec, setting string) bool { return slices.Contains(s.Settings(), setting) }

// SettingOwner is implemented by a builder with settings of its own that the
// loader does not know (a Railpack builder's railpack.json overrides, say):
// each is one more axis of the matrix and field of include entries, its value
// read by the builder and kept in Variant.Settings. The builder must also list
// it in Settings, or its own variants refuse it.
type SettingOwner interface {
	// OwnSettings names the settings; they must not clash with the loader's fields.
	OwnSettings() []string
	// ParseSetting reads one value of setting; problems are reported at their
	// nodes and make the value unusable.
	ParseSetting(setting string, n *yaml.Node) (SettingValue, []NodeProblem)
}

// SettingValue is one value of a builder's own setting.
type SettingValue struct {
	// Value goes into Variant.Settings.
	Value any
	// Key is equal for equal values (include and exclude entries match by it).
	Key string
	// Label names the value in generated variant names and displays.
	Label string
}

// NodeProblem is a problem with a builder's own setting: at Node (nil for the
// setting's value as a whole), Field below the setting ("" for itself).
type NodeProblem struct {
	Node      *yaml.Node
	Field     string
	Msg, Hint string
}

// ownSettings are the builders' own settings, in registration order.
func (o options) ownSettings() []string {
	if o.builders == nil {
		return nil
	}
	var out []string
	for _, n := range o.builders.Names() {
		if s, ok := o.builders.Spec(n); ok {
			if ow, ok := s.(SettingOwner); ok {
				for _, x := range ow.OwnSettings() {
					if !slices.Contains(out, x) && !slices.Contains(axisNames, x) && !slices.Contains(entryFields, x) && x != "name" {
						out = append(out, x)
					}
				}
			}
		}
	}
	return out
}

// owner is the builder that reads setting, nil when none does.
func (o options) owner(setting string) SettingOwner {
	if o.builders == nil {
		return nil
	}
	for _, n := range o.builders.Names() {
		if s, ok := o.builders.Spec(n); ok {
			if ow, ok := s.(SettingOwner); ok && slices.Contains(ow.OwnSettings(), setting) {
				return ow
			}
		}
	}
	return nil
}
