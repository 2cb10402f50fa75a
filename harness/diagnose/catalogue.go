// Package diagnose names why a stage failed: a catalogue of failure classes with
// stable IDs, a classifier that recognises them from the stage, its exit code, its
// output and the ldd stage's findings, and the fixes that apply.
//
// It is pure logic: the runner hands it what it captured and what it knows about the
// variant (Context); diagnose never runs anything. Where the output alone cannot say
// what happened (nothing listens, the engine killed the container), the runner records
// it as the stage's result.Facts; the marker lines it may also print (markers.go) are
// for people and are never parsed back.
//
// This file is the one place that says what the classes are: the catalogue, the
// precedence rules (classRules: which class wins, and which explainer writes its
// finding) and the signals the rules read. The explainers are in classify.go, the
// single pass over the output that finds the signals in scan.go.
package diagnose

import "github.com/bootmatrix/bootmatrix/harness/result"

// Class IDs. They are a stable schema: reports, scenario expectations and shards refer
// to them, so an ID is never renamed or reused.
const (
	ClassPEP668            = "pep668-externally-managed"
	ClassMissingLib        = "missing-shared-library"
	ClassDlopenMissing     = "dlopen-library-missing"
	ClassGlibcVersion      = "glibc-symbol-version"
	ClassNumpyABI          = "numpy-abi-mismatch"
	ClassNoDistribution    = "no-matching-distribution"
	ClassBuildFromSource   = "build-from-source-failed"
	ClassIndexUnreachable  = "index-unreachable"
	ClassAptPackageUnknown = "apt-package-unknown"
	ClassNixAttribute      = "nix-attribute-unknown"
	ClassModuleNotFound    = "module-not-found"
	ClassPipNotFound       = "pip-not-found"
	ClassCommandNotFound   = "command-not-found"
	ClassWorkerBoot        = "worker-boot-failed"
	ClassPortNotBound      = "port-not-bound"
	ClassHealthUnexpected  = "health-unexpected"
	ClassCrashedAfterStart = "crashed-after-start"
	ClassOOMKilled         = "oom-killed"
	ClassTimeout           = "stage-timeout"
	ClassHashMismatch      = "hash-mismatch"
	ClassImageUnavailable  = "image-unavailable"
	ClassInterrupted       = "interrupted"
	ClassShellSyntax       = "shell-syntax-error"
	ClassRequirementsFile  = "requirements-file-invalid"
	ClassCrashLoop         = "crash-loop"
	ClassUnclassified      = "unclassified"
	ClassPythonUnavailable = "python-version-unavailable"
	ClassNoBuildPlan       = "no-build-plan"
	ClassNoStartCommand    = "no-start-command"
)

// FixKind is a stable fix ID. Annotate turns it into a result.Fix whose Summary says
// what to change for the variant at hand.
type FixKind string

// Fix kinds, roughly from the smallest change to the largest.
const (
	FixAddNixLibs          FixKind = "add-nixlibs"
	FixMoveNixPkgToNixLibs FixKind = "move-nixpkg-to-nixlibs"
	FixLoginShell          FixKind = "login-shell"
	FixLDLibraryPath       FixKind = "ld-library-path"
	FixUseVenvInstall      FixKind = "use-venv-install"
	FixBreakSystemPackages FixKind = "break-system-packages"
	FixNixPythonPackage    FixKind = "nix-python-package"
	FixPinRequirement      FixKind = "pin-requirement"
	FixUnpinRequirement    FixKind = "unpin-requirement"
	FixAddRequirement      FixKind = "add-requirement"
	FixPythonVersion       FixKind = "python-version"
	FixAddNixPkgs          FixKind = "add-nixpkgs"
	FixNixAttributeName    FixKind = "fix-nix-attribute"
	FixAddAptPkgs          FixKind = "add-aptpkgs"
	FixAptPackageName      FixKind = "fix-apt-package"
	FixNewerBase           FixKind = "newer-base-image"
	FixProvideIndex        FixKind = "provide-index"
	FixStartCommand        FixKind = "fix-start-command"
	FixBindAllInterfaces   FixKind = "bind-all-interfaces"
	FixUsePortEnv          FixKind = "use-port-env"
	FixHealthEndpoint      FixKind = "fix-health-endpoint"
	FixRaiseMemory         FixKind = "raise-memory"
	FixRaiseTimeout        FixKind = "raise-timeout"
	FixBuilderPythonSlim   FixKind = "builder-python-slim"
	FixBuilderDockerfile   FixKind = "builder-dockerfile"
	FixUpdateHashes        FixKind = "update-hashes"
	FixBuildOfflineKit     FixKind = "build-offline-kit"
	FixBaseImageName       FixKind = "fix-base-image"
	FixRunAgain            FixKind = "run-again"
	FixRunOnline           FixKind = "run-online"
	FixShellSyntax         FixKind = "fix-shell-syntax"
	FixRequirementsFile    FixKind = "fix-requirements-file"
	FixSetEnv              FixKind = "set-env"
	FixRegistryLogin       FixKind = "registry-login"
	FixRegistryTag         FixKind = "registry-tag"
	FixRegistryReach       FixKind = "registry-reach"
	FixRegistryTLS         FixKind = "registry-tls"
	FixBinaryPackage       FixKind = "use-binary-package"
	FixSetAppRoot          FixKind = "set-app-root"
	FixAddPythonProvider   FixKind = "add-python-provider"
	// Railpack's mechanisms.
	FixRailpackDeployApt    FixKind = "railpack-deploy-apt"
	FixRailpackKeepDefaults FixKind = "railpack-keep-defaults"
	FixBuilderRailpack      FixKind = "builder-railpack"
	FixHostWithoutNixLibs   FixKind = "host-without-nix-libs"
	FixDropGlibcFromNixLibs FixKind = "drop-glibc-from-nixlibs"
)

