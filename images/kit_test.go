package images_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	slim311         = "bootmatrix-kit/python:3.11-slim"
	slim313         = "bootmatrix-kit/python:3.13-slim"
	wheelhouseInCtr = "/opt/bootmatrix/wheelhouse"
	libstdcxxError  = "Original error was: libstdc++.so.6: cannot open shared object file"
)

// offlinePip is the contract's offline pip environment.
var offlinePip = []string{"PIP_NO_INDEX=1", "PIP_FIND_LINKS=" + wheelhouseInCtr, "PIP_DISABLE_PIP_VERSION_CHECK=1"}

// unavailable skips, or fails when BOOTMATRIX_REQUIRE_DOCKER=1, with a one-line reason.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("BOOTMATRIX_REQUIRE_DOCKER") == "1" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// needImages skips container tests in -short mode and when Docker or a kit image is missing.
func needImages(t testing.TB, images ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("container test skipped in -short mode")
	}
	if err := exec.Command("docker", "info").Run(); err != nil {
		unavailable(t, "docker engine unreachable (DOCKER_HOST=%q): start dockerd", os.Getenv("DOCKER_HOST"))
	}
	for _, img := range images {
		if err := exec.Command("docker", "image", "inspect", img).Run(); err != nil {
			unavailable(t, "kit image %s missing: run make images", img)
		}
	}
}

func wheelhouseDir(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("out", "wheelhouse"))
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*.whl")); len(m) == 0 {
		unavailable(t, "wheelhouse %s is empty: run make images", dir)
	}
	return dir
}

type runResult struct {
	Out  string
	Code int
}

// runKit runs script under a login bash in a throwaway, labelled container of image, with
// the host wheelhouse mounted where the contract puts it.
func runKit(t testing.TB, image, script string, env ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	args := []string{"run", "--rm", "--init", "--label", "org.bootmatrix.managed=true",
		"--label", "org.bootmatrix.run=kit-test", "-v", wheelhouseDir(t) + ":" + wheelhouseInCtr + ":ro"}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, image, "bash", "-lc", script)
	cmd := exec.CommandContext(ctx, "docker", args...)
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	res := runResult{Out: buf.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.Code = ee.ExitCode()
	default:
		t.Fatalf("docker run %s: %v\n%s", image, err, res.Out)
	}
	return res
}

// sections splits output printed as "== name" headers followed by the section's lines.
func sections(out string) map[string]string {
	m := map[string]string{}
	cur := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "== ") {
			cur = strings.TrimPrefix(line, "== ")
			continue
		}
		m[cur] += line + "\n"
	}
	return m
}

func TestSlimNumpyOffline(t *testing.T) {
	needImages(t, slim311, slim313)
	cases := []struct{ image, python, numpy string }{
		{slim311, "3.11", "1.24.2"},
		{slim313, "3.13", "2.2.4"},
	}
	for _, tc := range cases {
		t.Run(tc.python, func(t *testing.T) {
			res := runKit(t, tc.image, `set -e
for c in python python3 pip; do command -v $c >/dev/null || { echo "missing $c"; exit 3; }; done
ls /usr/lib/python3*/EXTERNALLY-MANAGED 2>/dev/null && { echo "PEP 668 marker present"; exit 3; }
pip install -q numpy 2>&1 | { grep -v "Running pip as the 'root' user" || true; }
python -c 'import sys, numpy; print(sys.version_info[:2], numpy.__version__, numpy.dot([1,2],[3,4]))'
python -m venv /tmp/v && /tmp/v/bin/python -c 'import sys; print(sys.prefix)'`, offlinePip...)
			if res.Code != 0 {
				t.Fatalf("exit %d:\n%s", res.Code, res.Out)
			}
			major, minor, _ := strings.Cut(tc.python, ".")
			want := fmt.Sprintf("(%s, %s) %s 11\n/tmp/v\n", major, minor, tc.numpy)
			if !strings.HasSuffix(res.Out, want) {
				t.Errorf("want output ending %q, got:\n%s", want, res.Out)
			}
		})
	}
}

