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

// unported says, for a provider only detected here, what of the project its
// phases would act on, and whether that is nothing a Python backend's outcome
// could turn on (moot). A provider without an entry is never moot.
var unported = map[string]func(buildDir string) (detail string, moot bool){
	"node": nodeWork,
}

// nodeWork: Node's provider installs nodejs, runs npm install and package.json's
// build script, and starts with its start script. With no dependency and no
// script there is nothing for any of that to fail on or start.
func nodeWork(buildDir string) (string, bool) {
	var pj packageJSON
	data, err := os.ReadFile(filepath.Join(buildDir, "package.json"))
	if err != nil {
		return "nodejs, npm install and package.json's scripts; there is no readable package.json here", false
	}
	if json.Unmarshal(data, &pj) != nil {
		return "nodejs, npm install and package.json's scripts; package.json does not parse as JSON here", false
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
	return "nodejs, npm install and package.json's scripts; package.json has " + strings.Join(has, "; "), len(has) == 0
}

// providerCaveats are what bootmatrix cannot decide for a plan that merges a
// provider other than Python's: only the Python provider is ported, the others
// are detected and add an empty phase, online as offline.
func providerCaveats(providers []string, buildDir string) []string {
	var out []string
	for _, name := range providers {
		if name == "python" {
			continue
		}
		detail := ""
		if work := unported[name]; work != nil {
			d, moot := work(buildDir)
			if moot {
				continue
			}
			detail = " (" + d + ")"
		}
		out = append(out, fmt.Sprintf("Nixpacks' %s provider is in the plan, and bootmatrix models only the Python provider: its packages and phases do not run here%s. "+
			"A deploy runs them: it can fail at build, or start differently, where this row does not.", name, detail))
	}
	return out
}
