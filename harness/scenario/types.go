// Package scenario loads, validates and expands a scenario file: the project
// under test and the matrix of build configurations to try on it.
package scenario

import (
	"cmp"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// SchemaVersion is the only schema version this build reads.
const SchemaVersion = 1

// BuilderName names a builder in the registry the loader was given (WithBuilders).
type BuilderName string

// Shell is how the platform starts commands in the image.
type Shell string

// Shells a variant can use.
const (
	ShellLogin Shell = "login" // bash -l -c: login profile scripts run (Nixpacks' entrypoint)
	ShellPlain Shell = "plain" // sh -c: no profile scripts
)

// Scenario is a validated scenario file with its matrix expanded.
type Scenario struct {
	// File is the scenario file's path as given; Dir is its directory, which relative paths start from.
	File string
	Dir  string
	Name string
	// Requires is the file's `requires`, the oldest bootmatrix that reads it.
	Requires Requirement

	Project Project
	// Imports are the modules the import stage loads, each in a fresh interpreter.
	Imports []string
	// Start is the start command; empty means the builder's own (nixpacks start cmd, Dockerfile CMD).
	Start  string
	Port   int
	Health HTTPCheck
	Config *HTTPCheck
	// Env is extra runtime environment for every stage that runs in a container.
	Env map[string]string
	// Secrets are extra environment names whose values are redacted everywhere.
	Secrets []string
	// Images override single image references in online runs (images:), taken as written.
	Images map[string]string
	// Timeouts are the file's over DefaultTimeouts, every stage set once loaded.
	Timeouts Timeouts
	Limits   Limits
	// Settle is how long a booted app must stay up and healthy after its first
	// healthy answer; zero means DefaultSettle.
	Settle time.Duration

	Variants []Variant
}

// Requirement is a scenario's `requires: ">= X.Y"`.
type Requirement struct {
	Text string // as written; empty when the file has none
	// Unchecked is true when this is a development build, taken to satisfy it.
	Unchecked bool
}

// Project is the code under test.
type Project struct {
	// Dir is the project's directory, absolute.
	Dir string
	// Root is the app root inside Dir, as the platform's "root directory" setting ("." by default).
	Root string
}

// HTTPCheck is an endpoint the boot stage calls.
type HTTPCheck struct {
	Path string
	// ExpectStatus defaults to 200.
	ExpectStatus int
	// ExpectBody, when set, must equal the body after trimming white space
	// (JSON bodies are compared as JSON).
	ExpectBody string
}

// Timeouts bound each stage, keyed by stage; a stage without an entry (or with
// zero) takes the next source's: the variant's, then the scenario's, then
// DefaultTimeouts. Assign a whole map rather than an entry of a nil one.
type Timeouts map[result.StageName]time.Duration

// Over returns t's entries over base's, as a new map: neither is changed.
func (t Timeouts) Over(base Timeouts) Timeouts {
	out := Timeouts{}
	for _, m := range []Timeouts{base, t} {
		for st, d := range m {
			if d > 0 {
				out[st] = d
			}
		}
	}
	return out
}

// For is the stage's timeout: t's entry, or DefaultTimeouts' when t has none.
func (t Timeouts) For(st result.StageName) time.Duration {
	if d := t[st]; d > 0 {
		return d
	}
	return defaultTimeouts[st]
}

// Limits for every container a variant runs.
type Limits struct {
	MemoryBytes int64
	NanoCPUs    int64
	// CPUsAt is where NanoCPUs was written, so that CheckCPUs, which runs once the
	// engine is known, can point at it.
	CPUsAt Pos
}

// Pos is a field's place in the scenario file.
type Pos struct {
	Line, Column int
	Field        string
}

// MinMemoryBytes is the smallest memory limit the Docker engine accepts: below
// it the daemon answers "Minimum memory limit allowed is 6MB" for every container.
const MinMemoryBytes = 6 << 20

// Variant is one configuration of the matrix.
type Variant struct {
	// Name is unique in the scenario; generated from the axes when the file gives none.
	Name string
	// Builder names one of the loader's builders (WithBuilders).
	Builder BuilderName
	// Python is the Python version, "3.11" or "3.13".
	Python string
	// Pins replace or add requirement lines ("numpy==1.24.2") before install.
	Pins []string
	// Root overrides Project.Root for this variant.
	Root string
	// Base overrides the builder's logical base image ("python:3.11-slim", "nixpacks").
	Base string
	// Shell is ShellLogin or ShellPlain; empty means the builder's default.
	Shell    Shell
	Nixpacks NixpacksOverrides
	// Settings are the values of builders' own settings (SettingOwner), by name.
	Settings map[string]any
	// Dockerfile is the Dockerfile's path relative to the project, for the dockerfile builder.
	Dockerfile string
	BuildArgs  map[string]string
	// Start overrides the scenario's start command.
	Start string
	// Timeouts, Limits and Settle are the variant's own: a stage or field it does not
	// set takes the scenario's when the variant runs (Scenario.TimeoutsFor, LimitsFor,
	// SettleFor), so a change to the scenario's after loading still applies.
	Timeouts Timeouts
	Limits   Limits
	Settle   time.Duration
	Expect   *Expectation
	// Axes are the values that made this variant, for display and selection.
	Axes map[string]string
	// Line is where the variant was defined in the scenario file (its include entry, or the matrix).
	Line int
}

// NixpacksOverrides are merged onto the project's nixpacks.toml the way Nixpacks
// merges a later configuration: a list containing "..." extends the earlier one
// at that place, a list without it replaces it. Nil means not set.
type NixpacksOverrides struct {
	NixPkgs     []string
	NixLibs     []string
	AptPkgs     []string
	InstallCmds []string
	BuildCmds   []string
	StartCmd    string
	RunImage    string
	// NixpkgsArchive is [phases.setup].nixpkgsArchive, StartUser [start].user.
	NixpkgsArchive string
	StartUser      string
}

// Expectation is what the scenario claims a variant does.
type Expectation struct {
	Boots bool
	// Stage and Class name the expected failure when Boots is false. Class may be empty.
	Stage result.StageName
	Class string
	// OutputContains, when set, must appear in the failing stage's output.
	OutputContains string
}

// TimeoutsFor are the variant's timeouts over the scenario's; a stage neither
// sets is DefaultTimeouts' (Timeouts.For).
func (s *Scenario) TimeoutsFor(v Variant) Timeouts { return v.Timeouts.Over(s.Timeouts) }

// LimitsFor are the variant's limits, each field it leaves zero the scenario's.
func (s *Scenario) LimitsFor(v Variant) Limits {
	l := Limits{MemoryBytes: cmp.Or(v.Limits.MemoryBytes, s.Limits.MemoryBytes), NanoCPUs: s.Limits.NanoCPUs, CPUsAt: s.Limits.CPUsAt}
	if v.Limits.NanoCPUs != 0 {
		l.NanoCPUs, l.CPUsAt = v.Limits.NanoCPUs, v.Limits.CPUsAt
	}
	return l
}

// SettleFor is the variant's settle period, else the scenario's, else DefaultSettle.
func (s *Scenario) SettleFor(v Variant) time.Duration {
	return cmp.Or(v.Settle, s.Settle, DefaultSettle)
}

// PortOrDefault is the port the app must listen on: the scenario's, or DefaultPort
// for a scenario built in code without one.
func (s *Scenario) PortOrDefault() int { return cmp.Or(s.Port, DefaultPort) }
