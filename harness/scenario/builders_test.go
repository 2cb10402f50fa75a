package scenario

import (
	"path"
	"slices"
)

// fakeBuilders stands in for the builder registry, which imports scenario: the
// loader's handling of names, defaults and settings is tested here, the real
// builders' own checks with the registry.
type fakeBuilders struct{}

type fakeSpec struct {
	settings []string
	complete func(*Variant)
}

var fakeSpecs = map[string]fakeSpec{
	"nixpacks":    {settings: []string{SettingNixpacks, SettingBase}},
	"python-slim": {settings: []string{SettingBase}},
	"dockerfile": {settings: []string{SettingDockerfile}, complete: func(v *Variant) {
		if v.Dockerfile == "" {
			v.Dockerfile = path.Join(v.Root, "Dockerfile")
		}
	}},
}

func (fakeBuilders) Names() []string { return []string{"nixpacks", "python-slim", "dockerfile"} }
func (fakeBuilders) Default() string { return "nixpacks" }
func (fakeBuilders) Spec(n string) (BuilderSpec, bool) {
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
