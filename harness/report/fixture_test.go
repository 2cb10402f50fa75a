package report

import (
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// seedRun is the seed scenario's nine variants as an offline run reports them:
// PEP 668 at install, libstdc++ at import (with the ldd finding and where the
// file really is), the login/plain shell pair, and four that boot. Texts are cut
// from outputs captured in the kit images (harness/diagnose/testdata) so the
// reports are exercised on what they will really show.
func seedRun() *result.Run {
	const (
		gccLib   = "/nix/store/9ak7kxi2s0jyd47fv8xk5f1n4qhqjqyc-gcc-14.2.0-lib/lib/libstdc++.so.6"
		profLib  = "/root/.nix-profile/lib/libstdc++.so.6"
		umath313 = "numpy/_core/_multiarray_umath.cpython-313-x86_64-linux-gnu.so"
		linalg   = "numpy/linalg/_umath_linalg.cpython-313-x86_64-linux-gnu.so"
		umath311 = "numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so"
		start    = "python -m gunicorn --bind 0.0.0.0:$PORT app:app"
		libErr   = "libstdc++.so.6: cannot open shared object file: No such file or directory"
	)
	nixBuild := func(secs float64, pkgs string) result.Stage {
		return result.Stage{Name: result.StageBuild, Status: result.Pass, Seconds: secs,
			Output: "Step 4/9 : RUN nix-env -iA " + pkgs + "\ninstalling 'python3-3.13.2'\nbuilding '/nix/store/1l9qm2i8x0nqp7c5szhbyyc0ds1msv3c-user-environment.drv'...\nSuccessfully built 3f2a1c9e7b41\n"}
	}
	pipOK := func(secs float64, py string) result.Stage {
		return result.Stage{Name: result.StageInstall, Status: result.Pass, Seconds: secs,
			Output: "Looking in links: /opt/bootmatrix/wheelhouse\nProcessing /opt/bootmatrix/wheelhouse/numpy-2.2.4-" + py + "-manylinux_2_17_x86_64.whl\nProcessing /opt/bootmatrix/wheelhouse/gunicorn-23.0.0-py3-none-any.whl\nSuccessfully installed gunicorn-23.0.0 numpy-2.2.4 packaging-24.2\n"}
	}
	skip := func(name result.StageName, after string) result.Stage {
		return result.Stage{Name: name, Status: result.Skip, Note: "skipped: " + after + " failed"}
	}
	importFail := func(secs float64, pyPath, version string) result.Stage {
		out := "$ python -c 'import numpy as m; print(getattr(m, \"__version__\", \"\"))'\n" +
			"Traceback (most recent call last):\n" +
			"  File \"" + pyPath + "/numpy/_core/__init__.py\", line 23, in <module>\n" +
			"    from . import multiarray\n" +
			"ImportError: " + libErr + "\n\n" +
			"IMPORTANT: PLEASE READ THIS FOR ADVICE ON HOW TO SOLVE THIS ISSUE!\n\n" +
			"    https://numpy.org/devdocs/user/troubleshooting-importerror.html\n\n" +
			"  * The NumPy version is: \"" + version + "\"\n\n" +
			"Original error was: " + libErr + "\n"
		return result.Stage{Name: result.StageImport, Status: result.Fail, Class: "missing-shared-library", Seconds: secs, ExitCode: 1,
			Output:   out,
			Note:     "1 of 1 module(s) failed to import",
			Modules:  []result.Module{{Name: "numpy", Error: "ImportError: Error importing numpy: you should not try to import numpy from"}},
			Evidence: []string{"ImportError: " + libErr, "Original error was: " + libErr}}
	}
	lddFail := func(secs float64, neededBy []string, foundAt ...string) result.Stage {
		return result.Stage{Name: result.StageLdd, Status: result.Fail, Class: "missing-shared-library", Seconds: secs,
			Output: "scanned 14 shared object(s)\n" + neededBy[0] + ": libstdc++.so.6 => not found\n",
			Note:   "not found: libstdc++.so.6",
			Missing: []result.MissingLib{{Library: "libstdc++.so.6", NeededBy: neededBy, FoundAt: foundAt,
				Provider: "stdenv.cc.cc.lib"}},
			Evidence: []string{neededBy[0] + ": libstdc++.so.6 => not found"}}
	}
	boots := func(name string, axes map[string]string, build result.Stage, install result.Stage, numpy, shell string, bootSecs float64) result.Variant {
		return result.Variant{Name: name, Axes: axes, Boots: true, Expectation: "boots", ExpectationMet: true,
			Stages: []result.Stage{build, install,
				{Name: result.StageImport, Status: result.Pass, Seconds: 0.94, Note: "numpy " + numpy},
				{Name: result.StageLdd, Status: result.Pass, Seconds: 0.61, Note: "14 shared object(s) resolve", Output: "scanned 14 shared object(s)\nall NEEDED entries resolve\n"},
				{Name: result.StageBoot, Status: result.Pass, Seconds: bootSecs,
					Note:   "start: " + shell + start + "; healthy after 2.1s, still up after 3s",
					Output: "[2026-01-05 15:12:41 +0000] [1] [INFO] Starting gunicorn 23.0.0\n[2026-01-05 15:12:41 +0000] [1] [INFO] Listening at: http://0.0.0.0:8080 (1)\n[2026-01-05 15:12:41 +0000] [7] [INFO] Booting worker with pid: 7\nGET /health -> 200 {\"ok\":true}\nGET /config -> 200 {\"apiBase\":\"http://localhost:8080\"}\n"}}}
	}
	libExpect := `fails at import with missing-shared-library (output contains "` + libErr[:48] + `")`
	nixAxes := func(extra ...string) map[string]string {
		m := map[string]string{"builder": "nixpacks", "python": "3.13", "pins": "numpy==2.2.4"}
		for i := 0; i+1 < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	where := func(attr string) string {
		return "the loader cannot find libstdc++.so.6 (needed by " + umath313 + "): present at " + gccLib +
			", but on Nix the loader searches only RUNPATHs and LD_LIBRARY_PATH (no /usr/lib, no ld.so.cache)" + attr
	}
	withExpl := func(s result.Stage, e string) result.Stage { s.Explanation = e; return s }

	run := &result.Run{
		Scenario:  "seed",
		File:      "scenarios/seed/scenario.yaml",
		Mode:      "offline",
		StartedAt: time.Date(2026, 1, 5, 15, 10, 0, 0, time.UTC),
		Seconds:   187.43,
		Variants: []result.Variant{
			{
				Name: "pip-install-pep668", Axes: nixAxes(),
				Expectation:    `fails at install with pep668-externally-managed (output contains "/nix/store")`,
				ExpectationMet: true,
				Stages: []result.Stage{
					nixBuild(41.27, "nixpkgs.python313"),
					{Name: result.StageInstall, Status: result.Fail, Class: "pep668-externally-managed", Seconds: 1.84, ExitCode: 1,
						Output:      "$ cd backend && pip install -r requirements.txt\nerror: externally-managed-environment\n\n× This environment is externally managed\n╰─> This command has been disabled as it tries to modify the immutable\n    `/nix/store` filesystem.\n\n    To use Python with Nix and nixpkgs, have a look at the online documentation:\n    <https://nixos.org/manual/nixpkgs/stable/#python>.\n\nnote: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.\nhint: See PEP 668 for the detailed specification.\n",
						Explanation: "pip refused to install into Nix's Python (PEP 668): the interpreter lives in the read-only /nix/store and is marked EXTERNALLY-MANAGED; install into a venv, or take the packages from Nix.",
						Evidence: []string{"error: externally-managed-environment",
							"╰─> This command has been disabled as it tries to modify the immutable",
							"    `/nix/store` filesystem."}},
					skip(result.StageImport, "install"), skip(result.StageLdd, "install"), skip(result.StageBoot, "install"),
				},
				Fixes: []result.Fix{
					{ID: "use-venv-install", Summary: "install with python -m venv --copies /opt/venv && /opt/venv/bin/pip install -r requirements.txt, and start with /opt/venv/bin on PATH"},
					{ID: "nix-python-package", Summary: "take numpy from Nix: python313Packages.numpy in nixPkgs", Proven: true},
				},
			},
			{
				Name: "break-system-packages", Axes: nixAxes("nixpacks", "installcmds-384ee6"),
				Expectation: libExpect, ExpectationMet: true,
				Stages: []result.Stage{
					nixBuild(2.03, "nixpkgs.python313"), pipOK(6.42, "cp313-cp313"),
					withExpl(importFail(1.12, "/nix/store/q3x0b0mhzsd0f1v3y7c2d8s9r2lqj5wa-python3-3.13.2/lib/python3.13/site-packages", "2.2.4"),
						where(". None of nixPkgs [python313] / nixLibs none provides it.")),
					lddFail(0.73, []string{umath313, linalg}, gccLib),
					skip(result.StageBoot, "import"),
				},
				Fixes: []result.Fix{{ID: "add-nix-libs", Summary: `add "stdenv.cc.cc.lib" to nixLibs: it provides libstdc++.so.6 and nixLibs puts its lib directory on LD_LIBRARY_PATH`}},
			},
			{
				Name: "nixpkgs-gcc-stdenv", Axes: nixAxes("nixpacks", "nixpkgs-gcc-stdenv.cc.cc.lib-installcmds-384ee6"),
				Expectation: libExpect, ExpectationMet: true,
				Stages: []result.Stage{
					nixBuild(12.55, "nixpkgs.python313 nixpkgs.gcc nixpkgs.stdenv.cc.cc.lib"), pipOK(6.08, "cp313-cp313"),
					withExpl(importFail(1.09, "/nix/store/q3x0b0mhzsd0f1v3y7c2d8s9r2lqj5wa-python3-3.13.2/lib/python3.13/site-packages", "2.2.4"),
						where(". stdenv.cc.cc.lib is in nixPkgs, which only links it into the profile (~/.nix-profile/lib); the loader never searches the profile.")),
					lddFail(0.70, []string{umath313, linalg}, gccLib, profLib),
					skip(result.StageBoot, "import"),
				},
				Fixes: []result.Fix{{ID: "move-nixpkg-to-nixlibs", Summary: `move "stdenv.cc.cc.lib" from nixPkgs to nixLibs so its lib directory goes on LD_LIBRARY_PATH`, Proven: true}},
			},
			{
				Name: "nixpkgs-glibc-zlib-numpy1", Axes: map[string]string{"builder": "nixpacks", "python": "3.11", "pins": "numpy==1.24.2", "nixpacks": "nixpkgs-python311-glibc-zlib-installcmds-384ee6"},
				Expectation: libExpect, ExpectationMet: true,
				Stages: []result.Stage{
					nixBuild(9.61, "nixpkgs.python311 nixpkgs.glibc nixpkgs.zlib"), pipOK(5.97, "cp311-cp311"),
					withExpl(importFail(1.31, "/nix/store/fz8a2wv1k0j8xg5bn5ls2xq8y7hc1d0r-python3-3.11.11/lib/python3.11/site-packages", "1.24.2"),
						"the loader cannot find libstdc++.so.6 (needed by "+umath311+"): present at "+gccLib+", but on Nix the loader searches only RUNPATHs and LD_LIBRARY_PATH (no /usr/lib, no ld.so.cache). None of nixPkgs [python311 glibc zlib] / nixLibs none provides it."),
					lddFail(0.66, []string{umath311}, gccLib),
					skip(result.StageBoot, "import"),
				},
			},
			boots("nixlibs-login-shell", nixAxes("nixpacks", "nixlibs-stdenv.cc.cc.lib-installcmds-384ee6", "shell", "login"),
				nixBuild(11.92, "nixpkgs.python313 nixpkgs.stdenv.cc.cc.lib"), pipOK(6.14, "cp313-cp313"), "2.2.4", "bash -l -c ", 5.38),
			{
				Name: "nixlibs-plain-shell", Axes: nixAxes("nixpacks", "nixlibs-stdenv.cc.cc.lib-installcmds-384ee6", "shell", "plain"),
				Expectation: libExpect, ExpectationMet: true,
				Stages: []result.Stage{
					nixBuild(0.42, "nixpkgs.python313 nixpkgs.stdenv.cc.cc.lib"), pipOK(0.05, "cp313-cp313"),
					withExpl(importFail(1.07, "/nix/store/q3x0b0mhzsd0f1v3y7c2d8s9r2lqj5wa-python3-3.13.2/lib/python3.13/site-packages", "2.2.4"),
						where(". stdenv.cc.cc.lib is in nixLibs, whose LD_LIBRARY_PATH is exported by /etc/profile.d/nixpacks-libs.sh; only a login shell reads it, and this variant starts without one.")),
					lddFail(0.71, []string{umath313, linalg}, gccLib),
					skip(result.StageBoot, "import"),
				},
				Fixes: []result.Fix{
					{ID: "login-shell", Summary: "start with a login shell (bash -l -c '<start command>') so /etc/profile.d/nixpacks-libs.sh exports LD_LIBRARY_PATH", Proven: true},
					{ID: "ld-library-path", Summary: "set LD_LIBRARY_PATH to stdenv.cc.cc.lib's lib directory in the start command itself"},
				},
			},
			boots("nixpacks-defaults-backend-root", nixAxes("root", "backend"),
				nixBuild(10.88, "nixpkgs.python313 nixpkgs.gcc"), pipOK(6.77, "cp313-cp313"), "2.2.4", "", 4.96),
			boots("dockerfile-python-slim", map[string]string{"builder": "dockerfile", "python": "3.13", "pins": "numpy==2.2.4", "root": "backend"},
				result.Stage{Name: result.StageBuild, Status: result.Pass, Seconds: 23.35, Output: "Step 1/6 : FROM bootmatrix-kit/python:3.13-slim\nStep 5/6 : RUN pip install -r requirements.txt\nSuccessfully built 91c04d7ab2e0\n"},
				result.Stage{Name: result.StageInstall, Status: result.Pass, Seconds: 0.01, Note: "done in the Dockerfile's build"}, "2.2.4", "", 4.41),
			boots("nix-python-packages", map[string]string{"builder": "nixpacks", "python": "3.13", "nixpacks": "nixpkgs-python313-python313Packages.numpy-installcmds-1dabaa"},
				nixBuild(14.06, "nixpkgs.python313 nixpkgs.python313Packages.numpy"),
				result.Stage{Name: result.StageInstall, Status: result.Pass, Seconds: 3.12,
					Output: "$ cd backend && pip install --break-system-packages gunicorn\nProcessing /opt/bootmatrix/wheelhouse/gunicorn-23.0.0-py3-none-any.whl\nSuccessfully installed gunicorn-23.0.0 packaging-24.2\n"},
				"2.2.4", "", 5.02),
		},
	}
	// Annotate explains every failed stage: the ldd stage's cause is the import's.
	for i := range run.Variants {
		imp, ldd := run.Variants[i].StageByName(result.StageImport), run.Variants[i].StageByName(result.StageLdd)
		if ldd.Status == result.Fail && ldd.Explanation == "" {
			ldd.Explanation = imp.Explanation
		}
	}
	return run
}

// surprisesRun is the seed as the incident's team expected it to go at 2:59 PM
// (the numpy 1.x pin would boot), plus a variant the engine could not run and
// one with a stage the classifier did not recognise: the expectation column's
// "not met" and the Why section's other branches.
func surprisesRun() *result.Run {
	run := seedRun()
	v := &run.Variants[3]
	v.Expectation = "boots"
	v.ExpectationMet = false
	v.ExpectationDetail = "expected to boot, but it failed at import (missing-shared-library)"

	run.Variants = append(run.Variants[:6], run.Variants[6:8]...) // drop nix-python-packages
	run.Variants = append(run.Variants, result.Variant{
		Name: "nix-python-packages", Axes: map[string]string{"builder": "nixpacks", "python": "3.13", "nixpacks": "nixpkgs-python313-python313Packages.numpy-installcmds-1dabaa"},
		Expectation: "boots",
		Error:       `variant "nix-python-packages": stage build: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`,
		Stages: []result.Stage{
			{Name: result.StageBuild, Status: result.Skip, Note: "not run: setup error"},
			{Name: result.StageInstall, Status: result.Skip, Note: "not run: setup error"},
			{Name: result.StageImport, Status: result.Skip, Note: "not run: setup error"},
			{Name: result.StageLdd, Status: result.Skip, Note: "not run: setup error"},
			{Name: result.StageBoot, Status: result.Skip, Note: "not run: setup error"},
		},
		ExpectationDetail: "the variant did not run: Cannot connect to the Docker daemon",
	})
	d := &run.Variants[7] // dockerfile-python-slim: the app answers, but not what the scenario wants
	d.Boots = false
	d.ExpectationMet = false
	d.ExpectationDetail = "expected to boot, but it failed at boot"
	d.Stages[4] = result.Stage{Name: result.StageBoot, Status: result.Fail, Seconds: 93.0, ExitCode: -1,
		Output: "[2026-01-05 15:12:41 +0000] [1] [INFO] Listening at: http://127.0.0.1:8000 (1)\n"}
	return run
}
