package doctor

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

// TestSearchPsycopg2Sdist runs the doctor on psycopg2's source build without
// pg_config (scenarios/real-world) on the engine: the smallest proven fix is
// psycopg2-binary in the requirements. BOOTMATRIX_KIT_REPO names a kit built beside
// the usual one, as for bootmatrix doctor.
func TestSearchPsycopg2Sdist(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	_, _, _, rep := searchOnEngine(t, "../../scenarios/real-world/scenario.yaml", "psycopg2-sdist-without-pg-config", 10*time.Minute)
	first := rep.Start.FirstFailure()
	if first == nil || first.Name != result.StageInstall || first.Class != diagnose.ClassBuildFromSource {
		t.Fatalf("starting point: want install/build-from-source-failed, got %+v", first)
	}
	proven := rep.Proven()
	if len(proven) == 0 || proven[0].Kind != diagnose.FixBinaryPackage || !proven[0].Result.Boots {
		t.Fatalf("want use-binary-package as the smallest proven fix, got %+v", proven)
	}
}

// TestSearchDlopenNixLibsReplaced runs the doctor on cairocffi with nixLibs that
// replace the provider's (scenarios/real-world/dlopen.yaml): libcairo, opened by name,
// is not on LD_LIBRARY_PATH. The smallest proven fix puts "..." and cairo back.
func TestSearchDlopenNixLibsReplaced(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	_, _, _, rep := searchOnEngine(t, "../../scenarios/real-world/dlopen.yaml", "dlopen-nix-nixlibs-replaced", 15*time.Minute)
	first := rep.Start.FirstFailure()
	if first == nil || first.Name != result.StageImport || first.Class != diagnose.ClassDlopenMissing {
		t.Fatalf("starting point: want import/dlopen-library-missing, got %+v", first)
	}
	proven := rep.Proven()
	if len(proven) == 0 || proven[0].Kind != diagnose.FixAddNixLibs || !strings.Contains(proven[0].Diff, `+nixLibs = ["...", "zlib", "cairo"]`) {
		t.Fatalf("want add-nixlibs putting \"...\" and cairo back as the smallest proven fix, got %+v", proven)
	}
}

// TestSearchNoBuildPlan runs the doctor on a monorepo built from its root
// (scenarios/real-world/provider.yaml): Nixpacks finds no plan there, and the
// smallest proven fix is the service's root directory on its backend, a setting
// with no file change, which boots with the platform's start command.
func TestSearchNoBuildPlan(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	_, _, _, rep := searchOnEngine(t, "../../scenarios/real-world/provider.yaml", "no-provider-monorepo-root", 10*time.Minute)
	first := rep.Start.FirstFailure()
	if first == nil || first.Name != result.StageBuild || first.Class != diagnose.ClassNoBuildPlan {
		t.Fatalf("starting point: want build/no-build-plan, got %+v", first)
	}
	proven := rep.Proven()
	if len(proven) == 0 || proven[0].Kind != diagnose.FixSetAppRoot || proven[0].Diff != "" ||
		!slices.Equal(proven[0].Settings, []string{"root directory: monorepo/backend"}) {
		t.Fatalf("want set-app-root to backend, a setting alone, as the smallest proven fix, got %+v", proven)
	}
}

// TestSearchNodeProviderWins runs the doctor on a Python app with a package.json
// at its root (scenarios/real-world/provider.yaml): Nixpacks' Node provider wins
// and no python is installed. The smallest proven fix adds the Python provider
// beside the detected one in nixpacks.toml.
func TestSearchNodeProviderWins(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	_, _, _, rep := searchOnEngine(t, "../../scenarios/real-world/provider.yaml", "node-provider-wins", 10*time.Minute)
	first := rep.Start.FirstFailure()
	if first == nil || first.Name != result.StageImport || first.Class != diagnose.ClassCommandNotFound {
		t.Fatalf("starting point: want import/command-not-found, got %+v", first)
	}
	proven := rep.Proven()
	if len(proven) == 0 || proven[0].Kind != diagnose.FixAddPythonProvider || !strings.Contains(proven[0].Diff, `+providers = ["...", "python"]`) {
		t.Fatalf("want add-python-provider as the smallest proven fix, got %+v", proven)
	}
}

// TestSearchNoStartCommand runs the doctor on the backend with no start command
// anywhere (scenarios/real-world/provider.yaml): Nixpacks stops the build, and the
// smallest proven fix is the platform's start command the requirements suggest.
func TestSearchNoStartCommand(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	_, _, _, rep := searchOnEngine(t, "../../scenarios/real-world/provider.yaml", "no-start-command", 10*time.Minute)
	first := rep.Start.FirstFailure()
	if first == nil || first.Name != result.StageBuild || first.Class != diagnose.ClassNoStartCommand {
		t.Fatalf("starting point: want build/no-start-command, got %+v", first)
	}
	proven := rep.Proven()
	if len(proven) == 0 || proven[0].Kind != diagnose.FixStartCommand || !slices.Equal(proven[0].Settings, []string{"start command: python app.py"}) {
		t.Fatalf("want the start command python app.py as the smallest proven fix, got %+v", proven)
	}
}
