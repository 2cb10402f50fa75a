package runner

import (
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func variantWith(boots bool, stages ...result.Stage) *result.Variant {
	return &result.Variant{Name: "v", Boots: boots, Stages: stages}
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	pass := func(n result.StageName) result.Stage { return result.Stage{Name: n, Status: result.Pass} }
	skip := func(n result.StageName) result.Stage { return result.Stage{Name: n, Status: result.Skip} }
	importFail := result.Stage{Name: "import", Status: result.Fail, Class: "missing-shared-library",
		Output: "ImportError: libstdc++.so.6: cannot open shared object file"}
	booted := variantWith(true, pass("build"), pass("install"), pass("import"), pass("ldd"), pass("boot"))
	failedImport := variantWith(false, pass("build"), pass("install"), importFail, pass("ldd"), skip("boot"))

	tests := []struct {
		name       string
		v          *result.Variant
		e          *scenario.Expectation
		met        bool
		detailHas  string
		describeAs string
	}{
		{name: "no expectation", v: failedImport, e: nil, met: true},
		{name: "boots as expected", v: booted, e: &scenario.Expectation{Boots: true}, met: true, describeAs: "boots"},
		{name: "expected boot, failed", v: failedImport, e: &scenario.Expectation{Boots: true},
			detailHas: "failed at import (missing-shared-library)"},
		{name: "expected failure, booted", v: booted, e: &scenario.Expectation{Stage: "import"}, detailHas: "it booted"},
		{name: "failure matches stage, class and output", v: failedImport,
			e:   &scenario.Expectation{Stage: "import", Class: "missing-shared-library", OutputContains: "libstdc++.so.6"},
			met: true, describeAs: `fails at import with missing-shared-library (output contains "libstdc++.so.6")`},
		{name: "wrong stage", v: failedImport, e: &scenario.Expectation{Stage: "boot"}, detailHas: "failed at import (missing-shared-library), not at boot"},
		{name: "wrong class", v: failedImport, e: &scenario.Expectation{Stage: "import", Class: "pep668"},
			detailHas: "import failed with missing-shared-library, not pep668"},
		{name: "output lacks text", v: failedImport, e: &scenario.Expectation{Stage: "import", OutputContains: "libgfortran"},
			detailHas: `does not contain "libgfortran"`},
		{name: "text in a module error counts", met: true,
			v: variantWith(false, result.Stage{Name: "import", Status: result.Fail,
				Modules: []result.Module{{Name: "numpy", Error: "No module named 'numpy'"}}}),
			e: &scenario.Expectation{Stage: "import", OutputContains: "No module named"}},
		{name: "setup error", v: &result.Variant{Name: "v", Error: "variant \"v\": no renderer"},
			e: &scenario.Expectation{Boots: true}, detailHas: "did not run"},
		{name: "ldd failed but booted counts as booting", met: true,
			v: variantWith(true, pass("build"), pass("install"), pass("import"),
				result.Stage{Name: "ldd", Status: result.Fail}, pass("boot")),
			e: &scenario.Expectation{Boots: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			met, detail := Evaluate(tc.v, tc.e)
			if met != tc.met {
				t.Errorf("met = %v, want %v (detail %q)", met, tc.met, detail)
			}
			if met && detail != "" {
				t.Errorf("met with detail %q", detail)
			}
			if tc.detailHas != "" && !strings.Contains(detail, tc.detailHas) {
				t.Errorf("detail %q lacks %q", detail, tc.detailHas)
			}
			if tc.describeAs != "" {
				if got := DescribeExpectation(tc.e); got != tc.describeAs {
					t.Errorf("DescribeExpectation = %q, want %q", got, tc.describeAs)
				}
			}
		})
	}
}