// Class is one catalogue entry.
type Class struct {
	ID, Title, Explanation string
	// Fixes are the kinds that can apply, smallest first; Classify narrows them to the variant.
	Fixes []FixKind
}

var catalogue = []Class{
	{ClassPEP668, "pip refused: externally managed environment",
		"pip install outside a virtual environment hit PEP 668: the interpreter is marked EXTERNALLY-MANAGED (Nix store or Debian python3), so pip will not write into it.",
		[]FixKind{FixUseVenvInstall, FixBreakSystemPackages, FixNixPythonPackage, FixBuilderPythonSlim}},
	{ClassDlopenMissing, "library loaded at run time (dlopen) not found",
		"A Python package opens a system library by name while it runs (cffi's ffi.dlopen, ctypes) rather than through a NEEDED entry, and the image has no library of that name; ldd and the wheel's metadata cannot show the dependency.",
		[]FixKind{FixAddAptPkgs, FixAddNixLibs, FixLDLibraryPath, FixBuilderDockerfile}},
	{ClassMissingLib, "shared library not found by the loader",
		"A native module needs a shared library the dynamic loader cannot find on its search path (RUNPATH, LD_LIBRARY_PATH, ld.so.cache, the default directories).",
		[]FixKind{FixAddNixLibs, FixMoveNixPkgToNixLibs, FixLoginShell, FixLDLibraryPath, FixAddAptPkgs, FixRailpackKeepDefaults, FixRailpackDeployApt, FixBinaryPackage, FixNixPythonPackage, FixBuilderPythonSlim, FixBuilderDockerfile, FixBuilderRailpack}},
	{ClassGlibcVersion, "C/C++ runtime too old for a binary",
		"A binary was linked against a newer glibc or libstdc++ than the one the loader found (a required GLIBC_/GLIBCXX_/CXXABI_ symbol version is absent).",
		[]FixKind{FixHostWithoutNixLibs, FixDropGlibcFromNixLibs, FixPinRequirement, FixNixPythonPackage, FixNewerBase, FixBuilderPythonSlim}},
	{ClassNumpyABI, "extension built against another NumPy major version",
		"A compiled module was built against NumPy 1.x and is loaded by NumPy 2.x (or the reverse); its C API table does not match.",
		[]FixKind{FixPinRequirement, FixUnpinRequirement}},
	{ClassNoDistribution, "no distribution for this Python/platform",
		"pip found no version of a requirement that matches the pin, the Python version and the platform tags among the distributions on offer.",
		[]FixKind{FixPinRequirement, FixUnpinRequirement, FixPythonVersion, FixProvideIndex, FixRunOnline}},
	{ClassBuildFromSource, "building a package from source failed",
		"pip fell back to building from source and the build failed: no compiler, missing headers or a missing build tool.",
		[]FixKind{FixPinRequirement, FixBinaryPackage, FixAddAptPkgs, FixAddNixPkgs, FixPythonVersion}},
	{ClassIndexUnreachable, "package index unreachable",
		"pip, apt or Nix could not reach its index: name resolution or the connection failed.",
		[]FixKind{FixProvideIndex, FixRaiseTimeout}},
	{ClassAptPackageUnknown, "apt package unknown",
		"apt has no package of that name in the configured suites.",
		[]FixKind{FixAptPackageName}},
	{ClassNixAttribute, "Nix attribute unknown",
		"A nixPkgs/nixLibs entry names an attribute that does not exist in this nixpkgs.",
		[]FixKind{FixNixAttributeName}},
	{ClassPipNotFound, "no pip for this interpreter",
		"An install command ran pip, and the interpreter has none: nixpkgs' python carries no pip (it comes from pythonXYPackages.pip or a venv's ensurepip), and a python without ensurepip cannot make a venv with one.",
		[]FixKind{FixUseVenvInstall, FixAddNixPkgs, FixNixPythonPackage}},
	{ClassModuleNotFound, "Python module not installed",
		"The interpreter that ran the import has no such module: it is not in the requirements, or pip installed it for another interpreter or environment.",
		[]FixKind{FixAddRequirement, FixStartCommand}},
	{ClassCommandNotFound, "command not found",
		"The shell could not find the command (exit 127): it is not installed or not on PATH for this shell.",
		[]FixKind{FixStartCommand, FixLoginShell, FixAddPythonProvider}},
	{ClassWorkerBoot, "gunicorn worker failed to boot",
		"gunicorn's worker died while importing the app (exit code 3), so the master shut down; the cause is the exception in the worker's traceback.",
		[]FixKind{FixStartCommand}},
	{ClassPortNotBound, "nothing listens on the expected address",
		"The app is running but not listening on 0.0.0.0:$PORT: it bound to 127.0.0.1 only, to another port, or not at all.",
		[]FixKind{FixBindAllInterfaces, FixUsePortEnv}},
	{ClassHealthUnexpected, "health endpoint answered unexpectedly",
		"The app listens, but the health endpoint's status or body differs from the expected one.",
		[]FixKind{FixHealthEndpoint}},
	{ClassCrashedAfterStart, "app exited after starting",
		"The start command ran and then exited on its own without a recognised cause; the tail of its output is the evidence, and the fix follows the exception it names (a missing setting, an import the installed version lacks).",
		[]FixKind{FixSetEnv, FixPinRequirement, FixStartCommand}},
	{ClassCrashLoop, "a supervisor keeps restarting a dying process",
		"While the health check had no answer, the app's processes kept starting one command again after it ended (gunicorn's master re-spawning workers, a shell's while-true loop), which would go on until the timeout; boot stops at the third restart. The fix follows the exception the dying process names.",
		[]FixKind{FixSetEnv, FixPinRequirement, FixStartCommand}},
	{ClassShellSyntax, "the shell could not parse a command",
		"The shell refused the command's syntax (an unbalanced quote, a stray operator) before running anything, so the program never started.",
		[]FixKind{FixShellSyntax}},
	{ClassRequirementsFile, "pip could not read the requirements",
		"pip stopped before resolving anything: a requirements file includes itself through -r/-c (pip 23 dies of a RecursionError, later pips name the loop), or a file it names does not exist.",
		[]FixKind{FixRequirementsFile}},
	{ClassOOMKilled, "killed: out of memory",
		"The kernel killed the process for exceeding the container's memory limit (exit 137).",
		[]FixKind{FixRaiseMemory}},
	{ClassTimeout, "stage timed out",
		"The stage did not finish within its time limit and was stopped.",
		[]FixKind{FixRaiseTimeout}},
	{ClassHashMismatch, "package hash does not match",
		"pip downloaded a distribution whose sha256 differs from the --hash pinned for it in the requirements: the pin is stale (the version or the wheel changed) or the file was altered.",
		[]FixKind{FixUpdateHashes, FixProvideIndex}},
	{ClassNoBuildPlan, "the builder found nothing to build",
		"Nixpacks detected no provider in the app root and neither nixpacks.toml nor the settings add a phase, so it listed the root's contents and stopped before building (a start command alone is no phase): the app is in a subdirectory, as a monorepo's backend/ is, or the files that mark a Python app (requirements.txt, pyproject.toml, Pipfile, main.py) are missing.",
		[]FixKind{FixSetAppRoot}},
	{ClassNoStartCommand, "no start command",
		"Nothing says how to start the app: neither the platform's start command, nor nixpacks.toml's [start] cmd, nor the provider (Nixpacks' Python provider starts main.py, or a Django project's WSGI module, only when there is one). Nixpacks then stops the build with \"No start command could be found\"; an image without CMD or ENTRYPOINT has nothing to run.",
		[]FixKind{FixStartCommand}},
	{ClassImageUnavailable, "base image unavailable",
		"The build's base image is neither in the engine nor pullable: offline, the kit has no image of that name (or it was not built); online, the registry refused the name or could not be reached.",
		[]FixKind{FixBuildOfflineKit, FixBaseImageName, FixRunOnline}},
	{ClassInterrupted, "run interrupted",
		"The run was stopped (SIGINT or SIGTERM) while this stage ran, so the stage's outcome says nothing about the variant.",
		[]FixKind{FixRunAgain}},
	{ClassPythonUnavailable, "Python version not available",
		"The build asked mise for a Python release it cannot provide (Railpack: \"failed to resolve version X of python\"); the version came from RAILPACK_PYTHON_VERSION, .python-version, .tool-versions, mise.toml, runtime.txt or Pipfile.",
		[]FixKind{FixPythonVersion, FixRunOnline}},
	{ClassUnclassified, "unclassified failure",
		"No catalogue entry matched; the evidence is the tail of the output.",
		nil},
}

