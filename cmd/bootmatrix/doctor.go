package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/doctor"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

type doctorFlags struct {
	variant  string
	project  string
	root     string
	python   string
	pins     []string
	start    string
	parallel int
	max      int
	first    bool
	json     string
	online   bool
	registry registryFlags
}

func newDoctorCmd() *cobra.Command {
	var f doctorFlags
	cmd := &cobra.Command{
		Use:   "doctor [SCENARIO] --variant NAME | doctor --project DIR",
		Short: "Search for the smallest change that makes a failing variant boot",
		Long: `Doctor runs one failing variant (or a project directory as it is), generates candidate
fixes from the diagnosis of its first failure — nixLibs, nixPkgs a build lacks, the
provider's venv install, --break-system-packages, nixPkgs to nixLibs, a login shell, Nix's
own Python packages, pins, binary packages, the root directory, Nixpacks' Python
provider, a start command (a venv's python where the runner found one), apt packages
in a python:X.Y-slim Dockerfile, the next Debian release as a Dockerfile's runtime
stage, a python:X.Y-slim Dockerfile, the project's Dockerfile, Railpack — runs them
all (with --first, smallest first until one boots), and
prints the ones that booted, smallest change first, each as a diff 'git apply' accepts
(and the platform settings it needs).
A candidate that did not boot is never offered as a fix.

Exit codes: 0 a proven fix exists, 1 none, 2 bad input, 3 environment.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDoctor(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.variant, "variant", "", "the failing variant of SCENARIO to fix")
	fl.StringVar(&f.project, "project", "", "fix this project directory as it is, without a scenario file")
	fl.StringVar(&f.root, "root", "", "with --project: the platform's root directory setting (default .)")
	fl.StringVar(&f.python, "python", "", "with --project: the Python version (3.11, 3.13)")
	fl.StringSliceVar(&f.pins, "pin", nil, "with --project: a requirement line written over the requirements (repeatable)")
	fl.StringVar(&f.start, "start", "", "with --project: the start command (default: nixpacks.toml's)")
	fl.IntVar(&f.parallel, "parallel", 2, "candidates run at once")
	fl.IntVar(&f.max, "max", 8, "candidates run at most")
	fl.BoolVar(&f.first, "first", false, "stop at the smallest fix that boots: run candidates smallest first and not the larger ones")
	fl.StringVar(&f.json, "json", "", "write the doctor's report as JSON to `FILE`")
	fl.BoolVar(&f.online, "online", false, "use the real images and PyPI instead of the offline kit")
	f.registry.register(cmd)
	return cmd
}

func runDoctor(ctx context.Context, stdout, stderr io.Writer, args []string, f doctorFlags) error {
	var (
		sc *scenario.Scenario
		v  scenario.Variant
	)
	switch {
	case f.project != "" && (len(args) > 0 || f.variant != ""):
		return usageErr(errors.New("give either SCENARIO --variant NAME or --project DIR, not both"))
	case f.project != "":
		var err error
		sc, v, err = doctor.FromProject(doctor.ProjectSpec{Dir: f.project, Root: f.root, Python: f.python, Pins: f.pins, Start: f.start})
		if err != nil {
			return usageErr(err)
		}
	default:
		if f.variant == "" {
			return usageErr(errors.New("doctor needs --variant NAME (the failing variant of the scenario), or --project DIR"))
		}
		if f.root != "" || f.python != "" || len(f.pins) > 0 || f.start != "" {
			return usageErr(errors.New("--root, --python, --pin and --start go with --project; a scenario's variant says these itself"))
		}
		s, vs, err := loadAndSelect(scenarioArg(args), selectFlags{variants: []string{f.variant}})
		if err != nil {
			return err
		}
		if len(vs) != 1 {
			return usageErr(fmt.Errorf("--variant %q selects %d variants; name exactly one", f.variant, len(vs)))
		}
		sc, v = s, vs[0]
	}

	subs, err := f.registry.apply(substitutions(f.online, false), sc.Images)
	if err != nil {
		return usageErr(err)
	}
	runID := runner.NewRunID()
	ctx, stop, _ := interruptible(ctx, stderr, runID)
	defer stop()
	r, err := runner.New(ctx,
		runner.WithRunID(runID),
		runner.WithSubstitutions(subs),
		runner.WithRenderer(builtin.Registry().Render),
		runner.WithDiagnoser(diagnose.Diagnoser{}),
		runner.WithProgress(doctorProgress(stderr)),
	)
	if err != nil {
		return envErr(err)
	}
	defer func() {
		cleanupRun(stderr, runID)
		_ = r.Close()
	}()
	if err := sc.CheckCPUs([]scenario.Variant{v}, r.EngineCPUs(ctx)); err != nil {
		return usageErr(err)
	}

	opts := []doctor.Option{doctor.WithParallel(f.parallel), doctor.WithMaxCandidates(f.max),
		doctor.WithLogf(func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) })}
	if f.first {
		opts = append(opts, doctor.WithFirst())
	}
	rep, err := doctor.Search(ctx, sc, v, r, opts...)
	if err != nil {
		if ctx.Err() != nil {
			return envErr(fmt.Errorf("interrupted: %w", err))
		}
		return usageErr(err)
	}
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if f.json != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(f.json, append(data, '\n'), 0o644); err != nil {
			return envErr(fmt.Errorf("write %s: %w", f.json, err))
		}
	}
	if rep.Start.Error != "" {
		return envErr(fmt.Errorf("the starting variant did not run: %s", rep.Start.Error))
	}
	if rep.Start.Boots || len(rep.Proven()) > 0 {
		return nil
	}
	return &exitError{code: exitMismatch, err: errSilent}
}

// doctorProgress prints each finished stage of the candidates, one line each.
func doctorProgress(w io.Writer) func(runner.Event) {
	var mu sync.Mutex
	return func(e runner.Event) {
		if e.Status == "" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "  %-48s %-8s %s (%.1fs)\n", e.Variant, e.Stage, e.Status, e.Seconds)
	}
}
