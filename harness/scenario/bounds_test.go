package scenario

import (
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// TestBoundsFollowTheScenarioAfterLoad: a variant stores only the bounds it sets, so
// a change to the scenario's after Load (as tests make when they shorten a boot or
// tighten memory) reaches every variant that does not set its own. Copying the
// scenario's timeouts into each variant at load time made such a change silently
// ignored.
func TestBoundsFollowTheScenarioAfterLoad(t *testing.T) {
	t.Parallel()
	s := mustParse(t, head+`timeouts: {boot: 30s}
matrix:
  include:
    - {name: plain}
    - {name: own, timeouts: {boot: 45s, import: 20s}, settle: 4s, limits: {memory: 256m}}
`)
	s.Timeouts[result.StageBoot] = 7 * time.Second
	s.Timeouts[result.StageInstall] = 3 * time.Minute
	s.Settle = 9 * time.Second
	s.Limits = Limits{MemoryBytes: 128 << 20, NanoCPUs: 5e8}
	def := DefaultTimeouts()
	for _, tc := range []struct {
		variant string
		stage   result.StageName
		want    time.Duration
	}{
		{"plain", result.StageBoot, 7 * time.Second},
		{"plain", result.StageInstall, 3 * time.Minute},
		{"plain", result.StageImport, def[result.StageImport]},
		{"own", result.StageBoot, 45 * time.Second},
		{"own", result.StageImport, 20 * time.Second},
		{"own", result.StageInstall, 3 * time.Minute},
		{"own", result.StageLdd, def[result.StageLdd]},
	} {
		v := variantNamed(t, s, tc.variant)
		if got := s.TimeoutsFor(v).For(tc.stage); got != tc.want {
			t.Errorf("%s: %s timeout %s, want %s", tc.variant, tc.stage, got, tc.want)
		}
	}
	if got := s.SettleFor(variantNamed(t, s, "plain")); got != 9*time.Second {
		t.Errorf("plain: settle %s, want the scenario's 9s", got)
	}
	if got := s.SettleFor(variantNamed(t, s, "own")); got != 4*time.Second {
		t.Errorf("own: settle %s, want its own 4s", got)
	}
	if got := s.LimitsFor(variantNamed(t, s, "own")); got != (Limits{MemoryBytes: 256 << 20, NanoCPUs: 5e8}) {
		t.Errorf("own: limits %+v, want its memory and the scenario's CPUs", got)
	}
}

// TestBoundsDefaults: a scenario built in code, with nothing set, still has every
// bound, from the one set of defaults.
func TestBoundsDefaults(t *testing.T) {
	t.Parallel()
	s := &Scenario{}
	v := Variant{}
	for _, st := range result.StageNames {
		d := s.TimeoutsFor(v).For(st)
		if d <= 0 || d != DefaultTimeouts()[st] {
			t.Errorf("%s: timeout %s, want the default %s", st, d, DefaultTimeouts()[st])
		}
	}
	if got := s.SettleFor(v); got != DefaultSettle {
		t.Errorf("settle %s, want %s", got, DefaultSettle)
	}
	if got := s.PortOrDefault(); got != DefaultPort {
		t.Errorf("port %d, want %d", got, DefaultPort)
	}
	// DefaultTimeouts hands out a copy: changing it changes no one else's defaults.
	DefaultTimeouts()[result.StageBoot] = time.Nanosecond
	if got := (Timeouts{}).For(result.StageBoot); got == time.Nanosecond {
		t.Error("changing DefaultTimeouts' result changed the defaults")
	}
}

func variantNamed(tb testing.TB, s *Scenario, name string) Variant {
	tb.Helper()
	for _, v := range s.Variants {
		if v.Name == name {
			return v
		}
	}
	tb.Fatalf("no variant %q in %v", name, variantNames(s))
	return Variant{}
}

func TestDefaultTimeoutsYAML(t *testing.T) {
	t.Parallel()
	if got, want := defaultTimeoutsYAML(), "{build: 10m, install: 5m, import: 1m, ldd: 1m, boot: 1m30s}"; got != want {
		t.Errorf("defaultTimeoutsYAML() = %q, want %q", got, want)
	}
}
