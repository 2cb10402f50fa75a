// Package buildinfo says which build of bootmatrix is running (module version and
// VCS commit, from runtime/debug.ReadBuildInfo) and whether it satisfies a
// scenario's `requires: ">= X.Y"`.
package buildinfo

import (
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/semver"
)

// Info is what the Go toolchain recorded about this binary.
type Info struct {
	Version  string // module version: v1.2.3, a pseudo-version, or (devel)
	Commit   string // VCS revision, empty when not built from a checkout
	Modified bool   // the checkout had uncommitted changes
	Go       string // toolchain
}

// Read returns this binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "(devel)"}
	}
	in := Info{Version: bi.Main.Version, Go: bi.GoVersion}
	if in.Version == "" {
		in.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	return in
}

// Development reports whether v is no release: "(devel)" (go run, go test) or the
// v0.0.0 pseudo-version the toolchain stamps on a checkout with no release tag.
// A development build is taken to satisfy every requirement; callers say so.
func Development(v string) bool {
	return v == "" || v == "(devel)" || !semver.IsValid(v) || strings.HasPrefix(v, "v0.0.0-")
}

var requireRe = regexp.MustCompile(`^>=\s*v?([0-9]+)\.([0-9]+)(?:\.([0-9]+))?$`)

// ParseRequirement reads ">= X.Y" or ">= X.Y.Z" and returns the minimum as a semantic version.
func ParseRequirement(req string) (string, error) {
	m := requireRe.FindStringSubmatch(strings.TrimSpace(req))
	if m == nil {
		return "", fmt.Errorf("%q is not a version requirement", req)
	}
	patch := m[3]
	if patch == "" {
		patch = "0"
	}
	return "v" + m[1] + "." + m[2] + "." + patch, nil
}

// Satisfies reports whether version v meets req (">= X.Y"); a development build
// meets every requirement (dev is then true).
func Satisfies(v, req string) (ok, dev bool, err error) {
	min, err := ParseRequirement(req)
	if err != nil {
		return false, false, err
	}
	if Development(v) {
		return true, true, nil
	}
	// A pseudo-version after a tag (v1.2.4-0.2026…) sorts after v1.2.3 and before
	// v1.2.4, which is what it is; +incompatible and +dirty do not change the order.
	return semver.Compare(v, min) >= 0, false, nil
}
