package runner

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A credentialed index reaches builds as a loopback URL without the credentials;
// the proxy behind it sends them, and an unreachable index is counted and named by
// its host only.
func TestIndexProxy(t *testing.T) {
	t.Parallel()
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != "ci" || p != "s3cret-token" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, "index at "+r.URL.Path)
	}))
	t.Cleanup(up.Close)
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	_ = dead.Close()

	given := "http://ci:s3cret-token@" + strings.TrimPrefix(up.URL, "http://") + "/simple/"
	deadURL := "http://ci:s3cret-token@" + deadAddr + "/simple/"
	r := &Runner{}
	r.subs.PipEnv = map[string]string{"PIP_INDEX_URL": given, "PIP_EXTRA_INDEX_URL": deadURL}
	t.Cleanup(func() { _ = r.indexes.close() })
	args, hostNet, err := r.buildArgs(map[string]string{"PIP_INDEX_URL": given, "PIP_EXTRA_INDEX_URL": deadURL, "OTHER": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if !hostNet || args["OTHER"] != "x" {
		t.Errorf("hostNet %v args %v", hostNet, args)
	}
	for k, v := range args {
		if strings.Contains(v, "s3cret-token") {
			t.Fatalf("build arg %s = %q carries the token", k, v)
		}
	}
	resp, err := http.Get(args["PIP_INDEX_URL"] + "numpy/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "index at /simple/numpy/" {
		t.Errorf("through the proxy: %d %q", resp.StatusCode, body)
	}

	before := r.indexes.snapshot()
	resp, err = http.Get(args["PIP_EXTRA_INDEX_URL"] + "numpy/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || strings.Contains(string(body), "s3cret-token") || !strings.Contains(string(body), deadAddr) {
		t.Errorf("dead index: %d %q", resp.StatusCode, body)
	}
	if h := r.indexes.unreachableSince(before); h != deadAddr {
		t.Errorf("unreachableSince = %q, want %q", h, deadAddr)
	}
}

// An index URL pip could not use is refused with its host, never its password.
func TestCheckIndexURL(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"ftp://u:tok@h/simple/", "u:tok@h/simple", "http://"} {
		err := CheckIndexURL("PIP_INDEX_URL", bad)
		if err == nil || strings.Contains(err.Error(), "tok") {
			t.Errorf("CheckIndexURL(%q) = %v", bad, err)
		}
	}
	if err := CheckIndexURL("PIP_INDEX_URL", "https://u:tok@pypi.example/simple/ https://x.example/simple/"); err != nil {
		t.Error(err)
	}
	// No proxy and the bridge for an index elsewhere without credentials.
	r := &Runner{}
	r.subs.PipEnv = map[string]string{"PIP_INDEX_URL": "https://pypi.example/simple/"}
	args, hostNet, err := r.buildArgs(map[string]string{"PIP_INDEX_URL": "https://pypi.example/simple/"})
	if err != nil || hostNet || args["PIP_INDEX_URL"] != "https://pypi.example/simple/" {
		t.Errorf("buildArgs = %v %v %v", args, hostNet, err)
	}
}
