package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// Offline, pip is told to read only the wheelhouse, so the index a requirements
// file names is silently not used: the stage that ran pip says so, and a failure
// to find the requirement offers the online run first. No credential of the URL
// reaches the result.
func TestIgnoredIndexIsNoted(t *testing.T) {
	t.Parallel()
	// The indexes as the recipe reports them (recipe's TestRequirementIndexes):
	// already without their credentials.
	ctx := Context{Builder: "python-slim", Indexes: []string{"https://mirror.example/simple", "https://pypi.example.internal/simple"}}
	pipNoneOffline, err := os.ReadFile(filepath.Join("testdata", "pip-versions-none-offline.txt"))
	if err != nil {
		t.Fatal(err)
	}
	failing := func() result.Variant {
		return result.Variant{Name: "private", Stages: []result.Stage{
			{Name: result.StageBuild, Status: result.Pass},
			{Name: result.StageInstall, Status: result.Fail, ExitCode: 1, Output: string(pipNoneOffline)},
		}}
	}
	cases := []struct {
		name     string
		mode     result.Mode
		v        result.Variant
		noted    bool
		firstFix FixKind
	}{
		{"offline, failed", result.ModeOffline, failing(), true, FixRunOnline},
		{"online, failed", result.ModeOnline, failing(), false, FixPinRequirement},
		{"offline, passed", result.ModeOffline, result.Variant{Name: "private", Boots: true, Stages: []result.Stage{
			{Name: result.StageBuild, Status: result.Pass}, {Name: result.StageInstall, Status: result.Pass, Note: "cached"}}}, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ctx
			c.Mode = tc.mode
			v := tc.v
			Annotate(&v, c)
			Annotate(&v, c) // twice, as a re-annotation would: one note
			st := v.StageByName(result.StageInstall)
			n := strings.Count(st.Note, "https://pypi.example.internal/simple")
			if tc.noted && n != 1 || !tc.noted && n != 0 {
				t.Errorf("install note %q: want the ignored index noted %v (once)", st.Note, tc.noted)
			}
			if tc.firstFix != "" && (len(v.Fixes) == 0 || v.Fixes[0].ID != string(tc.firstFix)) {
				t.Errorf("fixes %+v, want %s first", v.Fixes, tc.firstFix)
			}
			if tc.noted && st.Status == result.Fail && !strings.Contains(st.Explanation, "was not used") {
				t.Errorf("explanation does not say the index was not used: %s", st.Explanation)
			}
			b, _ := json.Marshal(v)
			for _, secret := range []string{"t0ken", "s3cret", "deploy", "ci:"} {
				if strings.Contains(string(b), secret) {
					t.Errorf("result carries %q: %s", secret, b)
				}
			}
		})
	}
}
