package nixpacks

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Facts are what a Nixpacks image tells the diagnosis: its libraries are in the
// Nix store, and the merged plan's nixPkgs and nixLibs say what was meant to
// provide them (a library the project's nixpacks.toml lists counts as much as
// one the variant adds).
type Facts struct {
	NixPkgs, NixLibs []string
	// LibsScript is the profile script that exports nixLibs' LD_LIBRARY_PATH
	// in the image (LibsProfileScript of the archive); empty when nothing sets nixLibs.
	LibsScript string
	// Roots are, when Nixpacks found no build plan, the app root's
	// subdirectories where its Python provider detects an app.
	Roots []string
	// OverPython is the provider Nixpacks chose where its Python provider
	// detects the app too (overPython); "" when Python's plan was made or none
	// other detected.
	OverPython string
	// WithPackages is the nixPkgs entry that would give the variant's python
	// its requirements, imports and server from Nix (withPackages).
	WithPackagesExpr string
}

// WithPackages is WithPackagesExpr.
func (f Facts) WithPackages() string { return f.WithPackagesExpr }

// ProviderOverPython is OverPython.
func (f Facts) ProviderOverPython() string { return f.OverPython }

// AppRoots are the subdirectories a plan could have been made in.
func (f Facts) AppRoots() []string { return f.Roots }

// NixStore is always true: Nixpacks installs everything from nixpkgs.
func (Facts) NixStore() bool { return true }

// Provider names the nixpkgs attribute: from a store path a copy was found at
// (not a profile's link to it), or the soname table.
func (Facts) Provider(m result.MissingLib) string {
	for _, p := range m.FoundAt {
		if strings.HasPrefix(p, "/nix/store/") && !isProfilePath(p) {
			if pr := ProviderFor(p); pr != "" {
				return pr
			}
		}
	}
	return NixAttrFor(m.Library)
}

// listProvides reports the entry of list that provides attr, if any.
func listProvides(list []string, attr string) string {
	if attr == "" {
		return ""
	}
	norm := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "nixpkgs.") }
	for _, e := range list {
		if norm(e) == attr {
			return e
		}
	}
	if slices.Contains(nixpacks.GCCRuntimeAttrs, attr) {
		for _, e := range list {
			if slices.Contains(nixpacks.GCCRuntimeAttrs, norm(e)) {
				return e
			}
		}
	}
	return ""
}

// where says where copies of the library are: the store path first, and a
// profile link to it separately, since that is what nixPkgs made and what the
// loader ignores.
func where(m result.MissingLib) string {
	if len(m.FoundAt) == 0 {
		return ""
	}
	store, profile := m.FoundAt[0], ""
	for _, p := range m.FoundAt {
		switch {
		case isProfilePath(p):
			if profile == "" {
				profile = p
			}
			if store == p {
				store = ""
			}
		case strings.HasPrefix(p, "/nix/store/") && (store == "" || !strings.HasPrefix(store, "/nix/store/")):
			store = p
		case strings.Contains(p, "/.nix-profile/") || strings.Contains(p, "/nix/var/nix/profiles/"):
			if profile == "" {
				profile = p
			}
		}
	}
	if store == "" {
		store = profile
	}
	w := "a copy exists at " + store
	switch {
	case !strings.HasPrefix(store, "/nix/"):
		// The base image's own (apt's) copy: nothing in nixpkgs put it there.
		w = "the base image's own copy is at " + store + ", outside the store"
		if m.Provider != "" {
			w += " (in nixpkgs, " + m.Provider + " provides it)"
		}
	case m.Provider != "":
		w += " (" + m.Provider + ")"
	}
	if profile != "" && profile != store {
		w += ", linked into the profile at " + profile
	}
	return w
}

