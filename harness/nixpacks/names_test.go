package nixpacks

import (
	"slices"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate"
)

func TestPythonAttr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"3.11": "python311", "3.13.1": "python313", "3": "", "2.7": "", "3.x": "", "": "", "3.": ""} {
		if got := PythonAttr(in); got != want {
			t.Errorf("PythonAttr(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		later, earlier []string
		want           []string
	}{
		{"marker extends", []string{"...", "zlib"}, []string{"gcc"}, []string{"gcc", "zlib"}},
		{"@auto is a marker", []string{"x", "@auto"}, []string{"gcc"}, []string{"x", "gcc"}},
		{"no marker replaces", []string{"zlib"}, []string{"gcc"}, []string{"zlib"}},
		{"earlier's markers stay", []string{"...", "x"}, []string{"...", "gcc"}, []string{"...", "gcc", "x"}},
		{"no earlier list", []string{"...", "x"}, nil, []string{"...", "x"}},
		{"empty replaces", []string{}, []string{"gcc"}, []string{}},
	}
	for _, tc := range tests {
		if got := Splice(tc.later, tc.earlier); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Splice = %q, want %q", tc.name, got, tc.want)
		}
		// What Splice writes must merge to what merging earlier, then later, gives.
		if tc.earlier != nil {
			if a, b := generate.RemoveAutos(generate.FillAuto(generate.FillAuto(nil, tc.earlier), tc.later)), generate.RemoveAutos(generate.FillAuto(nil, Splice(tc.later, tc.earlier))); !slices.Equal(a, b) {
				t.Errorf("%s: merged %q, spliced then merged %q", tc.name, a, b)
			}
		}
	}
	if !HasSplice([]string{"a", "@auto"}) || HasSplice([]string{"a"}) {
		t.Error("HasSplice")
	}
}

func TestPythonPackageAttr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"numpy": "numpy", "psycopg2-binary": "psycopg2", "Flask_Cors": "flask-cors", "opencv-python-headless": "opencv4", "zope.interface": "zope-interface"} {
		if got := PythonPackageAttr(in); got != want {
			t.Errorf("PythonPackageAttr(%q) = %q, want %q", in, got, want)
		}
	}
}
