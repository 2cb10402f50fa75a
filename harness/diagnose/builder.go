package diagnose

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// BuilderFacts is what a builder knows of the images it makes that the
// diagnosis needs: whether their libraries come from a Nix store, which package
// ships a library there, and how a missing library is fixed in the builder's
// own terms (nixLibs for Nixpacks, an apt package for a Debian image). Each
// builder package implements it; the recipe carries it to the classifier.
type BuilderFacts interface {
	// NixStore reports whether the image's libraries come from a Nix store,
	// where the loader searches only RUNPATHs and LD_LIBRARY_PATH.
	NixStore() bool
	// Provider names what ships m.Library in the image (a nixpkgs attribute, a
	// Debian package), judging first from where copies were found; "" when unknown.
	Provider(m result.MissingLib) string
	// ExplainMissing says why the loader did not find mc's first library and
	// what would fix it, smallest fix first.
	ExplainMissing(mc MissingCase) Explanation
}

// MissingCase is one missing-library diagnosis a builder explains.
type MissingCase struct {
	// Libs are the missing libraries, the one to explain first, Provider filled.
	Libs []result.MissingLib
	// Searched is true when the ldd probe looked for the library in the whole
	// image, so "no copy found" means there is none.
	Searched bool
	// Shell is scenario.ShellLogin, ShellPlain or "" (unknown).
	Shell scenario.Shell
	// Python is the variant's Python version, "" when unknown.
	Python string
}

// Explanation is a builder's answer to a MissingCase.
type Explanation struct {
	Text        string
	Fixes       []FixKind
	Suggestions []result.Fix
}

// Add appends a fix kind with its summary once.
func (e *Explanation) Add(k FixKind, summary string) {
	for _, f := range e.Fixes {
		if f == k {
			return
		}
	}
	e.Fixes = append(e.Fixes, k)
	e.Suggestions = append(e.Suggestions, result.Fix{ID: string(k), Summary: summary})
}

// NeededBy is " needed by <file>" for the first library, or "".
func (mc MissingCase) NeededBy() string {
	if len(mc.Libs) == 0 || len(mc.Libs[0].NeededBy) == 0 {
		return ""
	}
	return " needed by " + path.Base(mc.Libs[0].NeededBy[0])
}

// AlsoMissing is " (also missing: …)" for the libraries after the first, or "".
// Providers are the providers of the missing libraries, each once and in order,
// and the libraries they provide; a library with no known provider is left out.
// A fix that provides only the first moves the failure on to the next.
func (mc MissingCase) Providers() (providers, libs []string) {
	for _, m := range mc.Libs {
		if m.Provider == "" {
			continue
		}
		libs = append(libs, m.Library)
		if !slices.Contains(providers, m.Provider) {
			providers = append(providers, m.Provider)
		}
	}
	return providers, libs
}

// Quoted is l as a TOML or JSON list's items: "a", "b".
func Quoted(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func (mc MissingCase) AlsoMissing() string {
	if len(mc.Libs) < 2 {
		return ""
	}
	var others []string
	for _, o := range mc.Libs[1:] {
		others = append(others, o.Library)
	}
	return " (also missing: " + strings.Join(others, ", ") + ")"
}

// unknownBuilder answers for a context that names no builder facts: the
// image's kind is judged from the output, and no builder's fixes are offered.
type unknownBuilder struct{ nix bool }

func (u unknownBuilder) NixStore() bool                  { return u.nix }
func (unknownBuilder) Provider(result.MissingLib) string { return "" }

func (unknownBuilder) ExplainMissing(mc MissingCase) Explanation {
	m := mc.Libs[0]
	e := "the loader cannot find " + m.Library + mc.NeededBy()
	switch {
	case len(m.FoundAt) > 0:
		e += ": a copy exists at " + m.FoundAt[0] + ", a directory the loader does not search"
	case mc.Searched:
		e += ": no file of that name is in the image"
	}
	return Explanation{Text: e + mc.AlsoMissing() + "."}
}

// facts are the context's builder facts, or what the output shows without them.
func (c *classifier) facts() BuilderFacts {
	if c.ctx.Facts != nil {
		return c.ctx.Facts
	}
	return unknownBuilder{nix: c.nixFromOutput()}
}

// ModuleExplainer is a BuilderFacts that can say why a module its image
// installed is not importable (on Nix: a pythonXYPackages entry linked into the
// profile, which the profile's python never reads). ok is false when it knows
// nothing about the module.
type ModuleExplainer interface {
	ExplainModule(module, python string) (x Explanation, ok bool)
}
