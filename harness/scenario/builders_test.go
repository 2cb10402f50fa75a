package scenario

import (
	"path"
	"slices"
	"testing"
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
