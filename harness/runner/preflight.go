package runner

import "context"

// EngineCPUs is the engine's CPU count, 0 when it does not say: what a scenario's
// cpus limits are checked against (scenario.CheckCPUs) before anything runs.
func (r *Runner) EngineCPUs(ctx context.Context) int { return r.eng.CPUs(ctx) }
