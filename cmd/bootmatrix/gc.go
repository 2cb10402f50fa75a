package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/runner"
)

func newGCCmd() *cobra.Command {
	var (
		olderThan time.Duration
		runID     string
		cache     bool
	)
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove what crashed or --keep runs left behind (containers, networks, volumes)",
		Long: `gc removes every container, network, volume and per-run image labelled by bootmatrix
whose run started more than --older-than ago (default: all), or only those of --run.
With --cache it also removes the content-addressed image cache.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := runner.GC(cmd.Context(), runner.GCOptions{OlderThan: olderThan, RunID: runID, Cache: cache})
			if err != nil {
				return envErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "removed %d object(s)\n", n)
			return nil
		},
	}
	cmd.Flags().DurationVar(&olderThan, "older-than", 0, "only what is older than this (e.g. 2h)")
	cmd.Flags().StringVar(&runID, "run", "", "only this run's objects")
	cmd.Flags().BoolVar(&cache, "cache", false, "also remove cached variant images")
	return cmd
}
