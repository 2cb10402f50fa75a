package kit

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// hostTool is a program build.sh runs on the host rather than in a container; a
// plan's "need" lines name it. Everything else the kit needs runs in containers.
type hostTool struct {
	need    string // the plan's need name
	program string
	apt     string // Debian/Ubuntu package
	root    bool   // the step must run as root
	why     string
}

var hostTools = []hostTool{
	{need: "debootstrap", program: "debootstrap", apt: "debootstrap", root: true, why: "to bootstrap the Debian roots"},
	{need: "debootstrap", program: "dpkg-query", apt: "dpkg", why: "to list a bootstrapped root's packages"},
}

// host is what EnsureHostTools asks of the machine; tests give it another.
type host struct {
	lookPath func(string) (string, error)
	euid     int
	run      func(ctx context.Context, out io.Writer, name string, args ...string) error
}

func realHost() host {
	return host{lookPath: exec.LookPath, euid: os.Geteuid(), run: func(ctx context.Context, out io.Writer, name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Stdout, cmd.Stderr = out, out
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		return cmd.Run()
	}}
}

// EnsureHostTools makes sure the host has the tools plan needs: a missing one is
// installed with apt-get when running as root on a system that has it; otherwise the
// error says exactly what to run. A tool that needs root without root is an error too.
func EnsureHostTools(ctx context.Context, p Plan, out io.Writer) error {
	return ensureHostTools(ctx, p, out, realHost())
}

func ensureHostTools(ctx context.Context, p Plan, out io.Writer, h host) error {
	for _, t := range hostTools {
		var forWhat []string
		for _, n := range p.Needs {
			if n.What == t.need {
				forWhat = append(forWhat, n.Detail)
			}
		}
		if len(forWhat) == 0 {
			continue
		}
		what := fmt.Sprintf("%s is needed %s (%s)", t.program, t.why, strings.Join(forWhat, ", "))
		_, err := h.lookPath(t.program)
		switch {
		case err == nil && (!t.root || h.euid == 0):
			continue
		case err == nil:
			return fmt.Errorf("%s and must run as root: run `sudo env \"PATH=$PATH\" bootmatrix kit build` (the Debian roots are built once and kept in the cache)", what)
		case h.euid != 0:
			return fmt.Errorf("%s and is not installed: run `sudo apt-get install -y %s` (Debian/Ubuntu), then `sudo env \"PATH=$PATH\" bootmatrix kit build`", what, t.apt)
		}
		if _, aerr := h.lookPath("apt-get"); aerr != nil {
			return fmt.Errorf("%s and is not installed, and there is no apt-get: install %s with the system's package manager, then run `bootmatrix kit build` again", what, t.program)
		}
		fmt.Fprintf(out, "kit: %s; installing it: apt-get install -y %s\n", what, t.apt)
		if err := h.run(ctx, out, "apt-get", "update", "-qq"); err != nil {
			return fmt.Errorf("apt-get update (to install %s): %w", t.apt, err)
		}
		if err := h.run(ctx, out, "apt-get", "install", "-y", "-qq", "--no-install-recommends", t.apt); err != nil {
			return fmt.Errorf("apt-get install %s: %w", t.apt, err)
		}
		if _, err := h.lookPath(t.program); err != nil {
			return fmt.Errorf("apt-get installed %s but %s is still not on PATH: %w", t.apt, t.program, err)
		}
	}
	return nil
}
