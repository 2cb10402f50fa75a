package diagnose

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Markers are lines the runner may append to a stage's Output for what only the runner
// observes, so that a person reading the output sees it. They are for people only: the
// runner records the same observations as the stage's result.Facts, and Classify
// decides from those, never from these lines. Each marker line starts with its
// constant followed by ": " and free text; the Format helpers below write them, and the
// classifier quotes Facts as evidence in the same wording, so it stays in one place.
const (
	// MarkerNoListener: the boot stage's health check found nothing listening on the
	// expected port (connection refused or reset) while the app was still running.
	//   bootmatrix: no listener: port 8080 after 30s: connection refused
	MarkerNoListener = "bootmatrix: no listener"
	// MarkerLoopbackOnly: the app listens on the right port but on 127.0.0.1/::1 only
	// (seen from /proc/net/tcp inside the container), so nothing outside can connect.
	//   bootmatrix: listening on loopback only: 127.0.0.1:8080 (want 0.0.0.0:8080)
	MarkerLoopbackOnly = "bootmatrix: listening on loopback only"
	// MarkerWrongPort: the app listens, but not on the expected port.
	//   bootmatrix: listening on another port: 0.0.0.0:8000 (want 8080)
	MarkerWrongPort = "bootmatrix: listening on another port"
	// MarkerHealthUnexpected: the health endpoint answered with an unexpected status or body.
	//   bootmatrix: health unexpected: GET /health: status 404 (want 200), body "Not Found"
	MarkerHealthUnexpected = "bootmatrix: health unexpected"
	// MarkerExited: the started app's process (container) exited on its own.
	//   bootmatrix: app exited: code 1 after 2.4s
	MarkerExited = "bootmatrix: app exited"
	// MarkerTimeout: the runner stopped the stage at its deadline (Facts.TimedOut).
	//   bootmatrix: stage timed out: after 10m0s
	MarkerTimeout = "bootmatrix: stage timed out"
	// MarkerOOMKilled: the engine reported OOMKilled for the container (Facts.OOMKilled).
	//   bootmatrix: oom-killed: memory limit 512MiB
	MarkerOOMKilled = "bootmatrix: oom-killed"
	// MarkerImageUnavailable: a base image is not in the engine and may not be pulled
	// (offline, or a kit/cache name only a local build produces).
	//   bootmatrix: image unavailable: image python:3.9-slim is not present …
	MarkerImageUnavailable = "bootmatrix: image unavailable"
	// MarkerInterrupted: the run was stopped by a signal during the stage.
	//   bootmatrix: interrupted: the run was stopped during this stage …
	MarkerInterrupted = "bootmatrix: interrupted"
	// MarkerCrashLoop: the app's processes kept restarting a command that ended
	// (Facts.CrashLoop), while the health check had no answer.
	//   bootmatrix: crash loop: "python app.py" ended 3 times (pids 14, 19, 23) in 4.1s
	MarkerCrashLoop = "bootmatrix: crash loop"
	// MarkerGlibc: the glibc the variant's python runs on (Facts.Glibc), probed after an
	// import failed on a GLIBC_ symbol version.
	//   bootmatrix: the image's glibc: 2.36
	MarkerGlibc = "bootmatrix: the image's glibc"
	// MarkerVenv: a venv in the image that has the module the import lacked (Facts.Venv).
	//   bootmatrix: the venv that has the module: /opt/venv
	MarkerVenv = "bootmatrix: the venv that has the module"
)

// FormatVenv writes a MarkerVenv line.
func FormatVenv(dir string) string {
	return MarkerVenv + ": " + dir
}

// FormatGlibc writes a MarkerGlibc line.
func FormatGlibc(version string) string {
	return MarkerGlibc + ": " + version
}

// FormatCrashLoop writes a MarkerCrashLoop line.
func FormatCrashLoop(command string, pids []int, after time.Duration) string {
	ps := make([]string, len(pids))
	for i, p := range pids {
		ps[i] = strconv.Itoa(p)
	}
	return fmt.Sprintf("%s: %q ended %d times (pids %s) in %s", MarkerCrashLoop, command, len(pids), strings.Join(ps, ", "), after.Round(100*time.Millisecond))
}

// FormatNoListener writes a MarkerNoListener line.
func FormatNoListener(port int, after time.Duration, reason string) string {
	return fmt.Sprintf("%s: port %d after %s: %s", MarkerNoListener, port, after.Round(100*time.Millisecond), reason)
}

// FormatLoopbackOnly writes a MarkerLoopbackOnly line; addr is what the app bound ("127.0.0.1:8080").
func FormatLoopbackOnly(addr string, port int) string {
	return fmt.Sprintf("%s: %s (want 0.0.0.0:%d)", MarkerLoopbackOnly, addr, port)
}

// FormatWrongPort writes a MarkerWrongPort line; addrs are the listening addresses found.
func FormatWrongPort(addrs string, port int) string {
	return fmt.Sprintf("%s: %s (want %d)", MarkerWrongPort, addrs, port)
}

// FormatHealthUnexpected writes a MarkerHealthUnexpected line. The body is quoted and cut
// to 200 bytes so that a page of HTML cannot flood the evidence.
func FormatHealthUnexpected(method, path string, status, wantStatus int, body string) string {
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return fmt.Sprintf("%s: %s %s: status %d (want %d), body %q", MarkerHealthUnexpected, method, path, status, wantStatus, body)
}

// FormatExited writes a MarkerExited line.
func FormatExited(code int, after time.Duration) string {
	return fmt.Sprintf("%s: code %d after %s", MarkerExited, code, after.Round(100*time.Millisecond))
}

// FormatTimeout writes a MarkerTimeout line.
func FormatTimeout(after time.Duration) string {
	return fmt.Sprintf("%s: after %s", MarkerTimeout, after)
}

// FormatOOMKilled writes a MarkerOOMKilled line; limit may be empty.
func FormatOOMKilled(limit string) string {
	if limit == "" {
		return MarkerOOMKilled + ": the engine reported OOMKilled"
	}
	return fmt.Sprintf("%s: memory limit %s", MarkerOOMKilled, limit)
}

// FormatImageUnavailable writes a MarkerImageUnavailable line; reason says which image
// and what to do.
func FormatImageUnavailable(reason string) string {
	return MarkerImageUnavailable + ": " + reason
}

// FormatInterrupted writes a MarkerInterrupted line.
func FormatInterrupted() string {
	return MarkerInterrupted + ": the run was stopped during this stage, so its outcome says nothing about the variant"
}
