package scenario

import (
	"strings"
	"testing"
)

// The engine refuses a memory limit below 6 MiB for every container; the loader
// says so at the field, with the other problems, instead of letting every stage fail.
func TestMemoryBelowEngineMinimum(t *testing.T) {
	t.Parallel()
	src := head + "limits: {memory: 4m}\nmatrix:\n  include:\n" +
		"    - {name: a, limits: {memory: 6291455}}\n" +
		"    - {name: b, limits: {memory: 5.9m}}\n" +
		"    - {name: ok, limits: {memory: 6m}}\n"
	_, err := parseString(t, src)
	checkProblems(t, err, []want{
		{4, 18, "limits.memory", "4m is below the Docker engine's minimum memory limit of 6 MiB"},
		{7, 34, "matrix.include[0].limits.memory", "6291455 bytes is below"},
		{8, 34, "matrix.include[1].limits.memory", "5.9m is below the Docker engine's minimum memory limit of 6 MiB, which refuses to start the container — write 6m or more"},
	})
	if s := mustParse(t, head+"limits: {memory: 6m}\nmatrix:\n  include:\n    - {name: a}\n"); s.Limits.MemoryBytes != MinMemoryBytes {
		t.Errorf("6m: %d bytes", s.Limits.MemoryBytes)
	}
}

func TestCheckCPUs(t *testing.T) {
	t.Parallel()
	src := head + "limits: {cpus: 4}\nmatrix:\n  include:\n" +
		"    - {name: inherits}\n" +
		"    - {name: also-inherits}\n" +
		"    - {name: own, limits: {cpus: 64}}\n" +
		"    - {name: small, limits: {cpus: 0.5}}\n"
	s := mustParse(t, src)
	cases := []struct {
		name  string
		cpus  int
		wants []want
	}{
		{"engine with 2", 2, []want{
			{4, 16, "limits.cpus", "4 CPUs is more than the engine's 2, and the engine refuses such a container (variants inherits, also-inherits) — write cpus: 2 or less"},
			{9, 34, "matrix.include[2].limits.cpus", "64 CPUs is more than the engine's 2, and the engine refuses such a container (variants own)"},
		}},
		{"engine with 8", 8, []want{{9, 34, "matrix.include[2].limits.cpus", "64 CPUs is more than the engine's 8"}}},
		{"engine with 64", 64, nil},
		{"engine that does not say", 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := s.CheckCPUs(s.Variants, c.cpus)
			if c.wants == nil {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			checkProblems(t, err, c.wants)
			if !strings.HasPrefix(err.Error(), "inline.yaml:") {
				t.Errorf("error %q does not start with the file", err)
			}
		})
	}
}
