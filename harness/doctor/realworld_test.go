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

// TestSearchRealWorld runs the doctor on the engine on failing rows of
// scenarios/real-world and checks where each starts and the smallest fix it
// proves by booting. BOOTMATRIX_KIT_REPO names a kit built beside the usual one,
// as for bootmatrix doctor.
func TestSearchRealWorld(t *testing.T) {
	runnertest.RequireImages(t, runnertest.KitImages...)
	for _, tc := range []struct {
		file, variant string
		timeout       time.Duration
		stage         result.StageName
		class         string
		fix           diagnose.FixKind
		// diff and settings, when set, are in the fix's diff / are its settings.
		diff     string
		settings []string
	}{
		// psycopg2's source build without pg_config: psycopg2-binary in the requirements.
		{"scenario.yaml", "psycopg2-sdist-without-pg-config", 10 * time.Minute,
			result.StageInstall, diagnose.ClassBuildFromSource, diagnose.FixBinaryPackage, "+psycopg2-binary", nil},
		// The same sdist on Nixpacks with nixPkgs that replace the provider's: "..."
		// brings its postgresql_16.dev back, and the build compiles with Nix's gcc.
		{"sdist-nixpacks.yaml", "psycopg2-sdist-nixpkgs-without-postgresql", 15 * time.Minute,
			result.StageInstall, diagnose.ClassBuildFromSource, diagnose.FixAddNixPkgs, `+nixPkgs = ["...", "python313", "gcc", "postgresql_16.dev"]`, nil},
		// nixPkgs with postgresql_16.dev but without the provider's: pg_config runs and
		// the compiler is missing; the fix brings "..." back and adds gcc.
		{"sdist-nixpacks.yaml", "psycopg2-sdist-nixpkgs-without-gcc", 15 * time.Minute,
			result.StageInstall, diagnose.ClassBuildFromSource, diagnose.FixAddNixPkgs, `+nixPkgs = ["...", "python313", "postgresql_16.dev", "gcc"]`, nil},
		// cairocffi with nixLibs that replace the provider's: libcairo, opened by
		// name, is not on LD_LIBRARY_PATH; the fix puts "..." and cairo back.
		{"dlopen.yaml", "dlopen-nix-nixlibs-replaced", 15 * time.Minute,
			result.StageImport, diagnose.ClassDlopenMissing, diagnose.FixAddNixLibs, `+nixLibs = ["...", "zlib", "cairo"]`, nil},
		// cairocffi on python-slim without libcairo2: a Dockerfile on the same image
		// that installs it from Debian's archive.
		{"dlopen.yaml", "dlopen-without-system-library", 10 * time.Minute,
			result.StageImport, diagnose.ClassDlopenMissing, diagnose.FixAddAptPkgs, "+RUN apt-get update && apt-get install -y --no-install-recommends libcairo2 &&", nil},
		// PyQt5's Qt on python-slim, which has neither libGL nor glib: a Dockerfile that
		// installs both (the import named only libGL; ldd found glib missing too).
		{"libgl.yaml", "libgl-python-slim", 10 * time.Minute,
			result.StageImport, diagnose.ClassMissingLib, diagnose.FixAddAptPkgs, "apt-get install -y --no-install-recommends libgl1 libglib2.0-0 &&", nil},
		// The same wheel on Nixpacks: libGL and glib in nixLibs, beside the provider's.
		{"libgl.yaml", "libgl-nixpacks", 15 * time.Minute,
			result.StageImport, diagnose.ClassMissingLib, diagnose.FixAddNixLibs, `+nixLibs = ["...", "libGL", "glib"]`, nil},
		// The same wheel on Railpack: both libraries' Debian packages in
		// deploy.aptPackages, "..." first.
		{"libgl.yaml", "libgl-railpack", 15 * time.Minute,
			result.StageImport, diagnose.ClassMissingLib, diagnose.FixRailpackDeployApt, `"libglib2.0-0"`, nil},
		// An interpreter from a trixie build stage in a bookworm runtime stage: the
		// runtime stage on trixie.
		{"glibc.yaml", "glibc-newer-build-stage", 10 * time.Minute,
			result.StageImport, diagnose.ClassGlibcVersion, diagnose.FixNewerBase, "-FROM debian:bookworm-slim\n+FROM debian:trixie-slim\n", nil},
		// A monorepo built from its root: the service's root directory on its
		// backend, a setting with no file change, with the platform's start command.
		{"provider.yaml", "no-provider-monorepo-root", 10 * time.Minute,
			result.StageBuild, diagnose.ClassNoBuildPlan, diagnose.FixSetAppRoot, "", []string{"root directory: monorepo/backend"}},
		// A package.json beside the Python app: Node's provider wins; the fix adds
		// Python's beside it.
		{"provider.yaml", "node-provider-wins", 10 * time.Minute,
			result.StageImport, diagnose.ClassCommandNotFound, diagnose.FixAddPythonProvider, `+providers = ["...", "python"]`, nil},
		// The requirements in a venv the start command's python is not: the runner
		// finds the venv, and the start command runs the venv's python.
		{"scenario.yaml", "venv-not-on-path", 10 * time.Minute,
			result.StageImport, diagnose.ClassModuleNotFound, diagnose.FixStartCommand, "", []string{"start command: /opt/venv/bin/python app.py"}},
		// No start command anywhere: the one the requirements suggest, as a setting.
		{"provider.yaml", "no-start-command", 10 * time.Minute,
			result.StageBuild, diagnose.ClassNoStartCommand, diagnose.FixStartCommand, "", []string{"start command: python app.py"}},
	} {
		t.Run(tc.variant, func(t *testing.T) {
			// Only the smallest proven fix is asserted: the larger candidates need not run.
			_, _, _, rep := searchOnEngine(t, "../../scenarios/real-world/"+tc.file, tc.variant, tc.timeout, WithFirst())
			first := rep.Start.FirstFailure()
			if first == nil || first.Name != tc.stage || first.Class != tc.class {
				t.Fatalf("starting point: want %s/%s, got %+v", tc.stage, tc.class, first)
			}
			proven := rep.Proven()
			if len(proven) == 0 {
				t.Fatalf("no proven fix; want %s", tc.fix)
			}
			p := proven[0]
			if p.Kind != tc.fix || !p.Result.Boots || !strings.Contains(p.Diff, tc.diff) ||
				tc.settings != nil && (!slices.Equal(p.Settings, tc.settings) || p.Diff != "") {
				t.Fatalf("want %s as the smallest proven fix (diff with %q, settings %q), got %+v", tc.fix, tc.diff, tc.settings, proven)
			}
		})
	}
}
