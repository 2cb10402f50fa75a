package diagnose

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Context is what the runner knows about how the variant was built; every field is
// optional. What the runner observed while a stage ran is the stage's own
// result.Facts, not part of the context.
type Context struct {
	// Builder names the builder, for people; Facts are its knowledge of the image.
	Builder scenario.BuilderName
	// Facts are the builder's (BuilderFacts); nil means unknown, and the output decides
	// whether the image is a Nix one.
	Facts BuilderFacts
	// Shell is scenario.ShellLogin or scenario.ShellPlain: how the start command (and the
	// probes) were run. Empty means unknown.
	Shell scenario.Shell
	// Python is the variant's Python version ("3.11"), used in explanations.
	Python string
	// Mode is the run's: offline, pip reads only the kit's wheelhouse.
	Mode result.Mode
	// KitImages are the images the run's substitution table takes from the offline
	// kit, whichever repository the kit was built under.
	KitImages []string
	// Indexes are the package indexes the variant's requirement files name
	// (--index-url, --extra-index-url), credentials removed: offline, pip does
	// not use them, and nothing in its output says so.
	Indexes []string
}

// Finding is the diagnosis of one failed stage.
type Finding struct {
	Class       string
	Explanation string
	// Evidence are the lines that show the cause, quoted from the output (ANSI stripped,
	// at most MaxEvidenceLines lines of MaxEvidenceRunes runes), from ldd findings or
	// from what the runner observed (written as the runner's marker lines).
	Evidence []string
	// Fixes are the fix kinds that apply to this variant, smallest first.
	Fixes []FixKind
	// Suggestions are Fixes spelled out for this variant (Proven is always false here).
	Suggestions []result.Fix
	// Missing are the libraries involved, with Provider filled in.
	Missing []result.MissingLib
}

// Classify diagnoses one failed stage from its name, exit code, output (tail), the
// import probe's module errors, what the runner observed (st.Facts), the ldd stage's
// findings and the variant's context. It reads the output once, never panics, and
// answers ClassUnclassified with the output's last lines rather than guess. Marker
// lines in the output are for people: Classify decides from st.Facts, never from them.
//
// When several classes match, the first rule of the precedence table (classRules, in
// catalogue.go) that holds decides. In order:
//
// interrupted, oom-killed (the engine confirms it), index-unreachable (timed out
// while retrying the index), stage-timeout, no-build-plan, no-start-command,
// image-unavailable,
// pep668-externally-managed, nix-attribute-unknown, dlopen-library-missing,
// python-version-unavailable,
// missing-shared-library,
// glibc-symbol-version, numpy-abi-mismatch, index-unreachable,
// requirements-file-invalid, hash-mismatch, build-from-source-failed,
// no-matching-distribution, apt-package-unknown, pip-not-found, shell-syntax-error,
// oom-killed (exit 137 only), worker-boot-failed, module-not-found,
// command-not-found, crash-loop, port-not-bound (loopback or another port), crashed-after-start,
// port-not-bound (nothing listens), health-unexpected.
//
// That is: the kernel or the runner stopped the stage, then causes the output names,
// then symptoms, then what only the runner saw at boot. So a gunicorn worker that died
// on a missing library is missing-shared-library only when its log has the "cannot
// open shared object file" line; without it, it is worker-boot-failed.
// docs/failure-classes.md shows the same table; tests keep the three in step.
func Classify(st result.Stage, missing []result.MissingLib, ctx Context) Finding {
	c := newClassifier(st, missing, ctx)
	f, _ := c.classify()
	if f.Class == "" {
		f.Class = ClassUnclassified
	}
	if f.Explanation == "" {
		f.Explanation = Explain(f.Class)
	}
	// Findings and context come from the image and the scenario: keep them to one clean line.
	f.Explanation = textLine(f.Explanation, maxTextRunes)
	for i := range f.Evidence {
		f.Evidence[i] = evidenceLine(f.Evidence[i])
	}
	// One suggestion per fix kind, in the same order: the specific wording where the
	// class wrote one, the generic title otherwise.
	specific := f.Suggestions
	f.Suggestions = nil
	for _, k := range f.Fixes {
		s := result.Fix{ID: string(k), Summary: FixTitle(k)}
		for _, sp := range specific {
			if sp.ID == string(k) && sp.Summary != "" {
				s.Summary, s.Packages = sp.Summary, sp.Packages
				break
			}
		}
		s.Summary = textLine(s.Summary, maxTextRunes)
		f.Suggestions = append(f.Suggestions, s)
	}
	return f
}

type classifier struct {
	stage   result.StageName
	exit    int
	seconds float64
	// observed is what the runner observed while the stage ran.
	observed result.Facts
	s        *scan
	ctx      Context
	missing  []result.MissingLib
}

func newClassifier(st result.Stage, missing []result.MissingLib, ctx Context) *classifier {
	return &classifier{stage: st.Name, exit: st.ExitCode, seconds: st.Seconds, observed: st.Facts,
		s: scanOutput(stageText(&st)), ctx: ctx, missing: missing}
}

func (c *classifier) installish() bool {
	return c.stage == "" || c.stage == result.StageBuild || c.stage == result.StageInstall
}

// netHit: an installing stage's output shows pip, apt or Nix failing to reach its index.
func (c *classifier) netHit() bool {
	s := c.s
	return c.installish() && (s.has(sPipNet) || s.has(sAptNet) || s.has(sNixNet) || c.observed.IndexUnreachable != "")
}

// classify answers the finding of the first rule that holds, and that rule's index
// (-1 when none does).
func (c *classifier) classify() (Finding, int) {
	for i, r := range classRules {
		if r.when(c) {
			f := r.explain(c)
			f.Class = r.class
			return f, i
		}
	}
	return Finding{Class: ClassUnclassified,
		Explanation: c.unclassifiedExplanation(),
		Evidence:    c.s.tailEvidence()}, -1
}

func (c *classifier) unclassifiedExplanation() string {
	e := fmt.Sprintf("no catalogue entry matched the %s output (exit code %d); the last lines follow", stageOr(c.stage), c.exit)
	if c.s.truncated {
		e += fmt.Sprintf(" (only the last %d MiB were read)", MaxScanBytes>>20)
	}
	return e
}

func stageOr(stage result.StageName) string {
	if stage == "" {
		return "stage's"
	}
	return string(stage) + " stage's"
}

func (c *classifier) nix() bool { return c.facts().NixStore() }

// nixFromOutput judges from the findings and the output whether an image of an
// unknown builder is a Nix one.
func (c *classifier) nixFromOutput() bool {
	for _, m := range c.missing {
		for _, p := range m.FoundAt {
			if strings.HasPrefix(p, "/nix/store/") {
				return true
			}
		}
	}
	return strings.Contains(strings.Join(c.s.tailEvidence(), "\n"), "/nix/store/")
}

