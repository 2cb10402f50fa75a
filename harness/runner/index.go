package runner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// indexVars are the build arguments that name package indexes. An index URL can
// carry credentials (https://user:token@host/simple/), and the classic builder
// writes every build argument a RUN step sees into the image's history, where
// `docker history --no-trunc` shows it. So a credentialed index is never passed
// to a build: the runner serves it on 127.0.0.1 through a proxy that adds the
// credentials itself, and the build sees only the proxy's address.
var indexVars = []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"}

// indexes are the run's index proxies, started at the first build that needs one.
type indexes struct {
	once    sync.Once
	err     error
	rewrite map[string]string // an index URL as given → the URL builds use
	loop    bool              // some index builds use is on loopback: build on the host's network
	servers []*http.Server
	proxies []*indexProxy
}

// indexProxy forwards to one credentialed index.
type indexProxy struct {
	host     string // upstream host[:port], for messages: never the credentials
	failures atomic.Int64
}

// buildArgs are a build's arguments as the engine gets them, and whether the build
// must share the host's network to reach an index on loopback.
func (r *Runner) buildArgs(args map[string]string) (map[string]string, bool, error) {
	ix := r.startIndexes()
	if ix.err != nil {
		return nil, false, ix.err
	}
	if len(ix.rewrite) == 0 && !ix.loop {
		return args, false, nil
	}
	out := make(map[string]string, len(args))
	uses := false
	for k, v := range args {
		out[k] = v
		if !isIndexVar(k) {
			continue
		}
		uses = true
		fields := strings.Fields(v)
		for i, f := range fields {
			if p, ok := ix.rewrite[f]; ok {
				fields[i] = p
			}
		}
		out[k] = strings.Join(fields, " ")
	}
	return out, uses && ix.loop, nil
}

// startIndexes starts the run's index proxies once; every reader of r.indexes goes
// through it, so none reads them while they are being started.
func (r *Runner) startIndexes() *indexes {
	ix := &r.indexes
	ix.once.Do(func() { ix.err = ix.start(r.subs.PipEnv) })
	return ix
}

func isIndexVar(k string) bool {
	for _, v := range indexVars {
		if k == v {
			return true
		}
	}
	return false
}

// CheckIndexURL rejects an index URL that pip could not use, naming the variable
// and, never the credentials, the host.
func CheckIndexURL(name, raw string) error {
	for _, f := range strings.Fields(raw) {
		u, err := url.Parse(f)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s: %q is not an http(s) index URL: use https://HOST/simple/ (credentials as https://USER:TOKEN@HOST/simple/)", name, redactURL(f))
		}
	}
	return nil
}

// redactURL drops a URL's password for a message; text that is no URL keeps only
// what precedes an @.
func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	if i := strings.LastIndex(raw, "@"); i >= 0 {
		return "…@" + raw[i+1:]
	}
	return raw
}

func (ix *indexes) start(env map[string]string) error {
	ix.rewrite = map[string]string{}
	for _, k := range indexVars {
		if err := CheckIndexURL(k, env[k]); err != nil {
			return err
		}
		for _, f := range strings.Fields(env[k]) {
			u, _ := url.Parse(f)
			if isLoopback(u.Hostname()) {
				ix.loop = true
			}
			if u.User == nil {
				continue
			}
			local, err := ix.serve(u)
			if err != nil {
				return fmt.Errorf("%s: index proxy for %s: %w", k, u.Host, err)
			}
			ix.rewrite[f] = local
			ix.loop = true
		}
	}
	return nil
}

// serve starts a proxy on 127.0.0.1 that sends the credentials of u to u's host,
// and returns the URL builds use instead of u.
func (ix *indexes) serve(u *url.URL) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	user := u.User.Username()
	pass, _ := u.User.Password()
	upstream := &url.URL{Scheme: u.Scheme, Host: u.Host}
	p := &indexProxy{host: u.Host}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(upstream)
			pr.Out.Host = upstream.Host
			pr.Out.SetBasicAuth(user, pass)
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			p.failures.Add(1)
			// The upstream error names the URL without the credentials (they are a header).
			http.Error(w, "bootmatrix: index "+p.host+" unreachable: "+oneLine(err.Error()), http.StatusBadGateway)
		},
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	ix.servers = append(ix.servers, srv)
	ix.proxies = append(ix.proxies, p)
	local := &url.URL{Scheme: "http", Host: ln.Addr().String(), Path: u.Path, RawQuery: u.RawQuery}
	return local.String(), nil
}

// unreachable is the host of an index whose proxy failed to reach it more often
// than before (failures taken by snapshot), empty when none did.
func (ix *indexes) unreachableSince(before []int64) string {
	for i, p := range ix.proxies {
		if i < len(before) && p.failures.Load() > before[i] {
			return p.host
		}
	}
	return ""
}

func (ix *indexes) snapshot() []int64 {
	out := make([]int64, len(ix.proxies))
	for i, p := range ix.proxies {
		out[i] = p.failures.Load()
	}
	return out
}

func (ix *indexes) close() error {
	var errs []error
	for _, s := range ix.servers {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		errs = append(errs, s.Shutdown(ctx))
		cancel()
	}
	return errors.Join(errs...)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// onLoopback reports whether a URL's host is this machine's loopback.
func onLoopback(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && isLoopback(u.Hostname())
}
