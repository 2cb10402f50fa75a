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

// The engine's pull stream reaches WithPullProgress as typed messages, once for the
// run however many variants wait on the pull, and ends with a Done message; the
// build's output keeps one line per state and none of the byte counts. A registry's
// error in the middle of the stream ends the pull as a refusal.
func TestPullProgressEvents(t *testing.T) {
	t.Parallel()
	const ref = "m.example/library/python:3.11-slim"
	const layers = `{"status":"Pulling from library/python","id":"3.11-slim"}
{"status":"Pulling fs layer","progressDetail":{},"id":"a1b2c3d4e5f6"}
{"status":"Already exists","progressDetail":{},"id":"0f0e0d0c0b0a"}
{"status":"Downloading","progressDetail":{"current":1048576,"total":3145728},"progress":"[==>  ] 1MB/3MB","id":"a1b2c3d4e5f6"}
{"status":"Downloading","progressDetail":{"current":3145728,"total":3145728},"progress":"[=====>] 3MB/3MB","id":"a1b2c3d4e5f6"}
{"status":"Download complete","progressDetail":{},"id":"a1b2c3d4e5f6"}
`
	for _, tc := range []struct {
		name     string
		stream   string
		pullable bool
		want     []PullProgress
		output   string
		status   string
	}{
		{
			name: "complete",
			stream: layers + `{"status":"Extracting","progressDetail":{"current":3145728,"total":3145728},"id":"a1b2c3d4e5f6"}
{"status":"Pull complete","progressDetail":{},"id":"a1b2c3d4e5f6"}
{"status":"Digest: sha256:5e1f"}
{"status":"Status: Downloaded newer image for ` + ref + `"}
`,
			pullable: true,
			want: []PullProgress{
				{Status: "Pulling from library/python"},
				{Layer: "a1b2c3d4e5f6", Status: "Pulling fs layer"},
				{Layer: "0f0e0d0c0b0a", Status: "Already exists"},
				{Layer: "a1b2c3d4e5f6", Status: "Downloading", Current: 1 << 20, Total: 3 << 20},
				{Layer: "a1b2c3d4e5f6", Status: "Downloading", Current: 3 << 20, Total: 3 << 20},
				{Layer: "a1b2c3d4e5f6", Status: "Download complete"},
				{Layer: "a1b2c3d4e5f6", Status: "Extracting", Current: 3 << 20, Total: 3 << 20},
				{Layer: "a1b2c3d4e5f6", Status: "Pull complete"},
				{Status: "Digest: sha256:5e1f"},
				{Status: "Status: Downloaded newer image for " + ref},
				{Done: true},
			},
			output: "Pulling from library/python\na1b2c3d4e5f6: Pulling fs layer\n0f0e0d0c0b0a: Already exists\n" +
				"a1b2c3d4e5f6: Download complete\na1b2c3d4e5f6: Pull complete\nDigest: sha256:5e1f\n" +
				"Status: Downloaded newer image for " + ref + "\n",
			status: "build=pass install=pass import=pass ldd=pass boot=pass",
		},
		{
			name:   "denied mid-stream",
			stream: layers + `{"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}` + "\n",
			want: []PullProgress{
				{Status: "Pulling from library/python"},
				{Layer: "a1b2c3d4e5f6", Status: "Pulling fs layer"},
				{Layer: "0f0e0d0c0b0a", Status: "Already exists"},
				{Layer: "a1b2c3d4e5f6", Status: "Downloading", Current: 1 << 20, Total: 3 << 20},
				{Layer: "a1b2c3d4e5f6", Status: "Downloading", Current: 3 << 20, Total: 3 << 20},
				{Layer: "a1b2c3d4e5f6", Status: "Download complete"},
				{Done: true},
			},
			output: "Pulling from library/python\na1b2c3d4e5f6: Pulling fs layer\n0f0e0d0c0b0a: Already exists\n" +
				"a1b2c3d4e5f6: Download complete\n",
			status: "build=fail install=skip import=skip ldd=skip boot=skip",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _ := fakeSetup(t, &fakeBox{})
			f.pullStream = map[string]string{ref: tc.stream}
			if tc.pullable {
				f.pullable = map[string]imageInfo{ref: {ID: "sha256:py311"}}
			}
			var mu sync.Mutex
			var got []PullProgress
			r := fakeRunner(t, f, WithSubstitutions(recipe.Substitutions{Mode: "online"}), WithPullProgress(func(p PullProgress) {
				mu.Lock()
				defer mu.Unlock()
				got = append(got, p)
			}))
			var wg sync.WaitGroup
			vs := make([]result.Variant, 3)
			for i := range vs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rc := fakeRecipe()
					rc.Setup.Dockerfile = "FROM " + ref + "\nRUN echo " + string(rune('a'+i)) + "\n"
					vs[i] = r.RunRecipe(context.Background(), "v", rc, fakeChecks())
				}()
			}
			wg.Wait()
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages, want %d (one pull's): %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Ref != ref || g.Time.IsZero() {
					t.Errorf("message %d: ref %q time %v, want %s stamped", i, g.Ref, g.Time, ref)
				}
				if g.Layer != w.Layer || g.Status != w.Status || g.Current != w.Current || g.Total != w.Total || g.Done != w.Done {
					t.Errorf("message %d: %+v, want %+v", i, g, w)
				}
			}
			if last := got[len(got)-1]; (last.Err != nil) == tc.pullable {
				t.Errorf("Done message's Err = %v, want an error only for the refusal", last.Err)
			}
			withPull := 0
			for _, v := range vs {
				mustStatuses(t, v, tc.status)
				out := v.StageByName(result.StageBuild).Output
				if strings.Contains(out, "Downloading") {
					t.Errorf("build output has the byte counts:\n%s", out)
				}
				if strings.Contains(out, tc.output) {
					withPull++
				}
			}
			if withPull == 0 {
				t.Errorf("no build output holds the pull's lines %q", tc.output)
			}
			if !tc.pullable {
				if p := vs[0].StageByName(result.StageBuild).Facts.Pull; p == nil || p.Reason != result.PullDenied {
					t.Errorf("pull fact %+v, want %s from the stream's error", p, result.PullDenied)
				}
			}
		})
	}
}
