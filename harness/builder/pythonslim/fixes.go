package pythonslim

import (
	"fmt"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// FixKinds: none of its own; a switch to a Dockerfile on python:*-slim is the
// dockerfile builder's, which the platform builds from the repository.
func (Builder) FixKinds() []diagnose.FixKind { return nil }

// Materialize has nothing to write: the builder reads no config file.
func (Builder) Materialize(_ *scenario.Scenario, v scenario.Variant, _, _ string, _ *[]string) (scenario.Variant, bool, error) {
	return v, false, nil
}

// Describe is the scenario's start command and the variant's Python.
func (Builder) Describe(base *builder.FixBase) (string, string, error) {
	start, py := builder.DescribeVariant(base)
	return start, py, nil
}

// Drafts writes none.
func (Builder) Drafts(diagnose.FixKind, *builder.FixBase) []builder.Draft { return nil }

// Starters: the app root on python:<version>-slim.
func (Builder) Starters(p *project.Project) ([]builder.StarterVariant, []string) {
	return []builder.StarterVariant{{Name: string(Name), Python: p.Python, Root: p.AppRoot, Start: p.StartInAppRoot(),
		Why: []string{fmt.Sprintf("A Debian-based python:%s-slim image: libstdc++6 is in /usr/lib.", p.Python)}}}, nil
}
