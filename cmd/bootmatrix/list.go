package main

import (
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func newListCmd() *cobra.Command {
	var sf selectFlags
	cmd := &cobra.Command{
		Use:   "list [SCENARIO]",
		Short: "Print the expanded variants without running anything",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, variants, err := loadAndSelect(scenarioArg(args), sf)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VARIANT\tBUILDER\tPYTHON\tEXPECT\tAXES")
			for _, v := range variants {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.Name, v.Builder, dash(v.Python), expectText(v.Expect), axesText(v.Axes))
			}
			return tw.Flush()
		},
	}
	sf.register(cmd)
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func expectText(e *scenario.Expectation) string {
	switch {
	case e == nil:
		return "-"
	case e.Boots:
		return "boots"
	case e.Class != "":
		return "fails at " + string(e.Stage) + " (" + e.Class + ")"
	default:
		return "fails at " + string(e.Stage)
	}
}

func axesText(axes map[string]string) string {
	keys := make([]string, 0, len(axes))
	for k := range axes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+axes[k])
	}
	return strings.Join(parts, " ")
}
