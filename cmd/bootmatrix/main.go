// Command bootmatrix builds every candidate build configuration of a Python
// backend as a container image, takes each through build, install, import,
// ldd and boot, and reports which configuration boots and why the others do not.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// Exit codes, documented in README and in `bootmatrix --help`.
const (
	exitOK          = 0 // every expectation held
	exitMismatch    = 1 // the matrix ran, and at least one variant did not do what the scenario expects
	exitUsage       = 2 // bad flags, bad scenario, nothing selected
	exitEnvironment = 3 // Docker unreachable, kit image missing, interrupted
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error { return &exitError{code: exitUsage, err: err} }
func envErr(err error) error   { return &exitError{code: exitEnvironment, err: err} }

func main() {
	setUpTestcontainers()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// setUpTestcontainers makes the two process-wide choices testcontainers-go leaves to
// the program, before its first use (it reads its configuration once):
//   - its reaper, Ryuk, is off unless the user set TESTCONTAINERS_RYUK_DISABLED
//     themselves: its image would have to be pulled, which an offline engine cannot
//     do, and bootmatrix removes what it creates by label (`bootmatrix gc`). The
//     runner refuses to start with the reaper on rather than fail on the pull.
//   - its global logger is silent: it would print a connection banner on stderr;
//     the runner routes the messages about each container to its own log.
func setUpTestcontainers() {
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		_ = os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	tclog.SetDefault(tclog.NewNoopLogger())
}

func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && !errors.Is(ee.err, errSilent) {
			fmt.Fprintln(stderr, "bootmatrix:", ee.err)
		}
		return ee.code
	}
	// Anything cobra itself rejects (unknown flag, wrong arg count) is a usage error.
	fmt.Fprintln(stderr, "bootmatrix:", err)
	return exitUsage
}

// errSilent marks an exit whose reason was already printed.
var errSilent = errors.New("")

func newRootCmd(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "bootmatrix",
		Short: "Find which build configuration of a Python backend boots, and why the others do not",
		Long: `bootmatrix builds every variant of a scenario as a container image and takes it
through five stages: build, install, import, ldd and boot. It reports a matrix of
variant by stage with the cause of every failure.

Exit codes:
  0  every variant did what the scenario expects
  1  the matrix ran and at least one expectation did not hold
  2  bad flags, bad scenario file, or nothing selected
  3  environment: Docker unreachable, a kit image missing, interrupted`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	root.AddCommand(
		newRunCmd(),
		newListCmd(),
		newGCCmd(),
		newReportCmd(),
		newMergeCmd(),
		newDoctorCmd(),
		newInitCmd(),
		newMatrixCmd(),
		newPinCmd(),
		newKitCmd(),
		newVersionCmd(),
	)
	return root
}
