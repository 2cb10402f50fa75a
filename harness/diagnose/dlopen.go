package diagnose

import (
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// dlopenMissing explains a library a Python package opens by name while it runs
// (cffi's ffi.dlopen, ctypes) and the image lacks: no NEEDED entry names it, so the
// ldd stage passes and only the import (or the app) fails.
func (c *classifier) dlopenMissing() Finding {
	s := c.s
	var libs []string
	for _, h := range s.lines(sDlopen) {
		if l := dlopenName(h.text); l != "" {
			libs = appendUnique(libs, l)
		}
	}
	// cairocffi and WeasyPrint try several names; a Linux soname names the library best.
	lib := ""
	for _, l := range libs {
		if strings.Contains(l, ".so") {
			lib = l
			break
		}
	}
	if lib == "" && len(libs) > 0 {
		lib = sonameOf(libs[0])
	}
	// The exception, then the lines for Linux names (not the .dylib and .dll cairocffi tries).
	f := Finding{Class: ClassDlopenMissing}
	if s.exception.text != "" {
		f.Evidence = appendEvidence(f.Evidence, s.exception.text)
	}
	for _, h := range s.lines(sDlopen) {
		if dlopenName(h.text) != "" {
			f.Evidence = appendEvidence(f.Evidence, h.text)
		}
	}
	m := result.MissingLib{Library: lib}
	if lib != "" {
		m.Provider = c.providerOf(m)
		f.Missing = []result.MissingLib{m}
	}
	what := orWord(lib, "a library")
	f.Explanation = "a Python package opens " + what + " by name at run time (cffi's dlopen), and the image has no library of that name; " +
		"no NEEDED entry names it, so neither ldd nor pip can show the dependency: the system package must be installed beside the wheel."
	if c.nix() {
		f.Fixes = []FixKind{FixAddNixLibs, FixLDLibraryPath, FixBuilderDockerfile}
		attr := orWord(m.Provider, "the library's attribute")
		f.Suggestions = []result.Fix{
			{ID: string(FixAddNixLibs), Summary: "add " + attr + " to nixLibs, so its lib directory is on LD_LIBRARY_PATH where dlopen looks"},
			{ID: string(FixLDLibraryPath), Summary: "put the lib directory of " + attr + "'s store path on LD_LIBRARY_PATH in the start command"},
		}
		return f
	}
	f.Fixes = []FixKind{FixAddAptPkgs, FixBuilderDockerfile}
	pkg := orWord(m.Provider, "the Debian package that ships "+what)
	var pkgs []string
	if m.Provider != "" {
		pkgs = []string{m.Provider}
	}
	f.Suggestions = []result.Fix{
		{ID: string(FixAddAptPkgs), Summary: "install " + pkg + " (aptPkgs, or apt-get install -y " + pkg + " in the Dockerfile)", Packages: pkgs},
		{ID: string(FixBuilderDockerfile), Summary: "use a Dockerfile on a Debian-based Python image that installs " + pkg},
	}
	return f
}

// dlopenName: the library a dlopen failure line names. cffi: "cannot load library
// 'libcairo.so.2': …" → "libcairo.so.2"; cairocffi: `no library called "cairo-2" was
// found` → "cairo-2". macOS and Windows names (cairocffi tries them too) are skipped.
func dlopenName(line string) string {
	var n string
	switch {
	case strings.Contains(line, "cannot load library '"):
		n = between(line, "cannot load library '", "'")
	case strings.Contains(line, "cannot load library \""):
		n = between(line, "cannot load library \"", "\"")
	default:
		n = between(line, "no library called \"", "\"")
	}
	if n == "" || len(n) > 200 || strings.HasSuffix(n, ".dylib") || strings.HasSuffix(n, ".dll") {
		return ""
	}
	if strings.Contains(n, "/") {
		n = n[strings.LastIndex(n, "/")+1:]
	}
	return n
}

// sonameOf turns the short names cffi users pass to dlopen into the soname the
// loader looked for: "cairo-2" → "libcairo.so.2", "gobject-2.0-0" →
// "libgobject-2.0.so.0", "pango-1.0" → "libpango-1.0.so.0".
func sonameOf(name string) string {
	if strings.Contains(name, ".so") {
		return name
	}
	stem := strings.TrimPrefix(name, "lib")
	if i := strings.LastIndexByte(stem, '-'); i > 0 && isDigits(stem[i+1:]) {
		return "lib" + stem[:i] + ".so." + stem[i+1:]
	}
	return "lib" + stem + ".so.0"
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
