package recipe

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestWalkContextSkipsLocalState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"app.py", "pkg/mod.py", ".git/HEAD", "__pycache__/app.cpython-311.pyc", "pkg/__pycache__/x.pyc", ".venv/bin/python", "node_modules/x/index.js", ".env.example"} {
		p := filepath.Join(dir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ctx, err := WalkContext(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := slices.Sorted(maps.Keys(ctx)), []string{".env.example", "app.py", "pkg/mod.py"}; !reflect.DeepEqual(got, want) {
		t.Errorf("context = %q, want %q", got, want)
	}
	if ctx["app.py"].Mode != 0o600 {
		t.Errorf("mode = %o, want 600", ctx["app.py"].Mode)
	}
}

func TestSubstitutions(t *testing.T) {
	t.Parallel()
	off := Offline()
	for logical, want := range map[string]string{
		"python:3.11-slim": "bootmatrix-kit/python:3.11-slim", "python:3.13-slim": "bootmatrix-kit/python:3.13-slim",
		"nixpacks": "bootmatrix-kit/nixpacks:ubuntu", NixpacksBaseImage: "bootmatrix-kit/nixpacks:ubuntu", "debian:bookworm-slim": "bootmatrix-kit/debian:bookworm",
		"debian:trixie-slim": "bootmatrix-kit/debian:trixie", "docker.io/library/python:3.11-slim": "bootmatrix-kit/python:3.11-slim",
	} {
		if got, ok := off.Image(logical); !ok || got != want {
			t.Errorf("offline %s = %s, %v; want %s", logical, got, ok, want)
		}
	}
	if off.PipEnv["PIP_NO_INDEX"] != "1" || off.PipEnv["PIP_FIND_LINKS"] != WheelhouseMount || off.PipEnv["PIP_DISABLE_PIP_VERSION_CHECK"] != "1" {
		t.Errorf("offline pip env = %v", off.PipEnv)
	}
	on := Online(map[string]string{"PIP_EXTRA_INDEX_URL": "https://x.test", "PIP_TRUSTED_HOST": "", "PATH": "/bin"})
	if !reflect.DeepEqual(on.PipEnv, map[string]string{"PIP_EXTRA_INDEX_URL": "https://x.test"}) || on.Wheelhouse != "" {
		t.Errorf("online = %+v", on)
	}
	if got, _ := on.Image("nixpacks"); got != NixpacksBaseImage {
		t.Errorf("online nixpacks = %s", got)
	}
	if got, ok := on.Image("python:3.12-slim"); ok || got != "python:3.12-slim" {
		t.Errorf("unmapped image = %s, %v", got, ok)
	}
}

// The archives the offline table lets a Nix build fetch are the ones the kit's
// Nix stage puts in its image.
func TestKitNixpkgsArchivesMatchTheKit(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../images/stages/nixpacks.sh")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^NIXPACKS_ARCHIVES=\(([^)]*)\)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("images/stages/nixpacks.sh sets no NIXPACKS_ARCHIVES")
	}
	if got := strings.Fields(string(m[1])); !slices.Equal(got, KitNixpkgsArchives) {
		t.Errorf("the kit carries %v, the offline table offers %v", got, KitNixpkgsArchives)
	}
	for rev, url := range Offline().NixpkgsArchives {
		if url != "file://"+KitNixpkgsDir+"/"+rev+".tar.gz" {
			t.Errorf("archive %s at %s", rev, url)
		}
	}
}

func TestWithNixpkgsMirror(t *testing.T) {
	t.Parallel()
	s, err := Online(nil).WithNixpkgsMirror("http://127.0.0.1:8081/nixpkgs/")
	if err != nil || s.NixpkgsMirror != "http://127.0.0.1:8081/nixpkgs" || s.NixpkgsArchives != nil {
		t.Errorf("mirror = %q, archives %v, err %v", s.NixpkgsMirror, s.NixpkgsArchives, err)
	}
	for in, want := range map[string]string{
		"https://u:secret@mirror.example/nix": "must not carry credentials",
		"mirror.example/nix":                  "want an http(s):// or file:// URL",
		"ftp://mirror.example":                "want an http(s):// or file:// URL",
	} {
		if _, err := Online(nil).WithNixpkgsMirror(in); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "secret") {
			t.Errorf("WithNixpkgsMirror(%q): %v, want %q without the secret", in, err, want)
		}
	}
}
