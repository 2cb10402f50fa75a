// Package probe holds the scripts the runner copies into a variant's container to
// look at it from the inside, and parses what they print. The scripts are Python
// (stdlib only, 3.8+) because every variant has a Python and not every variant has
// the usual tools: the Nix stand-in has no ldd, no ldconfig and no /etc/ld.so.cache.
package probe

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// LddScript lists unresolved NEEDED entries of installed extension modules.
//
//go:embed ldd.py
var LddScript []byte

// ListenScript lists listening TCP sockets from /proc/net.
//
//go:embed listen.py
var ListenScript []byte

// LddMarker prefixes the ldd script's JSON line; login shells may print other lines.
const LddMarker = "BOOTMATRIX-LDD-JSON:"

// LddReport is what ldd.py prints.
type LddReport struct {
	Python      string              `json:"python"`
	Interpreter string              `json:"interpreter"`
	Loaded      []string            `json:"loaded"`
	Dirs        []string            `json:"dirs"`
	Scanned     int                 `json:"scanned"`
	Missing     []result.MissingLib `json:"missing"`
	Errors      []string            `json:"errors"`
}

// ParseLdd finds the marker line in the script's output and decodes it.
func ParseLdd(out string) (*LddReport, error) {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, LddMarker) {
			continue
		}
		var r LddReport
		if err := json.Unmarshal([]byte(strings.TrimPrefix(l, LddMarker)), &r); err != nil {
			return nil, fmt.Errorf("ldd probe: bad report: %w", err)
		}
		return &r, nil
	}
	return nil, fmt.Errorf("ldd probe printed no report (no line starting with %s)", LddMarker)
}

// Summary is the report in the words an ldd user would expect, one line per finding.
func (r *LddReport) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "python %s, loader %s, %d shared object(s) under %s\n",
		r.Python, r.Interpreter, r.Scanned, strings.Join(r.Dirs, ", "))
	for _, m := range r.Missing {
		fmt.Fprintf(&b, "%s => not found (needed by %s)", m.Library, strings.Join(m.NeededBy, ", "))
		if len(m.FoundAt) > 0 {
			fmt.Fprintf(&b, "; a file of that name exists at %s", strings.Join(m.FoundAt, ", "))
		} else {
			b.WriteString("; no file of that name anywhere in the image")
		}
		b.WriteString("\n")
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "probe: %s\n", e)
	}
	return b.String()
}

// Listener is one listening socket.
type Listener struct {
	Host string
	Port int
}

// Loopback reports whether only local processes can connect.
func (l Listener) Loopback() bool {
	ip := net.ParseIP(strings.Trim(l.Host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func (l Listener) String() string {
	return net.JoinHostPort(strings.Trim(l.Host, "[]"), strconv.Itoa(l.Port))
}

// Fact is the listener as a stage's facts record it.
func (l Listener) Fact() result.Listener {
	return result.Listener{Addr: l.String(), Port: l.Port, Loopback: l.Loopback()}
}

// ParseListeners reads listen.py's output; lines that are not "host:port" are ignored
// (a login shell's profile may print).
func ParseListeners(out string) []Listener {
	var ls []Listener
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		i := strings.LastIndex(line, ":")
		if i <= 0 {
			continue
		}
		port, err := strconv.Atoi(line[i+1:])
		host := line[:i]
		if err != nil || net.ParseIP(strings.Trim(host, "[]")) == nil {
			continue
		}
		ls = append(ls, Listener{Host: host, Port: port})
	}
	return ls
}

// ProcsScript lists the processes of the container's PID namespace.
//
//go:embed procs.py
var ProcsScript []byte

// ProcsMarker prefixes the process probe's JSON line.
const ProcsMarker = "BOOTMATRIX-PROCS-JSON:"

// Process is one process as procs.py saw it.
type Process struct {
	PID  int `json:"pid"`
	PPID int `json:"ppid"`
	// Start is when it started, in clock ticks since the host booted: with PID it
	// names one process even if the PID is reused.
	Start int64 `json:"start"`
	// CPU is the seconds of CPU it and its reaped children used.
	CPU float64 `json:"cpu"`
	Cmd string  `json:"cmd"`
}

// Processes is one look at a container's processes.
type Processes struct {
	// Self is the probe and its parents up to the exec's root.
	Self  []int     `json:"self"`
	Procs []Process `json:"procs"`
}

// ParseProcesses finds the marker line in the script's output and decodes it.
func ParseProcesses(out string) (*Processes, error) {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(l, ProcsMarker) {
			continue
		}
		var p Processes
		if err := json.Unmarshal([]byte(strings.TrimPrefix(l, ProcsMarker)), &p); err != nil {
			return nil, fmt.Errorf("process probe: bad report: %w", err)
		}
		return &p, nil
	}
	return nil, fmt.Errorf("process probe printed no report (no line starting with %s)", ProcsMarker)
}

// App is the processes that are the app's: all but the container's init (PID 1),
// the command that keeps the container up (init's first child, started before any
// exec) and the probe itself. Whatever the app started, and whatever it left behind
// for init to adopt, is in.
func (p *Processes) App() []Process {
	skip := map[int]bool{1: true}
	for _, pid := range p.Self {
		skip[pid] = true
	}
	var keep *Process
	for i, q := range p.Procs {
		if q.PPID == 1 && (keep == nil || q.Start < keep.Start || q.Start == keep.Start && q.PID < keep.PID) {
			keep = &p.Procs[i]
		}
	}
	if keep != nil {
		skip[keep.PID] = true
	}
	var app []Process
	for _, q := range p.Procs {
		if !skip[q.PID] {
			app = append(app, q)
		}
	}
	return app
}
