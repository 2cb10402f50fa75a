package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/report"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

func newReportCmd() *cobra.Command {
	var (
		o     outputFlags
		ascii bool
	)
	cmd := &cobra.Command{
		Use:   "report IN.json",
		Short: "Re-render a saved run as text, JSON, JUnit, Markdown or HTML",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(); err != nil {
				return usageErr(err)
			}
			res, err := readRun(args[0])
			if err != nil {
				return usageErr(err)
			}
			if err := writeOutputs(cmd.OutOrStdout(), res, o, ascii); err != nil {
				return envErr(err)
			}
			return nil
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVar(&ascii, "ascii", false, "draw the matrix with ASCII only")
	return cmd
}

func newMergeCmd() *cobra.Command {
	var (
		o     outputFlags
		ascii bool
	)
	cmd := &cobra.Command{
		Use:   "merge A.json B.json ...",
		Short: "Combine the JSON results of shards into one run",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.check(); err != nil {
				return usageErr(err)
			}
			runs := make([]*result.Run, 0, len(args))
			for _, a := range args {
				r, err := readRun(a)
				if err != nil {
					return usageErr(err)
				}
				runs = append(runs, r)
			}
			merged, err := report.Merge(runs...)
			if err != nil {
				return usageErr(err)
			}
			if err := writeOutputs(cmd.OutOrStdout(), merged, o, ascii); err != nil {
				return envErr(err)
			}
			if !allMet(merged) {
				return &exitError{code: exitMismatch, err: errSilent}
			}
			return nil
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVar(&ascii, "ascii", false, "draw the matrix with ASCII only")
	return cmd
}

func readRun(path string) (*result.Run, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: give the JSON file a run wrote with --json", err)
	}
	defer func() { _ = fh.Close() }() // read only
	r, err := report.ReadJSON(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}
