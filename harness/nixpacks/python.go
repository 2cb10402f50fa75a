package nixpacks

import (
	"strings"
)

// VenvDir is where the Python provider creates its virtual environment.
const VenvDir = "/opt/venv"

// PythonAttr is the nixpkgs attribute of a CPython version: "3.11" or "3.11.4"
// → "python311"; "" for anything that is not 3.<minor>. Unlike the provider's
// choice (pythonPkgFor), it does not fall back to python3: it names what a
// store path or a version says, for explanations and fixes.
func PythonAttr(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 || parts[0] != "3" || parts[1] == "" {
		return ""
	}
	for _, r := range parts[1] {
		if r < '0' || r > '9' {
			return ""
		}
	}
	return "python3" + parts[1]
}

// GCCRuntimeAttrs are attributes whose store path holds gcc's runtime libraries
// (libstdc++, libgcc_s): any of them provides what another names.
var GCCRuntimeAttrs = []string{"stdenv.cc.cc.lib", "stdenv.cc.cc", "gcc-unwrapped.lib", "gcc-unwrapped", "gcc.cc.lib", "gcc.cc"}

// pypiToNix are PyPI distributions whose nixpkgs python package has another
// name: a "-binary" wheel is the same library built from source in nixpkgs.
var pypiToNix = map[string]string{
	"psycopg2-binary":        "psycopg2",
	"psycopg-binary":         "psycopg",
	"opencv-python":          "opencv4",
	"opencv-python-headless": "opencv4",
	"opencv-contrib-python":  "opencv4",
	"pillow":                 "pillow",
	"scikit-learn":           "scikit-learn",
	"beautifulsoup4":         "beautifulsoup4",
}

// PythonPackageAttr is the attribute of a PyPI distribution in a nixpkgs
// python package set (ps.<attr> in withPackages): its normalised name, or the
// name nixpkgs gives it where that differs.
func PythonPackageAttr(dist string) string {
	n := strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(strings.TrimSpace(dist)))
	if a, ok := pypiToNix[n]; ok {
		return a
	}
	return n
}
