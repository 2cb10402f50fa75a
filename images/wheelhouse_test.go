package images_test

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// glibcLibs are glibc's own libraries. PyPI's manylinux2014 wheels were linked against
// glibc 2.17, where libpthread, libdl and librt were separate; Debian's 2.36 and 2.41
// builds find those symbols in libc.so.6. Which of these a wheel lists is therefore a
// property of the glibc it was built on, not of the package, and is compared as one unit.
var glibcLibs = map[string]bool{"libc.so.6": true, "libm.so.6": true, "libpthread.so.0": true, "libdl.so.2": true,
	"librt.so.1": true, "libutil.so.1": true, "libresolv.so.2": true, "ld-linux-x86-64.so.2": true}

// The external (not bundled) libraries of each native wheel are those of its PyPI
// counterpart, stated with how that is known in images/README.md; glibc's are compared
// as one unit (glibcLibs). bundled names stems the wheel bundles (a stem may carry the
// library's own version: libldap-2.5).
var nativeWheels = []struct {
	glob     string
	external []string // beyond glibc
	bundled  []string
}{
	{"pydantic_core-2.27.2-cp313-*.whl", []string{"libgcc_s.so.1"}, nil},
	{"watchfiles-0.24.0-cp313-*.whl", []string{"libgcc_s.so.1"}, nil},
	{"httptools-0.1.1-cp311-*.whl", nil, nil},
	{"httptools-0.1.1-cp313-*.whl", nil, nil},
	{"uvloop-0.17.0-cp311-*.whl", nil, []string{"libuv"}},
	{"uvloop-0.21.0-cp313-*.whl", nil, []string{"libuv"}},
	{"PyYAML-6.0-cp311-*.whl", nil, []string{"libyaml-0"}},
	{"PyYAML-6.0.2-cp313-*.whl", nil, []string{"libyaml-0"}},
	{"websockets-15.0.1-cp313-*.whl", nil, nil},
	{"psycopg2_binary-2.9.5-cp311-*.whl", nil, []string{"libpq", "libssl", "libcrypto", "libgssapi_krb5", "libldap", "libsasl2"}},
	// PyPI's links the system's libz.so.1 (allow-listed; psycopg2's build_libpq.sh builds
	// OpenSSL with zlib). trixie's libpq does too; bookworm's libraries do not use zlib,
	// which every manylinux system and both stand-ins have (images/README.md).
	{"psycopg2_binary-2.9.10-cp313-*.whl", []string{"libz.so.1"}, []string{"libpq", "libssl", "libcrypto", "libgssapi_krb5", "libldap", "libsasl2"}},
	{"pandas-1.5.3-cp311-*.whl", []string{"libstdc++.so.6", "libgcc_s.so.1"}, nil},
	{"pandas-2.2.3-cp313-*.whl", []string{"libstdc++.so.6", "libgcc_s.so.1"}, nil},
	{"cffi-1.15.1-cp311-*.whl", nil, []string{"libffi"}},
	{"cffi-1.17.1-cp313-*.whl", nil, []string{"libffi"}},
	// Qt bundled as auditwheel bundles (PyPI ships it as the PyQt5-Qt5 wheel); libGL and
	// glib are the system's, as for opencv-python (images/README.md).
	{"PyQt5-5.15.11-cp313-*.whl", []string{"libGL.so.1", "libglib-2.0.so.0", "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1"},
		[]string{"libQt5Core", "libQt5Gui", "libQt5Widgets", "libicuuc", "libicudata"}},
	{"PyQt5_sip-12.17.0-cp313-*.whl", nil, nil},
}

