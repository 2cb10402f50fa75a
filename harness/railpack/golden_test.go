package railpack

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aymanbagabas/go-udiff"
)

// The expected plans and Dockerfiles under testdata/golden were written by
// hand from railpack's source (python.go, mise_step_builder.go,
// deploy_builder.go, buildkit/convert.go), not captured from this package.
// A test that fails here means the model and the reading disagree: find out
// which one is wrong before touching the expected file.

var testImages = Images{Builder: "bootmatrix-kit/railpack-builder", Runtime: "bootmatrix-kit/railpack-runtime"}

// kitPythons is what a builder might have installed, for the cases that
// resolve versions.
var kitPythons = StaticVersions{"python": {"3.11.11", "3.12.8", "3.13.1"}, "uv": {"0.5.11"}}

var goldenCases = []struct {
	project string
	opts    []Option
}{
	{project: "pip-flask"},
	{project: "uv-fastapi"},
	{project: "poetry-worker", opts: []Option{WithResolver(StaticVersions{"python": {"3.12.8", "3.13.1"}, "poetry": {"1.8.5", "2.0.1"}})}},
	{project: "psycopg2"},
	{project: "psycopg2-binary"},
	{project: "apt-spread"},
	{project: "apt-replace"},
	{project: "python-version", opts: []Option{WithResolver(kitPythons)}},
	{project: "env-overrides", opts: []Option{WithEnv(map[string]string{
		"RAILPACK_PYTHON_VERSION":      "3.12",
		"RAILPACK_DEPLOY_APT_PACKAGES": "... libglib2.0-0",
		"RAILPACK_START_CMD":           "python main.py --serve",
		"PIP_INDEX_URL":                "https://pypi.internal.example/simple",
	})}},
}

func TestGoldenPlans(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.project, func(t *testing.T) {
			res, err := Generate(context.Background(), filepath.Join("testdata", "projects", tc.project), tc.opts...)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			got, err := res.JSON()
			if err != nil {
				t.Fatal(err)
			}
			wantFile := filepath.Join("testdata", "golden", tc.project+".plan.json")
			want, err := os.ReadFile(wantFile)
			if err != nil {
				t.Fatalf("no expected plan: %v", err)
			}
			// Compared as JSON values, so the expected file may order keys as
			// Railpack's snapshots do.
			var gv, wv any
			if err := json.Unmarshal(got, &gv); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(want, &wv); err != nil {
				t.Fatalf("%s: %v", wantFile, err)
			}
			if !reflect.DeepEqual(gv, wv) {
				t.Errorf("plan differs from %s (-want +got):\n%s", wantFile, udiff.Unified("want", "got", canonical(t, wv), canonical(t, gv)))
			}
		})
	}
}

func TestGoldenDockerfiles(t *testing.T) {
	for _, tc := range goldenCases {
		wantFile := filepath.Join("testdata", "golden", tc.project+".Dockerfile")
		if _, err := os.Stat(wantFile); err != nil {
			continue
		}
		t.Run(tc.project, func(t *testing.T) {
			res, err := Generate(context.Background(), filepath.Join("testdata", "projects", tc.project), tc.opts...)
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			got, err := Dockerfile(res.Plan, testImages)
			if err != nil {
				t.Fatalf("Dockerfile: %v", err)
			}
			want, _ := os.ReadFile(wantFile)
			if got != string(want) {
				t.Errorf("Dockerfile differs from %s (-want +got):\n%s", wantFile, udiff.Unified("want", "got", string(want), got))
			}
		})
	}
}

func canonical(t testing.TB, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
