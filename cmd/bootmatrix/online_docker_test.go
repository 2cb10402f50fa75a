package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"golang.org/x/crypto/bcrypt"

	"github.com/bootmatrix/bootmatrix/harness/kit"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

// The online code path on real parts: Debian's docker-registry (the CNCF
// distribution registry) on 127.0.0.1 holding the kit under the real names, the
// kit's wheelhouse as a PEP 503 index behind HTTP basic auth, and
// scenarios/seed-online run with --online, the mirror and a credentialed
// PIP_INDEX_URL. Every variant must come out as the offline run of the same file
// does, with the pulls and the index really used, and the index token in no
// report, log or image.
func TestOnlineSeedThroughMirrorAndIndex(t *testing.T) {
	cli := onlineReady(t)
	// Nixpacks' nix files import nixpkgs archives from GitHub; a mirror on
	// loopback serves the kit's copies, as a corporate mirror would.
	nixMirror, nixHits := serveNixpkgsArchives(t)
	reg := startRegistry(t, "")
	pushKit(t, cli, reg)

	dir := t.TempDir()
	if code, _, stderr := cliRun(t, "kit", "index", filepath.Join(dir, "index")); code != 0 {
		t.Fatalf("kit index: exit %d: %s", code, stderr)
	}
	const user, token = "ci", "idx-tok-7f3a9c"
	idx, hits := serveIndex(t, filepath.Join(dir, "index"), user, token)

	scenario := filepath.Join(repoRoot(t), "scenarios", "seed-online", "scenario.yaml")
	offJSON := filepath.Join(dir, "offline.json")
	if code, _, stderr := cliRun(t, "run", scenario, "--offline", "--json", offJSON); code != 0 && code != exitMismatch {
		t.Fatalf("offline run: exit %d: %s", code, stderr)
	}

	start := time.Now()
	t.Setenv("PIP_INDEX_URL", fmt.Sprintf("http://%s:%s@%s/simple/", user, token, idx))
	onJSON, onHTML, onMD := filepath.Join(dir, "online.json"), filepath.Join(dir, "online.html"), filepath.Join(dir, "online.md")
	code, stdout, stderr := cliRun(t, "run", scenario, "--online", "--registry-mirror", reg, "--nixpkgs-mirror", nixMirror,
		"--json", onJSON, "--html", onHTML, "--markdown", onMD)
	if code != 0 && code != exitMismatch {
		t.Fatalf("online run: exit %d: %s", code, stderr)
	}
	off, on := mustReadRun(t, offJSON), mustReadRun(t, onJSON)
	if on.Mode != result.ModeOnline || off.Mode != result.ModeOffline {
		t.Fatalf("modes: online run %q, offline run %q", on.Mode, off.Mode)
	}
	if len(on.Variants) != len(off.Variants) || len(on.Variants) == 0 {
		t.Fatalf("online ran %d variants, offline %d", len(on.Variants), len(off.Variants))
	}
	for i, ov := range off.Variants {
		nv := on.Variants[i]
		if got, want := outcome(nv), outcome(ov); got != want {
			t.Errorf("variant %s: online %s, offline %s\n%s", nv.Name, got, want, failureOutput(nv))
		}
	}

	// The online path was taken: every base came from the registry, and pip asked the index.
	// (seed-online builds on the Nixpacks base and, in its Dockerfile, python:3.13-slim.)
	for _, img := range []string{"library/python:3.13-slim", "railwayapp/nixpacks:ubuntu-1745885067"} {
		if _, err := cli.ImageInspect(context.Background(), reg+"/"+img); err != nil {
			t.Errorf("%s/%s was not pulled by the online run: %v", reg, img, err)
		}
	}
	if hits.Load() == 0 {
		t.Error("the index served no authenticated request: pip did not use PIP_INDEX_URL")
	}
	if nixHits.Load() == 0 {
		t.Error("no nixpkgs archive was fetched from the mirror")
	}

	// The token is in no report, no log and no image the run built.
	texts := map[string]string{"stdout": stdout, "stderr": stderr}
	for _, f := range []string{onJSON, onHTML, onMD} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(data)
	}
	for name, text := range texts {
		if strings.Contains(text, token) {
			t.Errorf("the index token appears in %s", name)
		}
	}
	checked := assertNoTokenInImages(t, cli, start, token)
	if checked == 0 {
		t.Error("the online run built no image to check")
	}
}