// ExplainMissing explains a missing library on Nix: the loader searches only
// RUNPATHs and LD_LIBRARY_PATH, which nixLibs sets through a profile script that
// only a login shell reads.
func (f Facts) ExplainMissing(mc diagnose.MissingCase) diagnose.Explanation {
	var x diagnose.Explanation
	m := mc.Libs[0]
	attr := m.Provider
	plain := mc.Shell == scenario.ShellPlain
	e := fmt.Sprintf("the loader cannot find %s%s", m.Library, mc.NeededBy())
	if w := where(m); w != "" {
		e += ": " + w + ", but on Nix the loader searches only RUNPATHs and LD_LIBRARY_PATH (no /usr/lib, no ld.so.cache)"
	} else {
		if mc.Searched {
			e += ": no file of that name is in the image"
		}
		if attr != "" {
			e += "; nixpkgs' " + attr + " provides it"
		}
	}
	attrQ := attr
	if attrQ == "" {
		attrQ = "the attribute that provides " + m.Library
	}
	script := f.LibsScript
	if script == "" {
		script = LibsProfileScript("<archive>")
	}
	switch inLibs, inPkgs := listProvides(f.NixLibs, attr), listProvides(f.NixPkgs, attr); {
	case inLibs != "" && plain:
		e += fmt.Sprintf(". %s is in nixLibs, whose LD_LIBRARY_PATH is exported by %s; only a login shell reads it, and this variant starts without one", inLibs, script)
		x.Add(diagnose.FixLoginShell, fmt.Sprintf("start with a login shell (bash -l -c '<start command>') so %s exports LD_LIBRARY_PATH", script))
		x.Add(diagnose.FixLDLibraryPath, fmt.Sprintf("set LD_LIBRARY_PATH to %s's lib directory in the start command itself", inLibs))
	case inLibs != "":
		e += fmt.Sprintf(". %s is in nixLibs and the shell is a login shell, yet LD_LIBRARY_PATH did not reach the process: the start command resets the environment or runs through another shell", inLibs)
		x.Add(diagnose.FixLDLibraryPath, fmt.Sprintf("set LD_LIBRARY_PATH to %s's lib directory in the start command itself", inLibs))
	case inPkgs != "":
		e += fmt.Sprintf(". %s is in nixPkgs, which only links it into the profile (~/.nix-profile/lib); the loader never searches the profile", inPkgs)
		x.Add(diagnose.FixMoveNixPkgToNixLibs, fmt.Sprintf("move %q from nixPkgs to nixLibs so its lib directory goes on LD_LIBRARY_PATH", inPkgs))
		if plain {
			x.Add(diagnose.FixLoginShell, "and start with a login shell (bash -l -c), which is what reads the nixLibs export")
		}
	default:
		if tried := append(append([]string(nil), f.NixPkgs...), f.NixLibs...); len(tried) > 0 {
			e += fmt.Sprintf(". None of nixPkgs %s / nixLibs %s provides it", listOrNone(f.NixPkgs), listOrNone(f.NixLibs))
			if slices.Contains(f.NixPkgs, "gcc") && slices.Contains(nixpacks.GCCRuntimeAttrs, attr) {
				e += " (gcc is the compiler wrapper; its runtime libraries are another store path, and nixPkgs would only link them into the profile, which the loader never searches)"
			}
		}
		if attrs, libs := mc.Providers(); len(attrs) > 1 {
			x.Add(diagnose.FixAddNixLibs, fmt.Sprintf("add %s to nixLibs: they provide %s and nixLibs puts their lib directories on LD_LIBRARY_PATH", diagnose.Quoted(attrs), strings.Join(libs, ", ")))
		} else {
			x.Add(diagnose.FixAddNixLibs, fmt.Sprintf("add %q to nixLibs: it provides %s and nixLibs puts its lib directory on LD_LIBRARY_PATH", attrQ, m.Library))
		}
		if plain {
			x.Add(diagnose.FixLoginShell, "and start with a login shell (bash -l -c), which is what reads the nixLibs export")
		}
	}
	x.Text = e + mc.AlsoMissing() + "."
	if f.WithPackagesExpr != "" {
		x.Add(diagnose.FixNixPythonPackage, fmt.Sprintf("take the native modules from Nix as one python, %s in nixPkgs: their RUNPATHs point into the store", f.WithPackagesExpr))
	} else if py := nixpacks.PythonAttr(mc.Python); py != "" {
		x.Add(diagnose.FixNixPythonPackage, fmt.Sprintf("take the native modules from Nix as one python, (%s.withPackages (ps: [ps.<name> …])) in nixPkgs: their RUNPATHs point into the store", py))
	} else {
		x.Add(diagnose.FixNixPythonPackage, "take the native modules from Nix as one python, (pythonXY.withPackages (ps: [ps.<name> …])) in nixPkgs: their RUNPATHs point into the store")
	}
	slim := "python:<version>-slim"
	if mc.Python != "" {
		slim = "python:" + mc.Python + "-slim"
	}
	if debian.SlimHas(mc.Libs) {
		x.Add(diagnose.FixBuilderPythonSlim, "build on "+slim+" instead, where libstdc++6 and friends are in /usr/lib")
	}
	x.Add(diagnose.FixBuilderDockerfile, "use a Dockerfile on a Debian-based Python image")
	return x
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	return "[" + strings.Join(l, ", ") + "]"
}

