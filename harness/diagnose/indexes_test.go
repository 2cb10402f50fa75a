package diagnose

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

func TestIndexOption(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]string{
		"--index-url https://user:tok3n@pypi.example.internal/simple": "https://pypi.example.internal/simple",
		"-i https://pypi.example.internal/simple  # private":          "https://pypi.example.internal/simple",
		"--extra-index-url=https://t0ken@mirror.example/simple?x=1":   "https://mirror.example/simple",
		"  --index-url\thttps://pypi.example.internal/simple":         "https://pypi.example.internal/simple",
		"# --index-url https://pypi.example.internal/simple":          "",
		"--index-urlx https://pypi.example.internal/simple":           "",
		"numpy==2.2.4":       "",
		"-r other.txt":       "",
		"--find-links /w":    "",
		"--index-url":        "",
		"-idontknow":         "",
		"--index-url %zz":    "",
		"-e git+https://x/y": "",
	} {
		if got := indexOption(line); got != want {
			t.Errorf("indexOption(%q) = %q, want %q", line, got, want)
		}
	}
}

// Offline, pip is told to read only the wheelhouse, so the index a requirements
// file names is silently not used: the stage that ran pip says so, and a failure
// to find the requirement offers the online run first. No credential of the URL
// reaches the result.
func TestIgnoredIndexIsNoted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	included := filepath.Join(dir, "extra.txt")
	if err := os.WriteFile(included, []byte("--extra-index-url https://ci:s3cret@mirror.example/simple\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rc := &recipe.Recipe{Builder: "python-slim", Setup: recipe.Build{Context: map[string]recipe.File{
		"requirements.txt": {Data: []byte("--index-url https://deploy:t0ken@pypi.example.internal/simple\n-r extra.txt\nacme-internal==1.2\n")},
		"extra.txt":        {Source: included},
		"app.py":           {Data: []byte("--index-url https://not-a-requirements-file.example/simple\n")},
	}}}
	ctx := ContextForRecipe(rc)
	if want := []string{"https://mirror.example/simple", "https://pypi.example.internal/simple"}; !slices.Equal(ctx.Indexes, want) {
		t.Fatalf("indexes %q, want %q", ctx.Indexes, want)
	}
	failing := func() result.Variant {
		return result.Variant{Name: "private", Stages: []result.Stage{
			{Name: result.StageBuild, Status: result.Pass},
			{Name: result.StageInstall, Status: result.Fail, ExitCode: 1, Output: readTestdata(t, "pip-versions-none-offline.txt")},
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
