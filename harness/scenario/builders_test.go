package scenario

import (
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// fakeBuilders stands in for the builder registry, which imports scenario: the
// loader's handling of names, defaults and settings is tested here, the real
// builders' own checks with the registry.
type fakeBuilders struct{}

type fakeSpec struct {
	settings []string
	complete func(*Variant)
}

var fakeSpecs = map[BuilderName]fakeSpec{
	"nixpacks":    {settings: []string{SettingNixpacks, SettingBase}},
	"python-slim": {settings: []string{SettingBase}},
	"dockerfile": {settings: []string{SettingDockerfile}, complete: func(v *Variant) {
		if v.Dockerfile == "" {
			v.Dockerfile = path.Join(v.Root, "Dockerfile")
		}
	}},
}

func (fakeBuilders) Names() []BuilderName {
	return []BuilderName{"nixpacks", "python-slim", "dockerfile"}
}
func (fakeBuilders) Default() BuilderName { return "nixpacks" }
func (fakeBuilders) Spec(n BuilderName) (BuilderSpec, bool) {
	s, ok := fakeSpecs[n]
	return s, ok
}

func (s fakeSpec) Settings() []string { return s.settings }
func (s fakeSpec) Complete(v *Variant) {
	if s.complete != nil {
		s.complete(v)
	}
}
func (s fakeSpec) Refusal(setting string) (string, string) {
	if setting == SettingBase && !slices.Contains(s.settings, SettingBase) {
		return "base does not apply to the dockerfile builder", "edit the Dockerfile"
	}
	return "", ""
}

func (fakeSpec) CheckProject(string, Variant) []SettingProblem { return nil }

// testBuilders is the option every test load passes.
var testBuilders = WithBuilders(fakeBuilders{})

// TestWithoutBuilders: a loader given no builders accepts any builder name,
// leaves the builder unset when none is named and checks nothing builder-specific.
func TestWithoutBuilders(t *testing.T) {
	t.Parallel()
	s, err := Parse("inline.yaml", []byte(head+"matrix:\n  include:\n    - {name: a}\n    - {name: b, builder: railpack, dockerfile: Dockerfile, nixpacks: {nixLibs: [x]}}\n"), WithCheckFiles(false))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := s.Variants[0], s.Variants[1]; a.Builder != "" || b.Builder != "railpack" || b.Dockerfile != "Dockerfile" {
		t.Errorf("variants %+v %+v", a, b)
	}
	_, err = Parse("inline.yaml", []byte(head+"matrix:\n  builder: [Rail_pack]\n"), WithCheckFiles(false))
	checkProblems(t, err, []want{{5, 13, "matrix.builder[0]", `unknown builder "Rail_pack" — write a builder name in lower case with dashes`}})
}

// ownerBuilders add a builder with a setting of its own, as Railpack's
// railpack.json overrides would be.
type ownerBuilders struct{ fakeBuilders }

type ownerSpec struct{ fakeSpec }

func (ownerBuilders) Names() []BuilderName {
	return []BuilderName{"nixpacks", "python-slim", "dockerfile", "railpack"}
}
func (b ownerBuilders) Spec(n BuilderName) (BuilderSpec, bool) {
	if n == "railpack" {
		return ownerSpec{fakeSpec{settings: []string{"railpack"}}}, true
	}
	return b.fakeBuilders.Spec(n)
}

func (ownerSpec) OwnSettings() []string { return []string{"railpack"} }

func (ownerSpec) ParseSetting(_ string, n *yaml.Node) (SettingValue, []NodeProblem) {
	var v struct {
		AptPackages []string `yaml:"aptPackages"`
	}
	if err := n.Decode(&v); err != nil || len(v.AptPackages) == 0 {
		return SettingValue{}, []NodeProblem{{Field: "aptPackages", Msg: "no apt packages", Hint: "write {aptPackages: [pkg]}"}}
	}
	label := "apt-" + strings.Join(v.AptPackages, "-")
	return SettingValue{Value: v.AptPackages, Key: strings.Join(v.AptPackages, ","), Label: label}, nil
}

func TestBuilderOwnSetting(t *testing.T) {
	t.Parallel()
	own := WithBuilders(ownerBuilders{})
	s, err := Parse("inline.yaml", []byte(head+"matrix:\n  builder: [railpack]\n  railpack: [{aptPackages: [libpq5]}, {aptPackages: [libgl1]}]\n  exclude:\n    - railpack: {aptPackages: [libgl1]}\n"), WithCheckFiles(false), own)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Variants) != 1 {
		t.Fatalf("variants %+v", s.Variants)
	}
	v := s.Variants[0]
	if v.Name != "railpack-apt-libpq5" || v.Axes["railpack"] != "apt-libpq5" || !reflect.DeepEqual(v.Settings["railpack"], []string{"libpq5"}) {
		t.Errorf("variant %+v", v)
	}
	_, err = Parse("inline.yaml", []byte(head+"matrix:\n  builder: [nixpacks]\n  railpack: [{aptPackages: [libpq5]}]\n"), WithCheckFiles(false), own)
	checkProblems(t, err, []want{{6, 14, "matrix.railpack", "railpack applies to the railpack builder, not nixpacks — exclude this combination, or drop railpack from it"}})
	_, err = Parse("inline.yaml", []byte(head+"matrix:\n  include:\n    - {builder: railpack, railpack: {aptPackages: []}}\n"), WithCheckFiles(false), own)
	checkProblems(t, err, []want{{6, 37, "matrix.include[0].railpack.aptPackages", "no apt packages"}})
	// Without the builder that owns it, the setting is an unknown field.
	_, err = Parse("inline.yaml", []byte(head+"matrix:\n  include:\n    - {builder: nixpacks, railpack: {aptPackages: [x]}}\n"), WithCheckFiles(false), testBuilders)
	checkProblems(t, err, []want{{6, 27, "matrix.include[0].railpack", "unknown field"}})
}
