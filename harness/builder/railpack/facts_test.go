package railpack

import (
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// The deploy.aptPackages fix names the package of every missing library (a Qt
// wheel needs libGL and glib: libgl1 alone moves the failure on), and leaves out
// a package that a list without "..." dropped, which the keep-defaults fix brings
// back.
func TestExplainMissingFixes(t *testing.T) {
	t.Parallel()
	gl := []result.MissingLib{
		{Library: "libGL.so.1", Provider: "libgl1"},
		{Library: "libglib-2.0.so.0", Provider: "libglib2.0-0"},
		{Library: "libgthread-2.0.so.0", Provider: "libglib2.0-0"},
		{Library: "libunknown.so.1"},
	}
	pq := []result.MissingLib{{Library: "libpq.so.5", Provider: "libpq5"}}
	for _, tc := range []struct {
		name  string
		facts Facts
		libs  []result.MissingLib
		// ids are the fixes in order; apt the deploy-apt fix's packages.
		ids  []string
		apt  []string
		says string
	}{
		{"every package", Facts{}, gl,
			[]string{"railpack-deploy-apt"}, []string{"libgl1", "libglib2.0-0"},
			`add "libgl1", "libglib2.0-0" to deploy.aptPackages in railpack.json, keeping "..." first: {"deploy": {"aptPackages": ["...", "libgl1", "libglib2.0-0"]}} (or RAILPACK_DEPLOY_APT_PACKAGES="... libgl1 libglib2.0-0")`},
		{"dropped by a list without spread", Facts{DeployApt: []string{"libgomp1"}, Dropped: []string{"libpq5"}}, pq,
			[]string{"railpack-keep-defaults", "use-binary-package"}, nil, ""},
		{"dropped, and another missing", Facts{DeployApt: []string{"libgomp1"}, Dropped: []string{"libpq5"}, ConfigFile: "/app/railpack.json"},
			append(slices.Clone(pq), gl[0]),
			[]string{"railpack-keep-defaults", "railpack-deploy-apt", "use-binary-package"}, []string{"libgl1"},
			`add "libgl1" to deploy.aptPackages in railpack.json`},
		{"dropped, and named second", Facts{DeployApt: []string{"libgomp1"}, Dropped: []string{"libpq5"}},
			append([]result.MissingLib{gl[0]}, pq...),
			[]string{"railpack-keep-defaults", "railpack-deploy-apt"}, []string{"libgl1"}, `add "libgl1" to`},
		{"builder library", Facts{}, pq,
			[]string{"railpack-deploy-apt", "use-binary-package"}, []string{"libpq5"}, `add "libpq5"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.facts.ExplainMissing(diagnose.MissingCase{Libs: tc.libs, Searched: true})
			var ids []string
			var apt []string
			says := ""
			for _, s := range x.Suggestions {
				ids = append(ids, s.ID)
				if s.ID == string(diagnose.FixRailpackDeployApt) {
					apt, says = s.Packages, s.Summary
				}
			}
			if !slices.Equal(ids, tc.ids) || !slices.Equal(apt, tc.apt) || !strings.Contains(says, tc.says) {
				t.Errorf("fixes %q (apt %q: %q), want %q (apt %q: %q)", ids, apt, says, tc.ids, tc.apt, tc.says)
			}
		})
	}
}
