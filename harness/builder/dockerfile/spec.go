package dockerfile

import (
	"fmt"
	"os"
	"path"
	"path/filepath"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Name is the builder's name in a scenario.
const Name scenario.BuilderName = "dockerfile"

// Builder is the dockerfile builder; its zero value is ready.
type Builder struct{}

// Name is "dockerfile".
func (Builder) Name() scenario.BuilderName { return Name }

// Settings: the Dockerfile's path. Base is refused: the FROM lines decide.
func (Builder) Settings() []string { return []string{scenario.SettingDockerfile} }

// Refusal explains why base does not apply.
func (Builder) Refusal(setting string) (string, string) {
	if setting == scenario.SettingBase {
		return "base does not apply to the dockerfile builder: the Dockerfile's FROM lines decide", "edit the Dockerfile, or remove base"
	}
	return "", ""
}

// Complete defaults the Dockerfile to the app root's.
func (Builder) Complete(v *scenario.Variant) {
	if v.Dockerfile == "" {
		v.Dockerfile = path.Join(v.Root, "Dockerfile")
	}
}

// CheckProject wants the Dockerfile.
func (Builder) CheckProject(dir string, v scenario.Variant) []scenario.SettingProblem {
	fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(v.Dockerfile)))
	if err == nil && fi.Mode().IsRegular() {
		return nil
	}
	return []scenario.SettingProblem{{Setting: scenario.SettingDockerfile,
		Msg:  fmt.Sprintf("Dockerfile %s does not exist in the project", v.Dockerfile),
		Hint: "dockerfile is relative to project.dir; create it or fix the path"}}
}

// RequirementFiles is the requirements.txt next to the Dockerfile, the one pins rewrite.
func (Builder) RequirementFiles(sc *scenario.Scenario, v scenario.Variant) ([]string, error) {
	return recipe.RequirementFiles(sc.Project.Dir, path.Dir(path.Clean(filepath.ToSlash(v.Dockerfile))), nil), nil
}
