package main

import (
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// TestBaselineDockerfiles keeps the baseline honest: its Dockerfiles are the ones
// the renderer makes for the variant it is compared with, so both sides build the
// same thing.
var updateBaseline = flag.Bool("update", false, "rewrite bench/baseline from the renderer")

func TestBaselineDockerfiles(t *testing.T) {
	sc, err := scenario.Load(filepath.Join("..", seedScenario), scenario.WithBuilders(builtin.Registry()))
	if err != nil {
		t.Fatal(err)
	}
	vs, err := sc.Select([]string{p1Variant}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := builtin.Registry().Render(sc, vs[0], recipe.Offline())
	if err != nil {
		t.Fatal(err)
	}
	if rc.Install == nil {
		t.Fatalf("%s renders no install stage; baseline.sh builds one", p1Variant)
	}
	var args []string
	for _, k := range slices.Sorted(maps.Keys(rc.Setup.Args)) {
		args = append(args, k+"="+rc.Setup.Args[k])
	}
	files := []struct{ file, want string }{
		{"baseline/setup.Dockerfile", rc.Setup.Dockerfile},
		{"baseline/install.Dockerfile", rc.Install.Dockerfile},
		{"baseline/build-args", strings.Join(args, "\n") + "\n"},
	}
	for name, f := range rc.Setup.Context {
		if strings.HasPrefix(name, ".nixpacks/") {
			files = append(files, struct{ file, want string }{"baseline/" + name, string(f.Data)})
		}
	}
	for _, tc := range files {
		if *updateBaseline {
			if err := os.MkdirAll(filepath.Dir(tc.file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(tc.file, []byte(tc.want), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("bench/%s differs from the rendered Dockerfile of %s; replace it with:\n%s", tc.file, p1Variant, tc.want)
		}
	}
	// The start command, shell and requirements baseline.sh uses.
	if rc.Start != "gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT api.index:app" || strings.Join(rc.Shell, " ") != "bash -l -c" || rc.Workdir != "/app" {
		t.Errorf("%s starts %q in %q from %s; bench/baseline.sh assumes gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT api.index:app, bash -l -c, /app",
			p1Variant, rc.Start, rc.Shell, rc.Workdir)
	}
	req := string(rc.Setup.Context["requirements.txt"].Data)
	if want := "fastapi\nuvicorn\ngunicorn\nnumpy==2.2.4\npsycopg2-binary\n"; req != want {
		t.Errorf("%s's requirements.txt is %q; bench/baseline.sh writes %q", p1Variant, req, want)
	}
}

func TestCachedSteps(t *testing.T) {
	out := `Step 1/5 : FROM x
 ---> 1
Step 2/5 : ENV A=1
 ---> Using cache
 ---> 2
Step 3/5 : RUN true
 ---> Running in 3
Step 4/5 : COPY . /app
 ---> 4
Step 5/5 : LABEL a=b
`
	if r, n := cachedSteps(out, "COPY . /app"); r != 1 || n != 2 {
		t.Errorf("cachedSteps = %d of %d, want 1 of 2", r, n)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 2, 3}, 2.5}, {[]float64{7}, 7}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestP4Cold: a cold kit build this run did not make is reported as not measured,
// never as met from an older figure.
func TestP4Cold(t *testing.T) {
	warm := []float64{1.1, 1.3, 1.2}
	secs := func(f float64) *float64 { return &f }
	for _, tc := range []struct {
		name              string
		cold              *float64
		measured, verdict string
	}{
		{"not built cold", nil, "not measured (BENCH_COLD=1 measures it)", notMeasured},
		{"built cold in time", secs(153), "153 (measured now: KIT_REPO=bmbenchcold, empty KIT_CACHE)", "met"},
		{"built cold too slowly", secs(390), "390 (measured now: KIT_REPO=bmbenchcold, empty KIT_CACHE)", "missed by 30%"},
	} {
		rows := p4Rows(warm, tc.cold)
		if len(rows) != 2 {
			t.Fatalf("%s: %d rows, want cold and warm", tc.name, len(rows))
		}
		if c := rows[0]; c.measured != tc.measured || c.verdict != tc.verdict {
			t.Errorf("%s: cold row %q / %q, want %q / %q", tc.name, c.measured, c.verdict, tc.measured, tc.verdict)
		}
		if w := rows[1]; w.measured != "1.20" || w.verdict != "met" {
			t.Errorf("%s: warm row %q / %q, want 1.20 / met", tc.name, w.measured, w.verdict)
		}
	}
}
