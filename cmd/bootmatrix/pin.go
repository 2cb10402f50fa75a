package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

type pinFlags struct {
	from string
	run  runFlags
}

func newPinCmd() *cobra.Command {
	var f pinFlags
	cmd := &cobra.Command{
		Use:   "pin [SCENARIO]",
		Short: "Write each variant's observed outcome into the scenario as its expect",
		Long: `pin records what each variant of SCENARIO (default: bootmatrix.yaml) did as its
expect: boots, or {fails: <stage>, class: <class>}, so that a later run that does something
else fails with exit code 1. A variant without expect cannot fail a run; pinning is how a
nightly run starts to catch regressions.

With --from RUN.json it takes the outcomes of a saved run (bootmatrix run --json);
without it, it runs the selected variants first, as bootmatrix run does. Rows whose
expectation already held are left as written. A variant that could not run, was
interrupted or failed unclassified is not pinned, and says why. Comments and layout of
the file are kept; the file is rewritten only when it loads again with every pin in place.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pinScenario(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), scenarioArg(args), f)
		},
	}
	cmd.Flags().StringVar(&f.from, "from", "", "take the outcomes from `RUN.json` instead of running")
	f.run.register(cmd)
	cmd.Flags().IntVar(&f.run.parallel, "parallel", 0, "variants run at once when running (default: the engine's CPU count)")
	cmd.Flags().BoolVar(&f.run.online, "online", false, "run with the real images and PyPI instead of the offline kit")
	return cmd
}

func pinScenario(ctx context.Context, stdout, stderr io.Writer, path string, f pinFlags) error {
	// Validated first, with every problem at once, before anything runs.
	sc, err := scenario.Load(path, scenario.WithClasses(diagnose.ClassIDs()))
	if err != nil {
		return usageErr(err)
	}
	var res *result.Run
	if f.from != "" {
		if len(f.run.variants)+len(f.run.excludes) > 0 {
			return usageErr(errors.New("--variant and --exclude select what to run; with --from the run's own variants are pinned"))
		}
		if res, err = readRun(f.from); err != nil {
			return usageErr(err)
		}
		if res.Scenario != sc.Name {
			return usageErr(fmt.Errorf("%s is a run of scenario %q, not of %s (%q)", f.from, res.Scenario, path, sc.Name))
		}
	} else {
		if res, err = runForPin(ctx, stdout, stderr, path, f.run); err != nil {
			return err
		}
	}

	declared := map[string]scenario.Variant{}
	for _, v := range sc.Variants {
		declared[v.Name] = v
	}
	pins := map[string]scenario.Expectation{}
	var kept, skipped int
	for i := range res.Variants {
		v := &res.Variants[i]
		sv, ok := declared[v.Name]
		if !ok {
			fmt.Fprintf(stderr, "bootmatrix: pin: %s is not a variant of %s any more; skipped\n", v.Name, path)
			skipped++
			continue
		}
		want, why := observed(v)
		if why != "" {
			fmt.Fprintf(stderr, "bootmatrix: pin: %s not pinned: %s\n", v.Name, why)
			skipped++
			continue
		}
		if sv.Expect != nil {
			if met, _ := runner.Evaluate(v, sv.Expect); met {
				kept++
				continue
			}
		}
		pins[v.Name] = want
		was := "no expectation"
		if sv.Expect != nil {
			was = runner.DescribeExpectation(sv.Expect)
		}
		fmt.Fprintf(stdout, "%s: %s (was: %s)\n", v.Name, runner.DescribeExpectation(&want), was)
		// The pin records what bootmatrix built; where that may not be what a deploy
		// does, whoever reads the pinned file should hear it now.
		for _, c := range v.Caveats {
			fmt.Fprintf(stderr, "bootmatrix: pin: %s: pinned, but not decided (a deploy may differ): %s\n", v.Name, c)
		}
	}
	if len(pins) > 0 {
		if err := writePins(path, pins); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "pinned %d variant(s) in %s; %d already held, %d not pinned\n", len(pins), path, kept, skipped)
	return nil
}

// observed is the expectation a variant's outcome makes, or why it makes none: an
// outcome that says nothing about the variant must not become its promise.
func observed(v *result.Variant) (scenario.Expectation, string) {
	if v.Error != "" {
		return scenario.Expectation{}, "it did not run: " + v.Error
	}
	if v.Boots {
		return scenario.Expectation{Boots: true}, ""
	}
	f := v.FirstFailure()
	if f == nil {
		return scenario.Expectation{}, "no stage failed, yet it did not boot"
	}
	switch f.Class {
	case diagnose.ClassInterrupted:
		return scenario.Expectation{}, "the run was interrupted during " + string(f.Name) + "; run it again"
	case "", diagnose.ClassUnclassified:
		return scenario.Expectation{}, fmt.Sprintf("%s failed unclassified; pin it by hand (expect: {fails: %s, output: ...})", f.Name, f.Name)
	}
	return scenario.Expectation{Stage: f.Name, Class: f.Class}, ""
}

func writePins(path string, pins map[string]scenario.Expectation) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usageErr(fmt.Errorf("pin: %w", err))
	}
	out, err := scenario.Pin(path, data, pins, scenario.WithClasses(diagnose.ClassIDs()))
	if err != nil {
		return usageErr(err)
	}
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	// Through a temporary file, so an interrupted write never leaves half a scenario.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".pin-*.yaml")
	if err != nil {
		return envErr(fmt.Errorf("pin %s: %w", path, err))
	}
	// After the rename there is nothing left to remove; before it, a failure is
	// already being reported.
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(out); err != nil {
		_ = tmp.Close() // the write already failed; that error is the one to report
		return envErr(fmt.Errorf("pin %s: %w", path, err))
	}
	if err := tmp.Close(); err != nil {
		return envErr(fmt.Errorf("pin %s: %w", path, err))
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return envErr(fmt.Errorf("pin %s: %w", path, err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return envErr(fmt.Errorf("pin %s: %w", path, err))
	}
	return nil
}

// runForPin runs the scenario as bootmatrix run does and reads back its result. A
// run whose expectations did not hold is what pin is for, so that exit is not an error.
func runForPin(ctx context.Context, stdout, stderr io.Writer, path string, f runFlags) (*result.Run, error) {
	dir, err := os.MkdirTemp("", "bootmatrix-pin-")
	if err != nil {
		return nil, envErr(err)
	}
	defer func() { _ = os.RemoveAll(dir) }() // a temporary directory; nothing to report
	f.outputs.json = filepath.Join(dir, "run.json")
	err = runScenario(ctx, stdout, stderr, path, f)
	var ee *exitError
	if mismatch := errors.As(err, &ee) && ee.code == exitMismatch; err != nil && !mismatch {
		return nil, err
	}
	res, err := readRun(f.outputs.json)
	if err != nil {
		return nil, envErr(err)
	}
	return res, nil
}
