package doctor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// TestSearchSeedRailpackMigration: for the seed's failing Nixpacks variant the
// doctor builds the backend with Railpack, boots it, shows the railpack.json
// it needs as a diff, and names both paths: the smallest Nixpacks fix and the
// migration.
func TestSearchSeedRailpackMigration(t *testing.T) {
	runnertest.RequireImages(t, append(runnertest.KitImages, "bootmatrix-kit/railpack-builder:mise-"+recipe.RailpackMiseVersion,
		"bootmatrix-kit/railpack-runtime:mise-"+recipe.RailpackMiseVersion)...)
	sc, err := scenario.Load("../../scenarios/seed/scenario.yaml", scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Select([]string{"nixpkgs-gcc-stdenv"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := runnertest.Runner(t, runner.WithSubstitutions(recipe.Offline()), runner.WithRenderer(builtin.Registry().Render),
		runner.WithDiagnoser(diagnose.Diagnoser{}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	rep, err := Search(ctx, sc, vs[0], r, WithParallel(2), WithLogf(t.Logf))
	if err != nil {
		t.Fatal(err)
	}
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
	for _, w := range []string{"+++ b/backend/railpack.json", `+    "startCommand": "python -m gunicorn --bind 0.0.0.0:$PORT app:app"`, `+    "python": "` + vs[0].Python + `"`} {
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
