package runner

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// Variants that share a base image pull it once per run, the ones that waited see
// the same progress, and a refused pull is not asked again by every variant.
func TestPullOncePerRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		pullable bool
		want     string
	}{
		{"success", true, "build=pass install=pass import=pass ldd=pass boot=pass"},
		{"refused", false, "build=fail install=skip import=skip ldd=skip boot=skip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _ := fakeSetup(t, &fakeBox{})
			if tc.pullable {
				f.pullable = map[string]imageInfo{"m.example/library/python:3.9-slim": {ID: "sha256:py39"}}
			}
			subs, _ := recipe.Substitutions{Mode: "online"}.WithMirror("m.example")
			r := fakeRunner(t, f, WithSubstitutions(subs))
			var wg sync.WaitGroup
			vs := make([]result.Variant, 4)
			for i := range vs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rc := fakeRecipe()
					rc.Setup.Dockerfile = "FROM m.example/library/python:3.9-slim\nRUN echo " + string(rune('a'+i)) + "\n"
					vs[i] = r.RunRecipe(context.Background(), "v", rc, fakeChecks())
				}()
			}
			wg.Wait()
			if len(f.pulled) != 1 {
				t.Errorf("pulled %v, want one pull for 4 variants", f.pulled)
			}
			shown := 0
			for _, v := range vs {
				mustStatuses(t, v, tc.want)
				if strings.Contains(v.StageByName(result.StageBuild).Output, "Pull complete") {
					shown++
				}
			}
			// The variants that started after the pull find the image and pull nothing.
			if tc.pullable && shown == 0 {
				t.Error("no variant's build output shows the pull")
			}
		})
	}
}

// Each way a registry refuses a pull becomes a typed fact naming the reference,
// the registry, the registry's own words and the one fix for it.
func TestPullRefusals(t *testing.T) {
	t.Parallel()
	const ref = "127.0.0.1:5999/library/python:3.11-slim"
	for _, tc := range []struct {
		name   string
		err    error
		reason result.PullReason
		fix    string
	}{
		{"denied", cerrdefs.ErrUnauthenticated.WithMessage("Head \"http://127.0.0.1:5999/v2/library/python/manifests/3.11-slim\": no basic auth credentials"), result.PullDenied, "docker login 127.0.0.1:5999"},
		{"unknown tag", cerrdefs.ErrNotFound.WithMessage("manifest for " + ref + " not found: manifest unknown: manifest unknown"), result.PullNotFound, "bootmatrix kit push 127.0.0.1:5999"},
		{"unreachable", errors.New(`Get "http://127.0.0.1:5999/v2/": dial tcp 127.0.0.1:5999: connect: connection refused`), result.PullUnreachable, "check that it runs"},
		{"tls", errors.New(`Get "https://127.0.0.1:5999/v2/": http: server gave HTTP response to HTTPS client`), result.PullTLS, "insecure-registries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _ := fakeSetup(t, &fakeBox{})
			f.pullErr = tc.err
			r := fakeRunner(t, f, WithSubstitutions(recipe.Substitutions{Mode: "online"}))
			rc := fakeRecipe()
			rc.Setup.Dockerfile = "FROM " + ref + "\n"
			v := r.RunRecipe(context.Background(), "v", rc, fakeChecks())
			st := v.StageByName(result.StageBuild)
			p := st.Facts.Pull
			if p == nil || p.Reason != tc.reason || p.Ref != ref || p.Registry != "127.0.0.1:5999" || p.Message != tc.err.Error() {
				t.Fatalf("pull fact %+v, want reason %s for %s with the engine's message", p, tc.reason, ref)
			}
			if st.Facts.ImageUnavailable != ref {
				t.Errorf("ImageUnavailable = %q", st.Facts.ImageUnavailable)
			}
			line := "bootmatrix: image unavailable: pull " + ref + ": " + string(tc.reason) + ": "
			if !strings.Contains(st.Output, line) || !strings.Contains(st.Output, tc.fix) {
				t.Errorf("output %q lacks %q and the fix %q", st.Output, line, tc.fix)
			}
		})
	}
}