// The fixture backend (FastAPI, numpy, psycopg2) boots under gunicorn's uvicorn worker on the 3.13-slim stand-in and answers /health.
func TestFixtureBackendOnSlim(t *testing.T) {
	needImages(t, slim313)
	project, err := filepath.Abs(filepath.Join("..", "scenarios", "seed", "project"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	name := fmt.Sprintf("bmkit-test-backend-%d", os.Getpid())
	args := []string{"run", "-d", "--init", "--name", name, "--label", "org.bootmatrix.managed=true",
		"--label", "org.bootmatrix.run=kit-test", "-p", "127.0.0.1::8000", "-e", "PORT=8000",
		"-v", project + ":/app:ro", "-v", wheelhouseDir(t) + ":" + wheelhouseInCtr + ":ro"}
	for _, e := range offlinePip {
		args = append(args, "-e", e)
	}
	args = append(args, slim313, "bash", "-c",
		`pip install -q -r /app/backend/requirements.txt && cd /app/backend && exec gunicorn -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:$PORT api.index:app`)
	if out, err := exec.CommandContext(ctx, "docker", args...).CombinedOutput(); err != nil {
		t.Fatalf("docker run: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", name).Run() })
	out, err := exec.CommandContext(ctx, "docker", "port", name, "8000/tcp").Output()
	if err != nil {
		t.Fatalf("docker port: %v", err)
	}
	base := "http://" + strings.TrimSpace(strings.Split(string(out), "\n")[0])
	get := func(path string) (string, error) {
		resp, err := http.Get(base + path)
		if err != nil {
			return "", err
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		return fmt.Sprintf("%d %s", resp.StatusCode, b), err
	}
	var health string
	for ctx.Err() == nil {
		if health, err = get("/health"); err == nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	if health != `200 {"ok":true}` {
		logs, _ := exec.Command("docker", "logs", name).CombinedOutput()
		t.Fatalf("/health = %q (%v); container logs:\n%s", health, err, logs)
	}
	if cfg, err := get("/config"); err != nil || !strings.HasPrefix(cfg, `200 {"apiBase":"/api","database":false,"driver":"2.9`) {
		t.Errorf("/config = %q (%v)", cfg, err)
	}
}

// systemLibs is the manylinux allow-list subset a numpy wheel may leave to the system.
var systemLibs = map[string]bool{"libstdc++.so.6": true, "libgcc_s.so.1": true, "libm.so.6": true,
	"libc.so.6": true, "libpthread.so.0": true, "libdl.so.2": true, "librt.so.1": true, "ld-linux-x86-64.so.2": true}

// The wheels' external dependencies are those of PyPI's wheels of the same numpy generation:
// libstdc++.so.6 (first, so the loader names it), libgcc_s and glibc; everything else is
// bundled in numpy.libs/ under a hashed name, reached through an $ORIGIN RUNPATH.
func TestWheelhouseNeeded(t *testing.T) {
	dir := wheelhouseDir(t)
	cases := []struct {
		wheel   string
		bundled []string
	}{
		{"numpy-1.24.2-cp311-cp311-manylinux_2_36_x86_64.whl", []string{"libblas", "liblapack", "libgfortran", "libquadmath"}},
		{"numpy-2.2.4-cp313-cp313-manylinux_2_41_x86_64.whl", []string{"libblas", "liblapack", "libgfortran"}},
	}
	hashed := regexp.MustCompile(`^(lib[a-z]+)-[0-9a-f]{8}\.so\.\d+$`)
	for _, tc := range cases {
		t.Run(tc.wheel, func(t *testing.T) {
			zr, err := zip.OpenReader(filepath.Join(dir, tc.wheel))
			if err != nil {
				t.Fatalf("open wheel: %v", err)
			}
			defer func() { _ = zr.Close() }()
			verifyRecord(t, &zr.Reader)
			libs := map[string]bool{}
			var stems []string
			for _, f := range zr.File {
				if strings.HasPrefix(f.Name, "numpy.libs/") {
					base := strings.TrimPrefix(f.Name, "numpy.libs/")
					libs[base] = true
					m := hashed.FindStringSubmatch(base)
					if m == nil {
						t.Errorf("bundled library %s is not named the auditwheel way", base)
						continue
					}
					stems = append(stems, m[1])
				}
			}
			for _, want := range tc.bundled {
				if !slices.Contains(stems, want) {
					t.Errorf("numpy.libs lacks %s (has %v)", want, stems)
				}
			}
			external := map[string]bool{}
			exts := 0
			for _, f := range zr.File {
				if !strings.HasPrefix(f.Name, "numpy/") || !strings.Contains(filepath.Base(f.Name), ".so") {
					continue
				}
				exts++
				needed, runpath := readELF(t, f)
				for _, n := range needed {
					switch {
					case libs[n]:
					case systemLibs[n]:
						external[n] = true
					default:
						t.Errorf("%s needs %s: neither bundled nor on the manylinux allow-list", f.Name, n)
					}
				}
				rel, _ := filepath.Rel(filepath.Dir(f.Name), "numpy.libs")
				if len(needed) > 0 && runpath != "$ORIGIN/"+rel {
					t.Errorf("%s RUNPATH %q, want $ORIGIN/%s", f.Name, runpath, rel)
				}
				if strings.HasPrefix(filepath.Base(f.Name), "_multiarray_umath.") && (len(needed) == 0 || needed[0] != "libstdc++.so.6") {
					t.Errorf("%s NEEDED %v: libstdc++.so.6 must come first", f.Name, needed)
				}
			}
			if exts < 10 {
				t.Fatalf("only %d extension modules found", exts)
			}
			for _, want := range []string{"libstdc++.so.6", "libc.so.6", "libm.so.6"} {
				if !external[want] {
					t.Errorf("external dependencies %v lack %s", keys(external), want)
				}
			}
		})
	}
}

// Every wheel (numpy and the pure-Python ones) has a valid RECORD and the tag its name says.
func TestWheelhouseRecordsAndTags(t *testing.T) {
	dir := wheelhouseDir(t)
	wheels, _ := filepath.Glob(filepath.Join(dir, "*.whl"))
	for _, name := range []string{"gunicorn-", "packaging-", "numpy-1.24.2-", "numpy-2.2.4-"} {
		found := false
		for _, w := range wheels {
			found = found || strings.HasPrefix(filepath.Base(w), name)
		}
		if !found {
			t.Errorf("wheelhouse lacks %s*.whl", name)
		}
	}
	for _, w := range wheels {
		t.Run(filepath.Base(w), func(t *testing.T) {
			zr, err := zip.OpenReader(w)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = zr.Close() }()
			verifyRecord(t, &zr.Reader)
			parts := strings.SplitN(strings.TrimSuffix(filepath.Base(w), ".whl"), "-", 3)
			tag := parts[2]
			for _, f := range zr.File {
				if strings.HasSuffix(f.Name, ".dist-info/WHEEL") {
					r, _ := f.Open()
					b, _ := io.ReadAll(r)
					_ = r.Close()
					if !strings.Contains(string(b), "\nTag: "+tag+"\n") {
						t.Errorf("WHEEL does not carry tag %s:\n%s", tag, b)
					}
					return
				}
			}
			t.Error("no .dist-info/WHEEL")
		})
	}
}

func readELF(t *testing.T, f *zip.File) (needed []string, runpath string) {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	ef, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	defer func() { _ = ef.Close() }()
	if needed, err = ef.ImportedLibraries(); err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	rp, _ := ef.DynString(elf.DT_RUNPATH)
	return needed, strings.Join(rp, ":")
}

// verifyRecord checks every file's sha256 and size against the wheel's RECORD, and the
// WHEEL tag against the file name.
func verifyRecord(t *testing.T, zr *zip.Reader) {
	t.Helper()
	var record *zip.File
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
		if strings.HasSuffix(f.Name, ".dist-info/RECORD") {
			record = f
		}
	}
	if record == nil {
		t.Fatal("no RECORD")
	}
	rc, _ := record.Open()
	data, _ := io.ReadAll(rc)
	_ = rc.Close()
	listed := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.Split(line, ",")
		if len(parts) != 3 {
			t.Fatalf("bad RECORD line %q", line)
		}
		f := files[parts[0]]
		if f == nil {
			t.Errorf("RECORD lists %s, not in the wheel", parts[0])
			continue
		}
		listed++
		if parts[0] == record.Name {
			continue
		}
		r, _ := f.Open()
		h := sha256.New()
		n, _ := io.Copy(h, r)
		_ = r.Close()
		want := "sha256=" + base64.RawURLEncoding.EncodeToString(h.Sum(nil))
		if parts[1] != want || parts[2] != fmt.Sprint(n) {
			t.Errorf("RECORD %s: %s,%s; file has %s,%d", parts[0], parts[1], parts[2], want, n)
		}
	}
	if listed != len(zr.File) {
		t.Errorf("RECORD lists %d of %d files", listed, len(zr.File))
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