// Catalogue returns every class, unclassified last. The slice is a copy.
func Catalogue() []Class {
	out := make([]Class, len(catalogue))
	for i, c := range catalogue {
		c.Fixes = append([]FixKind(nil), c.Fixes...)
		out[i] = c
	}
	return out
}

// ClassIDs returns every class ID, unclassified last.
func ClassIDs() []string {
	ids := make([]string, len(catalogue))
	for i, c := range catalogue {
		ids[i] = c.ID
	}
	return ids
}

// Lookup returns the class with that ID.
func Lookup(id string) (Class, bool) {
	for _, c := range catalogue {
		if c.ID == id {
			c.Fixes = append([]FixKind(nil), c.Fixes...)
			return c, true
		}
	}
	return Class{}, false
}

// Explain returns the class's one-line explanation for reports, or a line saying the ID is unknown.
func Explain(classID string) string {
	if c, ok := Lookup(classID); ok {
		return c.Explanation
	}
	return "unknown failure class " + quote(classID)
}

// Title returns the class's short title, or the ID itself when unknown.
func Title(classID string) string {
	if c, ok := Lookup(classID); ok {
		return c.Title
	}
	return classID
}

var fixTitles = map[FixKind]string{
	FixAddNixLibs:           "add the library's attribute to nixLibs (exported as LD_LIBRARY_PATH)",
	FixMoveNixPkgToNixLibs:  "move the attribute from nixPkgs to nixLibs",
	FixLoginShell:           "start with a login shell (bash -l -c) so profile.d scripts run",
	FixLDLibraryPath:        "set LD_LIBRARY_PATH in the start command",
	FixUseVenvInstall:       "install into a virtual environment (python -m venv /opt/venv; /opt/venv/bin/pip install)",
	FixBreakSystemPackages:  "pass --break-system-packages to pip",
	FixNixPythonPackage:     "take the modules from Nix as one python, (pythonXY.withPackages (ps: [ps.<name> …])) in nixPkgs, instead of pip (a plain pythonXYPackages.<name> entry is not importable)",
	FixPinRequirement:       "pin the requirement to a version that has a matching wheel",
	FixUnpinRequirement:     "drop or relax the pin",
	FixAddRequirement:       "add the module to requirements.txt",
	FixPythonVersion:        "use a Python version the wheels exist for",
	FixAddNixPkgs:           "add the build tool or headers to nixPkgs",
	FixNixAttributeName:     "correct the Nix attribute name",
	FixAddAptPkgs:           "install the Debian package (aptPkgs, or apt-get install in the Dockerfile)",
	FixAptPackageName:       "correct the apt package name for this suite",
	FixNewerBase:            "use a base image with a newer glibc/libstdc++",
	FixProvideIndex:         "make an index reachable (offline wheelhouse or PIP_INDEX_URL mirror)",
	FixStartCommand:         "fix the start command",
	FixBindAllInterfaces:    "bind to 0.0.0.0 (gunicorn --bind 0.0.0.0:$PORT)",
	FixUsePortEnv:           "listen on $PORT",
	FixHealthEndpoint:       "make the health endpoint return the expected status and body",
	FixRaiseMemory:          "raise the memory limit",
	FixRaiseTimeout:         "raise the stage's timeout",
	FixBuilderPythonSlim:    "build on python:3.11-slim (Debian, glibc and libstdc++ in /usr/lib)",
	FixBuilderDockerfile:    "use a Dockerfile on a Debian-based Python image",
	FixUpdateHashes:         "regenerate the --hash pins (pip-compile --generate-hashes, or pip hash on the intended file), after checking where the file came from",
	FixBuildOfflineKit:      "build the offline kit (bootmatrix kit build, or make images in a clone), or run online (--online) where a registry is reachable",
	FixBaseImageName:        "name a base image that exists (offline: one the kit provides)",
	FixRunAgain:             "run the matrix again without interrupting it",
	FixRunOnline:            "run online (--online) where a registry is reachable",
	FixShellSyntax:          "fix the command's shell syntax (balance its quotes)",
	FixRequirementsFile:     "fix the requirements file's -r/-c includes so each file is read once and every named file exists",
	FixSetEnv:               "set the variable the app needs in the scenario's env (or secrets)",
	FixRegistryLogin:        "give the engine credentials for the registry: docker login HOST, or an auths entry or credential helper in ~/.docker/config.json",
	FixRegistryTag:          "push the image to the registry (bootmatrix kit push HOST for the kit's stand-ins), or map the reference to an existing one with --images",
	FixRegistryReach:        "start the registry or correct --registry-mirror / BOOTMATRIX_REGISTRY_MIRROR so the engine reaches it",
	FixRegistryTLS:          "serve the registry with a certificate the engine trusts, or list it in insecure-registries in the engine's daemon.json",
	FixBinaryPackage:        "install the package's prebuilt-wheel distribution instead of building it (psycopg2 → psycopg2-binary)",
	FixSetAppRoot:           "set the service's root directory (the variant's root) to the directory that holds the app",
	FixHostWithoutNixLibs:   "run the base image's own programs (apt-get, sh, a browser) without the Nix LD_LIBRARY_PATH: sudo, or env -u LD_LIBRARY_PATH",
	FixDropGlibcFromNixLibs: "take glibc out of nixLibs: the store's programs load the store's glibc through their own loader",
	FixAddPythonProvider:    "add Nixpacks' Python provider beside the one it detected: providers = [\"...\", \"python\"] in nixpacks.toml",
}

