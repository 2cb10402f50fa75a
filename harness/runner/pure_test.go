package runner

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

func TestConnectUnreachable(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/bootmatrix-test.sock")
	_, err := New(context.Background())
	if err == nil {
		t.Fatal("New succeeded against a missing socket")
	}
	msg := err.Error()
	for _, want := range []string{"DOCKER_HOST unix:///nonexistent/bootmatrix-test.sock", "sudo systemctl start docker", "dockerd"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
}

func TestBodyMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		want, got string
		ok        bool
	}{
		{`{"ok":true}`, `{ "ok" : true }` + "\n", true},
		{`{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, true},
		{`{"ok":true}`, `{"ok":false}`, false},
		{"hello", "  hello\n", true},
		{"hello", "hello world", false},
		{`{"ok":true}`, `not json`, false},
	}
	for _, tc := range tests {
		if got := bodyMatches(tc.want, tc.got); got != tc.ok {
			t.Errorf("bodyMatches(%q, %q) = %v", tc.want, tc.got, got)
		}
	}
}

func TestChecksForTimeouts(t *testing.T) {
	t.Parallel()
	sc := &scenario.Scenario{Port: 8000, Imports: []string{"numpy"},
		Timeouts: scenario.Timeouts{result.StageBuild: time.Minute, result.StageBoot: 30 * time.Second}}
	v := scenario.Variant{Timeouts: scenario.Timeouts{result.StageBoot: 5 * time.Second}, Expect: &scenario.Expectation{Boots: true}}
	c := ChecksFor(sc, v)
	def := scenario.DefaultTimeouts()
	for stage, want := range map[result.StageName]time.Duration{
		"build": time.Minute, "install": def[result.StageInstall], "import": def[result.StageImport], "ldd": def[result.StageLdd], "boot": 5 * time.Second,
	} {
		if got := c.timeout(stage); got != want {
			t.Errorf("%s timeout %s, want %s", stage, got, want)
		}
	}
	if c.Port != 8000 || c.Expect == nil || len(c.Imports) != 1 {
		t.Errorf("checks %+v", c)
	}
}

func TestChecksForLimitsAndSettle(t *testing.T) {
	t.Parallel()
	sc := &scenario.Scenario{Limits: scenario.Limits{MemoryBytes: 256 << 20, NanoCPUs: 5e8}, Settle: 3 * time.Second}
	for _, tc := range []struct {
		name   string
		v      scenario.Variant
		limits scenario.Limits
		settle time.Duration
	}{
		{"a variant that sets nothing takes the scenario's", scenario.Variant{}, sc.Limits, 3 * time.Second},
		{"a variant's memory, the scenario's CPUs", scenario.Variant{Limits: scenario.Limits{MemoryBytes: 1 << 30}, Settle: 5 * time.Second},
			scenario.Limits{MemoryBytes: 1 << 30, NanoCPUs: 5e8}, 5 * time.Second},
	} {
		c := ChecksFor(sc, tc.v)
		if c.Limits != tc.limits || c.Settle != tc.settle {
			t.Errorf("%s: limits %+v settle %s, want %+v %s", tc.name, c.Limits, c.Settle, tc.limits, tc.settle)
		}
	}
}

// TestChecksSettle: boot waits the scenario's default settle period when the checks
// were built by hand without one; there is no second default in the runner.
func TestChecksSettle(t *testing.T) {
	t.Parallel()
	if got := (Checks{}).settle(); got != scenario.DefaultSettle {
		t.Errorf("settle of empty checks %s, want scenario.DefaultSettle %s", got, scenario.DefaultSettle)
	}
	if got := (Checks{Settle: 5 * time.Second}).settle(); got != 5*time.Second {
		t.Errorf("settle %s, want the checks' own 5s", got)
	}
	if got := ChecksFor(&scenario.Scenario{}, scenario.Variant{}).Settle; got != scenario.DefaultSettle {
		t.Errorf("ChecksFor settle %s, want scenario.DefaultSettle", got)
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/app": "/app", "a b": "'a b'", "it's": `'it'\''s'`, "": "''", "$PORT": "'$PORT'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCacheKey(t *testing.T) {
	t.Parallel()
	files := []ctxFile{{path: "a", mode: 0o644, data: []byte("x")}}
	base, _ := cacheKey("FROM x", map[string]string{"A": "1"}, files, []string{"x@sha256:1"})
	for name, change := range map[string]func() (string, error){
		"dockerfile": func() (string, error) {
			return cacheKey("FROM y", map[string]string{"A": "1"}, files, []string{"x@sha256:1"})
		},
		"arg": func() (string, error) {
			return cacheKey("FROM x", map[string]string{"A": "2"}, files, []string{"x@sha256:1"})
		},
		"base id": func() (string, error) {
			return cacheKey("FROM x", map[string]string{"A": "1"}, files, []string{"x@sha256:2"})
		},
		"mode": func() (string, error) {
			return cacheKey("FROM x", map[string]string{"A": "1"}, []ctxFile{{path: "a", mode: 0o755, data: []byte("x")}}, []string{"x@sha256:1"})
		},
		"content": func() (string, error) {
			return cacheKey("FROM x", map[string]string{"A": "1"}, []ctxFile{{path: "a", mode: 0o644, data: []byte("y")}}, []string{"x@sha256:1"})
		},
	} {
		k, err := change()
		if err != nil || k == base {
			t.Errorf("changing the %s kept the key (err %v)", name, err)
		}
	}
	again, _ := cacheKey("FROM x", map[string]string{"A": "1"}, files, []string{"x@sha256:1"})
	if again != base {
		t.Error("the key is not deterministic")
	}
}
