package diagnose

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// What the runner observed reaches the classifier as result.Facts. The findings
// quote it as evidence in the wording of the marker lines (markers.go), so a report
// reads the same whether or not the runner also printed them.

// listeners splits the sockets the runner found listening: reachable on the
// expected port, on it but loopback only, and on other ports, each as "host:port".
func (c *classifier) listeners() (onPort, loop, others []string) {
	for _, l := range c.observed.Listeners {
		switch {
		case l.Port == c.observed.Port && l.Loopback:
			loop = append(loop, listenerAddr(l))
		case l.Port == c.observed.Port:
			onPort = append(onPort, listenerAddr(l))
		default:
			others = append(others, listenerAddr(l))
		}
	}
	return onPort, loop, others
}

// unanswered: the last health request got no answer at all.
func (c *classifier) unanswered() bool {
	return c.observed.Health != nil && c.observed.Health.Error != ""
}

// hung: something listens where it should, yet the health check never got an answer.
func (c *classifier) hung() bool {
	// A master holding the socket while its workers die is no hang.
	on, _, _ := c.listeners()
	return len(on) > 0 && (c.observed.Health == nil || c.unanswered()) && c.observed.CrashLoop == nil
}

// noListener: the health check never got an answer, and the listener probe ran and
// found no socket listening anywhere. Listeners is nil when the probe did not run:
// after an answer that completed, or when the check had passed before (the config
// endpoint, the check after settling), which says nothing about listening.
func (c *classifier) noListener() bool {
	return c.unanswered() && c.observed.Listeners != nil && len(c.observed.Listeners) == 0
}

// listenerAddr is "host:port"; Addr may hold the host alone or the host and port.
func listenerAddr(l result.Listener) string {
	if _, _, err := net.SplitHostPort(l.Addr); err == nil {
		return l.Addr
	}
	return net.JoinHostPort(strings.Trim(l.Addr, "[]"), strconv.Itoa(l.Port))
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// The ...Line helpers quote an observation as one evidence line.
func (c *classifier) timeoutLine() string {
	if c.observed.TimeoutSeconds <= 0 {
		return MarkerTimeout + ": at its deadline"
	}
	return FormatTimeout(seconds(c.observed.TimeoutSeconds))
}

func (c *classifier) oomLine() string {
	limit := ""
	if c.observed.MemoryLimit > 0 {
		limit = fmt.Sprintf("%dMiB", c.observed.MemoryLimit>>20)
	}
	return FormatOOMKilled(limit)
}

func (c *classifier) exitedLine() string {
	return FormatExited(c.exit, seconds(c.observed.AfterSeconds))
}

func (c *classifier) imageLine() string {
	return FormatImageUnavailable("image " + c.observed.ImageUnavailable + " is not in the engine and may not be pulled")
}

func (c *classifier) healthLine() string {
	h := c.observed.Health
	if h == nil {
		return ""
	}
	method := h.Method
	if method == "" {
		method = "GET"
	}
	if h.Error != "" {
		return fmt.Sprintf("%s %s: %s", method, h.Path, h.Error)
	}
	line := FormatHealthUnexpected(method, h.Path, h.Status, h.WantStatus, h.Body)
	if h.WantBody != "" {
		line += fmt.Sprintf(" (want body %q)", h.WantBody)
	}
	return line
}

// listenerLines say where the app listens instead, or that nothing does.
func (c *classifier) listenerLines() []string {
	on, loop, others := c.listeners()
	switch {
	case len(on) > 0:
		return []string{fmt.Sprintf("listening on %s, but %s", strings.Join(on, ", "), c.healthLine())}
	case len(loop) > 0:
		return []string{FormatLoopbackOnly(strings.Join(loop, ", "), c.observed.Port)}
	case len(others) > 0:
		return []string{FormatWrongPort(strings.Join(others, ", "), c.observed.Port)}
	case c.unanswered():
		return []string{FormatNoListener(c.observed.Port, seconds(c.seconds), c.observed.Health.Error)}
	}
	return nil
}
