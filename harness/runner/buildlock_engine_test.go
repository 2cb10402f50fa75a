package runner

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
)

// buildHelperEnv makes the test binary a process that builds one key and prints
// how (TestBuildKeyHelper); the value is the build's nonce.
const buildHelperEnv = "BOOTMATRIX_TEST_BUILD_KEY"

type helperBuild struct {
	Cached bool   `json:"cached"`
	Tag    string `json:"tag"`
	Output string `json:"output"`
	Err    string `json:"err"`
}

// TestBuildKeyHelper is not a test of its own: run by TestTwoProcessesBuildOneKey
// as a second and third process.
func TestBuildKeyHelper(t *testing.T) {
	nonce := os.Getenv(buildHelperEnv)
	if nonce == "" {
		t.Skip("helper process of TestTwoProcessesBuildOneKey")
	}
	ctx := context.Background()
	r, err := New(ctx, WithRunID("test-"+NewRunID()))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Close() }()
	// A step that takes a while, so that the two processes overlap.
	b := recipe.Build{Dockerfile: "FROM " + testKitImage + "\nRUN sleep 4 && echo " + nonce + " > /nonce\n"}
	spec, err := r.prepare(ctx, "build", b, nil)
	var res helperBuild
	if err == nil {
		out := NewTail(0)
		var code int
		res.Cached, code, err = r.buildImage(ctx, spec, b.Dockerfile, out)
		res.Tag, res.Output = spec.tag, out.String()
		_ = code
	}
	if err != nil {
		res.Err = err.Error()
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
}

// Two processes building one cache key at once build it once: the second waits on
// the key's lock and takes the first one's image.
func TestTwoProcessesBuildOneKey(t *testing.T) {
	e := engineForTest(t)
	nonce := "two-processes-" + NewRunID()
	dir := t.TempDir()
	var wg sync.WaitGroup
	res := make([]helperBuild, 2)
	for i := range res {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBuildKeyHelper$")
			cmd.Env = append(os.Environ(), buildHelperEnv+"="+nonce, "BOOTMATRIX_STATE_DIR="+dir)
			out, err := cmd.Output()
			if err != nil {
				t.Errorf("helper %d: %v\n%s", i, err, out)
				return
			}
			line, _, _ := strings.Cut(string(out), "\n")
			if err := json.Unmarshal([]byte(line), &res[i]); err != nil {
				t.Errorf("helper %d: %v: %s", i, err, out)
			}
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = e.RemoveImage(ctx, res[0].Tag, true)
	})
	built := 0
	for i, r := range res {
		if r.Err != "" || r.Tag == "" || r.Tag != res[0].Tag {
			t.Fatalf("helper %d: %+v", i, r)
		}
		if strings.Contains(r.Output, "RUN sleep 4") {
			built++
		}
		t.Logf("process %d: cached %v\n%s", i, r.Cached, r.Output)
	}
	if built != 1 {
		t.Errorf("the key was built %d times by two processes, want once", built)
	}
}
