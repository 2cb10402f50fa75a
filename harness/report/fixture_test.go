package report

import (
	"fmt"
	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	dockerfilebuilder "github.com/bootmatrix/bootmatrix/harness/builder/dockerfile"
	nixpacksbuilder "github.com/bootmatrix/bootmatrix/harness/builder/nixpacks"
	"slices"
	"sync"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// seedScenario is the seed scenario file itself: the fixture's variants take their
// axes and expectations from it, so the reports show what a seed run would.
var seedScenario = sync.OnceValue(func() *scenario.Scenario {
	sc, err := scenario.Load("../../scenarios/seed/scenario.yaml")
	if err != nil {
		panic(fmt.Sprintf("fixture: %v", err))
	}
	return sc
})

// finish does to a variant whose stages hold only what the runner observed what a
// run does after its stages: the real classifier diagnoses it (class, explanation,
// evidence, providers, fixes) from the builder context the recipe would give, and
// the seed's expectation is described and evaluated. proven are the fixes a
// variant of the seed proves by booting (doctor's work, not the classifier's); each
// must be one the classifier proposed.
func finish(v *result.Variant, ctx diagnose.Context, proven ...string) {
	var e *scenario.Expectation
	for _, sv := range seedScenario().Variants {
		if sv.Name == v.Name {
			e, v.Axes = sv.Expect, sv.Axes
		}
	}
	if v.Axes == nil {
		panic("fixture: no variant " + v.Name + " in the seed scenario")
	}
	diagnose.Annotate(v, ctx)
	for _, id := range proven {
		i := slices.IndexFunc(v.Fixes, func(f result.Fix) bool { return f.ID == id })
		if i < 0 {
			panic(fmt.Sprintf("fixture: the classifier does not propose %s for %s (it proposes %v)", id, v.Name, v.Fixes))
		}
		v.Fixes[i].Proven = true
	}
	expect(v, e)
}

// expect sets v's expectation as the runner does.
func expect(v *result.Variant, e *scenario.Expectation) {
	v.Expectation = runner.DescribeExpectation(e)
	v.ExpectationMet, v.ExpectationDetail = runner.Evaluate(v, e)
}

// seedRun is the seed scenario's nine variants as an offline run reports them:
// PEP 668 at install, libstdc++ at import (with the ldd finding and where the
// file really is), the login/plain shell pair, and four that boot. The stages'
// outputs are cut from outputs captured in the kit images (harness/diagnose/testdata);
// every class, explanation, piece of evidence and fix is the classifier's own
// (finish), so the reports are exercised on what they will really show.
func seedRun() *result.Run {
	const (
		gccLib   = "/nix/store/9ak7kxi2s0jyd47fv8xk5f1n4qhqjqyc-gcc-14.2.0-lib/lib/libstdc++.so.6"
		profLib  = "/root/.nix-profile/lib/libstdc++.so.6"
		umath311 = "numpy/core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so"
		start    = "python -m gunicorn --bind 0.0.0.0:$PORT app:app"
		libErr   = "libstdc++.so.6: cannot open shared object file: No such file or directory"
		debLib   = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6"
		py311    = "/nix/store/fz8a2wv1k0j8xg5bn5ls2xq8y7hc1d0r-python3-3.11.2/lib/python3.11/site-packages"
	)
	nixBuild := func(secs float64, pkgs string) result.Stage {
		return result.Stage{Name: result.StageBuild, Status: result.Pass, Seconds: secs,
			Output: "Step 5/9 : RUN nix-env -if .nixpacks/nixpkgs-5148520bfab61f99fd25fb9ff7bfbb50dad3c9db.nix && nix-collect-garbage -d\ninstalling '5148520bfab61f99fd25fb9ff7bfbb50dad3c9db-env'\nbuilding '/nix/store/1l9qm2i8x0nqp7c5szhbyyc0ds1msv3c-user-environment.drv'...\n" + pkgs + "\nSuccessfully built 3f2a1c9e7b41\n"}
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
		return result.Stage{Name: result.StageImport, Status: result.Fail, Seconds: secs, ExitCode: 1,
			Output:  out,
			Note:    "1 of 1 module(s) failed to import",
			Modules: []result.Module{{Name: "numpy", Error: "ImportError: Error importing numpy: you should not try to import numpy from"}}}
	}
	lddFail := func(secs float64, neededBy []string, foundAt ...string) result.Stage {
		return result.Stage{Name: result.StageLdd, Status: result.Fail, Seconds: secs, ExitCode: 1,
			Output:  "scanned 14 shared object(s)\n" + neededBy[0] + ": libstdc++.so.6 => not found\n",
			Note:    "not found: libstdc++.so.6",
			Missing: []result.MissingLib{{Library: "libstdc++.so.6", NeededBy: neededBy, FoundAt: foundAt}}}
	}
	boots := func(name string, build result.Stage, install result.Stage, numpy, shell string, bootSecs float64) result.Variant {
		return result.Variant{Name: name, Boots: true,
			Stages: []result.Stage{build, install,
				{Name: result.StageImport, Status: result.Pass, Seconds: 0.94, Note: "numpy " + numpy},
				{Name: result.StageLdd, Status: result.Pass, Seconds: 0.61, Note: "14 shared object(s) resolve", Output: "scanned 14 shared object(s)\nall NEEDED entries resolve\n"},
				{Name: result.StageBoot, Status: result.Pass, Seconds: bootSecs,
					Note:   "start: " + shell + start + "; healthy after 2.1s, still up after 3s",
					Output: "[2026-01-05 15:12:41 +0000] [1] [INFO] Starting gunicorn 23.0.0\n[2026-01-05 15:12:41 +0000] [1] [INFO] Listening at: http://0.0.0.0:8080 (1)\n[2026-01-05 15:12:41 +0000] [7] [INFO] Booting worker with pid: 7\nGET /health -> 200 {\"ok\":true}\nGET /config -> 200 {\"apiBase\":\"http://localhost:8080\"}\n"}}}
	}
	// nix is the context the nixpacks renderer gives the classifier: the merged lists
	// (the project's nixpacks.toml asks for python3, which the variant's Python names).
	nix := func(py string, shell scenario.Shell, pkgs, libs []string) diagnose.Context {
		return diagnose.Context{Builder: nixpacksbuilder.Name, Shell: shell, Python: py, Facts: nixpacksbuilder.Facts{NixPkgs: pkgs, NixLibs: libs}}
	}

	const nixPip = "python311Packages.pip"
	pep668 := result.Variant{Name: "pip-install-pep668", Stages: []result.Stage{
		nixBuild(41.27, "python311 "+nixPip),
		{Name: result.StageInstall, Status: result.Fail, Seconds: 1.84, ExitCode: 1,
			Output: "Step 6/9 : RUN  cd backend && pip install -r requirements.txt\nerror: externally-managed-environment\n\n× This environment is externally managed\n╰─> This command has been disabled as it tries to modify the immutable\n    `/nix/store` filesystem.\n    \n    To use Python with Nix and nixpkgs, have a look at the online documentation:\n    <https://nixos.org/manual/nixpkgs/stable/#python>.\n\nnote: If you believe this is a mistake, please contact your Python installation or OS distribution provider. You can override this, at the risk of breaking your Python installation or OS, by passing --break-system-packages.\nhint: See PEP 668 for the detailed specification.\n"},
		skip(result.StageImport, "install"), skip(result.StageLdd, "install"), skip(result.StageBoot, "install"),
	}}
	finish(&pep668, nix("3.11", scenario.ShellLogin, []string{"python311", nixPip}, nil), "nix-python-package")

	noPip := result.Variant{Name: "nix-python-without-pip", Stages: []result.Stage{
		nixBuild(8.12, "python311"),
		{Name: result.StageInstall, Status: result.Fail, Seconds: 0.91, ExitCode: 1,
			Output: "Step 6/9 : RUN  cd backend && pip install -r requirements.txt\n/bin/bash: line 1: pip: command not found\nThe command '/bin/bash -ol pipefail -c cd backend && pip install -r requirements.txt' returned a non-zero code: 127\n"},
		skip(result.StageImport, "install"), skip(result.StageLdd, "install"), skip(result.StageBoot, "install"),
	}}
	finish(&noPip, nix("3.11", scenario.ShellLogin, []string{"python311"}, nil))

	breakSys := result.Variant{Name: "break-system-packages", Stages: []result.Stage{
		nixBuild(2.03, "python311 "+nixPip), pipOK(6.42, "cp311-cp311"),
		importFail(1.12, py311, "1.24.2"),
		lddFail(0.73, []string{umath311}, debLib),
		skip(result.StageBoot, "import"),
	}}
	finish(&breakSys, nix("3.11", scenario.ShellLogin, []string{"python311", nixPip}, nil))

	gccStdenv := result.Variant{Name: "nixpkgs-gcc-stdenv", Stages: []result.Stage{
		nixBuild(12.55, "python311 "+nixPip+" gcc stdenv.cc.cc.lib"), pipOK(6.08, "cp311-cp311"),
		importFail(1.09, py311, "1.24.2"),
		lddFail(0.70, []string{umath311}, gccLib, profLib),
		skip(result.StageBoot, "import"),
	}}
	finish(&gccStdenv, nix("3.11", scenario.ShellLogin, []string{"python311", nixPip, "gcc", "stdenv.cc.cc.lib"}, nil), "move-nixpkg-to-nixlibs")

	glibcZlib := result.Variant{Name: "nixpkgs-glibc-zlib-numpy1", Stages: []result.Stage{
		nixBuild(9.61, "python311 "+nixPip+" glibc zlib"), pipOK(5.97, "cp311-cp311"),
		importFail(1.31, py311, "1.24.2"),
		lddFail(0.66, []string{umath311}, debLib),
		skip(result.StageBoot, "import"),
	}}
	finish(&glibcZlib, nix("3.11", scenario.ShellLogin, []string{"python311", nixPip, "glibc", "zlib"}, nil))

	login := boots("nixlibs-login-shell", nixBuild(11.92, "python311 "+nixPip+" stdenv.cc.cc.lib"), pipOK(6.14, "cp311-cp311"), "1.24.2", "bash -l -c ", 5.38)
	finish(&login, nix("3.11", scenario.ShellLogin, []string{"python311", nixPip}, []string{"stdenv.cc.cc.lib"}))

	notFound := func(name result.StageName, secs float64) result.Stage {
		return result.Stage{Name: name, Status: result.Fail, Seconds: secs, ExitCode: 127,
			Output: "$ python -c 'import numpy as m; print(getattr(m, \"__version__\", \"\"))'\nsh: 1: python: not found\n"}
	}
	plain := result.Variant{Name: "nixlibs-plain-shell", Stages: []result.Stage{
		nixBuild(0.42, "python311 "+nixPip+" stdenv.cc.cc.lib"), pipOK(0.05, "cp311-cp311"),
		notFound(result.StageImport, 0.7), notFound(result.StageLdd, 0.4),
		skip(result.StageBoot, "import"),
	}}
	finish(&plain, nix("3.11", scenario.ShellPlain, []string{"python311", nixPip}, []string{"stdenv.cc.cc.lib"}), "login-shell")

	backendRoot := boots("nixpacks-defaults-backend-root", nixBuild(10.88, "gcc python313"), pipOK(6.77, "cp313-cp313"), "2.2.4", "", 4.96)
	finish(&backendRoot, nix("3.13", scenario.ShellLogin, []string{"python313", "gcc"}, []string{"zlib", "stdenv.cc.cc.lib"}))

	docker := boots("dockerfile-python-slim",
		result.Stage{Name: result.StageBuild, Status: result.Pass, Seconds: 23.35, Output: "Step 1/6 : FROM bootmatrix-kit/python:3.13-slim\nStep 5/6 : RUN pip install -r requirements.txt\nSuccessfully built 91c04d7ab2e0\n"},
		result.Stage{Name: result.StageInstall, Status: result.Pass, Seconds: 0.01, Note: "done in the Dockerfile's build"}, "2.2.4", "", 4.41)
	finish(&docker, diagnose.Context{Builder: dockerfilebuilder.Name, Shell: scenario.ShellPlain, Python: "3.13", Facts: debian.Facts{OfferSlim: true}})

	nixNumpy := result.Variant{Name: "nix-python-packages", Stages: []result.Stage{
		nixBuild(14.06, "python311 "+nixPip+" python311Packages.numpy"),
		result.Stage{Name: result.StageInstall, Status: result.Pass, Seconds: 3.12,
			Output: "Step 6/9 : RUN  cd backend && pip install --break-system-packages gunicorn\nProcessing /opt/bootmatrix/wheelhouse/gunicorn-23.0.0-py3-none-any.whl\nSuccessfully installed gunicorn-23.0.0 packaging-24.2\n"},
		{Name: result.StageImport, Status: result.Fail, Seconds: 0.8, ExitCode: 1,
			Output: "$ python -c 'import numpy as m; print(getattr(m, \"__version__\", \"\"))'\nTraceback (most recent call last):\n  File \"<string>\", line 1, in <module>\nModuleNotFoundError: No module named 'numpy'\n",
			Note:   "1 of 1 module(s) failed to import", Modules: []result.Module{{Name: "numpy", Error: "ModuleNotFoundError: No module named 'numpy'"}}},
		{Name: result.StageLdd, Status: result.Pass, Seconds: 0.5, Note: "0 shared object(s) resolve", Output: "scanned 0 shared object(s)\nall NEEDED entries resolve\n"},
		skip(result.StageBoot, "import"),
	}}
	finish(&nixNumpy, nix("3.11", scenario.ShellLogin, []string{"python311", nixPip, "python311Packages.numpy"}, nil), "nix-python-package")

	withPkgs := boots("nix-python-withpackages", nixBuild(28.8, "(python311.withPackages (ps: [ps.numpy ps.gunicorn]))"),
		result.Stage{Name: result.StageInstall, Status: result.Pass, Seconds: 1.2, Output: "Step 5/8 : COPY . /app/.\nSuccessfully built 5e0c11a2b7d3\n"}, "1.24.2", "", 3.1)
	finish(&withPkgs, nix("3.11", scenario.ShellLogin, []string{"(python311.withPackages (ps: [ps.numpy ps.gunicorn]))"}, nil))

	variants := []result.Variant{pep668, breakSys, gccStdenv, glibcZlib, login, plain, backendRoot, docker, nixNumpy, withPkgs, noPip}
	// The notes are the builders' own, from rendering each seed variant offline.
	sc := seedScenario()
	for i := range variants {
		for _, sv := range sc.Variants {
			if sv.Name != variants[i].Name {
				continue
			}
			rc, err := builtin.Registry().Render(sc, sv, recipe.Offline())
			if err != nil {
				panic(fmt.Sprintf("fixture: render %s: %v", sv.Name, err))
			}
			variants[i].Notes = rc.Notes
		}
	}
	return &result.Run{
		Scenario:  "seed",
		File:      "scenarios/seed/scenario.yaml",
		Mode:      result.ModeOffline,
		StartedAt: time.Date(2026, 1, 5, 15, 10, 0, 0, time.UTC),
		Seconds:   187.43,
		// nix-python-without-pip last: the tests index the others as they were.
		Variants: variants,
	}
}

// surprisesRun is the seed as the incident's team expected it to go at 2:59 PM
// (the numpy 1.x pin would boot), plus a variant the engine could not run and
// one with a stage the classifier did not recognise: the expectation column's
// "not met" and the Why section's other branches.
func surprisesRun() *result.Run {
	run := seedRun()
	expect(&run.Variants[3], &scenario.Expectation{Boots: true})

	run.Variants = append(run.Variants[:8], run.Variants[9:]...) // drop nix-python-packages
	gone := result.Variant{
		Name:  "nix-python-packages",
		Error: `variant "nix-python-packages": stage build: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`,
	}
	for _, st := range result.StageNames {
		gone.Stages = append(gone.Stages, result.Stage{Name: st, Status: result.Skip, Note: "not run: setup error"})
	}
	finish(&gone, diagnose.Context{Builder: nixpacksbuilder.Name, Facts: nixpacksbuilder.Facts{}})
	run.Variants = append(run.Variants, gone)

	d := &run.Variants[7] // dockerfile-python-slim: the app answers, but not what the scenario wants
	d.Boots = false
	d.Stages[4] = result.Stage{Name: result.StageBoot, Status: result.Fail, Seconds: 93.0, ExitCode: -1,
		Output: "[2026-01-05 15:12:41 +0000] [1] [INFO] Listening at: http://127.0.0.1:8000 (1)\n"}
	finish(d, diagnose.Context{Builder: dockerfilebuilder.Name, Shell: scenario.ShellPlain, Python: "3.13", Facts: debian.Facts{OfferSlim: true}})

	// A row as init writes it, without expect: it fails, and the run must not call
	// that a kept promise.
	unpinned := run.Variants[0]
	unpinned.Name = "init-row-no-expect"
	expect(&unpinned, nil)
	run.Variants = append(run.Variants, unpinned)
	return run
}

// undecidedRun is the seed's run with one more row: it boots on the offline kit,
// where the kit cannot say what a deploy does, so it carries the builder's caveat.
func undecidedRun() *result.Run {
	run := seedRun()
	for _, v := range run.Variants {
		if v.Boots && v.Error == "" {
			v.Name = "nixlibs-glibc"
			v.Caveats = []string{"nixLibs glibc puts the Nix store's glibc on LD_LIBRARY_PATH; the kit cannot run the real pair of glibc versions."}
			run.Variants = append(run.Variants, v)
			break
		}
	}
	return run
}