func TestWheelhouseNativeNeeded(t *testing.T) {
	dir := wheelhouseDir(t)
	hashed := regexp.MustCompile(`^(lib[A-Za-z0-9_+.-]*?)-[0-9a-f]{8}\.so(\.[0-9.]+)?$`)
	for _, tc := range nativeWheels {
		t.Run(tc.glob, func(t *testing.T) {
			m, _ := filepath.Glob(filepath.Join(dir, tc.glob))
			if len(m) != 1 {
				t.Fatalf("want one wheel %s in %s, found %v", tc.glob, dir, m)
			}
			zr, err := zip.OpenReader(m[0])
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = zr.Close() }()
			verifyRecord(t, &zr.Reader)
			libsDir := strings.SplitN(filepath.Base(m[0]), "-", 2)[0] + ".libs/"
			bundled := map[string]bool{}
			var stems []string
			for _, f := range zr.File {
				if base, ok := strings.CutPrefix(f.Name, libsDir); ok {
					bundled[base] = true
					sm := hashed.FindStringSubmatch(base)
					if sm == nil {
						t.Errorf("bundled %s is not named <stem>-<hash8>.so.N", base)
						continue
					}
					stems = append(stems, sm[1])
				}
			}
			for _, want := range tc.bundled {
				if !slices.ContainsFunc(stems, func(s string) bool { return s == want || strings.HasPrefix(s, want+"-") }) {
					t.Errorf("%s lacks %s (has %v)", libsDir, want, stems)
				}
			}
			external := map[string]bool{}
			objs := 0
			for _, f := range zr.File {
				if !strings.Contains(filepath.Base(f.Name), ".so") {
					continue
				}
				objs++
				needed, runpath := readELF(t, f)
				usesBundled := false
				for _, n := range needed {
					if bundled[n] {
						usesBundled = true
					} else if !glibcLibs[n] {
						external[n] = true
					}
				}
				rel, _ := filepath.Rel(filepath.Dir(f.Name), strings.TrimSuffix(libsDir, "/"))
				want := "$ORIGIN/" + rel
				if rel == "." {
					want = "$ORIGIN"
				}
				if usesBundled && runpath != want {
					t.Errorf("%s RUNPATH %q, want %s", f.Name, runpath, want)
				}
			}
			if objs == 0 {
				t.Fatal("no ELF object in a native wheel")
			}
			got := keys(external)
			sort.Strings(got)
			want := slices.Clone(tc.external)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("external libraries beyond glibc %v, PyPI's wheel has %v", got, want)
			}
		})
	}
}

// slimCases are the two python slim stand-ins and what the wheelhouse gives each.
var slimCases = []struct{ image, suite, python, pydantic string }{
	// bookworm has no pydantic-core: pip falls back to pydantic 1, which fastapi accepts.
	{slim311, "bookworm", "3.11", "1.10.4"},
	{slim313, "trixie", "3.13", "2.10.6"},
}

// The FastAPI stack installs offline and serves under gunicorn's uvicorn worker, on uvloop.
func TestWheelhouseFastAPIServes(t *testing.T) {
	needImages(t, slim311, slim313)
	app := `from fastapi import FastAPI
import asyncio, pydantic
app = FastAPI()
@app.get("/health")
async def health():
    return {"ok": True, "loop": type(asyncio.get_running_loop()).__module__, "pydantic": pydantic.VERSION}
`
	for _, tc := range slimCases {
		t.Run(tc.python, func(t *testing.T) {
			pkgs := "fastapi uvicorn gunicorn uvloop httptools websockets pyyaml python-dotenv"
			if tc.python == "3.13" {
				pkgs += " watchfiles"
			}
			script := fmt.Sprintf(`set -e
mkdir -p /app && cat >/app/main.py <<'EOF'
%sEOF
pip install -q %s 2>&1 | { grep -v "Running pip as the 'root' user" || true; }
cd /app && exec gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:8000 main:app`, app, pkgs)
			body := serve(t, tc.image, script, "/health")
			want := `200 {"ok":true,"loop":"uvloop","pydantic":"` + tc.pydantic + `"}`
			if body != want {
				t.Errorf("/health = %q, want %q (served on uvloop)", body, want)
			}
		})
	}
}

// uvicorn's standard extra asks httptools>=0.5.0; Debian has 0.1.1, so the extra does not
// resolve offline (images/README.md). When it does, the README and TestWheelhouseFastAPIServes
// should install "uvicorn[standard]".
func TestWheelhouseUvicornStandardNeedsNewerHttptools(t *testing.T) {
	needImages(t, slim313)
	res := runKit(t, slim313, `pip install fastapi "uvicorn[standard]" gunicorn 2>&1`, offlinePip...)
	want := `No matching distribution found for httptools>=0.5.0; extra == "standard"`
	if res.Code == 0 || !strings.Contains(res.Out, want) {
		t.Errorf("exit %d, want a failure naming %q:\n%s", res.Code, want, res.Out)
	}
}

