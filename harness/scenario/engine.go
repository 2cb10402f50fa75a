package scenario

import (
	"fmt"
	"strings"
)

// CheckCPUs is the one limit check the loader cannot make, since it knows no
// engine: a CPU limit above the engine's count makes the daemon refuse every
// container ("Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs
// available"), which would surface as stage failures of the app. It reports each
// offending cpus field once, naming the variants that use it, in the loader's
// file:line:col form. engineCPUs 0 means the engine did not say: nothing is checked.
func (s *Scenario) CheckCPUs(variants []Variant, engineCPUs int) error {
	if engineCPUs <= 0 {
		return nil
	}
	type over struct {
		at    Pos
		cpus  int64
		names []string
	}
	var order []Pos
	byPos := map[Pos]*over{}
	for _, v := range variants {
		l := s.LimitsFor(v)
		if l.NanoCPUs <= int64(engineCPUs)*1e9 {
			continue
		}
		o := byPos[l.CPUsAt]
		if o == nil {
			o = &over{at: l.CPUsAt, cpus: l.NanoCPUs}
			byPos[l.CPUsAt] = o
			order = append(order, l.CPUsAt)
		}
		o.names = append(o.names, v.Name)
	}
	if len(order) == 0 {
		return nil
	}
	ps := make([]Problem, 0, len(order))
	for _, at := range order {
		o := byPos[at]
		ps = append(ps, Problem{
			Line: at.Line, Column: at.Column, Field: at.Field,
			Msg: fmt.Sprintf("%g CPUs is more than the engine's %d, and the engine refuses such a container (variants %s)",
				float64(o.cpus)/1e9, engineCPUs, strings.Join(o.names, ", ")),
			Hint: fmt.Sprintf("write cpus: %d or less", engineCPUs),
		})
	}
	return &ValidationError{File: s.File, Problems: sortProblems(ps)}
}
