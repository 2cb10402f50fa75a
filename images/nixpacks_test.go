package images_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

const (
	nixpacksImage = "bootmatrix-kit/nixpacks:ubuntu"
	// Nixpacks' pinned archives (src/providers/python.rs, src/nixpacks/nix/mod.rs).
	pythonArchive = "bc8f8d1be58e8c8383e683a06e1e1e57893fff87"
	legacyArchive = "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db"
	// nixpkgs' EXTERNALLY-MANAGED as pip prints it (PEP 668).
	pep668 = "error: externally-managed-environment\n\n× This environment is externally managed\n" +
		"╰─> This command has been disabled as it tries to modify the immutable\n" +
		"    `/nix/store` filesystem.\n    \n" +
		"    To use Python with Nix and nixpkgs, have a look at the online documentation:\n" +
		"    <https://nixos.org/manual/nixpkgs/stable/#python>."
)

// nixpacksExpr is the .nixpacks/nixpkgs-<archive>.nix Nixpacks' nix_expression_for_group
// (src/nixpacks/nix/mod.rs) writes for one archive group, with the archive URL rewritten to
// the kit's copy as the offline renderer does. pkgs and libs are sorted, as there.
func nixpacksExpr(archive string, pkgs, libs []string) string {
	pkgs, libs = slices.Clone(pkgs), slices.Clone(libs)
	sort.Strings(pkgs)
	sort.Strings(libs)
	name := archive + "-env"
	return fmt.Sprintf(`{ }:

let pkgs = import (fetchTarball "file:///opt/bootmatrix/nixpkgs/%s.tar.gz") { overlays = [  ]; };
in with pkgs;
  let
    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [ %s ] }";
    myLibraries = writeText "libraries" ''
      export LD_LIBRARY_PATH="${APPEND_LIBRARY_PATH}:$LD_LIBRARY_PATH"
      
    '';
  in
    buildEnv {
      name = "%s";
      paths = [
        (runCommand "%s" { } ''
          mkdir -p $out/etc/profile.d
          cp ${myLibraries} $out/etc/profile.d/%s.sh
        '')
        %s
      ];
    }
`, archive, strings.Join(libs, " "), name, name, name, strings.Join(pkgs, " "))
}

// nixpacksSetup is the setup phase Nixpacks renders for one group (dockerfile_generation.rs:
// COPY the file, then RUN nix-env -if … && nix-collect-garbage -d), under the image's SHELL.
func nixpacksSetup(archive string, pkgs, libs []string) []string {
	file := ".nixpacks/nixpkgs-" + archive + ".nix"
	return []string{"NIXFILE=" + nixpacksExpr(archive, pkgs, libs), "NIXFILE_NAME=" + file}
}

// runNixpacks runs the setup phase, then script (a login shell, as every later RUN), in
// /app of a throwaway container of the stand-in.
func runNixpacks(t testing.TB, archive string, pkgs, libs []string, script string) runResult {
	t.Helper()
	setup := `set -o pipefail; mkdir -p /app/.nixpacks && cd /app && printf '%s' "$NIXFILE" >"$NIXFILE_NAME"
echo "== setup"
nix-env -if "$NIXFILE_NAME" 2>&1 && nix-collect-garbage -d 2>&1; echo "setup-rc=$?"
echo "== run"
bash -ol pipefail -c 'cd /app && ` + strings.ReplaceAll(script, "'", `'\''`) + `' 2>&1; echo "rc=$?"`
	env := append(nixpacksSetup(archive, pkgs, libs), offlinePip...)
	return runKit(t, nixpacksImage, setup, env...)
}

func wantSetupOK(t testing.TB, res runResult) map[string]string {
	t.Helper()
	s := sections(res.Out)
	if !strings.Contains(s["setup"], "setup-rc=0\n") {
		t.Fatalf("nix-env -if … && nix-collect-garbage -d failed:\n%s", res.Out)
	}
	return s
}

