package nixpacks

import (
	"path"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks"
)

// nixAttrByLib: which nixpkgs attribute provides a library soname. The loader finds
// these only through a RUNPATH or LD_LIBRARY_PATH on a Nix image.
var nixAttrByLib = map[string]string{
	"libstdc++.so.6":         "stdenv.cc.cc.lib",
	"libgcc_s.so.1":          "stdenv.cc.cc.lib",
	"libgomp.so.1":           "stdenv.cc.cc.lib",
	"libatomic.so.1":         "stdenv.cc.cc.lib",
	"libquadmath.so.0":       "stdenv.cc.cc.lib",
	"libgfortran.so.5":       "gfortran.cc.lib",
	"libz.so.1":              "zlib",
	"libopenblas.so.0":       "openblas",
	"libblas.so.3":           "blas",
	"libcblas.so.3":          "blas",
	"liblapack.so.3":         "lapack",
	"libc.so.6":              "glibc",
	"libm.so.6":              "glibc",
	"libpthread.so.0":        "glibc",
	"libdl.so.2":             "glibc",
	"librt.so.1":             "glibc",
	"libutil.so.1":           "glibc",
	"libresolv.so.2":         "glibc",
	"ld-linux-x86-64.so.2":   "glibc",
	"libffi.so.8":            "libffi",
	"libssl.so.3":            "openssl",
	"libcrypto.so.3":         "openssl",
	"libpq.so.5":             "libpq",
	"libsqlite3.so.0":        "sqlite",
	"libbz2.so.1":            "bzip2",
	"libbz2.so.1.0":          "bzip2",
	"liblzma.so.5":           "xz",
	"libexpat.so.1":          "expat",
	"libuuid.so.1":           "libuuid",
	"libGL.so.1":             "libGL",
	"libglib-2.0.so.0":       "glib",
	"libgthread-2.0.so.0":    "glib",
	"libxml2.so.2":           "libxml2",
	"libxslt.so.1":           "libxslt",
	"libjpeg.so.8":           "libjpeg",
	"libpng16.so.16":         "libpng",
	"libgeos_c.so.1":         "geos",
	"libmagic.so.1":          "file",
	"libcurl.so.4":           "curl",
	"libX11.so.6":            "xorg.libX11",
	"libxcb.so.1":            "xorg.libxcb",
	"libgssapi_krb5.so.2":    "libkrb5",
	"libncursesw.so.6":       "ncurses",
	"libreadline.so.8":       "readline",
	"libcrypt.so.1":          "libxcrypt",
	"libmariadb.so.3":        "mariadb-connector-c",
	"libmysqlclient.so.21":   "libmysqlclient",
	"libzstd.so.1":           "zstd",
	"liblz4.so.1":            "lz4",
	"libsnappy.so.1":         "snappy",
	"libicuuc.so.74":         "icu",
	"libfreetype.so.6":       "freetype",
	"libfontconfig.so.1":     "fontconfig",
	"libcairo.so.2":          "cairo",
	"libpango-1.0.so.0":      "pango",
	"libgdal.so.34":          "gdal",
	"libproj.so.25":          "proj",
	"libsodium.so.23":        "libsodium",
	"libyaml-0.so.2":         "libyaml",
	"libtiff.so.6":           "libtiff",
	"libwebp.so.7":           "libwebp",
	"libopenjp2.so.7":        "openjpeg",
	"libharfbuzz.so.0":       "harfbuzz",
	"libgfortran.so.3":       "gfortran.cc.lib",
	"libstdc++.so.6.0.33":    "stdenv.cc.cc.lib",
	"libasound.so.2":         "alsa-lib",
	"libportaudio.so.2":      "portaudio",
	"libsndfile.so.1":        "libsndfile",
	"libusb-1.0.so.0":        "libusb1",
	"libudev.so.1":           "systemd",
	"libsystemd.so.0":        "systemd",
	"libgmp.so.10":           "gmp",
	"libmpfr.so.6":           "mpfr",
	"libhdf5.so.310":         "hdf5",
	"libnetcdf.so.19":        "netcdf",
	"libgeos.so.3.12.1":      "geos",
	"libspatialindex.so.6":   "libspatialindex",
	"libspatialindex_c.so.6": "libspatialindex",
}

