package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/buildinfo"
	"github.com/bootmatrix/bootmatrix/harness/kit"
)

func newVersionCmd() *cobra.Command {
	var kitHash bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit it was built from and the kit recipe hash",
		Long: `version prints this build's module version (a release tag, a pseudo-version, or
(devel) for go run), the VCS commit it was built from, and the hash of the kit recipes
it carries: two binaries with the same kit hash build the same offline kit, so CI may
key a cache of the kit's cache directory by it (--kit-hash prints only that).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w := cmd.OutOrStdout()
			if kitHash {
				fmt.Fprintln(w, kit.RecipeHash())
				return nil
			}
			in := buildinfo.Read()
			commit := in.Commit
			if commit == "" {
				commit = "unknown (the binary carries no VCS information)"
			} else if in.Modified {
				commit += " (with uncommitted changes)"
			}
			dev := ""
			if buildinfo.Development(in.Version) {
				dev = " (development build: satisfies every scenario's requires)"
			}
			fmt.Fprintf(w, "bootmatrix %s%s\ncommit     %s\nkit        %s\ngo         %s\n", in.Version, dev, commit, kit.RecipeHash(), in.Go)
			return nil
		},
	}
	cmd.Flags().BoolVar(&kitHash, "kit-hash", false, "print only the kit recipe hash")
	return cmd
}