// The setup phase substitutes from the kit's binary cache and the garbage collection
// really deletes what only the build needed.
func TestNixpacksSetupSubstitutesAndCollects(t *testing.T) {
	needImages(t, nixpacksImage)
	res := runNixpacks(t, pythonArchive, []string{"python311"}, nil,
		`nix-store -q --references $(readlink -f ~/.nix-profile); ls /nix/store | grep -c -- '-coreutils-[0-9.]*$' || true`)
	s := wantSetupOK(t, res)
	for _, want := range []string{"copying path '", "-python3-3.11.2' from 'file:///opt/bootmatrix/nix-cache'",
		"building '/nix/store/", "store paths deleted"} {
		if !strings.Contains(s["setup"], want) {
			t.Errorf("setup output lacks %q:\n%s", want, s["setup"])
		}
	}
	if !strings.Contains(s["run"], "-"+pythonArchive+"-env\n") {
		t.Errorf("the profile does not reference the Nixpacks environment:\n%s", s["run"])
	}
	// coreutils built the environment (runCommand) and is garbage once it is installed (its
	// .drv stays: the profile's manifest keeps derivations, as on real Nix).
	if !strings.HasSuffix(s["run"], "\n0\nrc=0\n") {
		t.Errorf("coreutils survived nix-collect-garbage -d:\n%s", s["run"])
	}
}

// nixpkgs' python has no pip; pip comes from python3XXPackages.pip, and then PEP 668
// stops it outside a venv with Nix's marker.
func TestNixpacksPip(t *testing.T) {
	needImages(t, nixpacksImage)
	t.Run("python311 only", func(t *testing.T) {
		res := runNixpacks(t, pythonArchive, []string{"python311"}, nil, `pip install numpy`)
		s := wantSetupOK(t, res)
		if !strings.Contains(s["run"], "pip: command not found") || !strings.HasSuffix(s["run"], "rc=127\n") {
			t.Errorf("want pip: command not found (127), got:\n%s", s["run"])
		}
	})
	t.Run("python311Packages.pip", func(t *testing.T) {
		res := runNixpacks(t, pythonArchive, []string{"python311", "python311Packages.pip"}, nil, `pip install numpy`)
		s := wantSetupOK(t, res)
		if !strings.Contains(s["run"], pep668) || strings.HasSuffix(s["run"], "rc=0\n") {
			t.Errorf("want pip's PEP 668 refusal verbatim:\n%s\ngot:\n%s", pep668, s["run"])
		}
	})
}

// nix-env installs python311Packages.numpy into the profile, and the profile's python
// still does not see it; python311.withPackages does (and runs gunicorn).
func TestNixpacksPythonPackages(t *testing.T) {
	needImages(t, nixpacksImage)
	t.Run("plain attribute", func(t *testing.T) {
		res := runNixpacks(t, pythonArchive, []string{"python311", "python311Packages.numpy"}, nil,
			`ls ~/.nix-profile/lib/python3.11/site-packages/ | grep -x numpy; python -c "import numpy"`)
		s := wantSetupOK(t, res)
		if !strings.HasPrefix(s["run"], "numpy\n") || !strings.Contains(s["run"], "ModuleNotFoundError: No module named 'numpy'") {
			t.Errorf("want numpy in the profile and ModuleNotFoundError from its python, got:\n%s", s["run"])
		}
	})
	t.Run("withPackages", func(t *testing.T) {
		res := runNixpacks(t, pythonArchive, []string{"(python311.withPackages (ps: [ps.numpy ps.gunicorn]))"}, nil, `
cat >app.py <<EOF
import numpy
def app(environ, start_response):
    start_response("200 OK", [])
    return [("dot=%d" % numpy.dot([1, 2], [3, 4])).encode()]
EOF
python -c "import numpy; print(numpy.__version__)"
gunicorn --bind 127.0.0.1:8000 app:app >/tmp/g.log 2>&1 &
for i in $(seq 100); do curl -sf http://127.0.0.1:8000/ && break; sleep 0.2; done; echo; kill %1; cat /tmp/g.log`)
		s := wantSetupOK(t, res)
		if !strings.Contains(s["run"], "1.24.2\ndot=11\n") {
			t.Errorf("want numpy 1.24.2 and gunicorn serving dot=11, got:\n%s", s["run"])
		}
	})
}

