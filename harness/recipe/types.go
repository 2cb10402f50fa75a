// Package recipe turns a variant into the images a platform builder would make:
// Dockerfiles and their build contexts, and how commands run in the result.
// The builders (harness/builder/...) make recipes; the runner builds and runs them.
package recipe

import (
	"slices"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Recipe is everything the runner needs to build and exercise one variant.
type Recipe struct {
	Builder scenario.BuilderName
	// Setup is the "build" stage: base image, system packages, the project's files.
	Setup Build
	// Install is the "install" stage, built on top of Setup: its Dockerfile starts with
	// "ARG BASE" and "FROM ${BASE}", the runner passes Setup's image as BASE.
	// Nil when installing is part of Setup (the dockerfile builder).
	Install *Build
	// Final, when set, is built after Install with BASE set to Install's image: the runtime
	// image of a [start] runImage configuration. Nil means Install's image (or Setup's) runs.
	Final *Build
	// Shell runs a command the way the platform does: the command string is appended.
	Shell []string
	// Start is the start command; empty means the image's own CMD/ENTRYPOINT.
	Start string
	// Workdir is where commands run.
	Workdir string
	// Python is the interpreter command the import and ldd probes use.
	Python string
	// Env is runtime environment for every exec (PORT is added by the runner).
	Env map[string]string
	// Notes explain choices the renderer made (provider detected or not, defaults applied).
	Notes []string
	// Caveats are where this recipe cannot decide the variant as the real platform
	// would (an offline stand-in, a builder part not modelled); the runner puts
	// them on the variant's result, beside an outcome that may differ there.
	Caveats []string
	// ShellMode is the variant's shell mode after defaults (scenario.ShellLogin or ShellPlain).
	ShellMode scenario.Shell
	// Facts are what the builder knows of the image that the diagnosis needs
	// (how its libraries are found, what provides them, what would fix them).
	Facts diagnose.BuilderFacts
	// Refusal is set when the builder's own CLI stops before building (Nixpacks:
	// "unable to generate a build plan", "No start command could be found"): the
	// build stage fails with it, as the deploy's build does, and nothing is built.
	Refusal *Refusal
}

// Refusal is what a builder's CLI prints and exits with when it will not build,
// and the facts the build stage records for the classifier.
type Refusal struct {
	Tool   string // "nixpacks"
	Output string
	Exit   int
	Facts  result.Facts
}

// DiagnoseContext is what the classifier is told of how the variant was built.
func (r *Recipe) DiagnoseContext() diagnose.Context {
	if r == nil {
		return diagnose.Context{}
	}
	ctx := diagnose.Context{Builder: r.Builder, Shell: r.ShellMode, Facts: r.Facts}
	// The indexes the requirement files name: offline, pip is pointed at the
	// wheelhouse and ignores them, which the diagnosis says.
	ctx.Indexes = requirementIndexes(r.Setup.Context)
	if r.Install != nil {
		for _, u := range requirementIndexes(r.Install.Context) {
			if !slices.Contains(ctx.Indexes, u) {
				ctx.Indexes = append(ctx.Indexes, u)
			}
		}
	}
	return ctx
}

// Build is one docker build.
type Build struct {
	Dockerfile string
	// Context maps a path inside the build context to its content; a builder adds
	// files it generates (a Nix expression, assets) as Data.
	Context map[string]File
	Args    map[string]string
	// Fetches are URLs the build itself downloads from (a nixpkgs archive), so
	// that the runner gives it a network that reaches them: one on loopback
	// needs the host's.
	Fetches []string
}

// File is one file of a build context: either a host file (Source) or bytes (Data).
type File struct {
	Source string
	Data   []byte
	Mode   int64
}

// Substitutions resolve logical image names and say where pip finds packages.
// Offline and online runs differ only in this table.
type Substitutions struct {
	Mode result.Mode
	// Images maps a logical reference ("python:3.13-slim", "nixpacks") to a concrete one.
	Images map[string]string
	// Wheelhouse is an image holding wheels under WheelhouseDir, copied into every
	// image that runs pip; empty online.
	Wheelhouse    string
	WheelhouseDir string
	// PipEnv is set for every pip run (PIP_NO_INDEX, PIP_FIND_LINKS, PIP_INDEX_URL …).
	PipEnv map[string]string
	// Mirror, when set (HOST[:PORT]), is the registry every pulled reference is
	// moved onto (MirrorRef); kit and cache images stay local.
	Mirror string
	// Overrides replace single references, taken as written (an images: map).
	Overrides map[string]string
	// NixpkgsArchives, when set, are the only nixpkgs archives a Nix build can
	// fetch, by revision, each at the URL given (the kit's copies in its Nix
	// image); nil means GitHub's, as Nixpacks fetches them.
	NixpkgsArchives map[string]string
	// NixpkgsMirror, when set, is where a Nix build fetches every nixpkgs
	// archive instead of GitHub: <mirror>/<rev>.tar.gz.
	NixpkgsMirror string
}