func (c *classifier) pep668() Finding {
	s := c.s
	// The marker's text says whose Python it is; the context decides only when it is absent.
	nixText, debText := false, false
	for _, h := range append(s.lines(sPEP668Detail), s.lines(sPEP668)...) {
		nixText = nixText || strings.Contains(h.text, "/nix/store")
		debText = debText || strings.Contains(h.text, "apt install") || strings.Contains(h.text, "Debian")
	}
	ev := s.evidence(nil, sPEP668, sPEP668Detail)
	var f Finding
	f.Class = ClassPEP668
	f.Evidence = ev
	if nixText || !debText && c.nix() {
		f.Explanation = "pip refused to install into Nix's Python (PEP 668): the interpreter lives in the read-only /nix/store and is marked EXTERNALLY-MANAGED; install into a venv, or take the packages from Nix."
		f.Fixes = []FixKind{FixUseVenvInstall, FixNixPythonPackage, FixBreakSystemPackages}
		f.Suggestions = []result.Fix{
			{ID: string(FixUseVenvInstall), Summary: "install with python -m venv --copies /opt/venv && /opt/venv/bin/pip install -r requirements.txt, and start with /opt/venv/bin on PATH"},
			{ID: string(FixNixPythonPackage), Summary: "take the requirements from Nix as one python: " + c.withPackages() + " in nixPkgs, one ps.<name> per requirement, import and the server the start command runs"},
			{ID: string(FixBreakSystemPackages), Summary: "pass --break-system-packages (pip then writes into a profile the loader setup was not made for; the library problems come next)"},
		}
		return f
	}
	f.Explanation = "pip refused to install into the distribution's Python (PEP 668): Debian's python3 is marked EXTERNALLY-MANAGED; install into a venv or use a python:X.Y-slim image, whose Python is not."
	f.Fixes = []FixKind{FixUseVenvInstall, FixBuilderPythonSlim, FixBreakSystemPackages}
	return f
}

func (c *classifier) nixAttr() Finding {
	var names []string
	for _, h := range c.s.lines(sNixAttr) {
		if a := between(h.text, "attribute '", "'"); a != "" {
			names = appendUnique(names, a)
		} else if a := between(h.text, "undefined variable '", "'"); a != "" {
			names = appendUnique(names, a)
		}
	}
	f := Finding{Class: ClassNixAttribute, Evidence: c.s.evidence(nil, sNixAttr, sNixAt), Fixes: []FixKind{FixNixAttributeName}}
	if len(names) == 0 {
		return f
	}
	// Nix names the generated expression's line; its file names the archive.
	where, rev := "", ""
	for _, h := range c.s.lines(sNixAt) {
		if i := strings.Index(h.text, "/.nixpacks/nixpkgs-"); i >= 0 {
			where = strings.TrimSuffix(strings.TrimSpace(h.text[strings.Index(h.text, "at ")+3:]), ":")
			rev, _, _ = strings.Cut(h.text[i+len("/.nixpacks/nixpkgs-"):], ".nix")
		}
	}
	f.Explanation = fmt.Sprintf("nixpkgs has no attribute %s: a nixPkgs/nixLibs entry is misspelt or not in this nixpkgs revision", quoteList(names))
	if where != "" {
		f.Explanation += " (Nix stopped at " + where + ", the nix file Nixpacks generated for archive " + rev + ")"
	}
	f.Explanation += "."
	summary := fmt.Sprintf("replace %s in nixPkgs/nixLibs with an attribute this nixpkgs has (nix-env -qaP -f <archive> to list)", quoteList(names))
	switch n := names[0]; {
	case n == "pip" || n == "pip3":
		summary = "write pythonXYPackages.pip (the python's own set, e.g. python311Packages.pip): pip is a Python package in nixpkgs, not a top-level attribute"
	case strings.HasPrefix(n, "python3") && rev != "":
		summary = fmt.Sprintf("nixpkgs %s has no %s: name a python it has, or pin nixpkgsArchive to a newer revision (the Python provider's is bc8f8d1be58e8c8383e683a06e1e1e57893fff87)", rev, n)
	}
	f.Suggestions = []result.Fix{{ID: string(FixNixAttributeName), Summary: summary}}
	if c.ctx.Mode == result.ModeOffline {
		f.Explanation += " Offline, the nixpkgs is the kit's stand-in, which carries only a part of nixpkgs (images/README.md lists it): an attribute the real archive has fails here too, and a run with --online tells the two apart."
	}
	return f
}

func (c *classifier) glibc() Finding {
	var syms, by []string
	for _, h := range c.s.lines(sGlibcVersion) {
		t := h.text
		for _, q := range []string{"version `", "version '"} {
			if v := between(t, q, "'"); v != "" {
				syms = appendUnique(syms, v)
				break
			}
		}
		if r := between(t, "(required by ", ")"); r != "" {
			by = appendUnique(by, path.Base(r))
		}
	}
	if hc, ok := c.hostGlibcClash(); ok {
		return c.hostGlibc(hc, syms)
	}
	f := Finding{Class: ClassGlibcVersion, Evidence: c.s.evidence(nil, sGlibcVersion)}
	cxx := false
	for _, v := range syms {
		if strings.HasPrefix(v, "GLIBCXX_") || strings.HasPrefix(v, "CXXABI_") {
			cxx = true
		}
	}
	lib := "glibc"
	if cxx {
		lib = "libstdc++"
	}
	found, want := "", ""
	if !cxx {
		found, want = c.foundGlibc(), newestGlibc(syms)
	}
	if found != "" {
		f.Explanation = fmt.Sprintf("the glibc the loader found (%s) lacks %s", found, quoteList(syms))
	} else {
		f.Explanation = fmt.Sprintf("the %s the loader found lacks %s", lib, quoteList(syms))
	}
	if len(by) > 0 {
		f.Explanation += fmt.Sprintf(", required by %s", strings.Join(by, ", "))
	}
	switch {
	case found != "" && want != "":
		f.Explanation += fmt.Sprintf(": the binary was built against glibc %s or newer, and this image has glibc %s.", want, found)
	case want != "":
		f.Explanation += fmt.Sprintf(": the binary was built against glibc %s or newer than this image has.", want)
	default:
		f.Explanation += ": the binary was built for a newer " + lib + " than this image has."
	}
	if c.observed.Glibc != "" {
		f.Evidence = appendEvidence(f.Evidence, FormatGlibc(c.observed.Glibc))
	}
	if c.nix() {
		if cxx {
			f.Explanation += " On Nix, an older libstdc++ (another gcc's stdenv.cc.cc.lib, or one found through LD_LIBRARY_PATH) shadows the one the wheel needs."
		}
		f.Fixes = []FixKind{FixPinRequirement, FixNixPythonPackage, FixBuilderPythonSlim}
	} else {
		f.Fixes = []FixKind{FixPinRequirement, FixNewerBase, FixBuilderDockerfile}
	}
	return f
}

// foundGlibc is the version of the glibc the failing binary was loaded with: what the
// runner probed, or the version in a Nix store path the loader's message names
// (/nix/store/…-glibc-2.35-224/lib/libc.so.6).
func (c *classifier) foundGlibc() string {
	if c.observed.Glibc != "" {
		return c.observed.Glibc
	}
	for _, h := range c.s.lines(sGlibcVersion) {
		if v := between(h.text, "-glibc-", "/"); v != "" {
			if i := strings.IndexByte(v, '-'); i > 0 {
				v = v[:i]
			}
			if glibcVersion(v) {
				return v
			}
		}
	}
	return ""
}

// newestGlibc: the highest of the GLIBC_X.Y versions named ("GLIBC_2.38" → "2.38").
func newestGlibc(syms []string) string {
	best, bmaj, bmin := "", -1, -1
	for _, v := range syms {
		n, ok := strings.CutPrefix(v, "GLIBC_")
		if !ok || !glibcVersion(n) {
			continue
		}
		maj, minor, _ := strings.Cut(n, ".")
		a, _ := strconv.Atoi(maj)
		b, _ := strconv.Atoi(strings.SplitN(minor, ".", 2)[0])
		if a > bmaj || a == bmaj && b > bmin {
			best, bmaj, bmin = n, a, b
		}
	}
	return best
}

