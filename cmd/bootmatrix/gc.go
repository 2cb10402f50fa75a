package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/runner"
)

func newGCCmd() *cobra.Command {
	var (
		olderThan time.Duration
		runID     string
		cache     bool
		force     bool
	)
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove what crashed or --keep runs left behind (containers, networks, volumes)",
		Long: `gc removes every container, network, volume and per-run image labelled by bootmatrix
whose run started more than --older-than ago (default: all), or only those of --run.
With --cache it also removes the content-addressed image cache.

A run that is still going holds a lease (a locked file under the user's cache
directory, or BOOTMATRIX_STATE_DIR): gc leaves its objects alone and says so.
--force removes them too, and names everything it removes.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			o := runner.GCOptions{OlderThan: olderThan, RunID: runID, Cache: cache, Force: force,
				OnLive: func(l runner.Lease) {
					fmt.Fprintf(out, "kept: %s is live; --force removes its objects too\n", l)
				}}
			if force {
				o.OnRemove = func(r runner.Removed) { fmt.Fprintln(out, "removed", describeRemoved(r)) }
			}
			n, err := runner.GC(cmd.Context(), o)
			if err != nil {
				return envErr(err)
			}
			fmt.Fprintf(out, "removed %d object(s)\n", n)
			return nil
		},
	}
	cmd.Flags().DurationVar(&olderThan, "older-than", 0, "only what is older than this (e.g. 2h)")
	cmd.Flags().StringVar(&runID, "run", "", "only this run's objects")
	cmd.Flags().BoolVar(&cache, "cache", false, "also remove cached variant images")
	cmd.Flags().BoolVar(&force, "force", false, "also remove the objects of runs that are still going, listing each")
	return cmd
}

func describeRemoved(r runner.Removed) string {
	id := r.ID
	if i := strings.IndexByte(id, ':'); i >= 0 {
		id = id[i+1:]
	}
	if len(id) > 12 {
		id = id[:12]
	}
	s := r.Kind + " " + id
	var of []string
	if r.Run != "" {
		of = append(of, "run "+r.Run)
	}
	if r.Variant != "" {
		of = append(of, "variant "+r.Variant)
	}
	if len(r.Tags) > 0 && r.Tags[0] != "<none>:<none>" {
		of = append(of, strings.Join(r.Tags, ", "))
	}
	if len(of) > 0 {
		s += " (" + strings.Join(of, ", ") + ")"
	}
	return s
}
