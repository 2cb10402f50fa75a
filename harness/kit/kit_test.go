package kit

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParsePlan(t *testing.T) {
	t.Parallel()
	k := &Kit{repo: "bmx"}
	p, err := k.parsePlan("need debootstrap trixie\nplan debian:trixie bmx/debian:trixie-? missing\nplan nix:latest bmx/nix:nix-0123456789ab current\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []Image{
		{Name: "debian:trixie", Ref: "bmx/debian:trixie", Tag: "bmx/debian:trixie-?", State: Missing},
		{Name: "nix:latest", Ref: "bmx/nix:latest", Tag: "bmx/nix:nix-0123456789ab", State: Current},
	}
	if !slices.Equal(p.Images, want) || !slices.Equal(p.Needs, []Need{{"debootstrap", "trixie"}}) {
		t.Errorf("got %+v", p)
	}
	if p.Current() {
		t.Error("a plan with a missing image is current")
	}
	for _, bad := range []string{"", "plan a b", "== images: hello"} {
		if _, err := k.parsePlan(bad); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func TestEnsureHostTools(t *testing.T) {
	t.Parallel()
	needs := Plan{Needs: []Need{{"fetch", "trixie/x"}, {"debootstrap", "bookworm"}}}
	type call struct{ name, arg string }
	for _, tc := range []struct {
		name      string
		have      []string
		euid      int
		plan      Plan
		installs  bool
		wantErr   string
		afterHave bool
	}{
		{name: "nothing needed", plan: Plan{Needs: []Need{{"fetch", "trixie/x"}}}},
		{name: "present as root", have: []string{"debootstrap", "dpkg-query"}, plan: needs},
		{name: "present, not root", have: []string{"debootstrap", "dpkg-query"}, euid: 1000, plan: needs, wantErr: "must run as root: run `sudo env"},
		{name: "missing, not root", have: []string{"apt-get"}, euid: 1000, plan: needs, wantErr: "run `sudo apt-get install -y debootstrap`"},
		{name: "missing, root, no apt", plan: needs, wantErr: "there is no apt-get"},
		{name: "missing, root with apt", have: []string{"apt-get", "dpkg-query"}, plan: needs, installs: true, afterHave: true},
		{name: "apt installs nothing usable", have: []string{"apt-get", "dpkg-query"}, plan: needs, installs: true, wantErr: "still not on PATH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			have := slices.Clone(tc.have)
			var calls []call
			h := host{
				lookPath: func(p string) (string, error) {
					if slices.Contains(have, p) {
						return "/usr/bin/" + p, nil
					}
					return "", errors.New("not found")
				},
				euid: tc.euid,
				run: func(_ context.Context, _ io.Writer, name string, args ...string) error {
					calls = append(calls, call{name, strings.Join(args, " ")})
					if tc.afterHave && slices.Contains(args, "install") {
						have = append(have, "debootstrap")
					}
					return nil
				},
			}
			err := ensureHostTools(context.Background(), tc.plan, io.Discard, h)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if got := len(calls) == 2 && strings.Contains(calls[1].arg, "install -y -qq --no-install-recommends debootstrap"); got != tc.installs {
				t.Errorf("apt-get calls %v, want install: %v", calls, tc.installs)
			}
		})
	}
}

func TestExtractIsTheEmbeddedTree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := Extract(dir); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"build.sh", "lib/common.sh", "stages/nixpacks.sh", "nixpacks/nixpkgs/pkgs.nix"} {
		got, err := os.ReadFile(filepath.Join(dir, "images", f))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join("..", "..", "images", f))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("extracted %s differs from images/%s", f, f)
		}
	}
	if h := RecipeHash(); len(h) != 12 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Errorf("RecipeHash() = %q", h)
	}
}