// glibcVersion: "2.36" or "2.3.4".
func glibcVersion(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	for _, p := range parts {
		if !isDigits(p) {
			return false
		}
	}
	return true
}

func (c *classifier) numpyABI() Finding {
	f := Finding{Class: ClassNumpyABI, Evidence: c.s.evidence(nil, sNumpyABI, sNumpyBlock)}
	f.Explanation = "a compiled module was built against NumPy 1.x and is being loaded by NumPy 2.x (or the reverse): pin numpy to the major version the module was built for, or upgrade the module."
	if c.s.exception.text != "" {
		f.Evidence = appendEvidence(f.Evidence, c.s.exception.text)
	}
	f.Fixes = []FixKind{FixPinRequirement, FixUnpinRequirement}
	f.Suggestions = []result.Fix{
		{ID: string(FixPinRequirement), Summary: `pin "numpy<2" in requirements.txt (or the numpy the module was built against)`},
		{ID: string(FixUnpinRequirement), Summary: "upgrade the module that was compiled against NumPy 1.x to a release built for NumPy 2"},
	}
	return f
}

func (c *classifier) indexUnreachable(timedOut bool) Finding {
	s := c.s
	var extra []string
	if timedOut {
		extra = []string{c.timeoutLine()}
	}
	f := Finding{Class: ClassIndexUnreachable, Evidence: s.evidence(extra, sNoVersion, sAptNoPkg, sPipNet, sAptNet, sNixNet, sNoDist)}
	var who []string
	if s.has(sPipNet) {
		who = append(who, "pip")
	}
	if s.has(sAptNet) {
		who = append(who, "apt")
	}
	if s.has(sNixNet) {
		who = append(who, "nix")
	}
	if len(who) == 0 {
		who = append(who, "pip")
	}
	f.Explanation = strings.Join(who, " and ") + " could not reach its package index (name resolution or connection failed)"
	if h := c.observed.IndexUnreachable; h != "" {
		f.Explanation = "pip could not reach its package index at " + h + " (name resolution or connection failed)"
		f.Evidence = appendEvidence(f.Evidence, "bootmatrix: index unreachable: "+h)
	}
	if s.has(sNoVersion) {
		f.Explanation += `, so pip saw no versions at all ("from versions: none") — the requirement itself may be fine`
	}
	if timedOut {
		f.Explanation += "; the stage ran out of time while retrying"
	}
	f.Explanation += "."
	f.Fixes = []FixKind{FixProvideIndex}
	if timedOut {
		f.Fixes = append(f.Fixes, FixRaiseTimeout)
	}
	f.Suggestions = []result.Fix{{ID: string(FixProvideIndex), Summary: "run offline with the kit's wheelhouse (PIP_NO_INDEX=1, PIP_FIND_LINKS) or set PIP_INDEX_URL to a reachable mirror; for apt, a reachable Debian mirror"}}
	return f
}

// binaryTwins maps a package that builds from source to its prebuilt wheel on PyPI.
var binaryTwins = map[string]string{
	"psycopg2": "psycopg2-binary",
}

// distName is the distribution name of an sdist file name (psycopg2-2.9.10.tar.gz).
func distName(sdist string) string {
	name := strings.TrimSuffix(sdist, ".tar.gz")
	if i := strings.LastIndex(name, "-"); i > 0 {
		return name[:i]
	}
	return name
}

func (c *classifier) buildFromSource() Finding {
	s := c.s
	f := Finding{Class: ClassBuildFromSource, Evidence: s.evidence(nil, sSdist, sBuildStrong, sBuildWeak)}
	var what []string
	var apt, nixp []string
	for _, h := range s.lines(sBuildStrong) {
		t := h.text
		switch {
		case strings.Contains(t, "Python.h"):
			what = appendUnique(what, "the Python headers (Python.h)")
			apt = appendUnique(apt, "python3-dev")
		case strings.Contains(t, "pg_config"):
			what = appendUnique(what, "pg_config (PostgreSQL's client headers and libpq, and a C compiler to build against them)")
			apt = appendUnique(apt, "libpq-dev", "gcc")
			nixp = appendUnique(nixp, "postgresql_16.dev", "gcc")
		case strings.Contains(t, "cannot execute") && strings.Contains(t, "cc1"):
			// gcc's driver runs, its compiler proper does not: a compiler installed in part.
			what = appendUnique(what, "a working C compiler (gcc cannot run cc1, its compiler proper)")
			apt = appendUnique(apt, "build-essential")
			nixp = appendUnique(nixp, "gcc")
		case strings.Contains(t, "' failed with exit code"):
			// The compiler ran and failed: the lines before it say why.
		case strings.Contains(t, "fatal error: ") && strings.Contains(between(t, "fatal error: ", ":"), ".h"):
			hdr := between(t, "fatal error: ", ":")
			what = appendUnique(what, "the header "+hdr)
		case strings.Contains(t, "rust") || strings.Contains(t, "Rust") || strings.Contains(t, "cargo"):
			what = appendUnique(what, "a Rust toolchain")
			apt = appendUnique(apt, "rustc", "cargo")
			nixp = appendUnique(nixp, "rustc", "cargo")
		default:
			what = appendUnique(what, "a C compiler")
			apt = appendUnique(apt, "build-essential")
			nixp = appendUnique(nixp, "gcc")
		}
	}
	pkg := ""
	for _, h := range s.lines(sBuildWeak) {
		for _, p := range []string{"Failed building wheel for ", "Could not build wheels for ", "Failed to build "} {
			if v := between(h.text+" ", p, " "); v != "" && pkg == "" {
				pkg = strings.Trim(v, "(),'\"")
			}
		}
	}
	// "gcc cannot run cc1" says more than the failed gcc command that follows it.
	if slices.ContainsFunc(what, func(w string) bool { return strings.HasPrefix(w, "a working C compiler") }) {
		what = slices.DeleteFunc(what, func(w string) bool { return w == "a C compiler" })
	}
	sdist := ""
	for _, h := range s.lines(sSdist) {
		for _, w := range strings.Fields(h.text) {
			if strings.HasSuffix(w, ".tar.gz") {
				sdist = path.Base(w)
			}
		}
	}
	// The package's prebuilt twin needs neither the missing tool nor a compiler, whichever
	// of them is missing.
	var binary []string
	for _, src := range slices.Sorted(maps.Keys(binaryTwins)) {
		if pkg == src || distName(sdist) == src {
			binary = append(binary, src+" → "+binaryTwins[src])
		}
	}
	f.Explanation = "pip found no wheel it could use"
	switch {
	case pkg != "" && sdist != "":
		f.Explanation += " for " + pkg + " (it took the source distribution " + sdist + ")"
	case sdist != "":
		f.Explanation += ", took the source distribution " + sdist + ","
	case pkg != "":
		f.Explanation += " for " + pkg
	}
	f.Explanation += " and building it from source failed"
	if len(what) > 0 {
		f.Explanation += ": the image lacks " + strings.Join(what, ", ")
		// What provides it, in the builder's terms.
		if c.nix() && len(nixp) > 0 {
			f.Explanation += ", which nixPkgs " + quoteList(nixp) + " provide"
		} else if !c.nix() && len(apt) > 0 {
			f.Explanation += ", which the Debian packages " + strings.Join(apt, " ") + " provide"
		}
	}
	f.Explanation += "."
	f.Fixes = []FixKind{FixPinRequirement}
	f.Suggestions = []result.Fix{{ID: string(FixPinRequirement), Summary: "pin the requirement to a version with a wheel for this Python and platform, so nothing is compiled"}}
	if len(binary) > 0 {
		// The package's own prebuilt twin needs neither the tool nor a compiler.
		f.Fixes = []FixKind{FixBinaryPackage, FixPinRequirement}
		f.Suggestions = append([]result.Fix{{ID: string(FixBinaryPackage), Summary: "install the prebuilt wheel instead (" + strings.Join(binary, ", ") + " in requirements.txt): nothing is compiled"}}, f.Suggestions...)
	}
	if c.nix() {
		if len(nixp) > 0 {
			f.Fixes = append(f.Fixes, FixAddNixPkgs)
			f.Suggestions = append(f.Suggestions, result.Fix{ID: string(FixAddNixPkgs), Summary: "add " + quoteList(nixp) + " to nixPkgs for the build", Packages: nixp})
		}
	} else if len(apt) > 0 {
		f.Fixes = append(f.Fixes, FixAddAptPkgs)
		f.Suggestions = append(f.Suggestions, result.Fix{ID: string(FixAddAptPkgs), Summary: "install " + strings.Join(apt, " ") + " (aptPkgs, or apt-get install -y " + strings.Join(apt, " ") + " in the Dockerfile) before pip install"})
	}
	return f
}

