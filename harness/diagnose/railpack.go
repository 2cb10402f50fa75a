package diagnose

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// miseVersionRe reads Railpack's "failed to resolve version V of python" and
// the offline stand-in's list of what it has.
var (
	miseVersionRe   = regexp.MustCompile(`failed to resolve version (\S+) of python`)
	standInVersions = regexp.MustCompile(`bootmatrix-stand-in-versions: ([0-9. ]+)`)
	// cpythonLineRe is a version mise's precompiled CPython could have: a line
	// python-build-standalone publishes, and a patch number of the size
	// CPython's have (none has passed 30).
	cpythonLineRe = regexp.MustCompile(`^3\.(8|9|10|11|12|13|14)(\.([12]?[0-9]|30))?$`)
)

// The titles of Railpack's fix kinds, kept here so the catalogue's table
// stays as it is.
func init() {
	fixTitles[FixRailpackDeployApt] = "add the missing libraries' Debian packages to deploy.aptPackages in railpack.json, \"...\" first"
	fixTitles[FixRailpackKeepDefaults] = "put \"...\" in deploy.aptPackages so Railpack's own runtime packages stay"
	fixTitles[FixBuilderRailpack] = "build with Railpack (Debian builder and runtime images, packages in /app/.venv)"
}

func (c *classifier) pythonUnavailable() Finding {
	f := Finding{Class: ClassPythonUnavailable, Evidence: c.s.evidence(nil, sMiseVersion)}
	want, have := "", ""
	for _, h := range c.s.lines(sMiseVersion) {
		if m := miseVersionRe.FindStringSubmatch(h.text); m != nil && want == "" {
			want = m[1]
		}
		if m := standInVersions.FindStringSubmatch(h.text); m != nil {
			have = strings.TrimSpace(m[1])
		}
	}
	if want == "" {
		want = "the requested version"
	}
	f.Explanation = fmt.Sprintf("mise cannot provide Python %s, so Railpack's build stops before installing anything.", want)
	pin := "pin a Python release mise has (.python-version, RAILPACK_PYTHON_VERSION or packages.python in railpack.json)"
	if have != "" {
		pin += "; this offline kit's mise has " + strings.ReplaceAll(have, " ", ", ")
		if cpythonLineRe.MatchString(want) {
			f.Explanation += fmt.Sprintf(" Python %s is a CPython line mise provides online; the offline stand-in carries only %s, so this outcome is the kit's, not Railpack's.", want, strings.ReplaceAll(have, " ", ", "))
			f.Fixes = append(f.Fixes, FixPythonVersion, FixRunOnline)
			f.Suggestions = []result.Fix{{ID: string(FixPythonVersion), Summary: pin}, {ID: string(FixRunOnline), Summary: FixTitle(FixRunOnline)}}
			return f
		}
	}
	f.Explanation += " No CPython release of that number exists for mise to install."
	f.Fixes = []FixKind{FixPythonVersion}
	f.Suggestions = []result.Fix{{ID: string(FixPythonVersion), Summary: pin}}
	return f
}