// A PyPI numpy in a venv of Nix's python needs libstdc++.so.6: Debian's copy sits in
// /usr/lib/x86_64-linux-gnu, and the store's loader does not look there. nixLibs'
// stdenv.cc.cc.lib (LD_LIBRARY_PATH from the profile's profile.d) makes it import.
func TestNixpacksWheelNumpyLibstdcxx(t *testing.T) {
	needImages(t, nixpacksImage)
	script := `ls /usr/lib/x86_64-linux-gnu/libstdc++.so.6 && python -m venv --copies /opt/venv && . /opt/venv/bin/activate && pip install -q numpy && python -c "import numpy; print(numpy.dot([1, 2], [3, 4]))"`
	t.Run("no nixLibs", func(t *testing.T) {
		res := runNixpacks(t, pythonArchive, []string{"python311"}, nil, script)
		s := wantSetupOK(t, res)
		if !strings.HasPrefix(s["run"], "/usr/lib/x86_64-linux-gnu/libstdc++.so.6\n") || !strings.Contains(s["run"], libstdcxxError) {
			t.Errorf("want Debian's libstdc++ present and numpy failing with %q, got:\n%s", libstdcxxError, s["run"])
		}
	})
	t.Run("nixLibs stdenv.cc.cc.lib", func(t *testing.T) {
		res := runNixpacks(t, pythonArchive, []string{"python311"}, []string{"zlib", "stdenv.cc.cc.lib"}, script)
		s := wantSetupOK(t, res)
		if !strings.HasSuffix(s["run"], "\n11\nrc=0\n") {
			t.Errorf("want numpy importing with the nixLibs LD_LIBRARY_PATH, got:\n%s", s["run"])
		}
	})
}

// At start-up nixpkgs' python maps only itself, libpython, libc, libm and the loader as
// code, all from the store; its stdlib extension modules reach their libraries by their own RUNPATH.
func TestNixpacksPythonLoads(t *testing.T) {
	needImages(t, nixpacksImage)
	for _, py := range []string{"python311", "python313"} {
		t.Run(py, func(t *testing.T) {
			ver := "3." + strings.TrimPrefix(py, "python3")
			res := runNixpacks(t, pythonArchive, []string{py}, nil, `
echo "== bare"; LD_LIBRARY_PATH= python -c 'print(open("/proc/self/maps").read())' 2>&1 | awk '$6 ~ /\// {print $6}' | sort -u
echo "== modules"; LD_LIBRARY_PATH= python -c 'import zlib, pyexpat, ssl, ctypes, sqlite3, lzma, bz2; print(open("/proc/self/maps").read())' | awk '$6 ~ /\.so/ {print $6}' | sort -u`)
			wantSetupOK(t, res)
			s := sections(res.Out)
			var libs []string
			for _, p := range strings.Fields(s["bare"]) {
				// Locale data is not code: Debian's glibc reads it from /usr/lib (see README).
				if !strings.Contains(p, ".so") && !strings.HasSuffix(p, "/python"+ver) {
					continue
				}
				if !strings.HasPrefix(p, "/nix/store/") {
					t.Errorf("bare python maps %s from outside the store", p)
				}
				libs = append(libs, filepath.Base(p))
			}
			want := []string{"ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libpython" + ver + ".so.1.0", "python" + ver}
			sort.Strings(libs)
			if !slices.Equal(libs, want) {
				t.Errorf("bare python maps %v, want %v:\n%s", libs, want, s["bare"])
			}
			for _, lib := range []string{`-zlib-[0-9.]+/lib/libz\.so`, `-expat-[0-9.]+/lib/libexpat\.so`, `-openssl-[0-9.]+/lib/libssl\.so`,
				`-libffi-[0-9.]+/lib/libffi\.so`, `-sqlite-[0-9.]+/lib/libsqlite3\.so`} {
				if !regexp.MustCompile(`/nix/store/[a-z0-9]{32}` + lib).MatchString(s["modules"]) {
					t.Errorf("stdlib modules did not load %s from the store:\n%s", lib, s["modules"])
				}
			}
			if strings.Contains(s["modules"], "/usr/lib") || strings.Contains(s["modules"], " /lib/") {
				t.Errorf("stdlib modules load Debian's libraries:\n%s", s["modules"])
			}
		})
	}
}

