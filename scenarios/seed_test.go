package scenarios_test

import (
	"os"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

// TestSeedOffline replays the incident's attempts on the offline kit: every
// variant is a subtest and its expectation (boots, or fails at a stage with a
// class) is asserted.
func TestSeedOffline(t *testing.T) {
	run := runnertest.RunScenario(t, "seed/scenario.yaml", recipe.Offline())
	assertAll(t, run)
}

// TestSeedOnline runs the seed's exact pins on the real images and PyPI.
func TestSeedOnline(t *testing.T) {
	if os.Getenv("BOOTMATRIX_ONLINE") != "1" {
		t.Skip("online scenario: set BOOTMATRIX_ONLINE=1 on a machine that reaches a registry and PyPI")
	}
	run := runnertest.RunScenario(t, "seed-online/scenario.yaml", recipe.Online(environ()))
	assertAll(t, run)
}

func assertAll(t *testing.T, run *result.Run) {
	t.Helper()
	if len(run.Variants) == 0 {
		t.Fatal("the scenario ran no variant")
	}
	for _, v := range run.Variants {
		t.Run(v.Name, func(t *testing.T) {
			runnertest.AssertExpectation(t, v)
		})
	}
}

func environ() map[string]string {
	env := map[string]string{}
	for _, k := range []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	return env
}
