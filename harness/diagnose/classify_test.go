package diagnose_test

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	"github.com/bootmatrix/bootmatrix/harness/builder/dockerfile"
	nixpacksbuilder "github.com/bootmatrix/bootmatrix/harness/builder/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/builder/pythonslim"
	. "github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func readTestdata(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatalf("testdata %s: %v", name, err)
	}
	return string(b)
}

var (
	nixCtx  = Context{Builder: nixpacksbuilder.Name, Shell: scenario.ShellLogin, Python: "3.11", Facts: nixpacksbuilder.Facts{NixPkgs: []string{"python311", "gcc"}}}
	slimCtx = Context{Builder: pythonslim.Name, Shell: scenario.ShellPlain, Python: "3.13", Facts: debian.Facts{}}
)

const storeLibstdcxx = "/nix/store/g7c14408vy7r5p2gp2xfriwny99h0d64-gcc-14.2.0-lib/lib/libstdc++.so.6"

func TestClassifyCapturedOutputs(t *testing.T) {
	t.Parallel()
	nixMissing := []result.MissingLib{{
		Library:  "libstdc++.so.6",
		NeededBy: []string{"/opt/venv/lib/python3.11/site-packages/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so"},
		FoundAt:  []string{storeLibstdcxx},
	}}
	tests := []struct {
		file    string
		input   string // used instead of file when set
		stage   result.StageName
		exit    int
		missing []result.MissingLib
		ctx     Context
		// facts are what the runner observed; seconds is the stage's duration
		facts   result.Facts
		seconds float64
		class   string
		// evidence lines that must be quoted exactly
		evidence []string
		// substrings the explanation must contain
		explains []string
		// substrings it must not contain: claims the input does not support
		notExplains []string
		firstFix    FixKind
		fixes       []FixKind
		// notFixes must not be offered: advice that cannot help here
		notFixes []FixKind
		// fixSays: the first suggestion's wording names the cause
		fixSays  string
		provider string
	}{
		{file: "seed-pep668.txt", stage: result.StageInstall, exit: 1, ctx: nixCtx, class: ClassPEP668,
			evidence: []string{"error: externally-managed-environment", "`/nix/store` filesystem."},
			explains: []string{"Nix", "venv"}, firstFix: FixUseVenvInstall, fixes: []FixKind{FixNixPythonPackage, FixBreakSystemPackages}},
		{file: "pep668-nix-pip23.txt", stage: result.StageInstall, exit: 1, class: ClassPEP668,
			evidence: []string{"error: externally-managed-environment", "× This environment is externally managed", "╰─> This command has been disabled as it tries to modify the immutable"},
			explains: []string{"/nix/store"}, firstFix: FixUseVenvInstall},
		{file: "pep668-nix-pip25.txt", stage: result.StageBuild, exit: 1, ctx: Context{}, class: ClassPEP668,
			explains: []string{"Nix"}, firstFix: FixUseVenvInstall},
		{file: "pep668-debian-pip23.txt", stage: result.StageInstall, exit: 1, ctx: Context{Builder: dockerfile.Name, Facts: debian.Facts{OfferSlim: true}}, class: ClassPEP668,
			evidence: []string{"╰─> To install Python packages system-wide, try apt install"},
			explains: []string{"Debian"}, firstFix: FixUseVenvInstall, fixes: []FixKind{FixBuilderPythonSlim}},
		{file: "pep668-debian-pip23.txt", stage: result.StageInstall, exit: 1, ctx: nixCtx, class: ClassPEP668,
			explains: []string{"Debian"}, notExplains: []string{"Nix"}},
		{file: "seed-libstdcxx-gunicorn.txt", stage: result.StageBoot, exit: 3, missing: nixMissing, ctx: nixCtx, class: ClassMissingLib,
			evidence: []string{"Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory", "[ERROR] Worker (pid:4) exited with code 3"},
			explains: []string{"gunicorn's worker failed to boot because", "libstdc++.so.6", storeLibstdcxx, "stdenv.cc.cc.lib", "gcc is the compiler wrapper"},
			firstFix: FixAddNixLibs, fixes: []FixKind{FixNixPythonPackage, FixBuilderPythonSlim}, provider: "stdenv.cc.cc.lib"},
		{file: "seed-libstdcxx-numpy240.txt", stage: result.StageImport, exit: 1, missing: nixMissing,
			ctx:   Context{Builder: nixpacksbuilder.Name, Shell: scenario.ShellLogin, Facts: nixpacksbuilder.Facts{NixPkgs: []string{"python311", "stdenv.cc.cc.lib"}}},
			class: ClassMissingLib, evidence: []string{"Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory", `* The NumPy version is: "2.4.0"`},
			explains: []string{"stdenv.cc.cc.lib is in nixPkgs", "never searches the profile"}, firstFix: FixMoveNixPkgToNixLibs},
		{file: "seed-libstdcxx-numpy240.txt", stage: result.StageImport, exit: 1,
			missing: []result.MissingLib{{Library: "libstdc++.so.6", FoundAt: []string{"/root/.nix-profile/lib/libstdc++.so.6", storeLibstdcxx}}},
			ctx:     Context{Builder: nixpacksbuilder.Name, Shell: scenario.ShellLogin, Facts: nixpacksbuilder.Facts{NixPkgs: []string{"stdenv.cc.cc.lib"}}},
			class:   ClassMissingLib, provider: "stdenv.cc.cc.lib",
			explains: []string{"a copy exists at " + storeLibstdcxx + " (stdenv.cc.cc.lib), linked into the profile at /root/.nix-profile/lib/libstdc++.so.6"}},
		{file: "seed-libstdcxx-numpy240.txt", stage: result.StageImport, exit: 1, missing: nixMissing,
			ctx:   Context{Builder: nixpacksbuilder.Name, Shell: scenario.ShellPlain, Facts: nixpacksbuilder.Facts{NixLibs: []string{"stdenv.cc.cc.lib"}}},
			class: ClassMissingLib, explains: []string{"in nixLibs", "only a login shell reads it"}, firstFix: FixLoginShell, fixes: []FixKind{FixLDLibraryPath}},
		{file: "seed-libstdcxx-numpy240.txt", stage: result.StageImport, exit: 1, missing: []result.MissingLib{{Library: "libstdc++.so.6"}},
			ctx:      Context{Builder: nixpacksbuilder.Name, Facts: nixpacksbuilder.Facts{NixPkgs: []string{"python311", "glibc", "zlib"}}},
			class:    ClassMissingLib,
			explains: []string{"no file of that name is in the image", "stdenv.cc.cc.lib provides it", "None of nixPkgs [python311, glibc, zlib]"},
			firstFix: FixAddNixLibs, provider: "stdenv.cc.cc.lib"},
		{file: "seed-libstdcxx-numpy240.txt", stage: result.StageImport, exit: 1, ctx: Context{Builder: nixpacksbuilder.Name, Facts: nixpacksbuilder.Facts{}},
			class: ClassMissingLib, explains: []string{"stdenv.cc.cc.lib provides it"}, notExplains: []string{"no file of that name"}, firstFix: FixAddNixLibs},
		{file: "numpy-libstdcxx-import.txt", stage: result.StageImport, exit: 1, ctx: slimCtx, class: ClassMissingLib,
			evidence: []string{"ImportError: libstdc++.so.6: cannot open shared object file: No such file or directory",
				"Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory", `* The NumPy version is: "2.2.4"`},
			explains: []string{"libstdc++6"}, firstFix: FixAddAptPkgs, provider: "libstdc++6"},
		{file: "numpy1-libstdcxx-import-py311.txt", stage: result.StageImport, exit: 1, ctx: Context{Builder: dockerfile.Name, Facts: debian.Facts{OfferSlim: true}}, class: ClassMissingLib,
			evidence: []string{`* The NumPy version is: "1.24.2"`}, firstFix: FixAddAptPkgs, provider: "libstdc++6"},
		{file: "gunicorn23-worker-boot-missing-lib.txt", stage: result.StageBoot, exit: 3, ctx: slimCtx, class: ClassMissingLib,
			evidence: []string{"[2026-11-28 22:14:22 +0000] [11] [ERROR] Worker (pid:12) exited with code 3", "[2026-11-28 22:14:22 +0000] [11] [ERROR] Reason: Worker failed to boot."},
			explains: []string{"gunicorn's worker failed to boot because"}, firstFix: FixAddAptPkgs},
		{file: "gunicorn23-worker-boot-no-module.txt", stage: result.StageBoot, exit: 3, ctx: slimCtx, class: ClassWorkerBoot,
			evidence: []string{"[2026-11-28 22:14:24 +0000] [11] [ERROR] Worker (pid:12) exited with code 3", "ModuleNotFoundError: No module named 'numpy'"},
			explains: []string{"exit code 3", "No module named 'numpy'"}, firstFix: FixAddRequirement},
		{file: "ldd-libstdcxx-not-found.txt", stage: result.StageLdd, exit: 1, ctx: slimCtx, class: ClassMissingLib,
			evidence: []string{"libstdc++.so.6 => not found"}, explains: []string{"libstdc++6"}, firstFix: FixAddAptPkgs, provider: "libstdc++6"},
		{file: "ldd-libstdcxx-not-found.txt", stage: result.StageLdd, exit: 1, missing: nixMissing, ctx: Context{Builder: nixpacksbuilder.Name, Facts: nixpacksbuilder.Facts{}}, class: ClassMissingLib,
			evidence: []string{"libstdc++.so.6 => not found", "ldd: libstdc++.so.6 needed by _multiarray_umath.cpython-311-x86_64-linux-gnu.so; found in the image at " + storeLibstdcxx},
			explains: []string{"only RUNPATHs and LD_LIBRARY_PATH"}, firstFix: FixAddNixLibs, provider: "stdenv.cc.cc.lib"},
		{file: "pip-no-matching-offline-py311.txt", stage: result.StageInstall, exit: 1, ctx: Context{Python: "3.11"}, class: ClassNoDistribution,
			evidence: []string{"ERROR: Could not find a version that satisfies the requirement numpy==1.26.4 (from versions: 1.24.2)", "ERROR: No matching distribution found for numpy==1.26.4"},
			explains: []string{"numpy==1.26.4 is not among the versions offered for Python 3.11", "(1.24.2)"}, firstFix: FixPinRequirement},
		{file: "pip-no-matching-offline-py313.txt", stage: result.StageInstall, exit: 1, class: ClassNoDistribution,
			explains: []string{"(2.2.4)"}, firstFix: FixPinRequirement},
		{file: "pip-versions-none-offline.txt", stage: result.StageInstall, exit: 1, class: ClassNoDistribution,
			explains: []string{"fastapi==0.115.0", "from versions: none"}},
		{file: "pip-network-unreachable-pip23.txt", stage: result.StageInstall, exit: 1, class: ClassIndexUnreachable,
			evidence: []string{"ERROR: Could not find a version that satisfies the requirement numpy==1.26.4 (from versions: none)"},
			explains: []string{"pip could not reach", "from versions: none"}, firstFix: FixProvideIndex},
		{file: "pip-network-unreachable-pip25.txt", stage: result.StageBuild, exit: 1, class: ClassIndexUnreachable, firstFix: FixProvideIndex},
		{file: "apt-offline-unable-to-locate.txt", stage: result.StageBuild, exit: 100, class: ClassIndexUnreachable,
			evidence: []string{"Temporary failure resolving 'deb.debian.org'", "E: Unable to locate package libgomp1"}, explains: []string{"apt could not reach"}},
		{file: "apt-unknown-package.txt", stage: result.StageBuild, exit: 100, class: ClassAptPackageUnknown,
			evidence: []string{"E: Unable to locate package libstdcxx6"}, explains: []string{`"libstdcxx6"`}, firstFix: FixAptPackageName},
		{file: "nix-attribute-unknown-nixenv.txt", stage: result.StageBuild, exit: 1, class: ClassNixAttribute,
			evidence: []string{"error: attribute 'libstdcxx5' in selection path 'nixpkgs.libstdcxx5' not found"}, explains: []string{`"libstdcxx5"`}, firstFix: FixNixAttributeName},
		{file: "railpack-mise-python-unknown.txt", stage: result.StageBuild, exit: 1, class: ClassPythonUnavailable,
			evidence: []string{"mise ERROR failed to resolve version 3.10.99 of python (bootmatrix-stand-in-versions: 3.11.2 3.13.5)"},
			explains: []string{"Python 3.10.99", "No CPython release"}, fixes: []FixKind{FixPythonVersion}},
		{file: "railpack-mise-python-kit.txt", stage: result.StageBuild, exit: 1, class: ClassPythonUnavailable,
			explains: []string{"Python 3.12", "the kit's, not Railpack's"}, fixes: []FixKind{FixPythonVersion, FixRunOnline}},
		{file: "nixpacks-undefined-variable.txt", stage: result.StageBuild, exit: 1, class: ClassNixAttribute, explains: []string{`"libstdcxx5"`}},
		// Real Nix on the kit's stand-in, through Nixpacks' generated expression: the
		// evidence and the explanation name the nix file's line.
		{file: "nix-undefined-variable-pip.txt", stage: result.StageBuild, exit: 1, class: ClassNixAttribute,
			evidence: []string{"error: undefined variable 'pip'", "at /app/.nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix:19:13:"},
			explains: []string{`"pip"`, "/app/.nixpacks/nixpkgs-bc8f8d1be58e8c8383e683a06e1e1e57893fff87.nix:19:13"}, firstFix: FixNixAttributeName, fixSays: "pythonXYPackages.pip"},
		{file: "nix-undefined-variable-python313-legacy.txt", stage: result.StageBuild, exit: 1, class: ClassNixAttribute,
			explains: []string{`"python313"`, "archive 5148520bfab61f99fd25fb9ff7bfbb50dad3c9db"}, fixSays: "nixpkgs 5148520bfab61f99fd25fb9ff7bfbb50dad3c9db has no python313"},
		{file: "glibcxx-version-import.txt", stage: result.StageImport, exit: 1, ctx: nixCtx, class: ClassGlibcVersion,
			explains: []string{"GLIBCXX_3.4.32", "libstdc++", "aggregations.cpython-311-x86_64-linux-gnu.so"}, firstFix: FixPinRequirement},
		{file: "glibc-version-ldd.txt", stage: result.StageLdd, exit: 1, ctx: slimCtx, class: ClassGlibcVersion,
			explains: []string{`"GLIBC_2.38"`, "glibc"}, fixes: []FixKind{FixNewerBase}},
		{file: "glibc-version-dlopen.txt", stage: result.StageImport, exit: 1, class: ClassGlibcVersion,
			evidence: []string{"OSError: /lib/x86_64-linux-gnu/libm.so.6: version `GLIBC_2.38' not found (required by /tmp/numpy/_core/_multiarray_umath.cpython-313-x86_64-linux-gnu.so)"}},
		{file: "numpy-abi-1x-on-2x.txt", stage: result.StageImport, exit: 1, class: ClassNumpyABI,
			evidence: []string{"A module that was compiled using NumPy 1.x cannot be run in"}, explains: []string{"numpy"}, firstFix: FixPinRequirement},
		{file: "build-no-gcc-pip23.txt", stage: result.StageInstall, exit: 1, ctx: slimCtx, class: ClassBuildFromSource,
			evidence: []string{"error: command 'x86_64-linux-gnu-gcc' failed: No such file or directory", "ERROR: Failed building wheel for fastsum"},
			explains: []string{"fastsum", "a C compiler"}, firstFix: FixPinRequirement, fixes: []FixKind{FixAddAptPkgs}},
		{file: "build-python-h-missing.txt", stage: result.StageInstall, exit: 1, class: ClassBuildFromSource,
			evidence: []string{"netifaces.c:1:10: fatal error: Python.h: No such file or directory"}, explains: []string{"Python.h"}},
		{file: "build-pg-config-missing.txt", stage: result.StageInstall, exit: 1, ctx: nixCtx, class: ClassBuildFromSource,
			evidence: []string{"Error: pg_config executable not found."}, explains: []string{"pg_config"}, fixes: []FixKind{FixAddNixPkgs}},
		// opencv-python leaves libGL and glib (auditwheel's allow-list) to the system
		{file: "opencv-libgl-import.txt", stage: result.StageImport, exit: 1, ctx: slimCtx, class: ClassMissingLib,
			evidence: []string{"ImportError: libGL.so.1: cannot open shared object file: No such file or directory"},
			explains: []string{"libGL.so.1"}, firstFix: FixAddAptPkgs, fixSays: "libgl1", provider: "libgl1"},
		{file: "opencv-libgl-import.txt", stage: result.StageImport, exit: 1, ctx: nixCtx, class: ClassMissingLib,
			explains: []string{"libGL.so.1"}, firstFix: FixAddNixLibs, provider: "libGL"},
		{file: "opencv-libgthread-import.txt", stage: result.StageBoot, exit: 1, ctx: slimCtx, facts: result.Facts{Exited: true, AfterSeconds: 0.4}, class: ClassMissingLib,
			explains: []string{"libgthread-2.0.so.0"}, firstFix: FixAddAptPkgs, fixSays: "libglib2.0-0", provider: "libglib2.0-0"},
		// cffi's dlopen by name: the library is named by its soname, its package by the builder
		{file: "dlopen-cairocffi-import-py313.txt", stage: result.StageImport, exit: 1, ctx: slimCtx, class: ClassDlopenMissing,
			evidence: []string{"cannot load library 'libcairo.so.2': libcairo.so.2: cannot open shared object file: No such file or directory.  Additionally, ctypes.util.find_library() did not manage to locate a library called 'libcairo.so.2'",
				`OSError: no library called "cairo-2" was found`},
			explains: []string{"libcairo.so.2", "by name at run time", "neither ldd nor pip"}, notExplains: []string{".dylib", ".dll"},
			firstFix: FixAddAptPkgs, fixSays: "apt-get install -y libcairo2", provider: "libcairo2", notFixes: []FixKind{FixAddNixLibs}},
		{file: "dlopen-cairocffi-import-py311.txt", stage: result.StageImport, exit: 1, ctx: nixCtx, class: ClassDlopenMissing,
			explains: []string{"libcairo.so.2"}, firstFix: FixAddNixLibs, fixSays: "add cairo to nixLibs", provider: "cairo", notFixes: []FixKind{FixAddAptPkgs}},
		// WeasyPrint's and cairocffi's short names become the soname the loader wanted
		{file: "dlopen-short-name", stage: result.StageBoot, exit: 3, ctx: slimCtx, class: ClassDlopenMissing,
			input:    "OSError: cannot load library 'gobject-2.0-0': gobject-2.0-0: cannot open shared object file: No such file or directory.  Additionally, ctypes.util.find_library() did not manage to locate a library called 'gobject-2.0-0'\n",
			explains: []string{"libgobject-2.0.so.0"}, firstFix: FixAddAptPkgs},
		// psycopg2's sdist from the wheelhouse, built without pg_config: the tool and what provides it
		{file: "build-psycopg2-sdist-pg-config-py311.txt", stage: result.StageInstall, exit: 1, ctx: slimCtx, class: ClassBuildFromSource,
			evidence: []string{"Processing /wh/psycopg2-2.9.10.tar.gz", "Error: pg_config executable not found."},
			explains: []string{"pg_config", "libpq-dev gcc", "psycopg2-2.9.10.tar.gz"}, firstFix: FixBinaryPackage, fixSays: "psycopg2 → psycopg2-binary",
			fixes: []FixKind{FixAddAptPkgs, FixPinRequirement}, notFixes: []FixKind{FixAddNixPkgs}},
		{file: "build-psycopg2-sdist-pg-config-py311.txt", stage: result.StageInstall, exit: 1, ctx: nixCtx, class: ClassBuildFromSource,
			explains: []string{"pg_config", `nixPkgs "postgresql_16.dev", "gcc"`}, firstFix: FixBinaryPackage, fixes: []FixKind{FixAddNixPkgs}, notFixes: []FixKind{FixAddAptPkgs}},
		// offline, "from versions" is the kit's wheelhouse: say what it has and how to go online
		{file: "build-psycopg2-sdist-pg-config-py313.txt", stage: result.StageInstall, exit: 1, ctx: nixCtx, class: ClassBuildFromSource,
			evidence: []string{"Processing /wh/psycopg2-2.9.10.tar.gz (from -r requirements.txt (line 1))", "Error: pg_config executable not found."},
			explains: []string{"psycopg2-2.9.10.tar.gz", "pg_config", "postgresql_16.dev"}, firstFix: FixBinaryPackage, fixes: []FixKind{FixAddNixPkgs}},
		// gcc's driver without its compiler proper is a compiler problem, not a missing header
		{file: "build-gcc-no-cc1-nixpacks.txt", stage: result.StageInstall, exit: 1, ctx: nixCtx, class: ClassBuildFromSource,
			evidence: []string{"gcc: fatal error: cannot execute ‘cc1’: posix_spawnp: No such file or directory", "ERROR: Failed building wheel for psycopg2"},
			explains: []string{"for psycopg2", "psycopg2-2.9.10.tar.gz", "gcc cannot run cc1"}, notExplains: []string{"the header"}, fixes: []FixKind{FixAddNixPkgs}},
		// no compiler at all: a C compiler and its Nix attribute, and psycopg2's binary twin first
		{file: "build-psycopg2-sdist-no-gcc-nixpacks-py313.txt", stage: result.StageInstall, exit: 1, ctx: nixCtx, class: ClassBuildFromSource,
			evidence: []string{"error: command 'gcc' failed: No such file or directory"},
			explains: []string{"for psycopg2", "the image lacks a C compiler", `nixPkgs "gcc"`}, notExplains: []string{"pg_config"},
			firstFix: FixBinaryPackage, fixSays: "psycopg2 → psycopg2-binary", fixes: []FixKind{FixAddNixPkgs}},
		// the compiler ran and a header was missing: the header, not "a C compiler"
		{file: "build-header-missing", stage: result.StageInstall, exit: 1, ctx: nixCtx, class: ClassBuildFromSource,
			input: "Processing /opt/bootmatrix/wheelhouse/psycopg2-2.9.10.tar.gz\n" +
				"      /nix/store/wck5nymkmqalrncq6sdicdbmpa655470-glibc-2.41-dev/include/linux/errno.h:1:10: fatal error: asm/errno.h: No such file or directory\n" +
				"      error: command '/root/.nix-profile/bin/gcc' failed with exit code 1\n",
			explains: []string{"the image lacks the header asm/errno.h."}, notExplains: []string{"a C compiler"}, firstFix: FixBinaryPackage},
		{file: "pip-openai-offline-py313.txt", stage: result.StageInstall, exit: 1, ctx: Context{Mode: result.ModeOffline, Python: "3.13"}, class: ClassNoDistribution,
			evidence: []string{"ERROR: Could not find a version that satisfies the requirement openai (from versions: none)"},
			explains: []string{"kit's wheelhouse, which has no distribution of openai for Python 3.13", "--online"}, firstFix: FixRunOnline, fixSays: "bootmatrix run --online"},
		{file: "pip-httptools-offline-py313.txt", stage: result.StageInstall, exit: 1, ctx: Context{Mode: result.ModeOffline, Python: "3.13"}, class: ClassNoDistribution,
			explains: []string{"wheelhouse, which has httptools 0.1.1 for Python 3.13", "--online"}, firstFix: FixPinRequirement, fixes: []FixKind{FixRunOnline}},
		{file: "pip-httptools-offline-py313.txt", stage: result.StageInstall, exit: 1, ctx: Context{Python: "3.13"}, class: ClassNoDistribution,
			notExplains: []string{"wheelhouse"}, notFixes: []FixKind{FixRunOnline}},
		// the glibc the runner probed and the one the module wants, both named
		{file: "glibc-version-dlopen.txt", stage: result.StageImport, exit: 1, ctx: slimCtx, facts: result.Facts{Glibc: "2.36"}, class: ClassGlibcVersion,
			evidence: []string{"bootmatrix: the image's glibc: 2.36"},
			explains: []string{"the glibc the loader found (2.36)", "built against glibc 2.38 or newer, and this image has glibc 2.36"}},
		{file: "glibc-nix-store-path", stage: result.StageBuild, exit: 100, ctx: nixCtx, class: ClassGlibcVersion,
			input:    "/usr/bin/apt-get: /nix/store/c10zhkbp6jmyh0xc5kd123ga8yy2p4hk-glibc-2.35-224/lib/libc.so.6: version `GLIBC_2.38' not found (required by /usr/lib/x86_64-linux-gnu/libapt-pkg.so.6.0)\n",
			explains: []string{"/usr/bin/apt-get is a program of the base image", "the Nix store's glibc 2.35", "LD_LIBRARY_PATH", "glibc 2.38 or newer", "through libapt-pkg.so.6.0"},
			firstFix: FixHostWithoutNixLibs, fixSays: "sudo apt-get", fixes: []FixKind{FixDropGlibcFromNixLibs}, notFixes: []FixKind{FixPinRequirement}},
		// the other form: the store's libc is newer than the base image's loader
		{file: "glibc-private-host-apt-get.txt", stage: result.StageBuild, exit: 127, ctx: nixCtx, class: ClassGlibcVersion,
			evidence: []string{"apt-get: symbol lookup error: /nix/store/6jji95f4wnarqszc4bz93a053xhhyqab-glibc-2.41/lib/libc.so.6: undefined symbol: __tunable_is_initialized, version GLIBC_PRIVATE"},
			explains: []string{"apt-get is a program of the base image", "the Nix store's glibc 2.41", "base image's own loader", "__tunable_is_initialized (GLIBC_PRIVATE)"},
			firstFix: FixHostWithoutNixLibs, fixSays: "sudo apt-get", fixes: []FixKind{FixDropGlibcFromNixLibs}, notFixes: []FixKind{FixPinRequirement}},
		// a wheel's module loaded by the store's python is not a host program
		{file: "glibc-store-program", stage: result.StageImport, exit: 1, ctx: nixCtx, class: ClassGlibcVersion,
			input:    "ImportError: /nix/store/c10zhkbp6jmyh0xc5kd123ga8yy2p4hk-glibc-2.35-224/lib/libm.so.6: version `GLIBC_2.38' not found (required by /app/.venv/lib/python3.11/site-packages/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so)\n",
			explains: []string{"the glibc the loader found (2.35)"}, firstFix: FixPinRequirement, notFixes: []FixKind{FixHostWithoutNixLibs}},
		{file: "oom-python.txt", stage: result.StageImport, exit: 137, facts: result.Facts{OOMKilled: true, MemoryLimit: 64 << 20}, class: ClassOOMKilled,
			evidence: []string{"bootmatrix: oom-killed: memory limit 64MiB"}, explains: []string{"engine reports"}, firstFix: FixRaiseMemory},
		{file: "oom-python.txt", stage: result.StageBoot, exit: 137, facts: result.Facts{OOMKilled: true, Exited: true, AfterSeconds: 0.4}, class: ClassOOMKilled,
			evidence: []string{"bootmatrix: oom-killed: the engine reported OOMKilled"}},
		{file: "oom-python.txt", stage: result.StageImport, exit: 137, class: ClassOOMKilled, explains: []string{"did not confirm"}},
		{file: "oom-build-legacy-builder.txt", stage: result.StageBuild, exit: 1, class: ClassOOMKilled,
			evidence: []string{"Killed", "The command '/bin/sh -c pip install -r requirements.txt' returned a non-zero code: 137"}},
		{file: "oom-python.txt", stage: result.StageBoot, exit: 137, class: ClassUnclassified},
		{file: "gunicorn23-loopback.txt", stage: result.StageBoot, exit: -1, class: ClassPortNotBound,
			facts:    result.Facts{Port: 8080, Listeners: []result.Listener{{Addr: "127.0.0.1:8080", Port: 8080, Loopback: true}}, Health: &result.HTTPAnswer{Method: "GET", Path: "/", Error: "connection refused"}},
			evidence: []string{"bootmatrix: listening on loopback only: 127.0.0.1:8080 (want 0.0.0.0:8080)"}, firstFix: FixBindAllInterfaces},
		{file: "gunicorn23-default-bind.txt", stage: result.StageBoot, exit: -1, class: ClassPortNotBound,
			facts: result.Facts{Port: 8080, Listeners: []result.Listener{}, Health: &result.HTTPAnswer{Method: "GET", Path: "/", Error: "connection refused"}}, seconds: 30,
			evidence: []string{"bootmatrix: no listener: port 8080 after 30s: connection refused", "[2026-11-28 22:16:22 +0000] [11] [INFO] Listening at: http://127.0.0.1:8000 (11)"},
			explains: []string{"port 8080", "127.0.0.1:8000, loopback only", "port 8000, not 8080"}, firstFix: FixBindAllInterfaces, fixes: []FixKind{FixUsePortEnv}},
		{file: "gunicorn23-wrong-port", stage: result.StageBoot, exit: -1, class: ClassPortNotBound,
			input:    strings.ReplaceAll(readTestdata(t, "gunicorn23-worker-boot-no-module.txt")[:250], "0.0.0.0:8080", "0.0.0.0:5000") + "\n",
			facts:    result.Facts{Port: 8080, Listeners: []result.Listener{}, Health: &result.HTTPAnswer{Path: "/", Error: "connection refused"}},
			explains: []string{"port 5000, not 8080"}, notExplains: []string{"loopback"}, firstFix: FixUsePortEnv},
		{file: "gunicorn23-default-bind.txt", stage: result.StageBoot, exit: -1, class: ClassPortNotBound,
			facts:    result.Facts{Port: 8080, Listeners: []result.Listener{{Addr: "127.0.0.1:8000", Port: 8000, Loopback: true}}, Health: &result.HTTPAnswer{Path: "/", Error: "connection refused"}},
			evidence: []string{"bootmatrix: listening on another port: 127.0.0.1:8000 (want 8080)"}, firstFix: FixUsePortEnv},
		{file: "gunicorn23-loopback.txt", stage: result.StageBoot, exit: -1, class: ClassTimeout,
			facts:    result.Facts{Port: 8080, Listeners: []result.Listener{{Addr: "0.0.0.0:8080", Port: 8080}}, Health: &result.HTTPAnswer{Method: "GET", Path: "/health", Error: "context deadline exceeded"}},
			evidence: []string{"listening on 0.0.0.0:8080, but GET /health: context deadline exceeded"}, firstFix: FixRaiseTimeout},
		{file: "gunicorn23-loopback.txt", stage: result.StageBoot, exit: 0, class: ClassUnclassified},
		// healthy at first, then no answer (after settling, or from the config endpoint):
		// the listener probe did not run, so nothing says where the app listens
		{file: "gunicorn23-loopback.txt", stage: result.StageBoot, exit: -1, class: ClassUnclassified,
			facts: result.Facts{Port: 8080, Health: &result.HTTPAnswer{Method: "GET", Path: "/config", Error: "connection reset by peer"}}},
		{file: "crash-after-start.txt", stage: result.StageBoot, exit: 1, class: ClassCrashedAfterStart,
			facts:    result.Facts{Exited: true, AfterSeconds: 1.2, Port: 8080, Health: &result.HTTPAnswer{Path: "/", Error: "connection refused"}},
			evidence: []string{"bootmatrix: app exited: code 1 after 1.2s", "RuntimeError: DATABASE_URL is not set"},
			explains: []string{"DATABASE_URL"}, firstFix: FixSetEnv, fixSays: "DATABASE_URL", fixes: []FixKind{FixStartCommand}},
		// the cause the log names decides the fix, not "fix the start command" whatever it is
		{file: "crash-missing-setting.txt", stage: result.StageBoot, exit: 1, class: ClassCrashedAfterStart,
			facts:    result.Facts{Exited: true, AfterSeconds: 0.3, Port: 8080, Health: &result.HTTPAnswer{Path: "/health", Error: "connection refused"}},
			evidence: []string{"KeyError: 'DATABASE_URL'"}, explains: []string{"DATABASE_URL"}, firstFix: FixSetEnv, fixSays: `"DATABASE_URL"`},
		{file: "crash-import-error.txt", stage: result.StageBoot, exit: 1, class: ClassCrashedAfterStart,
			facts:    result.Facts{Exited: true, AfterSeconds: 0.3, Port: 8080, Health: &result.HTTPAnswer{Path: "/health", Error: "connection refused"}},
			evidence: []string{"ImportError: cannot import name 'encoder_settings' from 'json' (/usr/lib/python3.11/json/__init__.py)"},
			explains: []string{"encoder_settings"}, firstFix: FixPinRequirement, fixSays: `"json"`, notFixes: []FixKind{FixSetEnv}},
		{file: "crash-loop-shell.txt", stage: result.StageBoot, exit: -1, class: ClassCrashLoop,
			facts: result.Facts{Port: 8080, Listeners: []result.Listener{}, Health: &result.HTTPAnswer{Path: "/health", Error: "connection reset by peer"},
				CrashLoop: &result.CrashLoop{Command: "python app.py worker-crash", PIDs: []int{54, 62, 79}, Seconds: 5.9}},
			evidence: []string{`bootmatrix: crash loop: "python app.py worker-crash" ended 3 times (pids 54, 62, 79) in 5.9s`, "RuntimeError: cannot reach the cache at redis://cache:6379"},
			explains: []string{`"python app.py worker-crash" kept ending`, "cannot reach the cache"}, notExplains: []string{"exited on its own"}, firstFix: FixStartCommand},
		// the missing setting the dying worker names is the fix, as for a single crash
		{file: "crash-loop-setting", stage: result.StageBoot, exit: -1, class: ClassCrashLoop,
			input: strings.Repeat(readTestdata(t, "crash-missing-setting.txt"), 3),
			facts: result.Facts{Port: 8080, Listeners: []result.Listener{}, Health: &result.HTTPAnswer{Path: "/health", Error: "connection refused"},
				CrashLoop: &result.CrashLoop{Command: "python app.py", PIDs: []int{20, 31, 40}, Seconds: 4}},
			firstFix: FixSetEnv, fixSays: `"DATABASE_URL"`},
		{file: "shell-syntax-unterminated-dash.txt", stage: result.StageBoot, exit: 2, class: ClassShellSyntax,
			facts:    result.Facts{Exited: true, AfterSeconds: 0.1, Port: 8080, Health: &result.HTTPAnswer{Path: "/health", Error: "connection refused"}},
			evidence: []string{"sh: 1: Syntax error: Unterminated quoted string"}, explains: []string{"start command", "quote"},
			firstFix: FixShellSyntax, fixSays: "start command", notFixes: []FixKind{FixStartCommand}},
		{file: "shell-syntax-unterminated-bash.txt", stage: result.StageBoot, exit: 2, class: ClassShellSyntax,
			facts:    result.Facts{Exited: true, AfterSeconds: 0.1, Port: 8080, Health: &result.HTTPAnswer{Path: "/health", Error: "connection refused"}},
			evidence: []string{"bash: -c: line 1: unexpected EOF while looking for matching `\"'"}, firstFix: FixShellSyntax},
		{file: "shell-syntax-unterminated-dash.txt", stage: result.StageBuild, exit: 2, class: ClassShellSyntax,
			explains: []string{"build or install command"}, firstFix: FixShellSyntax, fixSays: "installCmds"},
		// Python's own SyntaxError is the app's code, not the shell's
		{file: "python-syntax-error", stage: result.StageBoot, exit: 1, class: ClassCrashedAfterStart,
			input:    "  File \"/app/app.py\", line 3\n    def f(:\n          ^\nSyntaxError: invalid syntax\n",
			facts:    result.Facts{Exited: true, AfterSeconds: 0.1},
			notFixes: []FixKind{FixShellSyntax}},
		{file: "pip-include-loop-pip23.txt", stage: result.StageInstall, exit: 2, class: ClassRequirementsFile,
			evidence: []string{"RecursionError: maximum recursion depth exceeded"}, explains: []string{"-r", "includes itself"},
			firstFix: FixRequirementsFile, notFixes: []FixKind{FixRaiseMemory}},
		{file: "pip-include-loop-pip25.txt", stage: result.StageInstall, exit: 1, class: ClassRequirementsFile,
			evidence: []string{"ERROR: /app/a.txt recursively references itself in /app/b.txt"}, explains: []string{"includes itself"}, firstFix: FixRequirementsFile},
		{file: "pip-requirements-missing-pip25.txt", stage: result.StageInstall, exit: 1, class: ClassRequirementsFile,
			evidence: []string{"ERROR: Could not open requirements file: [Errno 2] No such file or directory: 'nosuch.txt'"}, explains: []string{"could not read"}, firstFix: FixRequirementsFile},
		// an app's own RecursionError is not pip's
		{file: "app-recursion", stage: result.StageBoot, exit: 1, class: ClassCrashedAfterStart,
			input: "Traceback (most recent call last):\n  File \"/app/app.py\", line 2, in f\nRecursionError: maximum recursion depth exceeded\n",
			facts: result.Facts{Exited: true, AfterSeconds: 0.1}, notFixes: []FixKind{FixRequirementsFile}},
		{file: "health", stage: result.StageBoot, exit: -1, class: ClassHealthUnexpected,
			input:    readTestdata(t, "gunicorn23-loopback.txt"),
			facts:    result.Facts{Port: 8080, Health: &result.HTTPAnswer{Method: "GET", Path: "/health", Status: 404, WantStatus: 200, Body: "Not Found"}},
			evidence: []string{`bootmatrix: health unexpected: GET /health: status 404 (want 200), body "Not Found"`}, firstFix: FixHealthEndpoint},
		{file: "pip-network-unreachable-pip25.txt", stage: result.StageInstall, exit: 137, facts: result.Facts{TimedOut: true, TimeoutSeconds: 300}, class: ClassIndexUnreachable,
			evidence: []string{"bootmatrix: stage timed out: after 5m0s"}, explains: []string{"ran out of time while retrying"}, fixes: []FixKind{FixRaiseTimeout}},
		{file: "timeout-build", stage: result.StageBuild, exit: 137, class: ClassTimeout,
			input:    "Building wheel for numpy (pyproject.toml): started\n",
			facts:    result.Facts{TimedOut: true, TimeoutSeconds: 600},
			evidence: []string{"bootmatrix: stage timed out: after 10m0s", "Building wheel for numpy (pyproject.toml): started"}, firstFix: FixRaiseTimeout},
		{file: "pthread-exit-libgcc-nix.txt", stage: result.StageInstall, exit: 139, ctx: nixCtx, class: ClassMissingLib,
			evidence: []string{"libgcc_s.so.1 must be installed for pthread_exit to work"}, explains: []string{"libgcc_s.so.1"}, provider: "stdenv.cc.cc.lib"},
		{file: "pip-hash-mismatch-pip23.txt", stage: result.StageInstall, exit: 1, class: ClassHashMismatch,
			evidence: []string{"Expected sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "Got        042de1de71544ef396114b354617e7d8307e4cfe5f5b9ba4ef9603765f364cb0"},
			explains: []string{"badpkg==1.0"}, firstFix: FixUpdateHashes},
		{file: "pip-hash-mismatch-pip23.txt", stage: result.StageBoot, exit: 1, class: ClassUnclassified},
		{file: "image-pull-registry-unreachable.txt", stage: result.StageBuild, exit: 1, class: ClassImageUnavailable,
			evidence: []string{`Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host`},
			explains: []string{"could not reach the registry"}, firstFix: FixBuildOfflineKit},
		{file: "image-missing-offline", stage: result.StageBuild, exit: 1, class: ClassImageUnavailable,
			input:    "image python:3.9-slim is not present and cannot be pulled offline: the offline kit (`make images`) provides python:3.11-slim; use one of those as base, or run with --online\n",
			facts:    result.Facts{ImageUnavailable: "python:3.9-slim"},
			evidence: []string{"bootmatrix: image unavailable: image python:3.9-slim is not in the engine and may not be pulled"},
			explains: []string{"python:3.9-slim", "no stand-in"}, firstFix: FixBaseImageName, fixes: []FixKind{FixRunOnline}, notFixes: []FixKind{FixBuildOfflineKit}},
		// make images cannot build an image the kit does not provide
		{file: "image-missing-node", stage: result.StageBuild, exit: 1, class: ClassImageUnavailable,
			input:    "image node:20-slim is not present and cannot be pulled offline: the offline kit (`make images`) provides python:3.11-slim, python:3.13-slim, nixpacks; use one of those as base, or run with --online\n",
			facts:    result.Facts{ImageUnavailable: "node:20-slim"},
			explains: []string{"node:20-slim"}, firstFix: FixBaseImageName, notFixes: []FixKind{FixBuildOfflineKit}},
		// a kit image that was not built: make images is the fix
		{file: "image-missing-kit", stage: result.StageBuild, exit: 1, class: ClassImageUnavailable,
			input:    "image bootmatrix-kit/python:3.13-slim is not present: run `make images`\n",
			facts:    result.Facts{ImageUnavailable: "bootmatrix-kit/python:3.13-slim"},
			explains: []string{"make images"}, firstFix: FixBuildOfflineKit},
		{file: "pull-denied", stage: result.StageBuild, exit: 1, class: ClassImageUnavailable,
			input:    "Step 1/4 : FROM acme/python:3.11-slim\npull access denied for acme/python, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n",
			explains: []string{"no image of that name"}, firstFix: FixBaseImageName},
		{file: "pull-denied-fact", stage: result.StageBuild, exit: 1, class: ClassImageUnavailable, input: "Step 1/3 : FROM 127.0.0.1:5000/library/python:3.11-slim\n",
			facts: result.Facts{ImageUnavailable: "127.0.0.1:5000/library/python:3.11-slim", Pull: &result.PullFailure{
				Ref: "127.0.0.1:5000/library/python:3.11-slim", Registry: "127.0.0.1:5000", Reason: result.PullDenied,
				Message: `Head "http://127.0.0.1:5000/v2/library/python/manifests/3.11-slim": no basic auth credentials`}},
			evidence: []string{`bootmatrix: image unavailable: pull 127.0.0.1:5000/library/python:3.11-slim: denied: Head "http://127.0.0.1:5000/v2/library/python/manifests/3.11-slim": no basic auth credentials`},
			explains: []string{"from 127.0.0.1:5000 failed (denied)", "no basic auth credentials"}, firstFix: FixRegistryLogin},
		{file: "index-unreachable-fact", stage: result.StageInstall, exit: 1, class: ClassIndexUnreachable,
			input:    "ERROR: Could not find a version that satisfies the requirement numpy (from versions: none)\n",
			facts:    result.Facts{IndexUnreachable: "pypi.corp.example:8443"},
			evidence: []string{"bootmatrix: index unreachable: pypi.corp.example:8443"},
			explains: []string{"package index at pypi.corp.example:8443"}, firstFix: FixProvideIndex},
		{file: "interrupted-install", stage: result.StageInstall, exit: 0, class: ClassInterrupted,
			input:    readTestdata(t, "pip-network-unreachable-pip25.txt"),
			facts:    result.Facts{Interrupted: true},
			evidence: []string{FormatInterrupted()}, firstFix: FixRunAgain},
		{file: "segfault-unclassified.txt", stage: result.StageBoot, exit: 139, class: ClassUnclassified,
			evidence: []string{"Segmentation fault (core dumped)", "loading model weights from /app/model.bin"}},
		{file: "command-not-found", stage: result.StageBoot, exit: 127, ctx: Context{Builder: nixpacksbuilder.Name, Shell: scenario.ShellPlain, Facts: nixpacksbuilder.Facts{}}, class: ClassCommandNotFound,
			input:    "sh: 1: gunicorn: not found\n",
			evidence: []string{"sh: 1: gunicorn: not found"}, firstFix: FixLoginShell},
		{file: "module-not-found-import", stage: result.StageImport, exit: 1, class: ClassModuleNotFound,
			input: "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\nModuleNotFoundError: No module named 'numpy'\n", explains: []string{`"numpy"`}},
		// the runner found a venv that has it: the venv's interpreter is the fix
		{file: "module-not-found-venv", stage: result.StageImport, exit: 1, class: ClassModuleNotFound, facts: result.Facts{Venv: "/opt/venv"},
			input:    "ModuleNotFoundError: No module named 'psycopg2'\n",
			evidence: []string{"bootmatrix: the venv that has the module: /opt/venv"},
			explains: []string{"the virtual environment /opt/venv has it", "/opt/venv/bin first on PATH"}, firstFix: FixStartCommand, fixSays: "/opt/venv/bin/python",
			notFixes: []FixKind{FixAddRequirement}},
	}
	for _, tc := range tests {
		name := tc.file + "/" + string(tc.stage) + "/" + tc.class
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := tc.input
			if in == "" {
				in = readTestdata(t, tc.file)
			}
			f := Classify(result.Stage{Name: tc.stage, Status: result.Fail, ExitCode: tc.exit, Seconds: tc.seconds, Output: in, Facts: tc.facts}, tc.missing, tc.ctx)
			if f.Class != tc.class {
				t.Fatalf("class = %q, want %q\nexplanation: %s\nevidence:\n  %s", f.Class, tc.class, f.Explanation, strings.Join(f.Evidence, "\n  "))
			}
			CheckFinding(t, f)
			for _, e := range tc.evidence {
				if !slices.Contains(f.Evidence, e) {
					t.Errorf("evidence lacks %q; got:\n  %s", e, strings.Join(f.Evidence, "\n  "))
				}
			}
			for _, s := range tc.explains {
				if !strings.Contains(f.Explanation, s) {
					t.Errorf("explanation lacks %q: %s", s, f.Explanation)
				}
			}
			for _, s := range tc.notExplains {
				if strings.Contains(f.Explanation, s) {
					t.Errorf("explanation claims %q: %s", s, f.Explanation)
				}
			}
			if tc.firstFix != "" && (len(f.Fixes) == 0 || f.Fixes[0] != tc.firstFix) {
				t.Errorf("fixes = %v, want %s first", f.Fixes, tc.firstFix)
			}
			for _, k := range tc.fixes {
				if !hasKind(f.Fixes, k) {
					t.Errorf("fixes = %v, want %s among them", f.Fixes, k)
				}
			}
			for _, k := range tc.notFixes {
				if hasKind(f.Fixes, k) {
					t.Errorf("fixes = %v, want no %s", f.Fixes, k)
				}
			}
			if tc.fixSays != "" && (len(f.Suggestions) == 0 || !strings.Contains(f.Suggestions[0].Summary, tc.fixSays)) {
				t.Errorf("first suggestion %+v does not say %q", f.Suggestions, tc.fixSays)
			}
			if tc.provider != "" && (len(f.Missing) == 0 || f.Missing[0].Provider != tc.provider) {
				t.Errorf("missing = %+v, want provider %q", f.Missing, tc.provider)
			}
		})
	}
}