func (c *classifier) noDistribution() Finding {
	s := c.s
	f := Finding{Class: ClassNoDistribution, Evidence: s.evidence(nil, sNoVersion, sNoDist, sNotSupportedWheel, sRequiresPython)}
	req, versions := "", ""
	for _, h := range s.lines(sNoVersion) {
		if r := between(h.text, "satisfies the requirement ", " (from versions:"); r != "" {
			req = r
			versions = strings.TrimSpace(between(h.text, "(from versions:", ")"))
		} else if r := between(h.text+" ", "satisfies the requirement ", " "); r != "" && req == "" {
			req = r
		}
	}
	if req == "" {
		for _, h := range s.lines(sNoDist) {
			if r := strings.TrimSpace(after(h.text, "No matching distribution found for ")); r != "" {
				req = r
			}
		}
	}
	py := ""
	if c.ctx.Python != "" {
		py = " " + c.ctx.Python
	}
	switch {
	case s.has(sNotSupportedWheel) && req == "":
		f.Explanation = "the wheel given to pip is not for this interpreter or platform (its Python or platform tag does not match Python" + py + " on this image)."
	case versions == "none":
		f.Explanation = fmt.Sprintf("no distribution of %s exists on the index or in the wheelhouse for Python%s on this platform (from versions: none).", orWord(req, "the requirement"), py)
	case versions != "":
		f.Explanation = fmt.Sprintf("%s is not among the versions offered for Python%s on this platform (%s): the pin names a version whose wheels are for other Python versions or platform tags.", orWord(req, "the requirement"), py, versions)
	default:
		f.Explanation = fmt.Sprintf("pip found no distribution of %s matching Python%s and this platform's tags.", orWord(req, "the requirement"), py)
	}
	if s.has(sRequiresPython) {
		f.Explanation += " Some versions were skipped for requiring a different Python."
	}
	f.Fixes = []FixKind{FixPinRequirement, FixUnpinRequirement, FixPythonVersion}
	if c.ignoredIndexes() {
		f.Explanation += " " + ignoredIndexText(c.ctx.Indexes)
		if versions == "none" {
			// The requirement may well exist on the index pip was told not to read.
			f.Fixes = []FixKind{FixRunOnline, FixPinRequirement, FixUnpinRequirement, FixPythonVersion}
		} else {
			f.Fixes = append(f.Fixes, FixRunOnline)
		}
	}
	if versions != "" && versions != "none" {
		last := versions
		if i := strings.LastIndex(versions, ","); i >= 0 {
			last = strings.TrimSpace(versions[i+1:])
		}
		name := req
		if i := strings.IndexAny(req, "=<>!~ ["); i > 0 {
			name = req[:i]
		}
		f.Suggestions = []result.Fix{
			{ID: string(FixPinRequirement), Summary: fmt.Sprintf("pin %s==%s, a version on offer", name, last)},
			{ID: string(FixUnpinRequirement), Summary: fmt.Sprintf("drop the pin %s and let pip choose among %s", req, versions)},
			{ID: string(FixPythonVersion), Summary: "use the Python version the pinned wheels exist for"},
		}
	}
	if c.ctx.Mode == result.ModeOffline && req != "" && !c.ignoredIndexes() {
		// Offline, pip's "from versions" is exactly what the kit's wheelhouse has.
		f.Explanation += " " + offlineKitText(req, versions, c.ctx.Python)
		if versions == "none" {
			f.Fixes = []FixKind{FixRunOnline, FixPinRequirement, FixUnpinRequirement, FixPythonVersion}
		} else {
			f.Fixes = append(f.Fixes, FixRunOnline)
		}
		f.Suggestions = append(f.Suggestions, result.Fix{ID: string(FixRunOnline), Summary: "run online so pip reads PyPI or your index: bootmatrix run --online (PIP_INDEX_URL, or --index-url in requirements.txt, names a private index)"})
	}
	return f
}

// offlineKitText says what the offline kit's wheelhouse has for the requirement
// (pip listed it as "from versions") and how to run where the index is reachable.
func offlineKitText(req, versions, py string) string {
	name := req
	if i := strings.IndexAny(req, "=<>!~ [;"); i > 0 {
		name = req[:i]
	}
	for _, p := range []string{"Python ", "Python"} {
		py = strings.TrimPrefix(py, p)
	}
	for_ := ""
	if py != "" {
		for_ = " for Python " + py
	}
	has := "no distribution of " + name
	if versions != "" && versions != "none" {
		has = name + " " + versions
	}
	return fmt.Sprintf("Offline, pip reads only the kit's wheelhouse, which has %s%s; run online (--online) to install %s from PyPI or your index.", has, for_, req)
}

// ignoredIndexes: offline, and the requirements name an index pip did not read.
func (c *classifier) ignoredIndexes() bool {
	return c.ctx.Mode == result.ModeOffline && len(c.ctx.Indexes) > 0
}

// ignoredIndexText says so, for an explanation or a stage's note.
func ignoredIndexText(indexes []string) string {
	return fmt.Sprintf("Offline, pip reads only the kit's wheelhouse: the index the requirements name (%s) was not used; run --online to install from it.", strings.Join(indexes, ", "))
}

func (c *classifier) aptUnknown() Finding {
	var pkgs []string
	for _, h := range c.s.lines(sAptNoPkg) {
		if p := strings.TrimSpace(after(h.text, "Unable to locate package ")); p != "" {
			pkgs = appendUnique(pkgs, p)
		} else if p := between(h.text, "Package '", "'"); p != "" {
			pkgs = appendUnique(pkgs, p)
		}
	}
	f := Finding{Class: ClassAptPackageUnknown, Evidence: c.s.evidence(nil, sAptNoPkg), Fixes: []FixKind{FixAptPackageName}}
	f.Explanation = fmt.Sprintf("apt has no package %s in this suite (a package list was read, so the index was reachable); the name is wrong or renamed in this Debian release.", quoteList(pkgs))
	return f
}