// NixAttrFor names the nixpkgs attribute that provides a library soname, or "".
func NixAttrFor(lib string) string { return nixAttrByLib[path.Base(lib)] }

// ProviderFor names the nixpkgs attribute of the store path p
// ("/nix/store/<hash>-gcc-14.2.0-lib/lib/libstdc++.so.6" → "stdenv.cc.cc.lib");
// "" when p is no store path or the attribute is unknown.
//
// A store path's attribute is derived from the store name when the soname is not in the
// table: pname, plus ".<output>" for a non-default output (openssl-3.0.15-dev → openssl.dev).
// That is nixpkgs' usual naming, not a guarantee; the table wins where they differ.
func ProviderFor(p string) string {
	if name, rest, ok := nixStoreName(p); ok {
		base := path.Base(rest)
		pname, version, output := splitStoreName(name)
		switch {
		case pname == "gcc" && output == "lib":
			return "stdenv.cc.cc.lib"
		case pname == "gcc" && output == "" && isGCCRuntime(base):
			return "gcc-unwrapped"
		case pname == "gfortran" && output == "lib":
			return "gfortran.cc.lib"
		case pname == "python3":
			if attr := nixpacks.PythonAttr(version); attr != "" {
				return attr
			}
		case strings.HasPrefix(pname, "python3.") && strings.Contains(pname, "-"):
			// python3.11-numpy-1.26.4 → python311Packages.numpy
			i := strings.IndexByte(pname, '-')
			if attr := nixpacks.PythonAttr(pname[len("python"):i]); attr != "" {
				return attr + "Packages." + pname[i+1:]
			}
		}
		if attr, ok := nixAttrByLib[base]; ok && attrMatchesPname(attr, pname) {
			return attr
		}
		if pname == "" {
			return ""
		}
		if output != "" && output != "out" {
			return pname + "." + output
		}
		return pname
	}
	return ""
}

func isGCCRuntime(base string) bool {
	for _, l := range []string{"libstdc++.so", "libgcc_s.so", "libgomp.so", "libatomic.so", "libquadmath.so"} {
		if strings.HasPrefix(base, l) {
			return true
		}
	}
	return false
}

// attrMatchesPname keeps the soname table from renaming a package it does not describe
// (a libz.so.1 vendored inside some other store path is not zlib's).
func attrMatchesPname(attr, pname string) bool {
	a := attr
	if i := strings.IndexByte(a, '.'); i >= 0 {
		a = a[:i]
	}
	return strings.EqualFold(a, pname) || strings.HasPrefix(strings.ToLower(pname), strings.ToLower(a))
}

// nixStoreName splits "/nix/store/<hash>-<name>/<rest>" into name and rest.
func nixStoreName(p string) (name, rest string, ok bool) {
	const store = "/nix/store/"
	i := strings.Index(p, store)
	if i < 0 {
		return "", "", false
	}
	s := p[i+len(store):]
	if j := strings.IndexByte(s, '/'); j >= 0 {
		s, rest = s[:j], s[j+1:]
	}
	h := strings.IndexByte(s, '-')
	if h <= 0 {
		return "", rest, true
	}
	return s[h+1:], rest, true
}

// splitStoreName splits "gcc-14.2.0-lib" into ("gcc", "14.2.0", "lib"): the version
// starts at the first "-<digit>", as in Nix's own parseDrvName.
func splitStoreName(name string) (pname, version, output string) {
	pname = name
	for i := 0; i+1 < len(name); i++ {
		if name[i] == '-' && name[i+1] >= '0' && name[i+1] <= '9' {
			pname, version = name[:i], name[i+1:]
			break
		}
	}
	if version == "" {
		return pname, "", ""
	}
	if j := strings.LastIndexByte(version, '-'); j >= 0 {
		switch o := version[j+1:]; o {
		case "lib", "dev", "bin", "out", "man", "doc", "static", "debug", "libgcc":
			version, output = version[:j], o
		}
	}
	return pname, version, output
}
