package probe

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseLdd(t *testing.T) {
	t.Parallel()
	out := "profile noise\n" + LddMarker + `{"python":"/usr/bin/python3","interpreter":"/lib64/ld-linux-x86-64.so.2","loaded":["libc.so.6"],"dirs":["/site"],"scanned":2,"missing":[{"library":"libx.so.1","needed_by":["/site/a.so"],"found_at":["/opt/libx.so.1"]}],"errors":[]}` + "\n"
	r, err := ParseLdd(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Missing) != 1 || r.Missing[0].Library != "libx.so.1" || r.Missing[0].FoundAt[0] != "/opt/libx.so.1" {
		t.Fatalf("parsed %+v", r)
	}
	if s := r.Summary(); !strings.Contains(s, "libx.so.1 => not found (needed by /site/a.so)") {
		t.Errorf("summary %q", s)
	}
	for _, bad := range []string{"", "no marker\n", LddMarker + "{not json"} {
		if _, err := ParseLdd(bad); err == nil {
			t.Errorf("ParseLdd(%q) = nil error", bad)
		}
	}
}

func TestParseListeners(t *testing.T) {
	t.Parallel()
	ls := ParseListeners("bash: warning\n127.0.0.1:8000\n0.0.0.0:9000\n[::1]:7000\n[::]:8080\ngarbage:x\n")
	want := []struct {
		s        string
		loopback bool
	}{{"127.0.0.1:8000", true}, {"0.0.0.0:9000", false}, {"[::1]:7000", true}, {"[::]:8080", false}}
	if len(ls) != len(want) {
		t.Fatalf("got %v", ls)
	}
	for i, w := range want {
		if ls[i].String() != w.s || ls[i].Loopback() != w.loopback {
			t.Errorf("%d: %s loopback=%v, want %s %v", i, ls[i], ls[i].Loopback(), w.s, w.loopback)
		}
		if f := ls[i].Fact(); f.Addr != w.s || f.Loopback != w.loopback || f.Port != ls[i].Port {
			t.Errorf("%d: fact %+v", i, f)
		}
	}
}

// The scripts run on the host's python when there is one: the container tests in
// harness/runner exercise them in images, this catches syntax and logic slips early.
func TestScriptsOnHost(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on the host")
	}
	dir := t.TempDir()
	for name, src := range map[string][]byte{"ldd.py": LddScript, "listen.py": ListenScript, "procs.py": ProcsScript} {
		if err := os.WriteFile(filepath.Join(dir, name), src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(py, filepath.Join(dir, "ldd.py")).CombinedOutput()
	if err != nil {
		t.Fatalf("ldd.py: %v\n%s", err, out)
	}
	r, err := ParseLdd(string(out))
	if err != nil {
		t.Fatal(err)
	}
	if r.Interpreter == "" || len(r.Loaded) == 0 {
		t.Errorf("host report has no interpreter or loaded libraries: %+v", r)
	}
	if len(r.Missing) != 0 {
		t.Errorf("host python has unresolved libraries: %+v", r.Missing)
	}
	out, err = exec.Command(py, filepath.Join(dir, "listen.py")).CombinedOutput()
	if err != nil {
		t.Fatalf("listen.py: %v\n%s", err, out)
	}
	_ = ParseListeners(string(out))
	out, err = exec.Command(py, filepath.Join(dir, "procs.py")).Output()
	if err != nil {
		t.Fatalf("procs.py: %v\n%s", err, out)
	}
	ps, err := ParseProcesses(string(out))
	if err != nil {
		t.Fatal(err)
	}
	// The probe sees itself, with its command line, and names itself.
	var self *Process
	for i, p := range ps.Procs {
		if len(ps.Self) > 0 && p.PID == ps.Self[0] {
			self = &ps.Procs[i]
		}
	}
	if self == nil || !strings.Contains(self.Cmd, "procs.py") || self.Start <= 0 {
		t.Errorf("the probe is not in its own report as the first of %v: %+v", ps.Self, self)
	}
}

func TestProcessesApp(t *testing.T) {
	t.Parallel()
	out := "profile noise\n" + ProcsMarker + `{"self":[40,39],"procs":[` +
		`{"pid":1,"ppid":0,"start":100,"cpu":0,"cmd":"/sbin/docker-init -- sleep infinity"},` +
		`{"pid":7,"ppid":1,"start":101,"cpu":0,"cmd":"sleep infinity"},` +
		`{"pid":12,"ppid":0,"start":300,"cpu":0.02,"cmd":"sh -c python app.py"},` +
		`{"pid":13,"ppid":12,"start":301,"cpu":1.5,"cmd":"python app.py"},` +
		`{"pid":20,"ppid":1,"start":350,"cpu":0.01,"cmd":"python worker.py"},` +
		`{"pid":39,"ppid":0,"start":400,"cpu":0,"cmd":"sh -c python3 procs.py"},` +
		`{"pid":40,"ppid":39,"start":401,"cpu":0.01,"cmd":"python3 procs.py"}]}` + "\n"
	ps, err := ParseProcesses(out)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, p := range ps.App() {
		got = append(got, p.PID)
	}
	// init, the container's own command and the probe are left out; an orphan the
	// app left to init is in.
	if want := []int{12, 13, 20}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("app processes %v, want %v", got, want)
	}
	if ps.Procs[3].CPU != 1.5 || ps.Procs[3].Cmd != "python app.py" {
		t.Errorf("parsed %+v", ps.Procs[3])
	}
	for _, bad := range []string{"", "no marker\n", ProcsMarker + "{not json"} {
		if _, err := ParseProcesses(bad); err == nil {
			t.Errorf("ParseProcesses(%q) = nil error", bad)
		}
	}
}

// A shared object whose NEEDED library is absent is reported with the file of that
// name found outside the loader's path, the case `ld.so --list` fails on.
func TestLddFindsMissingOnHost(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 on the host")
	}
	patchelf, err := exec.LookPath("patchelf")
	if err != nil {
		t.Skip("no patchelf on the host")
	}
	libz := "/lib/x86_64-linux-gnu/libz.so.1"
	src, err := os.ReadFile(libz)
	if err != nil {
		t.Skip("no " + libz + " on the host")
	}
	root := t.TempDir()
	site := filepath.Join(root, "site-packages")
	so := filepath.Join(site, "fake", "_native.so")
	hidden := filepath.Join(root, "hidden", "libnotthere.so.1")
	for _, p := range []string{so, hidden} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(patchelf, "--add-needed", "libnotthere.so.1", so).CombinedOutput(); err != nil {
		t.Fatalf("patchelf: %v\n%s", err, out)
	}
	script := filepath.Join(root, "ldd.py")
	if err := os.WriteFile(script, LddScript, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, script)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+site, "BOOTMATRIX_LDD_SEARCH_ROOT="+root)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ldd.py: %v\n%s", err, out)
	}
	r, err := ParseLdd(string(out))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, m := range r.Missing {
		if m.Library == "libnotthere.so.1" {
			found = true
			if len(m.NeededBy) != 1 || m.NeededBy[0] != so || len(m.FoundAt) != 1 || m.FoundAt[0] != hidden {
				t.Errorf("missing %+v", m)
			}
		}
	}
	if !found {
		t.Errorf("libnotthere.so.1 not reported: %+v", r)
	}
}