func (c *classifier) workerBoot() Finding {
	s := c.s
	f := Finding{Class: ClassWorkerBoot, Evidence: s.evidence(nil, sWorkerExit, sWorker, sMasterShutdown)}
	f.Explanation = "gunicorn's worker failed to boot"
	if c.exit == 3 {
		f.Explanation += " (master exit code 3)"
	}
	f.Fixes = []FixKind{FixStartCommand}
	if e := s.exception.text; e != "" {
		f.Evidence = appendEvidence(f.Evidence, e)
		f.Explanation += " while importing the app: " + evidenceLine(e)
		if strings.Contains(e, "No module named") {
			f.Fixes = []FixKind{FixAddRequirement, FixStartCommand}
		}
	} else {
		f.Explanation += "; the log shows no exception, so the cause is not visible in the output"
	}
	f.Explanation += "."
	return f
}

func (c *classifier) moduleNotFound() Finding {
	var mods []string
	for _, h := range c.s.lines(sModuleNotFound) {
		if m := strings.Trim(strings.TrimSpace(after(h.text, "No module named ")), "'\""); m != "" {
			mods = appendUnique(mods, m)
		}
	}
	f := Finding{Class: ClassModuleNotFound, Evidence: c.s.evidence(nil, sModuleNotFound), Fixes: []FixKind{FixAddRequirement, FixStartCommand}}
	f.Explanation = fmt.Sprintf("the interpreter has no module %s: it is not in requirements.txt, or pip installed it for another interpreter (a venv the start command does not use).", quoteList(mods))
	if me, ok := c.facts().(ModuleExplainer); ok && len(mods) > 0 {
		if x, ok := me.ExplainModule(mods[0], c.ctx.Python); ok {
			f.Explanation, f.Fixes, f.Suggestions = x.Text, x.Fixes, x.Suggestions
			return f
		}
	}
	if v := c.observed.Venv; v != "" && len(mods) > 0 {
		f.Evidence = appendEvidence(f.Evidence, FormatVenv(v))
		f.Explanation = fmt.Sprintf("the interpreter has no module %s, but the virtual environment %s has it: pip installed the requirements there, "+
			"and the python that ran is another one, because nothing put %s/bin first on PATH (the venv is not active).", quote(mods[0]), v, v)
		f.Fixes = []FixKind{FixStartCommand}
		f.Suggestions = []result.Fix{{ID: string(FixStartCommand),
			Summary: fmt.Sprintf("start with the venv's interpreter, %s/bin/python (or %s/bin/gunicorn …), or put it first on PATH: ENV PATH=%s/bin:$PATH in the Dockerfile", v, v, v)}}
	}
	return f
}

func (c *classifier) pipNotFound() Finding {
	f := Finding{Class: ClassPipNotFound, Evidence: c.s.evidence(nil, sPipNotFound)}
	if c.nix() {
		f.Explanation = "the install ran pip, and there is none: nixpkgs' python carries no pip, and nixPkgs installs none unless it lists pythonXYPackages.pip (whose pip PEP 668 then stops outside a venv)."
		f.Fixes = []FixKind{FixUseVenvInstall, FixNixPythonPackage, FixAddNixPkgs}
		f.Suggestions = []result.Fix{
			{ID: string(FixUseVenvInstall), Summary: "install into a venv, whose ensurepip brings pip: python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -r requirements.txt, as Nixpacks' Python provider does"},
			{ID: string(FixNixPythonPackage), Summary: "take the packages from Nix instead of pip: " + c.withPackages() + " in nixPkgs, one ps.<name> per requirement, import and the server the start command runs"},
			{ID: string(FixAddNixPkgs), Summary: "add pythonXYPackages.pip to nixPkgs (pip then meets PEP 668 outside a venv)"},
		}
		return f
	}
	f.Explanation = "the install ran pip, and this interpreter has none (no pip on PATH, or python -m pip finds no module)."
	f.Fixes = []FixKind{FixUseVenvInstall, FixBuilderPythonSlim}
	return f
}

func (c *classifier) commandNotFound() Finding {
	f := Finding{Class: ClassCommandNotFound, Evidence: c.s.evidence(nil, sCmdNotFound), Fixes: []FixKind{FixStartCommand}}
	if len(f.Evidence) == 0 {
		f.Evidence = c.s.tailEvidence()
	}
	f.Explanation = "the shell could not find the command (exit 127)"
	if pc, ok := c.ctx.Facts.(PythonProviderFacts); ok && pc.ProviderOverPython() != "" {
		name := pc.ProviderOverPython()
		f.Explanation += fmt.Sprintf("; Nixpacks built this root with its %s provider, which detects it too and comes before python in Nixpacks' order, so nothing installed a Python, a venv or the requirements", name)
		f.Fixes = []FixKind{FixAddPythonProvider, FixStartCommand}
		f.Suggestions = []result.Fix{{ID: string(FixAddPythonProvider),
			Summary: fmt.Sprintf("add providers = [\"...\", \"python\"] to the app root's nixpacks.toml: the %s provider stays (\"...\" is the detected one) and Python's plan joins it", name)}}
		f.Explanation += "."
		return f
	}
	if c.ctx.Shell == scenario.ShellPlain && c.nix() {
		f.Explanation += "; this variant starts with a plain shell, so the profile scripts that put the Nix profile's and the venv's bin on PATH did not run"
		f.Fixes = []FixKind{FixLoginShell, FixStartCommand}
	}
	f.Explanation += "."
	return f
}

func (c *classifier) portNotBound() Finding {
	s := c.s
	f := Finding{Class: ClassPortNotBound, Evidence: s.evidence(c.listenerLines(), sListening)}
	_, loop, others := c.listeners()
	switch {
	case len(loop) > 0:
		f.Explanation = "the app listens on 127.0.0.1 only, so connections from outside the container are refused; bind 0.0.0.0:$PORT."
		f.Fixes = []FixKind{FixBindAllInterfaces}
		f.Suggestions = []result.Fix{{ID: string(FixBindAllInterfaces), Summary: "start with gunicorn --bind 0.0.0.0:$PORT app:app (not 127.0.0.1 or localhost)"}}
	case len(others) > 0:
		f.Explanation = "the app listens, but not on $PORT (a hard-coded port such as gunicorn's default 8000)."
		f.Fixes = []FixKind{FixUsePortEnv}
		f.Suggestions = []result.Fix{{ID: string(FixUsePortEnv), Summary: "bind to $PORT: gunicorn --bind 0.0.0.0:$PORT app:app"}}
	default:
		want := ""
		if c.observed.Port != 0 {
			want = strconv.Itoa(c.observed.Port)
		}
		f.Explanation = "the app kept running but nothing accepted connections on "
		if want != "" {
			f.Explanation += "port " + want
		} else {
			f.Explanation += "$PORT"
		}
		// The app's own log may say where it listens instead (gunicorn, uvicorn, Flask).
		for _, h := range s.lines(sListening) {
			addr := listenAddr(h.text)
			host, port := splitHostPort(addr)
			if addr == "" {
				continue
			}
			if host == "127.0.0.1" || host == "localhost" || host == "[::1]" {
				f.Explanation += "; its log says it listens on " + addr + ", loopback only"
				f.Fixes = appendKind(f.Fixes, FixBindAllInterfaces)
			}
			if want != "" && port != "" && port != want {
				f.Explanation += "; its log says it listens on port " + port + ", not " + want
				f.Fixes = appendKind(f.Fixes, FixUsePortEnv)
			}
		}
		f.Explanation += "."
		if len(f.Fixes) == 0 {
			f.Fixes = []FixKind{FixBindAllInterfaces, FixUsePortEnv}
		}
	}
	return f
}

