package generate

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestPlanJSONRoundTrip reads each plan.json, written in the layout
// `nixpacks plan` prints, and writes it back: the output must be the same
// text byte for byte (serde's field order, None left out, Some([]) kept).
func TestPlanJSONRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []string{"python-defaults", "no-provider", "apt-only", "run-image", "overlays", "start-user", "variables-and-paths", "only-include-files"} {
		data, err := os.ReadFile("testdata/" + c + "/plan.json")
		if err != nil {
			t.Fatal(err)
		}
		p, err := ParsePlan(data)
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		got, err := p.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(string(data), "\n"); got != want {
			t.Errorf("%s: JSON() differs from plan.json:\n%s", c, lineDiff(want, got))
		}
	}
}

func TestParsePlanAliases(t *testing.T) {
	t.Parallel()
	p, err := ParsePlan([]byte(`{"phases":{"setup":{"nixPackages":["a"],"nixLibraries":["b"],"aptPackages":["c"]},"build":{"commands":["d"],"envPaths":["/e"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s, b := p.Phases["setup"], p.Phases["build"]
	if !reflect.DeepEqual(s.NixPkgs, []string{"a"}) || !reflect.DeepEqual(s.NixLibs, []string{"b"}) || !reflect.DeepEqual(s.AptPkgs, []string{"c"}) ||
		!reflect.DeepEqual(b.Cmds, []string{"d"}) || !reflect.DeepEqual(b.Paths, []string{"/e"}) || b.GetName() != "build" {
		t.Errorf("aliases not read: %+v %+v", s, b)
	}
	if _, err := ParsePlan([]byte(`{"phases":{"setup":{"nixPkgs":["a"],"nixPackages":["b"]}}}`)); err == nil {
		t.Error("nixPkgs and its alias nixPackages together were accepted; serde refuses a duplicate field")
	}
}

// TestMergePin follows merge.rs test_merge_plan and mod.rs test_pin_build_plan.
func TestMergePin(t *testing.T) {
	t.Parallel()
	a, _ := ParsePlan([]byte(`{"phases":{"setup":{"nixPkgs":["nodejs","yarn"]},"build":{"cmds":["yarn run build"]}},"start":{"cmd":"yarn run start"}}`))
	b, _ := ParsePlan([]byte(`{"phases":{"setup":{"nixPkgs":["...","cowsay"]},"build":{"cmds":["yarn run optimize-assets","..."]},"install":{"cmds":["yarn install"]}},"start":{"user":"u"}}`))
	m := Merge(a, b)
	if got := m.Phases["setup"].NixPkgs; !reflect.DeepEqual(got, []string{"...", "nodejs", "yarn", "cowsay"}) {
		t.Errorf("setup nixPkgs = %q", got)
	}
	if got := m.Phases["build"].Cmds; !reflect.DeepEqual(got, []string{"yarn run optimize-assets", "...", "yarn run build"}) {
		t.Errorf("build cmds = %q", got)
	}
	if got := m.Phases["install"].DependsOn; !reflect.DeepEqual(got, []string{"setup"}) {
		t.Errorf("a new install phase depends on %q, want setup", got)
	}
	if *m.Start.Cmd != "yarn run start" || *m.Start.User != "u" {
		t.Errorf("start = %+v", m.Start)
	}
	m.Pin(false)
	if got := m.Phases["setup"].NixPkgs; !reflect.DeepEqual(got, []string{"nodejs", "yarn", "cowsay"}) {
		t.Errorf("pinned setup nixPkgs = %q", got)
	}
	if a := m.Phases["setup"].NixpkgsArchive; a == nil || *a != NixpkgsArchive {
		t.Errorf("setup archive = %v, want %s", a, NixpkgsArchive)
	}
	if m.Phases["build"].NixpkgsArchive != nil {
		t.Error("a phase without Nix got an archive")
	}
	if *m.BuildImage != UbuntuBaseImage || m.Providers == nil {
		t.Errorf("pin left buildImage %v providers %v", *m.BuildImage, m.Providers)
	}
	d := Merge(&BuildPlan{}, a)
	d.Pin(true)
	if *d.BuildImage != DebianBaseImage || *d.Phases["setup"].NixpkgsArchive != LegacyOpenSSLArchive {
		t.Errorf("debian pin: %s %s", *d.BuildImage, *d.Phases["setup"].NixpkgsArchive)
	}
}

func TestSortedPhases(t *testing.T) {
	t.Parallel()
	p, _ := ParsePlan([]byte(`{"phases":{"d":{"dependsOn":["b","c"]},"c":{"dependsOn":["b"]},"b":{"dependsOn":["a","missing"]},"a":{},"z":{}}}`))
	got, err := p.SortedPhases()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ph := range got {
		names = append(names, ph.GetName())
	}
	// Rounds: {a, z}, {b}, {c}, {d}; a missing dependency is ignored.
	if want := []string{"a", "z", "b", "c", "d"}; !slices.Equal(names, want) {
		t.Errorf("order %q, want %q", names, want)
	}
	for _, cyc := range []string{
		`{"phases":{"a":{"dependsOn":["b"]},"b":{"dependsOn":["a"]}}}`,
		`{"phases":{"a":{},"b":{"dependsOn":["a","a"]}}}`,
	} {
		p, _ := ParsePlan([]byte(cyc))
		if _, err := p.SortedPhases(); err == nil || !errors.Is(err, ErrCircular) || err.Error() != "Circular dependency detected" {
			t.Errorf("%s: err %v, want Nixpacks' circular dependency error", cyc, err)
		}
	}
}