// FixTitle is the generic one-line description of a fix kind.
func FixTitle(k FixKind) string {
	if s, ok := fixTitles[k]; ok {
		return s
	}
	return string(k)
}

// classRule is one step of the classifier's precedence: the first rule whose when
// holds decides the class, and its explain writes the finding. A class may appear
// more than once when it has a strong and a weak form (the engine confirms an OOM
// kill, or only the exit code suggests one).
type classRule struct {
	class string
	// why is when in words, for docs/failure-classes.md.
	why     string
	when    func(*classifier) bool
	explain func(*classifier) Finding
}

// classRules is the precedence, most specific cause first: the kernel or the runner
// stopped the stage, then causes the output names, then symptoms, then what only the
// runner saw at boot. Classify's doc comment and docs/failure-classes.md list the
// same order; tests keep them in step.
var classRules = []classRule{
	// 1. the kernel or the runner stopped it; an interrupt says nothing about the
	// variant, so it wins over whatever the output shows up to that moment
	{ClassInterrupted, "the run was stopped (signal or cancelled context) during the stage",
		func(c *classifier) bool { return c.observed.Interrupted },
		(*classifier).interrupted},
	{ClassOOMKilled, "the engine reports the stage's container OOM-killed",
		func(c *classifier) bool { return c.observed.OOMKilled },
		func(c *classifier) Finding { return c.oom(true) }},
	{ClassIndexUnreachable, "the stage timed out while pip, apt or Nix was failing to reach its index",
		func(c *classifier) bool { return c.observed.TimedOut && c.netHit() },
		func(c *classifier) Finding { return c.indexUnreachable(true) }},
	{ClassTimeout, "the runner stopped the stage at its deadline, or at boot the app listened on the port and never answered",
		func(c *classifier) bool { return c.observed.TimedOut || c.hung() },
		(*classifier).timeout},
	// 2. causes the output names
	{ClassNoBuildPlan, "build: the builder's CLI found no build plan in the app root and stopped",
		func(c *classifier) bool { return c.observed.NoBuildPlan },
		(*classifier).noBuildPlan},
	{ClassNoStartCommand, "the builder's CLI refused to build without a start command, or boot had nothing to run",
		func(c *classifier) bool { return c.observed.NoStartCommand },
		(*classifier).noStartCommand},
	{ClassImageUnavailable, "before the image exists (build, install): the engine has no base image and may not pull it, or the pull failed",
		func(c *classifier) bool {
			s := c.s
			return c.stage != result.StageImport && c.stage != result.StageLdd && c.stage != result.StageBoot &&
				(c.observed.ImageUnavailable != "" || s.has(sImagePull) || s.has(sRegistryNet))
		},
		(*classifier).imageUnavailable},
	{ClassPEP668, "pip's externally-managed-environment error",
		func(c *classifier) bool { return c.s.has(sPEP668) },
		(*classifier).pep668},
	{ClassNixAttribute, "outside import and ldd: Nix names an attribute or variable it does not have",
		func(c *classifier) bool {
			return c.s.has(sNixAttr) && c.stage != result.StageImport && c.stage != result.StageLdd
		},
		(*classifier).nixAttr},
	{ClassDlopenMissing, "cffi's \"cannot load library\" / \"no library called\": a library opened by name at run time is missing",
		func(c *classifier) bool { return c.s.has(sDlopen) },
		(*classifier).dlopenMissing},
	{ClassPythonUnavailable, "outside import and ldd: mise cannot resolve the requested Python version",
		func(c *classifier) bool {
			return c.s.has(sMiseVersion) && c.stage != result.StageImport && c.stage != result.StageLdd
		},
		(*classifier).pythonUnavailable},
	{ClassMissingLib, "\"cannot open shared object file\" naming a library, or (ldd) libraries the ldd probe found unresolved",
		func(c *classifier) bool { libs, _ := c.missingLibs(); return len(libs) > 0 },
		(*classifier).missingLib},
	{ClassGlibcVersion, "a GLIBC_/GLIBCXX_/CXXABI_ symbol version not found",
		func(c *classifier) bool { return c.s.has(sGlibcVersion) },
		(*classifier).glibc},
	{ClassNumpyABI, "NumPy's 1.x/2.x ABI errors",
		func(c *classifier) bool { return c.s.has(sNumpyABI) },
		(*classifier).numpyABI},
	{ClassIndexUnreachable, "an installing stage failed (or found no versions, or no apt package) while its index was unreachable",
		func(c *classifier) bool {
			s := c.s
			return c.netHit() && (c.exit != 0 || s.has(sNoVersion) || s.has(sAptNoPkg))
		},
		func(c *classifier) Finding { return c.indexUnreachable(false) }},
	{ClassRequirementsFile, "an installing stage: pip could not read a requirements file (an -r/-c include loop, a file that does not exist)",
		func(c *classifier) bool {
			s := c.s
			return c.installish() && (s.has(sReqFile) || s.has(sRecursion) && s.has(sPipReqFrame))
		},
		(*classifier).requirementsFile},
	{ClassHashMismatch, "an installing stage: pip's hashes do not match",
		func(c *classifier) bool { return c.installish() && c.s.has(sHashMismatch) },
		(*classifier).hashMismatch},
	{ClassBuildFromSource, "an installing stage: a compiler or header error, or a failed wheel build that failed the stage, unless pip found no version at all",
		func(c *classifier) bool {
			s := c.s
			return c.installish() && (s.has(sBuildStrong) || s.has(sBuildWeak) && (s.count[sBuildWeak] > 1 || c.exit != 0)) && !s.has(sNoVersion)
		},
		(*classifier).buildFromSource},
	{ClassNoDistribution, "an installing stage: no version satisfies the requirement, or the wheel is not for this platform",
		func(c *classifier) bool {
			s := c.s
			return c.installish() && (s.has(sNoVersion) || s.has(sNoDist) || s.has(sNotSupportedWheel))
		},
		(*classifier).noDistribution},
	{ClassAptPackageUnknown, "an installing stage: apt cannot locate a package",
		func(c *classifier) bool { return c.installish() && c.s.has(sAptNoPkg) },
		(*classifier).aptUnknown},
	{ClassPipNotFound, "an installing stage: the shell has no pip, or python has no pip module",
		func(c *classifier) bool { return c.installish() && c.s.has(sPipNotFound) },
		(*classifier).pipNotFound},
	{ClassShellSyntax, "the shell reports a syntax error in the command it was given",
		func(c *classifier) bool { return c.s.has(sShellSyntax) },
		(*classifier).shellSyntax},
	{ClassOOMKilled, "exit code 137 outside boot, or a build step killed with 137, without the engine confirming an OOM kill",
		func(c *classifier) bool {
			s := c.s
			return c.exit == 137 && c.stage != result.StageBoot || s.has(sBuildOOM) || s.has(sKilled) && c.exit == 137
		},
		func(c *classifier) Finding { return c.oom(false) }},
	// 3. symptoms
	{ClassWorkerBoot, "boot: gunicorn's worker failed to boot or exited",
		func(c *classifier) bool {
			return (c.stage == result.StageBoot || c.stage == "") && (c.s.has(sWorker) || c.s.has(sWorkerExit))
		},
		(*classifier).workerBoot},
	{ClassModuleNotFound, "import or boot: \"No module named\"",
		func(c *classifier) bool {
			return c.s.has(sModuleNotFound) && (c.stage == result.StageImport || c.stage == result.StageBoot || c.stage == "")
		},
		(*classifier).moduleNotFound},
	{ClassCommandNotFound, "exit code 127, or the shell's \"not found\"",
		func(c *classifier) bool { return c.exit == 127 || c.s.has(sCmdNotFound) },
		(*classifier).commandNotFound},
	// 4. what the runner observed at boot
	{ClassCrashLoop, "while the health check had no answer, one command of the app's processes kept ending and being started again",
		func(c *classifier) bool { return c.observed.CrashLoop != nil },
		(*classifier).crashLoop},
	{ClassPortNotBound, "the health check never passed and the app listens only on loopback or on another port",
		func(c *classifier) bool {
			on, loop, others := c.listeners()
			return len(on) == 0 && len(loop)+len(others) > 0
		},
		(*classifier).portNotBound},
	{ClassCrashedAfterStart, "the started app's process exited on its own",
		func(c *classifier) bool { return c.observed.Exited },
		(*classifier).crashed},
	{ClassPortNotBound, "the health check never got an answer and the listener probe found nothing listening",
		func(c *classifier) bool { return c.noListener() },
		(*classifier).portNotBound},
	{ClassHealthUnexpected, "the health (or config) endpoint answered with another status or body",
		func(c *classifier) bool { return c.observed.Health != nil && c.observed.Health.Error == "" },
		(*classifier).health},
}

