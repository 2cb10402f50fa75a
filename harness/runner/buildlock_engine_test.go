package runner

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// killHelperEnv makes the helper stop between build and tag, to be SIGKILLed.
const killHelperEnv = "BOOTMATRIX_TEST_BUILD_KILL"

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
	if os.Getenv(killHelperEnv) != "" {
		// Built, not yet tagged: say so and wait for the SIGKILL.
		b.Dockerfile = "FROM " + testKitImage + "\nLABEL org.bootmatrix.test.nonce=" + nonce + "\nRUN echo " + nonce + " > /nonce\n"
		r.afterBuild = func() {
			fmt.Println("built")
			select {}
		}
	}
	spec, err := r.prepare(ctx, "build", b, nil, io.Discard)
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

// A build SIGKILLed between build and tag leaves its image under a temporary tag
// and its lease and key lock behind. gc removes the image and the dead lease, and
// the key's lock went with the process: the next build of the key does not wait.
func TestSIGKILLedBuildThenGC(t *testing.T) {
	e := engineForTest(t)
	nonce := "killed-" + NewRunID()
	state := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBuildKeyHelper$")
	cmd.Env = append(os.Environ(), buildHelperEnv+"="+nonce, killHelperEnv+"=1", "BOOTMATRIX_STATE_DIR="+state)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "built" {
		_ = cmd.Process.Kill()
		t.Fatalf("helper said %q: %v", line, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	scope := []string{"org.bootmatrix.test.nonce=" + nonce}
	left, err := e.List(ctx, kindImage, scope)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || !incompleteBuild(left[0].Tags) {
		t.Fatalf("the killed build left %+v, want one image under a temporary tag: the test proves nothing", left)
	}
	t.Cleanup(func() { _ = e.RemoveImage(context.Background(), left[0].ID, true) })
	leases, _ := os.ReadDir(leaseDir(state))
	if len(leases) != 1 {
		t.Fatalf("lease files after the kill: %v", leases)
	}
	run := strings.TrimSuffix(leases[0].Name(), ".lease")
	if _, live := liveLease(state, run); live {
		t.Error("a SIGKILLed run's lease is still live")
	}

	n, err := gc(ctx, e, GCOptions{StateDir: state, incompleteAfter: time.Nanosecond, labels: scope})
	if err != nil || n != 1 {
		t.Errorf("gc removed %d (err %v), want the one incomplete image", n, err)
	}
	if left, _ := e.List(ctx, kindImage, scope); len(left) != 0 {
		t.Errorf("after gc: %+v", left)
	}
	if leases, _ := os.ReadDir(leaseDir(state)); len(leases) != 0 {
		t.Errorf("the dead run's lease file stayed: %v", leases)
	}

	r, err := New(ctx, WithRunID("test-"+NewRunID()), WithStateDir(state), WithLogf(t.Logf))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	b := recipe.Build{Dockerfile: "FROM " + testKitImage + "\nLABEL org.bootmatrix.test.nonce=" + nonce + "\nRUN echo " + nonce + " > /nonce\n"}
	spec, err := r.prepare(ctx, "build", b, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.RemoveImage(context.Background(), spec.tag, true) })
	t0 := time.Now()
	unlock, waited, err := r.lockKey(ctx, spec.key)
	if err != nil || waited {
		t.Fatalf("the key's lock after the kill: waited %v, err %v", waited, err)
	}
	unlock()
	out := NewTail(0)
	if _, code, err := r.buildImage(ctx, spec, b.Dockerfile, out); err != nil || strings.Contains(out.String(), "waited for another run") {
		t.Fatalf("rebuild: exit %d err %v after %.1fs\n%s", code, err, time.Since(t0).Seconds(), out)
	}
}
