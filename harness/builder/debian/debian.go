// Package debian is what the diagnosis knows of Debian-based images (the
// python:*-slim images, most Dockerfiles, Railpack's deploy image): libraries
// come from apt packages and the loader searches ld.so.cache and /usr/lib.
package debian

import (
	"fmt"
	"path"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// debPackageByLib: which Debian (bookworm) package ships a library soname. On trixie
// several were renamed for the 64-bit time_t transition (libssl3t64, libpng16-16t64,
// libglib2.0-0t64); apt selects those when asked for the old name.
var debPackageByLib = map[string]string{
	"libstdc++.so.6":       "libstdc++6",
	"libgcc_s.so.1":        "libgcc-s1",
	"libgomp.so.1":         "libgomp1",
	"libatomic.so.1":       "libatomic1",
	"libquadmath.so.0":     "libquadmath0",
	"libgfortran.so.5":     "libgfortran5",
	"libz.so.1":            "zlib1g",
	"libopenblas.so.0":     "libopenblas0",
	"libblas.so.3":         "libblas3",
	"libcblas.so.3":        "libblas3",
	"liblapack.so.3":       "liblapack3",
	"libc.so.6":            "libc6",
	"libm.so.6":            "libc6",
	"libpthread.so.0":      "libc6",
	"libdl.so.2":           "libc6",
	"librt.so.1":           "libc6",
	"libutil.so.1":         "libc6",
	"libresolv.so.2":       "libc6",
	"ld-linux-x86-64.so.2": "libc6",
	"libffi.so.8":          "libffi8",
	"libssl.so.3":          "libssl3",
	"libcrypto.so.3":       "libssl3",
	"libpq.so.5":           "libpq5",
	"libsqlite3.so.0":      "libsqlite3-0",
	"libbz2.so.1.0":        "libbz2-1.0",
	"liblzma.so.5":         "liblzma5",
	"libexpat.so.1":        "libexpat1",
	"libuuid.so.1":         "libuuid1",
	"libGL.so.1":           "libgl1",
	"libglib-2.0.so.0":     "libglib2.0-0",
	"libgthread-2.0.so.0":  "libglib2.0-0",
	"libxml2.so.2":         "libxml2",
	"libxslt.so.1":         "libxslt1.1",
	"libjpeg.so.62":        "libjpeg62-turbo",
	"libpng16.so.16":       "libpng16-16",
	"libgeos_c.so.1":       "libgeos-c1v5",
	"libmagic.so.1":        "libmagic1",
	"libcurl.so.4":         "libcurl4",
	"libX11.so.6":          "libx11-6",
	"libxcb.so.1":          "libxcb1",
	"libgssapi_krb5.so.2":  "libgssapi-krb5-2",
	"libncursesw.so.6":     "libncursesw6",
	"libreadline.so.8":     "libreadline8",
	"libcrypt.so.1":        "libcrypt1",
	"libmariadb.so.3":      "libmariadb3",
	"libzstd.so.1":         "libzstd1",
	"liblz4.so.1":          "liblz4-1",
	"libsnappy.so.1":       "libsnappy1v5",
	"libfreetype.so.6":     "libfreetype6",
	"libfontconfig.so.1":   "libfontconfig1",
	"libcairo.so.2":        "libcairo2",
	"libsodium.so.23":      "libsodium23",
	"libyaml-0.so.2":       "libyaml-0-2",
	"libtiff.so.6":         "libtiff6",
	"libwebp.so.7":         "libwebp7",
	"libopenjp2.so.7":      "libopenjp2-7",
	"libgmp.so.10":         "libgmp10",
	"libasound.so.2":       "libasound2",
	"libsndfile.so.1":      "libsndfile1",
	"libusb-1.0.so.0":      "libusb-1.0-0",
	"libudev.so.1":         "libudev1",
	"libsystemd.so.0":      "libsystemd0",
}

// slimLibs are the shared libraries the official python:X.Y-slim images carry
// beyond glibc (and so do the kit's stand-ins): the C++ runtime apt needs and what
// CPython links. Switching to python-slim fixes a missing library only when it is
// one of these; libGL or glib a wheel leaves to the system it lacks as much.
var slimLibs = map[string]bool{
	"libstdc++.so.6": true, "libgcc_s.so.1": true, "libz.so.1": true, "libssl.so.3": true, "libcrypto.so.3": true,
	"libffi.so.8": true, "libsqlite3.so.0": true, "libbz2.so.1.0": true, "liblzma.so.5": true, "libexpat.so.1": true,
	"libuuid.so.1": true, "libncursesw.so.6": true, "libtinfo.so.6": true, "libzstd.so.1": true,
}

// SlimHas reports whether python:X.Y-slim has every one of libs (glibc's always).
func SlimHas(libs []result.MissingLib) bool {
	for _, m := range libs {
		if n := path.Base(m.Library); !slimLibs[n] && debPackageByLib[n] != "libc6" {
			return false
		}
	}
	return len(libs) > 0
}

// PackageFor names the Debian package that ships a library soname, or "".
func PackageFor(lib string) string { return debPackageByLib[path.Base(lib)] }

// Facts are a Debian image's. A builder that is itself the python-slim image
// has no builder to switch to; the others offer it.
type Facts struct {
	// OfferSlim adds "build on python:<version>-slim" to a missing library's fixes.
	OfferSlim bool
	// InstallHint says how this builder's configuration installs an apt
	// package; nil means the aptPkgs-or-Dockerfile wording.
	InstallHint func(pkgs []string) string
}

func defaultInstallHint(pkgs []string) string {
	list := strings.Join(pkgs, " ")
	return fmt.Sprintf("install %s (aptPkgs = [%s], or apt-get install -y %s in the Dockerfile)", list, diagnose.Quoted(pkgs), list)
}

// NixStore is false: a Debian image's libraries are in /usr/lib.
func (Facts) NixStore() bool { return false }

// Provider names the Debian package, from where a copy was found or the soname.
func (Facts) Provider(m result.MissingLib) string {
	for _, p := range m.FoundAt {
		if !strings.HasPrefix(p, "/nix/store/") {
			if pr := PackageFor(p); pr != "" {
				return pr
			}
		}
	}
	return PackageFor(m.Library)
}

// ExplainMissing explains a missing library on Debian: either a copy is in a
// directory the loader does not search, or no package installed it.
func (f Facts) ExplainMissing(mc diagnose.MissingCase) diagnose.Explanation {
	var x diagnose.Explanation
	m := mc.Libs[0]
	pkg := m.Provider
	if len(m.FoundAt) > 0 {
		w := "a copy exists at " + m.FoundAt[0]
		if m.Provider != "" {
			w += " (" + m.Provider + ")"
		}
		x.Text = fmt.Sprintf("the loader cannot find %s%s: %s, a directory it does not search (not in ld.so.cache or the default paths)%s.", m.Library, mc.NeededBy(), w, mc.AlsoMissing())
		x.Add(diagnose.FixLDLibraryPath, fmt.Sprintf("add %s to LD_LIBRARY_PATH (or an /etc/ld.so.conf.d entry + ldconfig)", path.Dir(m.FoundAt[0])))
	} else {
		e := fmt.Sprintf("the loader cannot find %s%s", m.Library, mc.NeededBy())
		if mc.Searched {
			e += ": no file of that name is in the image"
		}
		if pkg != "" {
			e += "; Debian's " + pkg + " ships it"
		}
		x.Text = e + mc.AlsoMissing() + "."
	}
	if pkgs, _ := mc.Providers(); len(pkgs) > 0 {
		hint := f.InstallHint
		if hint == nil {
			hint = defaultInstallHint
		}
		x.Add(diagnose.FixAddAptPkgs, hint(pkgs))
		x.Suggestions[len(x.Suggestions)-1].Packages = pkgs
	}
	if f.OfferSlim && SlimHas(mc.Libs) {
		x.Add(diagnose.FixBuilderPythonSlim, diagnose.FixTitle(diagnose.FixBuilderPythonSlim))
	}
	return x
}
