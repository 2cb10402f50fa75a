package diagnose

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// storeLibc is a glibc library in the Nix store, as the loader names it:
// /nix/store/…-glibc-2.40-66/lib/libc.so.6 (the version is group 1).
var storeLibc = regexp.MustCompile(`/nix/store/[0-9a-z]{32}-glibc-([0-9][0-9.]*[0-9])(?:-[0-9]+)?/lib/[A-Za-z0-9_+.-]+\.so[0-9.]*`)

// hostProgram is how the loader names the program it was starting: a path, or the
// command's name (apt-get); an exception's name (ImportError: …) is not one.
var hostProgram = regexp.MustCompile(`^(/[^\s:]+|[a-z0-9][a-z0-9._+-]*)$`)

// hostClash is a program of the base image (outside the store) that loaded the store's
// glibc: the loader's line names the program first and the store's library after it.
type hostClash struct {
	program, requiredBy, libc, storeVersion string
	// private: the store's libc asked the base image's loader for a GLIBC_PRIVATE
	// symbol (a libc and a loader of two glibc versions); symbol names it.
	private bool
	symbol  string
}

// hostGlibcClash recognises a base-image program run with the store's glibc on
// LD_LIBRARY_PATH, as nixLibs = [..., glibc] puts it there: /bin/sh, apt-get or a
// browser the app starts then loads the store's libc.so.6 with the base image's own
// loader. Two forms: the libc is older than the program needs (`GLIBC_2.38' not found),
// or newer than the loader it runs with (symbol lookup / relocation error on a
// GLIBC_PRIVATE symbol).
func (c *classifier) hostGlibcClash() (hostClash, bool) {
	for _, h := range c.s.lines(sGlibcVersion) {
		t := h.text
		m := storeLibc.FindStringSubmatchIndex(t)
		if m == nil {
			continue
		}
		prog, _, ok := strings.Cut(t[:m[0]], ": ")
		prog = strings.TrimSpace(prog)
		by := between(t, "(required by ", ")")
		if !ok || !hostProgram.MatchString(prog) || strings.HasPrefix(prog, "/nix/store/") || strings.HasPrefix(by, "/nix/store/") {
			continue
		}
		hc := hostClash{program: prog, requiredBy: by, libc: t[m[0]:m[1]], storeVersion: t[m[2]:m[3]]}
		if strings.Contains(t, "GLIBC_PRIVATE") {
			hc.private = true
			hc.symbol = between(t, "undefined symbol: ", ",")
			if hc.symbol == "" {
				hc.symbol = between(t, "symbol ", ",")
			}
		}
		return hc, true
	}
	return hostClash{}, false
}

func (c *classifier) hostGlibc(hc hostClash, syms []string) Finding {
	f := Finding{Class: ClassGlibcVersion, Evidence: c.s.evidence(nil, sGlibcVersion)}
	base := fmt.Sprintf("%s is a program of the base image, linked against the base image's glibc, but it loaded the Nix store's glibc %s (%s): "+
		"LD_LIBRARY_PATH names that glibc's lib directory (nixLibs puts each entry's lib there), and every program outside the store then takes its libc from it", hc.program, hc.storeVersion, hc.libc)
	switch want := newestGlibc(syms); {
	case hc.private:
		sym := ""
		if hc.symbol != "" {
			sym = " " + hc.symbol
		}
		f.Explanation = base + fmt.Sprintf(", while still running under the base image's own loader. A libc works only with the loader of its own glibc version: the store's glibc %s asks the loader for%s (GLIBC_PRIVATE), which the base image's loader, another glibc version, does not have.", hc.storeVersion, sym)
	case want != "":
		by := ""
		if hc.requiredBy != "" && hc.requiredBy != hc.program {
			by = " through " + path.Base(hc.requiredBy)
		}
		f.Explanation = base + fmt.Sprintf(". The program needs glibc %s or newer (%s%s) and the store's glibc is %s.", want, quoteList(syms), by, hc.storeVersion)
	default:
		f.Explanation = base + "."
	}
	f.Explanation += " Programs of the store are not affected: they carry their own loader."
	f.Fixes = []FixKind{FixHostWithoutNixLibs, FixDropGlibcFromNixLibs}
	cmd := path.Base(hc.program)
	f.Suggestions = []result.Fix{
		{ID: string(FixHostWithoutNixLibs), Summary: "run " + cmd + " without the store's LD_LIBRARY_PATH: sudo " + cmd + " … (sudo drops LD_LIBRARY_PATH, which is why Nixpacks' own aptPkgs step runs sudo apt-get) or env -u LD_LIBRARY_PATH " + cmd + " …"},
		{ID: string(FixDropGlibcFromNixLibs), Summary: "take glibc out of nixLibs (and out of any LD_LIBRARY_PATH you set): the store's python already loads the store's glibc through its own loader, so no pip-installed module needs it there"},
	}
	return f
}
