package images_test

import (
	"os/exec"
	"strings"
	"testing"
)

const (
	railpackBuilder = "bootmatrix-kit/railpack-builder:mise-2026.8.6"
	railpackRuntime = "bootmatrix-kit/railpack-runtime:mise-2026.8.6"
)

// runRailpack runs script in a throwaway, labelled container of image, without
// the network (a Railpack build step offline), and returns its output.
func runRailpack(t *testing.T, image, script string) (string, int) {
	t.Helper()
	out, err := exec.Command("docker", "run", "--rm", "--network", "none", "--label", "org.bootmatrix.managed=true",
		"--label", "org.bootmatrix.run=kit-test", image, "bash", "-c", script).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	} else if err != nil {
		t.Fatalf("docker run %s: %v", image, err)
	}
	return string(out), 0
}

// TestRailpackMiseInstall: the stand-in's mise installs what the plan's
// config names under /mise/installs, with mise's fuzzy links and shims, and
// the python it runs is the kit's CPython build, not Debian's.
func TestRailpackMiseInstall(t *testing.T) {
	needImages(t, railpackBuilder)
	out, code := runRailpack(t, railpackBuilder, `set -e
mkdir -p /etc/mise && printf '[tools]\n  python = "3.13"\n\n[settings]\n  paranoid = true\n' > /etc/mise/config.toml
MISE_INSTALLS_DIR=/mise/installs MISE_SHIMS_DIR=/mise/shims mise install 2>&1
echo "== links"; readlink /mise/installs/python/3.13 /mise/installs/python/latest
echo "== shim"; readlink /mise/shims/python; python -c 'import sys; print(sys.version_info[:3], sys.prefix)'
echo "== stdlib"; python -c 'import ssl, ctypes, sqlite3, decimal, pyexpat, readline, lzma, bz2, venv; print("ok")'
echo "== debian python"; ls /usr/bin/python3* 2>/dev/null || echo none
echo "== cache"; ldconfig -p | grep -c -E 'libffi|libmpdec|libexpat' || true
echo "== venv"; python -m venv /tmp/v && /tmp/v/bin/pip --version | cut -d' ' -f1-2`)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	s := sections(out)
	checks := map[string]string{
		"links":         "./3.13.5\n./3.13.5\n",
		"shim":          "/usr/local/bin/mise\n(3, 13, 5) /mise/installs/python/3.13.5\n",
		"stdlib":        "ok\n",
		"debian python": "none\n",
		"venv":          "pip 25.1.1\n",
	}
	for k, want := range checks {
		if s[k] != want {
			t.Errorf("%s: got %q, want %q", k, s[k], want)
		}
	}
	// libffi8 and libexpat1 are in the builder for its -dev packages; libmpdec
	// is not, so it is found only through the python's own RUNPATH.
	if !strings.Contains(out, "mise python@3.13.5 ✓ installed") {
		t.Errorf("no install line:\n%s", out)
	}
}

// TestRailpackMiseUnknownVersion: a version the stand-in lacks fails as
// Railpack's plan does, naming what it has.
func TestRailpackMiseUnknownVersion(t *testing.T) {
	needImages(t, railpackBuilder)
	out, code := runRailpack(t, railpackBuilder, `mkdir -p /etc/mise && printf '[tools]\n  python = "3.12"\n' > /etc/mise/config.toml && mise install`)
	if code == 0 || out != "mise ERROR failed to resolve version 3.12 of python (bootmatrix-stand-in-versions: 3.11.2 3.13.5)\n" {
		t.Errorf("exit %d, output %q", code, out)
	}
}

// TestRailpackRuntimeSlim: the runtime stand-in is the slim set: no Python,
// no compiler, none of the builder's -dev runtime libraries, and apt reads the
// kit's local repository.
func TestRailpackRuntimeSlim(t *testing.T) {
	needImages(t, railpackRuntime)
	out, code := runRailpack(t, railpackRuntime, `
for c in python3 python gcc mise; do command -v $c >/dev/null && echo "has $c"; done
for p in ca-certificates openssl tzdata locales pkg-config; do dpkg -s $p >/dev/null 2>&1 || echo "lacks $p"; done
for l in libpq.so.5 libgomp.so.1 libxml2.so.2; do ldconfig -p | grep -q "$l" && echo "has $l"; done
cat /etc/apt/sources.list; locale -a | grep -x en_US.utf8`)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if want := "deb [trusted=yes] file:/opt/bootmatrix/apt ./\nen_US.utf8\n"; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}
