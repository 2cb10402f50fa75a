package scenarios_test

import (
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

// TestNixpacksCausesOffline runs one row per known Nixpacks failure cause
// (nixLibs without "...", a library in nixPkgs, no login shell, runImage,
// numpy 1.x on Python 3.13, a root package.json) and asserts each outcome.
func TestNixpacksCausesOffline(t *testing.T) {
	for _, file := range []string{"nixpacks-causes/scenario.yaml", "nixpacks-causes/node-wins.yaml"} {
		t.Run(file, func(t *testing.T) {
			assertAll(t, runnertest.RunScenario(t, file, recipe.Offline()))
		})
	}
}
