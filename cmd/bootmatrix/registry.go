package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/runner"
)

// registryFlags say where a run's images come from beyond the substitution table.
type registryFlags struct {
	mirror        string
	images        string
	nixpkgsMirror string
}

func (r *registryFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.mirror, "registry-mirror", "", "pull every image from this registry `HOST[:PORT]` (python:3.11-slim → HOST/library/python:3.11-slim); default $BOOTMATRIX_REGISTRY_MIRROR")
	cmd.Flags().StringVar(&r.images, "images", "", "a YAML `FILE` mapping single image references to the ones to use instead")
	cmd.Flags().StringVar(&r.nixpkgsMirror, "nixpkgs-mirror", "", "fetch every nixpkgs archive a Nix build imports from `URL`/<rev>.tar.gz instead of GitHub (offline: instead of the kit's copies); default $BOOTMATRIX_NIXPKGS_MIRROR")
}

// apply puts the mirror, the scenario's images: map (online only: offline, the kit
// decides) and then the images file on subs. Credentials for either come from
// Docker's own configuration when the engine pulls, never from these flags.
func (r registryFlags) apply(subs recipe.Substitutions, scenarioImages map[string]string) (recipe.Substitutions, error) {
	mirror := r.mirror
	if mirror == "" {
		mirror = os.Getenv("BOOTMATRIX_REGISTRY_MIRROR")
	}
	if mirror != "" {
		var err error
		if subs, err = subs.WithMirror(mirror); err != nil {
			return subs, err
		}
	}
	nixMirror := r.nixpkgsMirror
	if nixMirror == "" {
		nixMirror = os.Getenv("BOOTMATRIX_NIXPKGS_MIRROR")
	}
	if nixMirror != "" {
		var err error
		if subs, err = subs.WithNixpkgsMirror(nixMirror); err != nil {
			return subs, err
		}
	}
	for _, k := range []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"} {
		if err := runner.CheckIndexURL(k, subs.PipEnv[k]); err != nil {
			return subs, err
		}
	}
	if subs.Mode == recipe.ModeOnline {
		subs = subs.WithOverrides(scenarioImages)
	}
	if r.images != "" {
		m, err := recipe.LoadImageMap(r.images)
		if err != nil {
			return subs, err
		}
		subs = subs.WithOverrides(m)
	}
	return subs, nil
}