func hasKind(ks []FixKind, k FixKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// Coloured output (pip and rich colour their errors when forced) classifies the same
// and quotes the lines without escape codes.
func TestClassifyStripsANSI(t *testing.T) {
	t.Parallel()
	plain := readTestdata(t, "pip-no-matching-offline-py311.txt")
	var b strings.Builder
	for _, l := range strings.SplitAfter(plain, "\n") {
		if strings.HasPrefix(l, "ERROR:") {
			l = "\x1b[31m" + strings.TrimSuffix(l, "\n") + "\x1b[0m\r\n"
		}
		b.WriteString(l)
	}
	f := Classify(result.Stage{Name: result.StageInstall, ExitCode: 1, Output: "\x1b]0;pip\x07" + b.String()}, nil, Context{})
	if f.Class != ClassNoDistribution {
		t.Fatalf("class %s", f.Class)
	}
	want := "ERROR: Could not find a version that satisfies the requirement numpy==1.26.4 (from versions: 1.24.2)"
	if !slices.Contains(f.Evidence, want) {
		t.Errorf("evidence %q lacks %q", f.Evidence, want)
	}
	CheckFinding(t, f)
}

// A cannot-open line that names no library is not enough for missing-shared-library.
// An import names only the first library the loader failed on; the ldd findings
// for the same object name the one it fails on next, and the fix covers both. A
// library only some other object needs is left out: the import may never load it.
func TestImportCarriesLibsTheSameObjectNeeds(t *testing.T) {
	t.Parallel()
	out := readTestdata(t, "opencv-libgl-import.txt")
	cv2 := "/usr/local/lib/python3.11/site-packages/cv2/cv2.abi3.so"
	missing := []result.MissingLib{
		{Library: "libGL.so.1", NeededBy: []string{cv2}},
		{Library: "libxkbcommon.so.0", NeededBy: []string{"/usr/local/lib/python3.11/site-packages/cv2/qt/plugins/platforms/libqxcb.so"}},
		{Library: "libglib-2.0.so.0", NeededBy: []string{"/usr/local/lib/python3.11/site-packages/opencv_python.libs/libavformat-2ff0ed5d.so.59", cv2}},
	}
	// At boot the same error comes through gunicorn's worker.
	boot := out + "[2026-12-06 21:00:00 +0000] [7] [ERROR] Worker (pid:8) exited with code 3\n"
	for _, stage := range []result.StageName{result.StageImport, result.StageBoot} {
		f := Classify(result.Stage{Name: stage, ExitCode: 1, Output: map[result.StageName]string{result.StageImport: out, result.StageBoot: boot}[stage]}, missing, slimCtx)
		var libs []string
		for _, m := range f.Missing {
			libs = append(libs, m.Library)
		}
		if !slices.Equal(libs, []string{"libGL.so.1", "libglib-2.0.so.0"}) {
			t.Fatalf("%s: missing %q, want libGL.so.1 then libglib-2.0.so.0", stage, libs)
		}
		if len(f.Suggestions) == 0 || !slices.Equal(f.Suggestions[0].Packages, []string{"libgl1", "libglib2.0-0"}) {
			t.Errorf("%s: first fix %+v, want libgl1 and libglib2.0-0", stage, f.Suggestions)
		}
		if !strings.Contains(f.Explanation, "(also missing: libglib-2.0.so.0)") {
			t.Errorf("%s: explanation %q", stage, f.Explanation)
		}
	}
}

func TestMissingLibNeedsALibraryName(t *testing.T) {
	t.Parallel()
	f := Classify(result.Stage{Name: result.StageImport, ExitCode: 1, Output: "ImportError: : cannot open shared object file: No such file or directory\n"}, nil, Context{})
	if f.Class != ClassUnclassified {
		t.Errorf("class %s, want unclassified", f.Class)
	}
	f = Classify(result.Stage{Name: result.StageLdd, ExitCode: 1, Output: ""}, []result.MissingLib{{Library: "libz.so.1", NeededBy: []string{"/usr/lib/x.so"}}}, Context{Builder: nixpacksbuilder.Name, Shell: scenario.ShellPlain, Facts: nixpacksbuilder.Facts{}})
	if f.Class != ClassMissingLib || f.Missing[0].Provider != "zlib" {
		t.Fatalf("ldd findings alone: %+v", f)
	}
	if f.Fixes[0] != FixAddNixLibs || !hasKind(f.Fixes, FixLoginShell) {
		t.Errorf("fixes %v: want add-nixlibs then login-shell", f.Fixes)
	}
}

func TestUnclassifiedQuotesTheTail(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; i < 100; i++ {
		b.WriteString("line ")
		b.WriteString(strings.Repeat("x", i))
		b.WriteString("\n\n")
	}
	f := Classify(result.Stage{Name: result.StageBoot, ExitCode: 2, Output: b.String()}, nil, Context{})
	if f.Class != ClassUnclassified || len(f.Evidence) != TailLines {
		t.Fatalf("%s with %d evidence lines", f.Class, len(f.Evidence))
	}
	if last := f.Evidence[len(f.Evidence)-1]; last != "line "+strings.Repeat("x", 99) {
		t.Errorf("last evidence line %q", last)
	}
	if !strings.Contains(f.Explanation, "exit code 2") {
		t.Errorf("explanation %q", f.Explanation)
	}
}

func TestEvidenceIsBounded(t *testing.T) {
	t.Parallel()
	long := "Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory " + strings.Repeat("é", 1000)
	in := strings.Repeat(long+"\n", 50) + strings.Repeat("[ERROR] Worker (pid:4) exited with code 3\n", 50)
	f := Classify(result.Stage{Name: result.StageBoot, ExitCode: 3, Output: in}, nil, nixCtx)
	if f.Class != ClassMissingLib {
		t.Fatalf("class %s", f.Class)
	}
	CheckFinding(t, f)
	if !strings.HasSuffix(f.Evidence[0], "…") {
		t.Errorf("long line not marked as cut: %q", f.Evidence[0])
	}
}

func TestCatalogue(t *testing.T) {
	t.Parallel()
	required := []string{ClassPEP668, ClassMissingLib, ClassGlibcVersion, ClassNumpyABI, ClassNoDistribution,
		ClassBuildFromSource, ClassIndexUnreachable, ClassNixAttribute, ClassWorkerBoot, ClassPortNotBound,
		ClassHealthUnexpected, ClassCrashedAfterStart, ClassOOMKilled, ClassTimeout, ClassUnclassified}
	seen := map[string]bool{}
	for _, c := range Catalogue() {
		if seen[c.ID] {
			t.Errorf("duplicate class %s", c.ID)
		}
		seen[c.ID] = true
		if c.Title == "" || c.Explanation == "" || strings.Contains(c.Explanation, "\n") {
			t.Errorf("class %s: title %q, explanation %q", c.ID, c.Title, c.Explanation)
		}
		if Explain(c.ID) != c.Explanation {
			t.Errorf("Explain(%s) differs from the catalogue", c.ID)
		}
		for _, k := range c.Fixes {
			if FixTitle(k) == string(k) {
				t.Errorf("class %s: fix %s has no title", c.ID, k)
			}
		}
	}
	for _, id := range required {
		if !seen[id] {
			t.Errorf("catalogue lacks %s", id)
		}
	}
	if !strings.Contains(Explain("no-such-class"), "unknown") {
		t.Error("Explain of an unknown ID should say so")
	}
	cat := Catalogue()
	cat[0].Fixes[0] = "mutated"
	if Catalogue()[0].Fixes[0] == "mutated" {
		t.Error("Catalogue returns shared slices")
	}
}

// providerFor names a found copy's provider the way each kind of image does:
// the nixpkgs attribute of a store path, the Debian package of any other.
func providerFor(p string) string {
	if strings.Contains(p, "/nix/store/") {
		return nixpacksbuilder.ProviderFor(p)
	}
	return debian.PackageFor(p)
}

func TestProviderFor(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		storeLibstdcxx: "stdenv.cc.cc.lib",
		"/nix/store/g7c14408vy7r5p2gp2xfriwny99h0d64-gcc-14.2.0-lib/lib/libgcc_s.so.1":            "stdenv.cc.cc.lib",
		"/nix/store/x51nnbrh8qcjsp8dam9gcy9vsx71nqdv-zlib-1.2.13/lib/libz.so.1":                   "zlib",
		"/nix/store/z2njk5npzbybqygxrilq9kp5882qkj6r-zlib-1.3.dfsg+really1.3.1/lib/libz.so.1":     "zlib",
		"/nix/store/cp92f1xbn74fy8p8l5gazk0hjpbwgml8-openblas-0.3.29/lib/libopenblas.so.0":        "openblas",
		"/nix/store/y535s43r1bzilrahd2sgj7g681gxsh5a-glibc-2.41/lib/libc.so.6":                    "glibc",
		"/nix/store/y535s43r1bzilrahd2sgj7g681gxsh5a-glibc-2.41/lib/libm.so.6":                    "glibc",
		"/nix/store/4qxgqjinqgzvys8qfna8c9hifmkcr7w2-gfortran-14.2.0-lib/lib/libgfortran.so.5":    "gfortran.cc.lib",
		"/nix/store/abl2hzw80vgkj19v5853k68rps10hmrr-openssl-3.0.20/lib/libssl.so.3":              "openssl",
		"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-openssl-3.0.20-dev/include/openssl/ssl.h":    "openssl.dev",
		"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-python3-3.11.2/lib/libpython3.11.so.1.0":     "python311",
		"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-python3.11-numpy-1.24.2/lib/python3.11/x.so": "python311Packages.numpy",
		"/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-gcc-14.2.0/lib/libstdc++.so.6":               "gcc-unwrapped",
		"/usr/lib/x86_64-linux-gnu/libstdc++.so.6":                                                "libstdc++6",
		"/lib/x86_64-linux-gnu/libz.so.1":                                                         "zlib1g",
		"/usr/lib/x86_64-linux-gnu/libgomp.so.1":                                                  "libgomp1",
		"/usr/lib/x86_64-linux-gnu/libgfortran.so.5":                                              "libgfortran5",
		"/usr/lib/x86_64-linux-gnu/libpq.so.5":                                                    "libpq5",
		"/usr/lib/x86_64-linux-gnu/libunknown.so.9":                                               "",
		"/nix/store/":  "",
		"/nix/store/x": "",
		"":             "",
	}
	for in, want := range tests {
		if got := providerFor(in); got != want {
			t.Errorf("providerFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAnnotate(t *testing.T) {
	t.Parallel()
	v := result.Variant{
		Name: "nixpacks-py311-pkgs",
		Stages: []result.Stage{
			{Name: result.StageBuild, Status: result.Pass},
			{Name: result.StageInstall, Status: result.Pass},
			{Name: result.StageImport, Status: result.Fail, ExitCode: 1,
				Output:  "",
				Modules: []result.Module{{Name: "numpy", Error: "Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory"}}},
			{Name: result.StageLdd, Status: result.Fail, ExitCode: 1,
				Output:  "\tlibstdc++.so.6 => not found\n",
				Missing: []result.MissingLib{{Library: "libstdc++.so.6", NeededBy: []string{"/opt/venv/lib/python3.11/site-packages/numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so"}, FoundAt: []string{storeLibstdcxx}}}},
			{Name: result.StageBoot, Status: result.Skip},
		},
		Fixes: []result.Fix{{ID: string(FixMoveNixPkgToNixLibs), Summary: "proven elsewhere", Proven: true}},
	}
	ctx := Context{Builder: nixpacksbuilder.Name, Shell: scenario.ShellLogin, Python: "3.11", Facts: nixpacksbuilder.Facts{NixPkgs: []string{"python311", "stdenv.cc.cc.lib"}}}
	Annotate(&v, ctx)
	imp, ldd := v.StageByName(result.StageImport), v.StageByName(result.StageLdd)
	if imp.Class != ClassMissingLib || ldd.Class != ClassMissingLib {
		t.Fatalf("classes import=%s ldd=%s", imp.Class, ldd.Class)
	}
	if !slices.Contains(imp.Evidence, "Original error was: libstdc++.so.6: cannot open shared object file: No such file or directory") {
		t.Errorf("import evidence %q", imp.Evidence)
	}
	if !strings.Contains(imp.Explanation, storeLibstdcxx) || !strings.Contains(imp.Explanation, "nixPkgs") {
		t.Errorf("import explanation %q", imp.Explanation)
	}
	if ldd.Missing[0].Provider != "stdenv.cc.cc.lib" {
		t.Errorf("provider %q", ldd.Missing[0].Provider)
	}
	if v.StageByName(result.StageBoot).Class != "" {
		t.Error("a skipped stage got a class")
	}
	if len(v.Fixes) < 2 || v.Fixes[0].ID != string(FixMoveNixPkgToNixLibs) || !v.Fixes[0].Proven {
		t.Fatalf("fixes %+v: the proven fix must stay first and proven", v.Fixes)
	}
	for _, f := range v.Fixes[1:] {
		if f.Proven || f.Summary == "" {
			t.Errorf("suggested fix %+v", f)
		}
	}
	n := len(v.Fixes)
	Annotate(&v, ctx)
	if len(v.Fixes) != n {
		t.Errorf("second Annotate added fixes: %d → %d", n, len(v.Fixes))
	}
	Annotate(nil, ctx)
}

// A stage's facts describe that stage only: the install timed out, the import after it did not.
func TestAnnotateFactsBelongToTheirStage(t *testing.T) {
	t.Parallel()
	v := result.Variant{Stages: []result.Stage{
		{Name: result.StageInstall, Status: result.Fail, ExitCode: 137, Output: "Collecting numpy\n", Facts: result.Facts{TimedOut: true, TimeoutSeconds: 300}},
		{Name: result.StageImport, Status: result.Fail, ExitCode: 1, Output: "ModuleNotFoundError: No module named 'numpy'\n"},
	}}
	Annotate(&v, Context{})
	if v.Stages[0].Class != ClassTimeout || v.Stages[1].Class != ClassModuleNotFound {
		t.Errorf("classes %s, %s", v.Stages[0].Class, v.Stages[1].Class)
	}
	if len(v.Fixes) != 1 || v.Fixes[0].ID != string(FixRaiseTimeout) {
		t.Errorf("fixes %+v", v.Fixes)
	}
}

func TestAxesFillTheContext(t *testing.T) {
	t.Parallel()
	// The shell comes from the axes when the context does not say it.
	v := result.Variant{Axes: map[string]string{"builder": "nixpacks", "shell": "plain"}, Stages: []result.Stage{
		{Name: result.StageBoot, Status: result.Fail, ExitCode: 127, Output: "[bootmatrix: 10 earlier bytes omitted]\nsh: 1: gunicorn: not found\n"},
	}}
	Annotate(&v, Context{Facts: nixpacksbuilder.Facts{}})
	if st := v.Stages[0]; st.Class != ClassCommandNotFound || !strings.Contains(st.Explanation, "plain shell") {
		t.Errorf("%s: %s", st.Class, st.Explanation)
	}
	if len(v.Fixes) == 0 || v.Fixes[0].ID != string(FixLoginShell) {
		t.Errorf("fixes %+v", v.Fixes)
	}
}

// A build the builder's CLI refused for want of a plan is no-build-plan from the
// runner's fact alone, and its fix names the roots the builder's facts offer;
// with none to offer it says so and the fix is the generic one.
func TestNoBuildPlanNamesRoots(t *testing.T) {
	t.Parallel()
	st := result.Stage{Name: result.StageBuild, Status: result.Fail, ExitCode: 1,
		Output: readTestdata(t, "nixpacks-no-build-plan.txt"), Facts: result.Facts{NoBuildPlan: true}}
	f := Classify(st, nil, Context{Builder: nixpacksbuilder.Name, Facts: nixpacksbuilder.Facts{Roots: []string{"backend", "services/api"}}})
	if f.Class != ClassNoBuildPlan || !strings.Contains(f.Explanation, "detects an app in backend, services/api") {
		t.Fatalf("finding %s: %s", f.Class, f.Explanation)
	}
	if len(f.Suggestions) != 1 || f.Suggestions[0].ID != string(FixSetAppRoot) ||
		!strings.Contains(f.Suggestions[0].Summary, "root directory to backend or services/api") {
		t.Errorf("suggestions %+v", f.Suggestions)
	}
	if !slices.Contains(f.Evidence, "Nixpacks was unable to generate a build plan for this app.") {
		t.Errorf("evidence %q", f.Evidence)
	}
	f = Classify(st, nil, Context{Builder: nixpacksbuilder.Name, Facts: nixpacksbuilder.Facts{}})
	if f.Class != ClassNoBuildPlan || len(f.Suggestions) != 1 || f.Suggestions[0].Summary != FixTitle(FixSetAppRoot) || !strings.Contains(f.Explanation, "no subdirectory holds") {
		t.Errorf("without roots: %s %q %+v", f.Class, f.Explanation, f.Suggestions)
	}
	// The text alone, without the runner's fact, is not this class.
	st.Facts = result.Facts{}
	if f := Classify(st, nil, Context{}); f.Class == ClassNoBuildPlan {
		t.Errorf("classified from the text alone")
	}
}

// The withPackages fix names the variant's own entry when the builder's facts
// have one, and its generic shape when they do not.
func TestWithPackagesFixNamesTheVariantsEntry(t *testing.T) {
	t.Parallel()
	const with = "(python311.withPackages (ps: [ps.flask ps.gunicorn]))"
	for _, tc := range []struct {
		stage result.StageName
		file  string
	}{
		{result.StageInstall, "pip-not-found-nix-python.txt"},
		{result.StageInstall, "seed-pep668.txt"},
	} {
		st := result.Stage{Name: tc.stage, Status: result.Fail, ExitCode: 1, Output: readTestdata(t, tc.file)}
		for _, facts := range []nixpacksbuilder.Facts{{WithPackagesExpr: with}, {}} {
			f := Classify(st, nil, Context{Builder: nixpacksbuilder.Name, Facts: facts})
			i := slices.IndexFunc(f.Suggestions, func(s result.Fix) bool { return s.ID == string(FixNixPythonPackage) })
			want := cmp.Or(facts.WithPackagesExpr, "(pythonXY.withPackages (ps: [ps.<name> …]))")
			if i < 0 || !strings.Contains(f.Suggestions[i].Summary, want) {
				t.Errorf("%s with facts %+v: suggestions %+v, want one naming %s", tc.file, facts, f.Suggestions, want)
			}
		}
	}
}

// add-nixpkgs carries the attributes it adds as data, for the doctor to write: the
// Nix attributes of what the build lacked.
func TestBuildFromSourceNixPkgsAreData(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want []string
	}{
		{"build-psycopg2-sdist-pg-config-py313.txt", []string{"postgresql_16.dev", "gcc"}},
		{"build-psycopg2-sdist-no-gcc-nixpacks-py313.txt", []string{"gcc"}},
	} {
		st := result.Stage{Name: result.StageInstall, Status: result.Fail, ExitCode: 1, Output: readTestdata(t, tc.file)}
		f := Classify(st, nil, nixCtx)
		var got []string
		for _, s := range f.Suggestions {
			if s.ID == string(FixAddNixPkgs) {
				got = s.Packages
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: add-nixpkgs packages %q, want %q", tc.file, got, tc.want)
		}
	}
}
