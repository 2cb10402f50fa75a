// Package result is the one model every stage writes and every report reads.
// Its JSON names are a stable, documented schema: reports, shards and merges
// depend on them, so fields are only ever added.
package result

import (
	"slices"
	"time"
)

// StageName names one stage. The set is closed: StageNames is the one list of
// them, and everything that walks, validates or keys by stage uses it.
type StageName string

// Stage names, in the order a variant goes through them.
const (
	StageBuild   StageName = "build"
	StageInstall StageName = "install"
	StageImport  StageName = "import"
	StageLdd     StageName = "ldd"
	StageBoot    StageName = "boot"
)

// StageNames lists the stages in run order.
var StageNames = []StageName{StageBuild, StageInstall, StageImport, StageLdd, StageBoot}

// Valid reports whether s is one of StageNames.
func (s StageName) Valid() bool { return slices.Contains(StageNames, s) }

// Mode is how a run substitutes images and package indexes: offline uses the
// local kit and mirror only, online the public registries.
type Mode string

// Modes a run can be in.
const (
	ModeOffline Mode = "offline"
	ModeOnline  Mode = "online"
)

// Status of one stage.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Run is the result of one scenario run.
type Run struct {
	Scenario  string    `json:"scenario"`
	File      string    `json:"file,omitempty"`
	Mode      Mode      `json:"mode,omitempty"`
	StartedAt time.Time `json:"started_at"`
	Seconds   float64   `json:"seconds"`
	Variants  []Variant `json:"variants"`
}

// Variant is one configuration's way through the stages.
type Variant struct {
	Name string `json:"name"`
	// Axes are the matrix values that made this variant, for display.
	Axes  map[string]string `json:"axes,omitempty"`
	Boots bool              `json:"boots"`
	// Expectation is the scenario's claim, in words ("boots", "fails at import with missing-shared-library").
	Expectation    string `json:"expectation,omitempty"`
	ExpectationMet bool   `json:"expectation_met"`
	// ExpectationDetail says how the outcome differs from the expectation when it does.
	ExpectationDetail string  `json:"expectation_detail,omitempty"`
	Image             string  `json:"image,omitempty"`
	Stages            []Stage `json:"stages"`
	// Error is a setup problem that kept the variant from running at all (bad input, engine down).
	Error string `json:"error,omitempty"`
	// Fixes are the fixes the diagnosis proposes for this variant's failure, smallest first.
	Fixes []Fix `json:"fixes,omitempty"`
	// Notes say how the builder rendered the variant: what it detected and
	// decided (the provider, a config file it did not read, pins it wrote).
	Notes []string `json:"notes,omitempty"`
	// Caveats say where this run could not decide the variant as a real deploy
	// would: a stand-in of the offline kit differs from the real image, or the
	// builder does a part bootmatrix does not model, in a way that can change this
	// variant's outcome. The outcome above is that of what bootmatrix built.
	Caveats []string `json:"caveats,omitempty"`
}

// Stage is one stage's outcome.
type Stage struct {
	Name     StageName `json:"name"`
	Status   Status    `json:"status"`
	Class    string    `json:"class,omitempty"`
	Seconds  float64   `json:"seconds"`
	ExitCode int       `json:"exit_code"`
	// Output is the bounded tail of what the stage printed.
	Output string `json:"output,omitempty"`
	// Evidence are the lines that show the cause, quoted from Output or from probe findings.
	Evidence []string `json:"evidence,omitempty"`
	// Explanation is the one-line cause in words.
	Explanation string `json:"explanation,omitempty"`
	// Note says why a stage was skipped or what a passing stage found (module versions).
	Note string `json:"note,omitempty"`
	// Missing are the libraries the ldd stage found unresolved.
	Missing []MissingLib `json:"missing,omitempty"`
	// Modules are the import stage's per-module outcomes.
	Modules []Module `json:"modules,omitempty"`
	// Facts are what the runner observed beyond the output; the classifier reads them.
	Facts Facts `json:"facts,omitzero"`
}

// MissingLib is a NEEDED entry the loader would not resolve, and where a file of that name exists.
type MissingLib struct {
	Library  string   `json:"library"`
	NeededBy []string `json:"needed_by,omitempty"`
	FoundAt  []string `json:"found_at,omitempty"`
	// Provider names what provides it in this image: a Nix attribute or a Debian package.
	Provider string `json:"provider,omitempty"`
}

// Module is one imported module.
type Module struct {
	Name    string `json:"name"`
	OK      bool   `json:"ok"`
	Version string `json:"version,omitempty"`
	Error   string `json:"error,omitempty"`
}

// Fix is a proposed change.
type Fix struct {
	ID      string `json:"id"`
	Summary string `json:"summary"`
	// Proven is true only when a variant with this fix applied booted.
	Proven bool   `json:"proven"`
	Diff   string `json:"diff,omitempty"`
	// Packages are what the fix adds, in its builder's terms (Nix attributes for
	// add-nixpkgs, Debian packages for add-aptpkgs), for the doctor to write.
	Packages []string `json:"packages,omitempty"`
}

// StageByName returns the named stage, or nil.
func (v *Variant) StageByName(name StageName) *Stage {
	for i := range v.Stages {
		if v.Stages[i].Name == name {
			return &v.Stages[i]
		}
	}
	return nil
}

// FirstFailure returns the first failed stage, or nil when none failed.
func (v *Variant) FirstFailure() *Stage {
	for i := range v.Stages {
		if v.Stages[i].Status == Fail {
			return &v.Stages[i]
		}
	}
	return nil
}