func (c *classifier) crashed() Finding {
	f := Finding{Class: ClassCrashedAfterStart, Fixes: []FixKind{FixStartCommand}}
	f.Evidence = c.s.evidence([]string{c.exitedLine()})
	e := c.s.exception.text
	if e != "" {
		f.Evidence = appendEvidence(f.Evidence, e)
	}
	for _, t := range c.s.tailEvidence() {
		f.Evidence = appendEvidence(f.Evidence, t)
	}
	f.Explanation = "the app started and then exited on its own"
	if e != "" {
		f.Explanation += "; last exception: " + evidenceLine(e)
	}
	f.Explanation += "."
	// The start command is rarely what is wrong when the app's own exception names
	// the cause: say what to change.
	if name := missingSetting(e); name != "" {
		f.Fixes = []FixKind{FixSetEnv, FixStartCommand}
		f.Suggestions = []result.Fix{{ID: string(FixSetEnv), Summary: fmt.Sprintf("set %s in the scenario's env (or list it in secrets): the app reads it at start and it is not set", quote(name))}}
	} else if name, from := importedName(e); from != "" {
		f.Fixes = []FixKind{FixPinRequirement, FixStartCommand}
		f.Suggestions = []result.Fix{{ID: string(FixPinRequirement), Summary: fmt.Sprintf("pin %s to the version the app was written for: the installed one has no %s", quote(from), quote(name))}}
	}
	return f
}

func (c *classifier) crashLoop() Finding {
	l := c.observed.CrashLoop
	f := c.crashed()
	f.Class = ClassCrashLoop
	line := FormatCrashLoop(l.Command, l.PIDs, seconds(l.Seconds))
	ev := []string{line}
	for _, e := range f.Evidence {
		if !strings.HasPrefix(e, MarkerExited) {
			ev = appendEvidence(ev, e)
		}
	}
	f.Evidence = ev
	f.Explanation = strings.Replace(f.Explanation, "the app started and then exited on its own",
		fmt.Sprintf("%q kept ending and being started again (%d times) and nothing answered", l.Command, len(l.PIDs)), 1)
	return f
}

// missingSetting is the environment variable an exception says is missing:
// os.environ's KeyError: 'DATABASE_URL', or a message naming an upper-case
// name with "not set" / "environment variable" / "missing".
func missingSetting(exc string) string {
	if exc == "" {
		return ""
	}
	if k := between(exc, "KeyError: '", "'"); envLikeName(k) {
		return k
	}
	low := strings.ToLower(exc)
	if !strings.Contains(low, "not set") && !strings.Contains(low, "environment variable") && !strings.Contains(low, "missing") {
		return ""
	}
	_, msg, _ := strings.Cut(exc, ": ")
	for _, w := range strings.FieldsFunc(msg, func(r rune) bool {
		return !isWordRune(r)
	}) {
		if envLikeName(w) {
			return w
		}
	}
	return ""
}

func isWordRune(r rune) bool {
	return r == '_' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z'
}