// serve starts script in a detached container publishing 8000 and returns "<status> <body>"
// of the first answered GET of path.
func serve(t *testing.T, image, script, path string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	name := fmt.Sprintf("bmkit-test-serve-%d-%d", os.Getpid(), time.Now().UnixNano())
	args := []string{"run", "-d", "--init", "--name", name, "--label", "org.bootmatrix.managed=true",
		"--label", "org.bootmatrix.run=kit-test", "-p", "127.0.0.1::8000",
		"-v", wheelhouseDir(t) + ":" + wheelhouseInCtr + ":ro"}
	for _, e := range offlinePip {
		args = append(args, "-e", e)
	}
	args = append(args, image, "bash", "-c", script)
	if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", name).Run() })
	out, err := exec.CommandContext(ctx, "docker", "port", name, "8000/tcp").Output()
	if err != nil {
		t.Fatalf("docker port: %v", err)
	}
	url := "http://" + strings.TrimSpace(strings.Split(string(out), "\n")[0]) + path
	for ctx.Err() == nil {
		if resp, err := http.Get(url); err == nil {
			b, _ := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			return fmt.Sprintf("%d %s", resp.StatusCode, b)
		}
		if st, _ := exec.Command("docker", "inspect", "-f", "{{.State.Running}}", name).Output(); strings.TrimSpace(string(st)) == "false" {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	logs, _ := exec.Command("docker", "logs", name).CombinedOutput()
	t.Fatalf("no answer on %s; container logs:\n%s", path, logs)
	return ""
}

// psycopg2-binary carries libpq and its libraries: it imports where no libpq is installed.
func TestWheelhousePsycopg2BinaryWithoutLibpq(t *testing.T) {
	needImages(t, slim311, slim313)
	for _, tc := range slimCases {
		t.Run(tc.python, func(t *testing.T) {
			res := runKit(t, tc.image, `set -e
ls /usr/lib/x86_64-linux-gnu/libpq.so* 2>/dev/null && { echo "libpq installed"; exit 3; }
pip install -q psycopg2-binary 2>&1 | { grep -v "Running pip as the 'root' user" || true; }
python -c 'import psycopg2, psycopg2.extensions as e; print("psycopg2", psycopg2.__version__.split()[0], "libpq", e.libpq_version())'`, offlinePip...)
			if res.Code != 0 || !regexp.MustCompile(`(?m)^psycopg2 2\.9\.\d+ libpq \d{6}$`).MatchString(res.Out) {
				t.Errorf("exit %d, want psycopg2 importing with its bundled libpq:\n%s", res.Code, res.Out)
			}
		})
	}
}

// psycopg2 itself is its upstream source: built from it, it needs pg_config, as from
// PyPI. pip 23 (3.11) runs its setup.py directly; pip 25 (3.13) builds it in an isolated
// environment, into which it installs the wheelhouse's setuptools, so both reach psycopg2's
// own error rather than a missing build backend.
func TestWheelhousePsycopg2SdistNeedsPgConfig(t *testing.T) {
	needImages(t, slim311, slim313)
	for _, tc := range slimCases {
		t.Run(tc.python, func(t *testing.T) {
			res := runKit(t, tc.image, `cd /tmp && echo psycopg2 >requirements.txt && pip install -r requirements.txt 2>&1`, offlinePip...)
			if res.Code == 0 {
				t.Fatalf("pip install psycopg2 from the sdist succeeded without pg_config:\n%s", res.Out)
			}
			for _, want := range []string{"psycopg2-2.9.10.tar.gz", "Error: pg_config executable not found."} {
				if !strings.Contains(res.Out, want) {
					t.Errorf("output lacks %q:\n%s", want, res.Out)
				}
			}
			if strings.Contains(res.Out, "No matching distribution found for setuptools") {
				t.Errorf("the isolated build found no setuptools in the wheelhouse:\n%s", res.Out)
			}
		})
	}
}

// cairocffi finds libcairo with ffi.dlopen at import: without it the import fails with
// cffi's OSError; with Debian's libcairo2 installed from the kit's .debs it works.
func TestWheelhouseCairocffiDlopen(t *testing.T) {
	needImages(t, slim311, slim313)
	for _, tc := range slimCases {
		t.Run(tc.python, func(t *testing.T) {
			debs, err := filepath.Abs(filepath.Join("out", "debs", tc.suite, "cairo"))
			if err != nil {
				t.Fatal(err)
			}
			if m, _ := filepath.Glob(filepath.Join(debs, "*.deb")); len(m) == 0 {
				unavailable(t, "no cached .debs in %s: run make images", debs)
			}
			res := runKitMount(t, tc.image, debs+":/debs:ro", `
pip install -q cairocffi 2>&1 | { grep -v "Running pip as the 'root' user" || true; }
echo "== without"; python -c 'import cairocffi' 2>&1; echo "rc=$?"
apt-get install -y -qq --no-install-recommends -o APT::Sandbox::User=root /debs/*.deb >/tmp/apt.log 2>&1 || { tail -5 /tmp/apt.log; exit 3; }
echo "== with"; python -c 'import cairocffi; print("cairo", cairocffi.cairo_version_string())' 2>&1; echo "rc=$?"`, offlinePip...)
			if res.Code != 0 {
				t.Fatalf("exit %d:\n%s", res.Code, res.Out)
			}
			s := sections(res.Out)
			for _, want := range []string{`OSError: no library called "cairo-2" was found`,
				"cannot load library 'libcairo.so.2': libcairo.so.2: cannot open shared object file", "rc=1\n"} {
				if !strings.Contains(s["without"], want) {
					t.Errorf("without libcairo2: output lacks %q:\n%s", want, s["without"])
				}
			}
			if !regexp.MustCompile(`^cairo 1\.\d+\.\d+\nrc=0\n$`).MatchString(s["with"]) {
				t.Errorf("with libcairo2: want the cairo version, got:\n%s", s["with"])
			}
		})
	}
}

// runKitMount is runKit with one more bind mount.
func runKitMount(t testing.TB, image, mount, script string, env ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"run", "--rm", "--init", "--label", "org.bootmatrix.managed=true",
		"--label", "org.bootmatrix.run=kit-test", "-v", wheelhouseDir(t) + ":" + wheelhouseInCtr + ":ro", "-v", mount}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, image, "bash", "-lc", script)
	out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput()
	res := runResult{Out: string(out)}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
	default:
		t.Fatalf("docker run %s: %v\n%s", image, err, out)
	}
	return res
}

