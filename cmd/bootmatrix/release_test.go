package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// goreleaserConfig is the part of goreleaser v2's configuration
// (https://goreleaser.com/customization/) .goreleaser.yaml uses. Decoding with
// KnownFields refuses any key outside it, so a misspelt key fails here rather than
// being ignored by a release.
type goreleaserConfig struct {
	Version     int    `yaml:"version"`
	ProjectName string `yaml:"project_name"`
	Builds      []struct {
		ID           string   `yaml:"id"`
		Main         string   `yaml:"main"`
		Binary       string   `yaml:"binary"`
		Env          []string `yaml:"env"`
		Flags        []string `yaml:"flags"`
		Ldflags      []string `yaml:"ldflags"`
		Targets      []string `yaml:"targets"`
		ModTimestamp string   `yaml:"mod_timestamp"`
	} `yaml:"builds"`
	Archives []struct {
		ID           string   `yaml:"id"`
		IDs          []string `yaml:"ids"`
		Formats      []string `yaml:"formats"`
		NameTemplate string   `yaml:"name_template"`
		Files        []string `yaml:"files"`
	} `yaml:"archives"`
	Checksum struct {
		NameTemplate string `yaml:"name_template"`
	} `yaml:"checksum"`
	Changelog struct {
		Use  string `yaml:"use"`
		Sort string `yaml:"sort"`
	} `yaml:"changelog"`
	Release struct {
		GitHub struct {
			Owner string `yaml:"owner"`
			Name  string `yaml:"name"`
		} `yaml:"github"`
	} `yaml:"release"`
}

// TestReleaseConfig checks .goreleaser.yaml builds the CLI without cgo for the three
// platforms, and when goreleaser is on PATH (make release-check runs the pinned one)
// lets it check the file itself.
func TestReleaseConfig(t *testing.T) {
	t.Parallel()
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c goreleaserConfig
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf(".goreleaser.yaml: %v", err)
	}
	if c.Version != 2 || len(c.Builds) != 1 {
		t.Fatalf(".goreleaser.yaml: version %d with %d builds, want version 2 with one build", c.Version, len(c.Builds))
	}
	b := c.Builds[0]
	if want := []string{"darwin_arm64", "linux_amd64", "linux_arm64"}; !slices.Equal(slices.Sorted(slices.Values(b.Targets)), want) {
		t.Errorf("targets %v, want %v", b.Targets, want)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("build env %v lacks CGO_ENABLED=0", b.Env)
	}
	if b.Main != "./cmd/bootmatrix" || b.Binary != "bootmatrix" {
		t.Errorf("builds %s as %s, want ./cmd/bootmatrix as bootmatrix", b.Main, b.Binary)
	}
	if len(c.Archives) != 1 || !slices.Equal(c.Archives[0].IDs, []string{b.ID}) {
		t.Errorf("archives %+v do not pack build %q", c.Archives, b.ID)
	}
	gr, err := exec.LookPath("goreleaser")
	if err != nil {
		t.Log("goreleaser not on PATH: its own check is make release-check")
		return
	}
	cmd := exec.Command(gr, "check")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("goreleaser check: %v\n%s", err, out)
	}
}

// TestReleaseWorkflow lints the workflow that runs goreleaser on a tag.
func TestReleaseWorkflow(t *testing.T) {
	t.Parallel()
	path := filepath.Join(repoRoot(t), ".github", "workflows", "release.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range lint(t, path, data) {
		t.Errorf("%s:%d:%d: %s [%s]", path, e.Line, e.Column, e.Message, e.Kind)
	}
	if len(lint(t, path, bytes.Replace(data, []byte("secrets.GITHUB_TOKEN"), []byte("secret.GITHUB_TOKEN"), 1))) == 0 {
		t.Error("actionlint found nothing wrong with secret.GITHUB_TOKEN")
	}
}