// envLikeName: DATABASE_URL, not Error or a lower-case key.
func envLikeName(w string) bool {
	if len(w) < 2 || !strings.ContainsAny(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
		return false
	}
	for _, r := range w {
		if r != '_' && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return w[0] < '0' || w[0] > '9'
}

// importedName reads "ImportError: cannot import name 'x' from 'pkg' (…)": the
// installed pkg lacks x, a version the app was not written for.
func importedName(exc string) (name, from string) {
	if !strings.HasPrefix(exc, "ImportError: cannot import name ") {
		return "", ""
	}
	name = between(exc, "name '", "'")
	from = between(exc, "from '", "'")
	if name == "" || from == "" {
		return "", ""
	}
	return name, strings.SplitN(from, ".", 2)[0]
}

func (c *classifier) shellSyntax() Finding {
	f := Finding{Class: ClassShellSyntax, Evidence: c.s.evidence(nil, sShellSyntax), Fixes: []FixKind{FixShellSyntax}}
	what, where := "the start command", "the start command (start, or startCmd for nixpacks)"
	if c.stage != result.StageBoot {
		what, where = "a build or install command", "the install or build command (installCmds, buildCmds, or the Dockerfile's RUN line)"
	}
	f.Explanation = fmt.Sprintf("the shell could not parse %s (exit %d): a quote is not closed or an operator is out of place, so nothing ran.", what, c.exit)
	f.Suggestions = []result.Fix{{ID: string(FixShellSyntax), Summary: "fix the shell syntax of " + where + ": balance its quotes, and quote what the shell must not split"}}
	return f
}

func (c *classifier) requirementsFile() Finding {
	s := c.s
	f := Finding{Class: ClassRequirementsFile, Fixes: []FixKind{FixRequirementsFile}}
	f.Evidence = s.evidence(nil, sReqFile, sRecursion)
	switch {
	case s.has(sRecursion) && !s.has(sReqFile):
		f.Explanation = "pip could not read the requirements: a file includes itself through -r or -c (directly or by a chain of files), and pip recursed until Python stopped it with a RecursionError."
	default:
		var loops, missing []string
		for _, h := range s.lines(sReqFile) {
			if p, _, ok := strings.Cut(after(h.text, "ERROR: "), " recursively references itself in "); ok {
				loops = appendUnique(loops, p)
			} else if p := between(h.text, "No such file or directory: '", "'"); p != "" {
				missing = appendUnique(missing, p)
			}
		}
		var parts []string
		if len(loops) > 0 {
			parts = append(parts, fmt.Sprintf("%s includes itself through -r or -c", quoteList(loops)))
		}
		if len(missing) > 0 {
			parts = append(parts, fmt.Sprintf("%s does not exist where the command runs", quoteList(missing)))
		}
		if len(parts) == 0 {
			parts = []string{"a file it names could not be opened"}
		}
		f.Explanation = "pip could not read the requirements: " + strings.Join(parts, "; ") + "."
	}
	return f
}

// WithPackagesFacts is a BuilderFacts that can write the variant's own
// pythonXY.withPackages entry (its requirements, imports and server).
type WithPackagesFacts interface {
	WithPackages() string
}

// withPackages is the variant's withPackages entry, or its generic shape.
func (c *classifier) withPackages() string {
	if w, ok := c.ctx.Facts.(WithPackagesFacts); ok && w.WithPackages() != "" {
		return w.WithPackages()
	}
	return "(pythonXY.withPackages (ps: [ps.<name> …]))"
}

// PythonProviderFacts is a BuilderFacts that knows when its builder chose
// another provider for an app its Python provider detects too.
type PythonProviderFacts interface {
	ProviderOverPython() string
}

// AppRooter is a BuilderFacts that knows, when its builder found no plan, the
// subdirectories of the app root where it would have found one.
type AppRooter interface {
	AppRoots() []string
}

func (c *classifier) noBuildPlan() Finding {
	f := Finding{Class: ClassNoBuildPlan, Evidence: c.s.tailEvidence(), Fixes: []FixKind{FixSetAppRoot}}
	f.Explanation = "Nixpacks detected no provider in the app root and no phase is configured, so it stopped before building"
	var roots []string
	if ar, ok := c.ctx.Facts.(AppRooter); ok {
		roots = ar.AppRoots()
	}
	if len(roots) == 0 {
		f.Explanation += "; no subdirectory holds requirements.txt, pyproject.toml, Pipfile or main.py either."
		return f
	}
	f.Explanation += fmt.Sprintf("; its Python provider detects an app in %s.", strings.Join(roots, ", "))
	f.Suggestions = []result.Fix{{ID: string(FixSetAppRoot),
		Summary: fmt.Sprintf("set the service's root directory to %s (Railway: Settings → Root Directory; in the scenario, root: %s), where Nixpacks' Python provider detects the app",
			strings.Join(roots, " or "), roots[0])}}
	return f
}

func (c *classifier) noStartCommand() Finding {
	f := Finding{Class: ClassNoStartCommand, Evidence: c.s.tailEvidence(), Fixes: []FixKind{FixStartCommand}}
	if c.stage == result.StageBuild {
		f.Explanation = "Nixpacks made a plan with no start command (none from the platform, nixpacks.toml or the provider) and stopped before building."
	} else {
		f.Explanation = "the image has no start command: the recipe gives none and it has no CMD or ENTRYPOINT."
	}
	f.Suggestions = []result.Fix{{ID: string(FixStartCommand),
		Summary: "set a start command: the platform's (Railway: Settings → Start Command, or deploy.startCommand in railway.toml), [start] cmd in nixpacks.toml, or start: in the scenario; Nixpacks' Python provider has a default only for a main.py or a Django project"}}
	return f
}

func (c *classifier) interrupted() Finding {
	return Finding{Class: ClassInterrupted, Evidence: c.s.evidence([]string{FormatInterrupted()}), Fixes: []FixKind{FixRunAgain}}
}

func (c *classifier) hashMismatch() Finding {
	f := Finding{Class: ClassHashMismatch, Fixes: []FixKind{FixUpdateHashes, FixProvideIndex}}
	f.Evidence = c.s.evidence(nil, sHashMismatch, sHashDetail)
	f.Explanation = "pip refused a distribution whose sha256 is not the one pinned with --hash"
	for _, h := range c.s.lines(sHashDetail) {
		// "packaging==24.2 from file:///wheels/… (from -r requirements.txt (line 3)):"
		if req, _, ok := strings.Cut(h.text, " from "); ok && strings.Contains(h.text, "(from -r ") {
			f.Explanation += ": " + req
			break
		}
	}
	f.Explanation += "; the pin is stale or the file is not the one that was hashed."
	return f
}

// pullFixes is the fix for each way a pull can be refused.
var pullFixes = map[result.PullReason]FixKind{
	result.PullDenied:      FixRegistryLogin,
	result.PullNotFound:    FixRegistryTag,
	result.PullUnreachable: FixRegistryReach,
	result.PullTLS:         FixRegistryTLS,
}

func (c *classifier) imageUnavailable() Finding {
	s := c.s
	var extra []string
	if c.observed.ImageUnavailable != "" {
		extra = []string{c.imageLine()}
	}
	f := Finding{Class: ClassImageUnavailable, Evidence: s.evidence(extra, sImagePull, sRegistryNet)}
	switch p, ref := c.observed.Pull, c.observed.ImageUnavailable; {
	case p != nil:
		f.Evidence = s.evidence([]string{FormatImageUnavailable("pull " + p.Ref + ": " + string(p.Reason) + ": " + p.Message)}, sImagePull, sRegistryNet)
		f.Explanation = "the pull of " + p.Ref + " from " + p.Registry + " failed (" + string(p.Reason) + "); the registry answered: " + p.Message
		f.Fixes = []FixKind{pullFixes[p.Reason], FixBaseImageName}
	case ref != "" && !c.kitImage(ref):
		// Only an offline run refuses to pull a public name, and `make images` builds
		// the kit's images only: it cannot provide this one.
		f.Explanation = "the base image " + ref + " is not in the engine, and offline the kit has no stand-in for it (make images cannot build it); the build log names the images the kit provides."
		f.Fixes = []FixKind{FixBaseImageName, FixRunOnline}
		f.Suggestions = []result.Fix{{ID: string(FixBaseImageName), Summary: "use a base image the offline kit provides instead of " + ref + " (the build log lists them)"}}
	case ref != "":
		f.Explanation = "the base image " + ref + " is not in the engine, and this run may not pull it: it is a name only a local build makes (make images builds the kit)."
		f.Fixes = []FixKind{FixBuildOfflineKit, FixBaseImageName}
	case s.has(sRegistryNet):
		f.Explanation = "the engine could not reach the registry to pull the base image."
		f.Fixes = []FixKind{FixBuildOfflineKit, FixBaseImageName}
	default:
		f.Explanation = "the registry has no image of that name or tag, or refuses it without a login."
		f.Fixes = []FixKind{FixBaseImageName, FixBuildOfflineKit}
	}
	return f
}

// kitImage: a name only `make images` or an earlier build of this tool makes.
func (c *classifier) kitImage(ref string) bool {
	return slices.Contains(c.ctx.KitImages, ref) ||
		strings.HasPrefix(ref, "bootmatrix-kit/") || strings.HasPrefix(ref, "bootmatrix-cache/")
}

func (c *classifier) health() Finding {
	f := Finding{Class: ClassHealthUnexpected, Evidence: c.s.evidence([]string{c.healthLine()}), Fixes: []FixKind{FixHealthEndpoint}}
	f.Explanation = "the app answered, but the health endpoint's status or body is not the expected one (wrong path, app root, or a proxy/default page)."
	return f
}

func (c *classifier) oom(confirmed bool) Finding {
	f := Finding{Class: ClassOOMKilled, Fixes: []FixKind{FixRaiseMemory}}
	var extra []string
	if confirmed {
		extra = []string{c.oomLine()}
	}
	f.Evidence = c.s.evidence(extra, sBuildOOM, sKilled)
	if confirmed {
		f.Explanation = "the engine reports the container was OOM-killed: the stage needed more memory than its limit."
	} else {
		f.Explanation = "the process was killed with SIGKILL (exit 137) without a timeout, the signature of the kernel's OOM killer; the engine did not confirm it."
		if c.exit == 137 {
			f.Evidence = appendEvidence(f.Evidence, "exit code 137")
		}
	}
	for _, t := range c.s.tailEvidence() {
		f.Evidence = appendEvidence(f.Evidence, t)
	}
	return f
}

func (c *classifier) timeout() Finding {
	f := Finding{Class: ClassTimeout, Fixes: []FixKind{FixRaiseTimeout}}
	var extra []string
	if c.observed.TimedOut {
		extra = append(extra, c.timeoutLine())
	}
	if c.hung() {
		extra = append(extra, c.listenerLines()...)
	}
	f.Evidence = c.s.evidence(extra)
	f.Explanation = fmt.Sprintf("the %s did not finish within its time limit and was stopped; the last lines show what it was doing.", strings.TrimSuffix(stageOr(c.stage), "'s"))
	for _, t := range c.s.tailEvidence() {
		f.Evidence = appendEvidence(f.Evidence, t)
	}
	return f
}

// missingLibs recognises the libraries the loader could not find: at the ldd stage from
// its findings (or its "=> not found" lines), elsewhere only from a "cannot open shared
// object file" line that names the library. searched: the runner looked for the
// library's files in the image (its ldd findings name the library), so an empty FoundAt
// means there is none.
func (c *classifier) missingLibs() (libs []result.MissingLib, searched map[string]bool) {
	s := c.s
	searched = map[string]bool{}
	for _, m := range c.missing {
		searched[m.Library] = true
	}
	if c.stage == result.StageLdd || c.stage == "" {
		libs = append(libs, c.missing...)
		for _, h := range s.lines(sLddNotFound) {
			if l := libFromLddLine(h.text); l != "" && findLib(libs, l) < 0 {
				libs = append(libs, result.MissingLib{Library: l})
			}
		}
	}
	var named []string
	for _, h := range s.lines(sCannotOpen) {
		if l := libFromCannotOpen(h.text); l != "" {
			named = appendUnique(named, l)
		}
	}
	if len(named) > 0 {
		// The libraries the output names come first; the ldd findings say where they are.
		var ordered []result.MissingLib
		for _, l := range named {
			m := result.MissingLib{Library: l}
			if i := findLib(c.missing, l); i >= 0 {
				m = cloneMissing(c.missing[i])
			}
			ordered = append(ordered, m)
		}
		for _, m := range libs {
			if findLib(ordered, m.Library) < 0 {
				ordered = append(ordered, m)
			}
		}
		// The loader names only the first library it fails on. One the ldd findings
		// miss for an object that needs a named one fails next, when that object is
		// loaded again: a fix for the named library alone only moves the error on
		// (a Qt wheel's libQt5Gui needs libGL and glib).
		for _, m := range c.missing {
			if findLib(ordered, m.Library) < 0 && sharesNeeder(ordered[:len(named)], m) {
				ordered = append(ordered, cloneMissing(m))
			}
		}
		libs = ordered
	}
	return libs, searched
}

// sharesNeeder reports whether m is needed by an object that needs one of libs.
func sharesNeeder(libs []result.MissingLib, m result.MissingLib) bool {
	for _, l := range libs {
		for _, n := range l.NeededBy {
			if slices.Contains(m.NeededBy, n) {
				return true
			}
		}
	}
	return false
}

func (c *classifier) missingLib() Finding {
	s := c.s
	libs, searched := c.missingLibs()
	for i := range libs {
		libs[i] = cloneMissing(libs[i])
		if libs[i].Provider == "" {
			libs[i].Provider = c.providerOf(libs[i])
		}
	}
	f := Finding{Class: ClassMissingLib, Missing: libs}
	var extra []string
	for _, m := range libs {
		line := m.Library
		if len(m.NeededBy) > 0 {
			line += " needed by " + path.Base(m.NeededBy[0])
			if len(m.NeededBy) > 1 {
				line += fmt.Sprintf(" (+%d more)", len(m.NeededBy)-1)
			}
		}
		if len(m.FoundAt) > 0 {
			line += "; found in the image at " + strings.Join(m.FoundAt, ", ")
		} else if searched[m.Library] {
			line += "; no file of that name in the image"
		}
		if line != m.Library {
			extra = append(extra, "ldd: "+line)
		}
	}
	sigs := []signal{sCannotOpen, sLddNotFound}
	if c.stage == result.StageBoot || c.stage == "" {
		sigs = append(sigs, sWorkerExit, sWorker)
	}
	sigs = append(sigs, sNumpyBlock, sMasterShutdown)
	f.Evidence = s.evidence(extra, sigs...)
	f.Explanation, f.Fixes, f.Suggestions = c.explainMissing(libs, searched[libs[0].Library])
	if (c.stage == result.StageBoot || c.stage == "") && (s.has(sWorker) || s.has(sWorkerExit)) {
		f.Explanation = "gunicorn's worker failed to boot because " + f.Explanation
	}
	return f
}

// listenAddr: "Listening at: http://127.0.0.1:8000 (11)" → "127.0.0.1:8000".
func listenAddr(line string) string {
	a := after(line, "http://")
	if i := strings.IndexAny(a, " /"); i >= 0 {
		a = a[:i]
	}
	return a
}

func splitHostPort(addr string) (host, port string) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 {
		return addr, ""
	}
	return addr[:i], addr[i+1:]
}