// A nixPkgs entry that does not evaluate fails with Nix's own error; the legacy archive
// has no python313.
func TestNixpacksEvaluationErrors(t *testing.T) {
	needImages(t, nixpacksImage)
	cases := []struct {
		name, archive, pkg, want string
	}{
		{"undefined variable", pythonArchive, "pip", "error: undefined variable 'pip'"},
		{"legacy archive", legacyArchive, "python313", "error: undefined variable 'python313'"},
		{"missing attribute", pythonArchive, "python311Packages.nosuchpkg", "error: attribute 'nosuchpkg' missing"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runNixpacks(t, tc.archive, []string{"python311", tc.pkg}, nil, `true`)
			s := sections(res.Out)
			if !strings.Contains(s["setup"], tc.want) || strings.Contains(s["setup"], "setup-rc=0\n") {
				t.Errorf("want setup failing with %q, got:\n%s", tc.want, s["setup"])
			}
			if !strings.Contains(s["setup"], "/app/.nixpacks/nixpkgs-"+tc.archive+".nix:") {
				t.Errorf("Nix's error does not name the expression's file and line:\n%s", s["setup"])
			}
		})
	}
}

// The real base image removed its nixpkgs channel: nix-env -iA nixpkgs.X and
// '<nixpkgs>' fail; the archives answer nix-env -qaP, nix-build and nix-shell -p.
func TestNixpacksChannelsAndTools(t *testing.T) {
	needImages(t, nixpacksImage)
	tarball := "/opt/bootmatrix/nixpkgs/" + pythonArchive + ".tar.gz"
	res := runKit(t, nixpacksImage, `
echo "== iA"; nix-env -iA nixpkgs.python311 2>&1; echo "rc=$?"
echo "== build"; nix-build '<nixpkgs>' -A python311 2>&1; echo "rc=$?"
echo "== qaP"; nix-env -qaP -f file://`+tarball+` 2>/dev/null | awk '{print $1}' | sort
echo "== shell"; nix-shell -I nixpkgs=file://`+tarball+` -p python311 --run 'python3 --version' 2>/tmp/shell.log; echo "rc=$?"; grep error /tmp/shell.log
echo "== path"; nix-shell -I nixpkgs=file://`+tarball+` -p python311 --run 'command -v sed bash python3' 2>/dev/null
echo "== archives"; cat /opt/bootmatrix/nixpkgs/ARCHIVES`)
	s := sections(res.Out)
	if !strings.Contains(s["iA"], "error: attribute 'nixpkgs' in selection path 'nixpkgs.python311' not found") || !strings.HasSuffix(s["iA"], "rc=1\n") {
		t.Errorf("nix-env -iA nixpkgs.python311 without a channel:\n%s", s["iA"])
	}
	if !strings.Contains(s["build"], "file 'nixpkgs' was not found in the Nix search path") || !strings.HasSuffix(s["build"], "rc=1\n") {
		t.Errorf("nix-build '<nixpkgs>' without a channel:\n%s", s["build"])
	}
	// python313 is python3's derivation: nix-env -qaP names it once, as on real nixpkgs.
	for _, attr := range []string{"python3", "python311", "python311Packages.numpy", "python313Packages.pip", "postgresql_16", "libGL", "glib", "cairo", "zlib"} {
		if !slices.Contains(strings.Fields(s["qaP"]), attr) {
			t.Errorf("nix-env -qaP lacks %s:\n%s", attr, s["qaP"])
		}
	}
	if s["shell"] != "Python 3.11.2\nrc=0\n" {
		t.Errorf("nix-shell -p python311 --run: %q", s["shell"])
	}
	// A nix-shell keeps the caller's PATH after the inputs' and stdenv's bin (the
	// stand-in's setup once lost it, and wrote bash's bin as ".../binPATH").
	if !regexp.MustCompile(`^/usr/bin/sed\n/nix/store/[a-z0-9]{32}-bash-[^/]+/bin/bash\n/nix/store/[a-z0-9]{32}-python3-3\.11\.[0-9]+/bin/python3\n$`).MatchString(s["path"]) {
		t.Errorf("command -v sed bash python3 in nix-shell -p python311:\n%s", s["path"])
	}
	out, err := exec.Command("docker", "image", "inspect", "-f", `{{index .Config.Labels "org.bootmatrix.kit.nixpkgs-archives"}}`, nixpacksImage).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := pythonArchive + "," + legacyArchive
	if strings.TrimSpace(string(out)) != want || s["archives"] != pythonArchive+"\n"+legacyArchive+"\n" {
		t.Errorf("archives: label %q, ARCHIVES %q, want %s", out, s["archives"], want)
	}
}

