package runner

import (
	"fmt"
	"time"
)

// Marker lines the runner appends to a stage's Output for what only it observes. The
// classifier (harness/diagnose) matches the prefixes; the wording is its markers.go's,
// repeated here so that the runner does not depend on the classifier.
const (
	markerNoListener   = "bootmatrix: no listener"
	markerLoopbackOnly = "bootmatrix: listening on loopback only"
	markerWrongPort    = "bootmatrix: listening on another port"
	markerHealth       = "bootmatrix: health unexpected"
	markerExited       = "bootmatrix: app exited"
	markerTimeout      = "bootmatrix: stage timed out"
	markerOOMKilled    = "bootmatrix: oom-killed"
)

// ClassTimeout is the class of a stage the runner stopped at its deadline.
const ClassTimeout = "stage-timeout"

func fmtNoListener(port int, after time.Duration, reason string) string {
	return fmt.Sprintf("%s: port %d after %s: %s", markerNoListener, port, after.Round(100*time.Millisecond), reason)
}

func fmtLoopbackOnly(addr string, port int) string {
	return fmt.Sprintf("%s: %s (want 0.0.0.0:%d)", markerLoopbackOnly, addr, port)
}

func fmtWrongPort(addrs string, port int) string {
	return fmt.Sprintf("%s: %s (want %d)", markerWrongPort, addrs, port)
}

func fmtHealth(method, path string, status, want int, body string) string {
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return fmt.Sprintf("%s: %s %s: status %d (want %d), body %q", markerHealth, method, path, status, want, body)
}

func fmtExited(code int, after time.Duration) string {
	return fmt.Sprintf("%s: code %d after %s", markerExited, code, after.Round(100*time.Millisecond))
}

func fmtTimeout(after time.Duration) string {
	return fmt.Sprintf("%s: after %s", markerTimeout, after)
}

func fmtOOMKilled(limit int64) string {
	if limit <= 0 {
		return markerOOMKilled + ": the engine reported OOMKilled"
	}
	return fmt.Sprintf("%s: memory limit %dMiB", markerOOMKilled, limit>>20)
}