// isProfilePath reports whether p is inside a Nix profile (a user environment is
// a store path too, but only a tree of links to the packages nixPkgs installed).
func isProfilePath(p string) bool {
	return strings.Contains(p, "-user-environment/") || strings.Contains(p, "/.nix-profile/") || strings.Contains(p, "/nix/var/nix/profiles/") ||
		nixpacksEnvRE.MatchString(p)
}

// nixpacksEnvRE matches the buildEnv Nixpacks' nix expression makes for an
// archive (<hash>-<rev>-env): like a profile, a tree of links to the packages.
var nixpacksEnvRE = regexp.MustCompile(`/nix/store/[0-9a-z]{32}-[0-9a-f]{40}-env/`)

// ExplainModule explains a module nixPkgs installed as pythonXYPackages.<name>
// that the interpreter cannot import: nix-env links the package into the
// profile, and nixpkgs' python reads only its own site-packages and those of a
// withPackages environment.
func (f Facts) ExplainModule(module, _ string) (diagnose.Explanation, bool) {
	var x diagnose.Explanation
	top, _, _ := strings.Cut(module, ".")
	var entry, set string
	for _, e := range f.NixPkgs {
		e = strings.TrimPrefix(strings.TrimSpace(e), "nixpkgs.")
		if s, name, ok := strings.Cut(e, "Packages."); ok && strings.HasPrefix(s, "python") && strings.EqualFold(name, top) {
			entry, set = e, s
			break
		}
	}
	if entry == "" {
		return x, false
	}
	var names []string
	for _, e := range f.NixPkgs {
		e = strings.TrimPrefix(strings.TrimSpace(e), "nixpkgs.")
		if s, name, ok := strings.Cut(e, "Packages."); ok && s == set && name != "pip" {
			names = append(names, "ps."+name)
		}
	}
	with := fmt.Sprintf("(%s.withPackages (ps: [%s]))", set, strings.Join(names, " "))
	more := " (add the other packages the app imports, gunicorn among them)"
	if strings.HasPrefix(f.WithPackagesExpr, "("+set+".withPackages") {
		// The variant's own list: its requirements, imports and server.
		with, more = f.WithPackagesExpr, ""
	}
	x.Text = fmt.Sprintf("%s is in nixPkgs, so nix-env linked it into the profile (~/.nix-profile/lib/…/site-packages), and the profile's python does not read the profile: nixpkgs' python sees only its own site-packages and a withPackages environment's.", entry)
	x.Fixes = []diagnose.FixKind{diagnose.FixNixPythonPackage, diagnose.FixAddRequirement}
	x.Suggestions = []result.Fix{
		{ID: string(diagnose.FixNixPythonPackage), Summary: fmt.Sprintf("replace %s and the %sPackages entries in nixPkgs with %s%s", set, set, with, more)},
		{ID: string(diagnose.FixAddRequirement), Summary: "install " + top + " with pip into a venv instead (the Python provider's install)"},
	}
	return x, true
}