// libGL, glib and cairo (opencv's and pycairo's libraries) and postgresql_16's libpq load
// through the nixLibs path alone; postgresql_16.dev's pg_config answers from the store.
func TestNixpacksNativeLibraries(t *testing.T) {
	needImages(t, nixpacksImage)
	res := runNixpacks(t, pythonArchive, []string{"python311", "postgresql_16.dev"}, []string{"libGL", "glib", "cairo", "postgresql_16"}, `
python -c '
import ctypes
for l in ("libGL.so.1", "libglib-2.0.so.0", "libcairo.so.2", "libpq.so.5"):
    ctypes.CDLL(l); print("loaded", l)'
pg_config --version; pg_config --libdir`)
	s := wantSetupOK(t, res)
	for _, want := range []string{"loaded libGL.so.1", "loaded libglib-2.0.so.0", "loaded libcairo.so.2", "loaded libpq.so.5", "PostgreSQL 17", "\n/nix/store/"} {
		if !strings.Contains(s["run"], want) {
			t.Errorf("run lacks %q:\n%s", want, s["run"])
		}
	}
}

// glibc's pthread_exit unwinds through a libgcc_s.so.1 it dlopens itself. nixpkgs' glibc
// carries a copy where its dlopen looks; without it CPython aborts whenever a daemon
// thread outlives finalization, which makes pip fail at random.
func TestNixpacksPthreadExitFindsLibgcc(t *testing.T) {
	needImages(t, nixpacksImage)
	for _, py := range []string{"python311", "python313"} {
		t.Run(py, func(t *testing.T) {
			res := runNixpacks(t, pythonArchive, []string{py}, nil, `env -u LD_LIBRARY_PATH python3 -c '
import ctypes, os, threading, time
threading.Thread(target=lambda: ctypes.CDLL(None).pthread_exit(None)).start()
time.sleep(0.5)
print("thread ended", flush=True)
os._exit(0)'`)
			s := wantSetupOK(t, res)
			if !strings.Contains(s["run"], "thread ended") || !strings.HasSuffix(s["run"], "rc=0\n") {
				t.Errorf("pthread_exit in a thread, want it to end cleanly:\n%s", s["run"])
			}
		})
	}
}
