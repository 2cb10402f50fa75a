package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// ghInclude is one job of a GitHub Actions strategy.matrix: either one variant or
// one shard of several.
type ghInclude struct {
	Variant  string `json:"variant,omitempty"`
	Shard    int    `json:"shard,omitempty"`
	Variants string `json:"variants,omitempty"`
}

func newMatrixCmd() *cobra.Command {
	var (
		sf     selectFlags
		github bool
		shards int
	)
	cmd := &cobra.Command{
		Use:   "matrix --github [SCENARIO]",
		Short: "Print the selected variants as a GitHub Actions strategy.matrix",
		Long: `matrix prints {"include":[{"variant":"a"},…]} for a workflow to fan the scenario out
over runners (strategy.matrix: ${{ fromJSON(needs.<job>.outputs.matrix) }}), or with
--shards N, N jobs {"include":[{"shard":1,"variants":"a,b"},…]} whose variants are given
to 'bootmatrix run --variant'. 'bootmatrix merge' combines the shards' JSON afterwards.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !github {
				return usageErr(fmt.Errorf("matrix: give --github (the only format so far)"))
			}
			if shards < 0 {
				return usageErr(fmt.Errorf("--shards %d: give a positive number of shards, or 0 for one job per variant", shards))
			}
			_, variants, err := loadAndSelect(scenarioArg(args), sf)
			if err != nil {
				return err
			}
			names := make([]string, len(variants))
			for i, v := range variants {
				names[i] = v.Name
			}
			out, err := json.Marshal(map[string][]ghInclude{"include": githubMatrix(names, shards)})
			if err != nil {
				return envErr(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(out))
			return nil
		},
	}
	sf.register(cmd)
	cmd.Flags().BoolVar(&github, "github", false, "GitHub Actions strategy.matrix JSON")
	cmd.Flags().IntVar(&shards, "shards", 0, "group the variants into `N` jobs (0: one job per variant)")
	return cmd
}

// githubMatrix splits names into at most n contiguous shards whose sizes differ
// by one at most; no shard is empty. Contiguous because neighbouring variants in a
// scenario tend to share build stages, which a runner's image cache builds once.
func githubMatrix(names []string, n int) []ghInclude {
	if n <= 0 {
		out := make([]ghInclude, len(names))
		for i, name := range names {
			out[i] = ghInclude{Variant: name}
		}
		return out
	}
	if n > len(names) {
		n = len(names)
	}
	groups := make([][]string, n)
	start := 0
	for i := range groups {
		size := len(names) / n
		if i < len(names)%n {
			size++
		}
		groups[i] = names[start : start+size]
		start += size
	}
	out := make([]ghInclude, n)
	for i, g := range groups {
		out[i] = ghInclude{Shard: i + 1, Variants: strings.Join(g, ",")}
	}
	return out
}