// signal is what one line of output says, whatever the tool's exact wording; the
// rules above read signals, scan.go finds them.
type signal int

const (
	sPEP668 signal = iota
	sPEP668Detail
	sCannotOpen
	sLddNotFound
	sGlibcVersion
	sNumpyABI
	sNumpyBlock
	sNoVersion
	sNoDist
	sNotSupportedWheel
	sRequiresPython
	sPipNet
	sAptNet
	sAptNoPkg
	sMiseVersion
	sNixAttr
	sNixNet
	sBuildStrong
	sBuildWeak
	sWorker
	sWorkerExit
	sMasterShutdown
	sListening
	sModuleNotFound
	sCmdNotFound
	sPipNotFound
	sNixAt
	sKilled
	sBuildOOM
	sHashMismatch
	sHashDetail
	sImagePull
	sRegistryNet
	sShellSyntax
	sReqFile
	sRecursion
	sPipReqFrame
	sDlopen
	sSdist
	nSignals
)

// signalRule: a line carries the signal when it contains any of anyOf and, if set, also and.
// The runner's marker lines carry none: what the runner observed arrives as result.Facts.
type signalRule struct {
	s     signal
	anyOf []string
	and   string
	// prefix: anyOf must match at the start of the cleaned line.
	prefix bool
}