func appendKind(ks []FixKind, k FixKind) []FixKind {
	for _, x := range ks {
		if x == k {
			return ks
		}
	}
	return append(ks, k)
}

func cloneMissing(m result.MissingLib) result.MissingLib {
	m.NeededBy = append([]string(nil), m.NeededBy...)
	m.FoundAt = append([]string(nil), m.FoundAt...)
	if len(m.NeededBy) == 0 {
		m.NeededBy = nil
	}
	if len(m.FoundAt) == 0 {
		m.FoundAt = nil
	}
	return m
}

func findLib(libs []result.MissingLib, name string) int {
	for i, m := range libs {
		if m.Library == name {
			return i
		}
	}
	return -1
}

// providerOf names the provider of a missing library, in the builder's terms.
func (c *classifier) providerOf(m result.MissingLib) string { return c.facts().Provider(m) }

// explainMissing is the builder's explanation of a missing library.
func (c *classifier) explainMissing(libs []result.MissingLib, searched bool) (string, []FixKind, []result.Fix) {
	x := c.facts().ExplainMissing(MissingCase{Libs: libs, Searched: searched, Shell: c.ctx.Shell, Python: c.ctx.Python})
	return x.Text, x.Fixes, x.Suggestions
}

// libFromCannotOpen: "Original error was: libstdc++.so.6: cannot open shared object
// file: …" → "libstdc++.so.6"; a path names its base.
func libFromCannotOpen(line string) string {
	if pre, _, ok := strings.Cut(line, " must be installed for pthread_"); ok {
		if f := strings.Fields(pre); len(f) > 0 && strings.Contains(f[len(f)-1], ".so") {
			return f[len(f)-1]
		}
		return ""
	}
	i := strings.Index(line, ": cannot open shared object file")
	if i <= 0 {
		return ""
	}
	pre := line[:i]
	if j := strings.LastIndexAny(pre, " \t\"'`(:"); j >= 0 {
		pre = pre[j+1:]
	}
	pre = path.Base(strings.Trim(pre, "\"'`()"))
	if !strings.Contains(pre, ".so") || len(pre) > 200 {
		return ""
	}
	return pre
}

// libFromLddLine: "libstdc++.so.6 => not found" → "libstdc++.so.6".
func libFromLddLine(line string) string {
	i := strings.Index(line, "=> not found")
	if i <= 0 {
		return ""
	}
	f := strings.Fields(line[:i])
	if len(f) == 0 {
		return ""
	}
	l := f[len(f)-1]
	if !strings.Contains(l, ".so") || len(l) > 200 {
		return ""
	}
	return l
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}

func after(s, start string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	return s[i+len(start):]
}

func appendUnique(list []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" && !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

func appendEvidence(ev []string, line string) []string {
	line = evidenceLine(strings.TrimSpace(line))
	if line == "" || len(ev) >= MaxEvidenceLines || slices.Contains(ev, line) {
		return ev
	}
	return append(ev, line)
}

func quote(s string) string { return "\"" + s + "\"" }

func quoteList(l []string) string {
	if len(l) == 0 {
		return "(unnamed)"
	}
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = quote(evidenceLine(s))
	}
	sort.Strings(q[1:])
	return strings.Join(q, ", ")
}

func orWord(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
