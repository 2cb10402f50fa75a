package nixpacks

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// storeGlibcAttrs are the nixLibs entries whose lib directory holds glibc's
// libc.so.6: what the loader of a base-image program then takes from
// LD_LIBRARY_PATH. glibc.dev's lib holds only link-time files, so it is not one.
var storeGlibcAttrs = map[string]bool{"glibc": true, "glibc.out": true, "stdenv.cc.libc": true}

// glibcOnLibraryPath returns the nixLibs entry that puts the store's glibc on
// LD_LIBRARY_PATH, or "".
func glibcOnLibraryPath(libs []string) string {
	for _, l := range libs {
		if storeGlibcAttrs[strings.TrimPrefix(l, "pkgs.")] {
			return l
		}
	}
	return ""
}

// kitCaveats are what the offline kit's Nixpacks image cannot decide for a plan
// with these nixLibs on this archive. The kit's store glibc is its root's own
// version, so a base-image program loading it runs; on Nixpacks' image it is
// Ubuntu noble's loader with the archive's glibc, two versions, and whether sh,
// bash or apt-get survive that depends on what each touches of the other's
// private structures (images/README.md). Asserting either outcome would be a guess.
func kitCaveats(libs []string, archive string) []string {
	attr := glibcOnLibraryPath(libs)
	if attr == "" {
		return nil
	}
	rev := archive
	if len(rev) > 7 {
		rev = rev[:7]
	}
	return []string{fmt.Sprintf("nixLibs %s puts the Nix store's glibc on LD_LIBRARY_PATH, so every program of the base image (sh, bash, apt-get) loads the store's libc.so.6 with the base image's own loader. "+
		"The offline kit's store glibc is its root's own version, so here they run; on Nixpacks' image the pair is Ubuntu noble's glibc 2.39 and the glibc of nixpkgs %s, two versions, which this kit cannot run. "+
		"Decide it online (--online), or take %s out of nixLibs: the store's programs find their glibc through their own RUNPATH without it.", attr, rev, attr)}
}

// packageJSON is what of a package.json decides whether Node's provider does
// anything a deploy could fail on or start with.
type packageJSON struct {
	Dependencies    map[string]any `json:"dependencies"`
	DevDependencies map[string]any `json:"devDependencies"`
	Scripts         map[string]any `json:"scripts"`
}

// providerCaveats are what bootmatrix cannot decide for a plan that merges a
// provider other than Python's: only the Python provider is ported, the others
// are detected and add an empty phase. Online as offline, their phases do not
// run here. Node's with a package.json naming no dependency and no script
// installs nodejs and runs an npm install that has nothing to do, which cannot
// change a Python backend's outcome, so it gets no caveat.
func providerCaveats(providers []string, buildDir string) []string {
	var out []string
	for _, name := range providers {
		if name == "python" {
			continue
		}
		if name == "node" {
			var pj packageJSON
			data, err := os.ReadFile(filepath.Join(buildDir, "package.json"))
			if err == nil && json.Unmarshal(data, &pj) == nil && len(pj.Dependencies)+len(pj.DevDependencies)+len(pj.Scripts) == 0 {
				continue
			}
			var has []string
			for _, f := range []struct {
				what string
				m    map[string]any
			}{{"dependencies", pj.Dependencies}, {"devDependencies", pj.DevDependencies}, {"scripts", pj.Scripts}} {
				if len(f.m) > 0 {
					has = append(has, fmt.Sprintf("%s: %s", f.what, strings.Join(slices.Sorted(maps.Keys(f.m)), ", ")))
				}
			}
			what := "package.json does not parse as JSON here"
			if len(has) > 0 {
				what = "package.json has " + strings.Join(has, "; ")
			}
			out = append(out, fmt.Sprintf("Nixpacks' node provider is in the plan, and bootmatrix models only the Python provider: nodejs, npm install, and the build and start scripts of package.json do not run here (%s). "+
				"A deploy runs them: it can fail at build, or start with package.json's start script, where this row does neither.", what))
			continue
		}
		out = append(out, fmt.Sprintf("Nixpacks' %s provider is in the plan, and bootmatrix models only the Python provider: its packages and phases do not run here. A deploy runs them, and its outcome can differ.", name))
	}
	return out
}
