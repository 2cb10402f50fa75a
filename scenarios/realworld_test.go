package scenarios_test

import (
	"os"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

// realWorldFinding is what a failing real-world row's diagnosis must say, beyond the
// scenario's own class and output: the evidence it quotes, words of its explanation,
// and the fix it offers first (with words of its summary).
type realWorldFinding struct {
	evidence []string
	explains []string
	firstFix diagnose.FixKind
	fixSays  string
	// glibc: the image's glibc the runner probed (Facts.Glibc)
	glibc string
}

var realWorldFindings = map[string]realWorldFinding{
	"dlopen-without-system-library": {
		evidence: []string{`OSError: no library called "cairo-2" was found`, "cannot load library 'libcairo.so.2': libcairo.so.2: cannot open shared object file"},
		explains: []string{"opens libcairo.so.2 by name at run time"},
		firstFix: diagnose.FixAddAptPkgs, fixSays: "apt-get install -y libcairo2",
	},
	"dlopen-nix-nixlibs-replaced": {
		evidence: []string{"cannot load library 'libcairo.so.2'"},
		explains: []string{"opens libcairo.so.2 by name at run time"},
		firstFix: diagnose.FixAddNixLibs, fixSays: "add cairo to nixLibs",
	},
	"psycopg2-sdist-without-pg-config": {
		evidence: []string{"psycopg2-2.9.10.tar.gz", "Error: pg_config executable not found."},
		explains: []string{"pg_config", "libpq-dev gcc"},
		firstFix: diagnose.FixBinaryPackage, fixSays: "psycopg2 → psycopg2-binary",
	},
	"psycopg2-sdist-without-pg-config-py313": {
		evidence: []string{"psycopg2-2.9.10.tar.gz", "Error: pg_config executable not found."},
		explains: []string{"pg_config", "libpq-dev gcc"},
		firstFix: diagnose.FixBinaryPackage, fixSays: "psycopg2 → psycopg2-binary",
	},
	"psycopg2-sdist-nixpkgs-without-postgresql": {
		evidence: []string{"psycopg2-2.9.10.tar.gz", "Error: pg_config executable not found."},
		explains: []string{"pg_config", `nixPkgs "postgresql_16.dev", "gcc" provide`},
		firstFix: diagnose.FixBinaryPackage, fixSays: "psycopg2 → psycopg2-binary",
	},
	"psycopg2-sdist-nixpkgs-without-gcc": {
		evidence: []string{"error: command 'gcc' failed: No such file or directory"},
		explains: []string{"the image lacks a C compiler", `nixPkgs "gcc" provide`},
		firstFix: diagnose.FixBinaryPackage, fixSays: "psycopg2 → psycopg2-binary",
	},
	"venv-not-on-path": {
		evidence: []string{"ModuleNotFoundError: No module named 'psycopg2'", "bootmatrix: the venv that has the module: /opt/venv"},
		explains: []string{"the virtual environment /opt/venv has it", "nothing put /opt/venv/bin first on PATH"},
		firstFix: diagnose.FixStartCommand, fixSays: "/opt/venv/bin/python",
	},
	"no-provider-monorepo-root": {
		evidence: []string{"Nixpacks was unable to generate a build plan for this app.", "backend/", "frontend/"},
		explains: []string{"no provider in the app root", "detects an app in monorepo/backend"},
		firstFix: diagnose.FixSetAppRoot, fixSays: "root directory to monorepo/backend",
	},
	"no-start-command": {
		evidence: []string{"Error: No start command could be found"},
		explains: []string{"no start command", "stopped before building"},
		firstFix: diagnose.FixStartCommand, fixSays: "Settings → Start Command",
	},
	"node-provider-wins": {
		evidence: []string{"python: command not found"},
		explains: []string{"its node provider", "nothing installed a Python"},
		firstFix: diagnose.FixAddPythonProvider, fixSays: `providers = ["...", "python"]`,
	},
	"libgl-python-slim": {
		evidence: []string{"ImportError: libGL.so.1: cannot open shared object file", "ldd: libGL.so.1 needed by libQt5Gui-"},
		explains: []string{"cannot find libGL.so.1 needed by libQt5Gui-", "Debian's libgl1 ships it", "(also missing: libglib-2.0.so.0"},
		firstFix: diagnose.FixAddAptPkgs, fixSays: "install libgl1 libglib2.0-0",
	},
	"libgl-nixpacks": {
		evidence: []string{"ImportError: libGL.so.1: cannot open shared object file", "ldd: libGL.so.1 needed by libQt5Gui-"},
		explains: []string{"nixpkgs' libGL provides it", "None of nixPkgs [python313, gcc] / nixLibs [zlib, stdenv.cc.cc.lib] provides it"},
		firstFix: diagnose.FixAddNixLibs, fixSays: `add "libGL", "glib" to nixLibs`,
	},
	"libgl-railpack": {
		evidence: []string{"ImportError: libGL.so.1: cannot open shared object file", "ldd: libGL.so.1 needed by libQt5Gui-"},
		explains: []string{"in the deploy image (railpack-runtime)", "Debian's libgl1 ships it", "libglib-2.0.so.0"},
		firstFix: diagnose.FixRailpackDeployApt, fixSays: `add "libgl1", "libglib2.0-0" to deploy.aptPackages in railpack.json`,
	},
	"glibc-newer-build-stage": {
		evidence: []string{"version `GLIBC_2.38' not found (required by python)", "bootmatrix: the image's glibc: 2.36"},
		explains: []string{"the glibc the loader found (2.36)", "built against glibc 2.38 or newer, and this image has glibc 2.36"},
		glibc:    "2.36",
	},
}

// TestRealWorldOffline runs the field's most common Python boot failures on the
// offline kit with non-Nix builders (scenarios/real-world) and asserts each row's
// outcome and class, then its evidence and first fix. BOOTMATRIX_KIT_REPO names a kit
// built beside the usual one, as for bootmatrix run.
func TestRealWorldOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("container test: runs scenarios/real-world on the engine")
	}
	subs := recipe.Offline().WithKitRepo(os.Getenv("BOOTMATRIX_KIT_REPO"))
	seen, ran := map[string]bool{}, 0
	files := []string{"real-world/scenario.yaml", "real-world/dlopen.yaml", "real-world/glibc.yaml", "real-world/provider.yaml", "real-world/sdist-nixpacks.yaml", "real-world/libgl.yaml"}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			run := runnertest.RunScenario(t, file, subs)
			ran++
			assertAll(t, run)
			for _, v := range run.Variants {
				seen[v.Name] = true
				want, ok := realWorldFindings[v.Name]
				if !ok {
					continue
				}
				f := v.FirstFailure()
				if f == nil {
					t.Errorf("%s: did not fail", v.Name)
					continue
				}
				ev := strings.Join(f.Evidence, "\n")
				for _, e := range want.evidence {
					if !strings.Contains(ev, e) {
						t.Errorf("%s: evidence lacks %q:\n%s", v.Name, e, ev)
					}
				}
				for _, e := range want.explains {
					if !strings.Contains(f.Explanation, e) {
						t.Errorf("%s: explanation lacks %q: %s", v.Name, e, f.Explanation)
					}
				}
				if want.firstFix != "" && (len(v.Fixes) == 0 || v.Fixes[0].ID != string(want.firstFix) || !strings.Contains(v.Fixes[0].Summary, want.fixSays)) {
					t.Errorf("%s: fixes %+v, want %s first, saying %q", v.Name, v.Fixes, want.firstFix, want.fixSays)
				}
				if want.glibc != "" && f.Facts.Glibc != want.glibc {
					t.Errorf("%s: probed glibc %q, want %q", v.Name, f.Facts.Glibc, want.glibc)
				}
			}
		})
	}
	for name := range realWorldFindings {
		if ran == len(files) && !seen[name] {
			t.Errorf("no variant %s ran", name)
		}
	}
}