// onlineReady skips (or, with BOOTMATRIX_REQUIRE_DOCKER=1, fails) without the
// engine, the kit or docker-registry.
func onlineReady(t *testing.T) *client.Client {
	t.Helper()
	// These tests run the CLI in this process, without main's set-up of testcontainers-go.
	runnertest.DisableReaper()
	cli := runnertest.Docker(t)
	runnertest.RequireImages(t, "bootmatrix-kit/python:3.11-slim", "bootmatrix-kit/python:3.13-slim", recipe.KitNixpacksImage, kit.WheelhouseImage)
	if _, err := exec.LookPath("docker-registry"); err != nil {
		msg := "docker-registry not installed: apt-get install docker-registry"
		if runnertest.Required() {
			t.Fatal(msg + " (BOOTMATRIX_REQUIRE_DOCKER=1)")
		}
		t.Skip(msg)
	}
	return cli
}

// cliRun runs the CLI in this process, as a user's shell would.
func cliRun(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// startRegistry runs docker-registry on 127.0.0.1 with its storage in a temporary
// directory and no other listener; htpasswd, when set, is its auth file.
func startRegistry(t testing.TB, htpasswd string) string {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n", filepath.Join(dir, "data"), addr)
	if htpasswd != "" {
		cfg += fmt.Sprintf("auth:\n  htpasswd:\n    realm: bootmatrix-test\n    path: %s\n", htpasswd)
	}
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("docker-registry", "serve", cfgPath)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			_ = resp.Body.Close()
			return addr
		}
		if i > 100 {
			t.Fatalf("docker-registry did not answer on %s: %v\n%s", addr, err, log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// pushKit pushes the kit to reg with the CLI and removes what the pulls tag later.
func pushKit(t testing.TB, cli *client.Client, reg string) {
	t.Helper()
	targets, err := kit.Targets(reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, tg := range targets {
			_, _ = cli.ImageRemove(context.Background(), tg.Ref, client.ImageRemoveOptions{})
		}
	})
	if code, _, stderr := cliRun(t, "kit", "push", reg); code != 0 {
		t.Fatalf("kit push %s: exit %d: %s", reg, code, stderr)
	}
	for _, tg := range targets {
		if _, err := cli.ImageInspect(context.Background(), tg.Ref); err == nil {
			t.Fatalf("kit push left the local tag %s: a run would not pull it", tg.Ref)
		}
	}
}

// serveNixpkgsArchives copies the kit's nixpkgs archives out of its Nix image and
// serves them on 127.0.0.1 as <rev>.tar.gz; hits counts the archives fetched.
func serveNixpkgsArchives(t testing.TB) (string, *atomic.Int64) {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("docker", "create", "--label", "org.bootmatrix.managed=true", recipe.KitNixpacksImage, "true").Output()
	if err != nil {
		t.Fatalf("docker create %s: %v", recipe.KitNixpacksImage, err)
	}
	id := strings.TrimSpace(string(out))
	defer func() { _ = exec.Command("docker", "rm", "-f", id).Run() }()
	if b, err := exec.Command("docker", "cp", id+":"+recipe.KitNixpkgsDir+"/.", dir).CombinedOutput(); err != nil {
		t.Fatalf("docker cp the kit's archives: %v: %s", err, b)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hits := &atomic.Int64{}
	files := http.FileServer(http.Dir(dir))
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ".tar.gz") {
			hits.Add(1)
		}
		files.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String(), hits
}

// serveIndex serves dir with Go's file server on 127.0.0.1 behind HTTP basic auth;
// hits counts the requests that passed it.
func serveIndex(t testing.TB, dir, user, token string) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hits := &atomic.Int64{}
	files := http.FileServer(http.Dir(dir))
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="index"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		hits.Add(1)
		files.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String(), hits
}

func mustReadRun(t testing.TB, path string) *result.Run {
	t.Helper()
	r, err := readRun(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// outcome is what a variant did: each stage's status, and the class of its first failure.
func outcome(v result.Variant) string {
	var b strings.Builder
	for _, st := range v.Stages {
		fmt.Fprintf(&b, "%s=%s ", st.Name, st.Status)
	}
	if f := v.FirstFailure(); f != nil {
		fmt.Fprintf(&b, "class=%s", f.Class)
	}
	return b.String()
}

func failureOutput(v result.Variant) string {
	if f := v.FirstFailure(); f != nil {
		out := f.Output
		if len(out) > 1500 {
			out = out[len(out)-1500:]
		}
		return out
	}
	return ""
}

// assertNoTokenInImages reads the history and configuration of every image the
// engine made since start and fails on any that carries token; it returns how
// many it read.
func assertNoTokenInImages(t testing.TB, cli *client.Client, start time.Time, token string) int {
	t.Helper()
	ctx := context.Background()
	imgs, err := cli.ImageList(ctx, client.ImageListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, im := range imgs.Items {
		if time.Unix(im.Created, 0).Before(start.Add(-time.Second)) {
			continue
		}
		n++
		hist, err := cli.ImageHistory(ctx, im.ID)
		if err != nil {
			t.Errorf("history of %s: %v", im.ID, err)
			continue
		}
		for _, h := range hist.Items {
			if strings.Contains(h.CreatedBy, token) || strings.Contains(h.Comment, token) {
				t.Errorf("image %s %v: a history step carries the index token: %.200s", im.ID, im.RepoTags, h.CreatedBy)
			}
		}
		ins, err := cli.ImageInspect(ctx, im.ID)
		if err != nil {
			t.Errorf("inspect %s: %v", im.ID, err)
			continue
		}
		raw, _ := json.Marshal(ins)
		if bytes.Contains(raw, []byte(token)) {
			t.Errorf("image %s %v: docker inspect shows the index token", im.ID, im.RepoTags)
		}
	}
	return n
}

// A registry with htpasswd auth: kit push without push rights fails with the
// registry's answer and nothing reported pushed; a pull without a credential is
// image-unavailable with the registry's own text; an auths entry in Docker's
// config.json (DOCKER_CONFIG) makes the same pull succeed.
func TestOnlineRegistryAuth(t *testing.T) {
	cli := onlineReady(t)
	dir := t.TempDir()
	const user, pass = "puller", "reg-pass-51c0"
	hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	htpasswd := filepath.Join(dir, "htpasswd")
	if err := os.WriteFile(htpasswd, []byte(user+":"+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	reg := startRegistry(t, htpasswd)

	// No credentials anywhere: an empty Docker config of our own.
	empty := filepath.Join(dir, "empty")
	withCreds := filepath.Join(dir, "creds")
	for _, d := range []string{empty, withCreds} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(empty, "config.json"), []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	if err := os.WriteFile(filepath.Join(withCreds, "config.json"), []byte(`{"auths":{"`+reg+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", empty)

	code, stdout, stderr := cliRun(t, "kit", "push", reg)
	if code != exitEnvironment || !strings.Contains(stderr, "nothing was pushed") || !strings.Contains(stderr, "no basic auth credentials") || strings.Contains(stdout+stderr, "pushed "+reg) {
		t.Fatalf("kit push without rights: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}

	// The one image the scenario needs, pushed with the credentials.
	target := reg + "/library/python:3.11-slim"
	if _, err := cli.ImageTag(context.Background(), client.ImageTagOptions{Source: "bootmatrix-kit/python:3.11-slim", Target: target}); err != nil {
		t.Fatal(err)
	}
	untag := func() { _, _ = cli.ImageRemove(context.Background(), target, client.ImageRemoveOptions{}) }
	t.Cleanup(untag)
	resp, err := cli.ImagePush(context.Background(), target, client.ImagePushOptions{RegistryAuth: encodeAuth(t, user, pass, reg)})
	if err == nil {
		err = resp.Wait(context.Background())
	}
	if err != nil {
		t.Fatalf("push %s with credentials: %v", target, err)
	}
	untag()

	sc := filepath.Join(dir, "s.yaml")
	scText := fmt.Sprintf(`schemaVersion: 1
name: auth
project: {dir: %s}
imports: [numpy]
start: "gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT api.index:app"
health: {path: /health}
matrix:
  include:
    - {name: slim, builder: python-slim, python: "3.11", expect: boots}
`, filepath.Join(repoRoot(t), "scenarios", "seed", "project", "backend"))
	if err := os.WriteFile(sc, []byte(scText), 0o600); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(dir, "denied.json")
	if code, _, stderr := cliRun(t, "run", sc, "--online", "--registry-mirror", reg, "--json", out); code != exitMismatch {
		t.Fatalf("run without a credential: exit %d, want %d: %s", code, exitMismatch, stderr)
	}
	build := mustReadRun(t, out).Variants[0].StageByName(result.StageBuild)
	if build.Status != result.Fail || build.Class != "image-unavailable" || build.Facts.Pull == nil ||
		build.Facts.Pull.Reason != result.PullDenied || build.Facts.Pull.Ref != target ||
		!strings.Contains(build.Facts.Pull.Message, "no basic auth credentials") {
		t.Fatalf("pull without a credential: status %s class %q facts %+v\n%s", build.Status, build.Class, build.Facts.Pull, build.Output)
	}
	if !strings.Contains(build.Output, "docker login "+reg) {
		t.Errorf("the denied pull does not say how to log in:\n%s", build.Output)
	}

	t.Setenv("DOCKER_CONFIG", withCreds)
	out = filepath.Join(dir, "allowed.json")
	if code, _, stderr := cliRun(t, "run", sc, "--online", "--registry-mirror", reg, "--json", out); code != 0 && code != exitMismatch {
		t.Fatalf("run with the credential: exit %d: %s", code, stderr)
	}
	build = mustReadRun(t, out).Variants[0].StageByName(result.StageBuild)
	if build.Status != result.Pass {
		t.Fatalf("pull with the config.json credential: status %s class %q\n%s", build.Status, build.Class, build.Output)
	}
	if _, err := cli.ImageInspect(context.Background(), target); err != nil {
		t.Errorf("%s not in the engine after the pull: %v", target, err)
	}

	// An unknown tag and a registry that is not there, each from the real answer.
	images := filepath.Join(dir, "images.yaml")
	if err := os.WriteFile(images, []byte("python:3.11-slim: "+reg+"/library/python:no-such-tag\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		reason result.PullReason
		fix    string
	}{
		{"unknown tag", []string{"--registry-mirror", reg, "--images", images}, result.PullNotFound, "bootmatrix kit push " + reg},
		{"unreachable", []string{"--registry-mirror", freeAddr(t)}, result.PullUnreachable, "the engine cannot reach"},
	} {
		out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
		args := append([]string{"run", sc, "--online", "--json", out}, tc.args...)
		if code, _, stderr := cliRun(t, args...); code != exitMismatch {
			t.Fatalf("%s: exit %d: %s", tc.name, code, stderr)
		}
		b := mustReadRun(t, out).Variants[0].StageByName(result.StageBuild)
		if b.Class != "image-unavailable" || b.Facts.Pull == nil || b.Facts.Pull.Reason != tc.reason || !strings.Contains(b.Output, tc.fix) {
			t.Errorf("%s: class %q pull %+v\n%s", tc.name, b.Class, b.Facts.Pull, b.Output)
		}
	}
}

func encodeAuth(t testing.TB, user, pass, server string) string {
	t.Helper()
	data, err := json.Marshal(map[string]string{"username": user, "password": pass, "serveraddress": server})
	if err != nil {
		t.Fatal(err)
	}
	return base64.URLEncoding.EncodeToString(data)
}