// A wheel tagged none-any is pure on PyPI and here: no ELF object in it, so it NEEDs
// nothing. setuptools and wheel are what pip installs into an isolated build.
func TestWheelhousePureWheelsHaveNoELF(t *testing.T) {
	dir := wheelhouseDir(t)
	for _, want := range []string{"setuptools-78.1.1-py3-none-any.whl", "wheel-0.46.1-py3-none-any.whl"} {
		if _, err := os.Stat(filepath.Join(dir, want)); err != nil {
			t.Errorf("wheelhouse lacks %s: %v", want, err)
		}
	}
	wheels, _ := filepath.Glob(filepath.Join(dir, "*-none-any.whl"))
	for _, w := range wheels {
		zr, err := zip.OpenReader(w)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			head := make([]byte, 4)
			n, _ := io.ReadFull(rc, head)
			_ = rc.Close()
			if n == 4 && string(head) == "\x7fELF" {
				t.Errorf("%s: %s is an ELF object in a none-any wheel", filepath.Base(w), f.Name)
			}
		}
		_ = zr.Close()
	}
}

// The wheelhouse's setuptools is upstream's: Debian's install_layout patch makes every
// isolated build on a Python that is not Debian's fail at install_lib, which would fail
// sdist rows (psycopg2 on Nixpacks' 3.13) that build on PyPI's setuptools.
func TestWheelhouseSetuptoolsIsUpstreams(t *testing.T) {
	w := filepath.Join(wheelhouseDir(t), "setuptools-78.1.1-py3-none-any.whl")
	zr, err := zip.OpenReader(w)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = zr.Close() }()
	seen := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "setuptools/command/") || !strings.HasSuffix(f.Name, ".py") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		_ = rc.Close()
		seen++
		if strings.Contains(string(b), "install_layout") {
			t.Errorf("%s carries Debian's install_layout patch", f.Name)
		}
	}
	if seen == 0 {
		t.Fatalf("%s has no setuptools/command/*.py", filepath.Base(w))
	}
}
