package nixpacks

import (
	"fmt"
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
