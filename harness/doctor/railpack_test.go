package doctor

import (
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

// TestSearchSeedRailpackMigration: for the seed's failing Nixpacks variant the
// doctor builds the backend with Railpack, boots it, shows the railpack.json
// it needs as a diff, and names both paths: the smallest Nixpacks fix and the
// migration.
func TestSearchSeedRailpackMigration(t *testing.T) {
	runnertest.RequireImages(t, append(runnertest.KitImages, "bootmatrix-kit/railpack-builder:mise-"+recipe.RailpackMiseVersion,
		"bootmatrix-kit/railpack-runtime:mise-"+recipe.RailpackMiseVersion)...)
	_, v, _, rep := searchOnEngine(t, "../../scenarios/seed/scenario.yaml", "nixpkgs-gcc-stdenv", 20*time.Minute)
	var b strings.Builder
	_ = rep.WriteText(&b)
	t.Log("\n" + b.String())
	var mig *Candidate
	for i, c := range rep.Candidates {
		if c.Kind == diagnose.FixBuilderRailpack {
			mig = &rep.Candidates[i]
		}
	}
	if mig == nil || !mig.Proven || !mig.Result.Boots {
		t.Fatalf("the Railpack migration was not proven: %+v", mig)
	}
	// The variant's Python goes with it, as packages.python.
	for _, w := range []string{"+++ b/backend/railpack.json", `+    "startCommand": "python -m gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT api.index:app"`, `+    "python": "` + v.Python + `"`} {
		if !strings.Contains(mig.Diff, w) {
			t.Errorf("migration diff lacks %q:\n%s", w, mig.Diff)
		}
	}
	if strings.Join(mig.Settings, ";") != "builder: RAILPACK;root directory: backend" {
		t.Errorf("platform settings %q", mig.Settings)
	}
	if !strings.Contains(b.String(), "(the smallest fix), or ") || !strings.Contains(b.String(), ". builder-railpack (the migration to Railpack") {
		t.Errorf("the report does not name both paths")
	}
}
