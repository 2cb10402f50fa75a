package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/kit"
	"github.com/bootmatrix/bootmatrix/harness/runner"
)

func newKitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kit",
		Short: "Publish the offline kit: its images to a registry, its wheelhouse as a package index",
	}
	cmd.AddCommand(newKitPushCmd(), newKitIndexCmd())
	return cmd
}

func newKitPushCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "push REGISTRY",
		Short: "Push the kit's stand-in images to REGISTRY under the names online runs pull",
		Long: `push tags each kit image with the real name the online substitution table uses, moved
onto REGISTRY (HOST[:PORT]) the way --registry-mirror moves it — python:3.11-slim as
REGISTRY/library/python:3.11-slim, the Nixpacks base as REGISTRY/railwayapp/nixpacks:… —
pushes it with the credentials Docker's configuration has for REGISTRY, and removes
the local tag again. A run with --online --registry-mirror REGISTRY then pulls them.
An image is reported pushed only once the registry took all of it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			targets, err := kit.Targets(args[0])
			if err != nil {
				return usageErr(err)
			}
			cli, err := runner.Connect(cmd.Context())
			if err != nil {
				return envErr(err)
			}
			defer func() { _ = cli.Close() }()
			done, err := kit.Push(cmd.Context(), cli, args[0], cmd.ErrOrStderr())
			if err != nil {
				return envErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "pushed %d of %d kit images to %s\n", len(done), len(targets), args[0])
			return nil
		},
	}
}

func newKitIndexCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "index DIR",
		Short: "Write the kit's wheelhouse into DIR as a PEP 503 simple index",
		Long: `index copies the wheels of the kit's wheelhouse image into DIR/files and writes
DIR/simple/ as a PEP 503 index of them, with relative links and sha256 fragments.
Serve DIR with any static file server and point PIP_INDEX_URL at its /simple/.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cli, err := runner.Connect(cmd.Context())
			if err != nil {
				return envErr(err)
			}
			defer func() { _ = cli.Close() }()
			wheels, err := kit.Wheels(cmd.Context(), cli, kit.WheelhouseImage)
			if err != nil {
				return envErr(err)
			}
			if err := kit.WriteIndex(args[0], wheels); err != nil {
				return envErr(fmt.Errorf("index %s: %w", args[0], err))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d wheels to %s/simple/\n", len(wheels), args[0])
			return nil
		},
	}
}