var signalRules = []signalRule{
	{s: sPEP668, anyOf: []string{"externally-managed-environment", "This environment is externally managed"}},
	{s: sPEP668Detail, anyOf: []string{"This command has been disabled as it tries to modify the immutable", "`/nix/store` filesystem", "To install Python packages system-wide, try apt install", "If you wish to install a non-Debian-packaged Python package", "create a virtual environment using python3 -m venv"}},
	{s: sCannotOpen, anyOf: []string{"cannot open shared object file"}},
	// glibc's own dlopen of the unwinder failed: "libgcc_s.so.1 must be installed for
	// pthread_exit to work" (or pthread_cancel), then abort.
	{s: sCannotOpen, anyOf: []string{" must be installed for pthread_"}},
	{s: sLddNotFound, anyOf: []string{"=> not found"}},
	{s: sGlibcVersion, anyOf: []string{"version `GLIBC", "version 'GLIBC", "version `CXXABI", "version 'CXXABI"}, and: "not found"},
	// A libc run with another glibc's loader: "symbol lookup error: …/libc.so.6: undefined
	// symbol: __tunable_is_initialized, version GLIBC_PRIVATE" (or a relocation error).
	{s: sGlibcVersion, anyOf: []string{"version GLIBC_PRIVATE"}},
	{s: sNumpyABI, anyOf: []string{
		"compiled using NumPy 1.x cannot be run in",
		"_ARRAY_API not found",
		"numpy.core.multiarray failed to import",
		"numpy.core._multiarray_umath failed to import",
		"numpy._core.multiarray failed to import",
		"numpy.dtype size changed, may indicate binary incompatibility",
		"module compiled against ABI version",
		"module compiled against API version",
	}},
	{s: sNumpyBlock, anyOf: []string{"* The NumPy version is", "* The Python version is"}},
	{s: sNoVersion, anyOf: []string{"Could not find a version that satisfies the requirement"}},
	{s: sNoDist, anyOf: []string{"No matching distribution found for"}},
	{s: sNotSupportedWheel, anyOf: []string{"is not a supported wheel on this platform"}},
	{s: sRequiresPython, anyOf: []string{"require a different python version", "requires a different Python", "Requires-Python"}},
	{s: sPipNet, anyOf: []string{
		"Max retries exceeded with url",
		"NewConnectionError",
		"Failed to establish a new connection",
		"Temporary failure in name resolution",
		"Name or service not known",
		"No address associated with hostname",
		"Network is unreachable",
		"No route to host",
		"ConnectTimeoutError",
		"connection broken by",
		"Could not fetch URL",
		"ProxyError",
	}},
	{s: sAptNet, anyOf: []string{"Temporary failure resolving", "Could not resolve '", "Some index files failed to download", "Unable to connect to"}},
	{s: sAptNet, anyOf: []string{"Failed to fetch http"}},
	{s: sAptNoPkg, anyOf: []string{"Unable to locate package", "has no installation candidate"}, and: "E: "},
	{s: sMiseVersion, anyOf: []string{"failed to resolve version "}, and: " of python"},
	{s: sNixAttr, anyOf: []string{"error: attribute '"}, and: "not found"},
	{s: sNixAttr, anyOf: []string{"error: attribute '"}, and: "missing"},
	{s: sNixAttr, anyOf: []string{"error: undefined variable '"}},
	{s: sNixAt, anyOf: []string{"/.nixpacks/nixpkgs-"}, and: "at "},
	{s: sNixNet, anyOf: []string{"unable to download", "Could not resolve host", "Couldn't resolve host name"}},
	{s: sBuildStrong, anyOf: []string{
		"error: command 'gcc' failed",
		"error: command 'cc' failed",
		"error: command 'g++' failed",
		"-gcc' failed",
		"-g++' failed",
		"unable to execute 'gcc'",
		"/gcc' failed",
		"unable to execute 'cc'",
		"pg_config executable not found",
		"C compiler cannot create executables",
		"Unknown compiler(s):",
		"Broken toolchain",
		"gcc: not found",
		"cc: not found",
		"Python.h: No such file or directory",
		"rustc' failed",
		"can't find Rust compiler",
		"cargo: not found",
	}},
	{s: sBuildStrong, anyOf: []string{"fatal error: "}, and: ": No such file or directory"},
	{s: sBuildWeak, anyOf: []string{"Failed building wheel for", "Could not build wheels for", "Failed to build installable wheels", "metadata-generation-failed", "error: subprocess-exited-with-error", "ERROR: Failed to build "}},
	{s: sWorker, anyOf: []string{"Worker failed to boot", "Exception in worker process", "App failed to load", "Error loading ASGI app"}},
	// the master's shutdown line is evidence only: a normal shutdown prints it too
	{s: sMasterShutdown, anyOf: []string{"Shutting down: Master"}},
	{s: sWorkerExit, anyOf: []string{"exited with code"}, and: "Worker"},
	{s: sListening, anyOf: []string{"Listening at: ", "Uvicorn running on ", "Running on http"}},
	{s: sModuleNotFound, anyOf: []string{"No module named "}},
	{s: sPipNotFound, anyOf: []string{"pip: command not found", "pip3: command not found", "pip: not found", "pip3: not found", "No module named pip"}},
	{s: sCmdNotFound, anyOf: []string{": command not found", "executable file not found in $PATH", "exec format error"}},
	{s: sCmdNotFound, anyOf: []string{": not found"}, and: "sh: "},
	{s: sKilled, anyOf: []string{"Killed"}, prefix: true},
	{s: sBuildOOM, anyOf: []string{"returned a non-zero code: 137", "exit code: 137", "exited with code 137"}},
	{s: sHashMismatch, anyOf: []string{"DO NOT MATCH THE HASHES", "do not match the hashes"}},
	// pip's lines under it: the requirement, "Expected sha256 <hex>" and "Got <hex>".
	{s: sHashDetail, anyOf: []string{"Expected sha256 ", "(from -r "}},
	{s: sHashDetail, anyOf: []string{"Got "}, prefix: true},
	{s: sImagePull, anyOf: []string{
		"pull access denied for",
		"manifest unknown",
		"repository does not exist or may require",
		"failed to resolve source metadata for",
		"No such image:",
	}},
	// The engine's pull of a FROM image could not reach the registry.
	{s: sRegistryNet, anyOf: []string{"/v2/"}, and: "dial tcp"},
	// dash: "sh: 1: Syntax error: Unterminated quoted string"; bash: "bash: -c: line 1:
	// unexpected EOF while looking for matching `"'". Python's "SyntaxError:" is neither.
	{s: sShellSyntax, anyOf: []string{": Syntax error: "}, and: "sh: "},
	{s: sShellSyntax, anyOf: []string{"unexpected EOF while looking for matching", "syntax error near unexpected token", "syntax error: unexpected end of file"}, and: "line "},
	// pip 24+ names an include loop; pip 23 recurses until Python stops it, inside req_file.py.
	{s: sReqFile, anyOf: []string{"recursively references itself in", "Could not open requirements file"}},
	{s: sRecursion, anyOf: []string{"RecursionError: maximum recursion depth exceeded"}},
	{s: sPipReqFrame, anyOf: []string{"pip/_internal/req/req_file.py"}},
	// cffi's ffi.dlopen: "cannot load library 'libcairo.so.2': libcairo.so.2: cannot open
	// shared object file …"; cairocffi and WeasyPrint wrap it as 'no library called "cairo-2"
	// was found'; ctypes.util.find_library's None is cffi's "did not manage to locate".
	{s: sDlopen, anyOf: []string{"cannot load library '", "cannot load library \""}},
	{s: sDlopen, anyOf: []string{"no library called \""}, and: "was found"},
	// the source distribution pip is about to build: "Processing /wh/psycopg2-2.9.10.tar.gz",
	// "Downloading psycopg2-2.9.9.tar.gz (384 kB)"
	{s: sSdist, anyOf: []string{"Processing ", "Downloading "}, and: ".tar.gz"},
}
