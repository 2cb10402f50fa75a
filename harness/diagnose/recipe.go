package diagnose

import "github.com/bootmatrix/bootmatrix/harness/result"

// Diagnoser annotates a runner's finished variants; it satisfies the runner's
// Diagnoser interface. The runner passes the recipe's DiagnoseContext: what the
// builder knows of the image (its BuilderFacts) comes with it.
type Diagnoser struct{}

// Annotate classifies every failed stage of v; ctx says how it was built.
func (Diagnoser) Annotate(v *result.Variant, ctx Context) { Annotate(v, ctx) }
