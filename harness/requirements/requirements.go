// Package requirements reads and rewrites pip requirement files, and finds the
// ones an install command reads. The recipe renderer and the fix search both
// rewrite them; one implementation keeps the files they write identical.
package requirements

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

var (
	reqNameRE  = regexp.MustCompile(`^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)`)
	normNameRE = regexp.MustCompile(`[-_.]+`)
)

// NormalizeName is PEP 503's normalisation of a distribution name.
func NormalizeName(n string) string { return strings.ToLower(normNameRE.ReplaceAllString(n, "-")) }

// Name returns the normalised distribution name a requirement line is
// about, or "" for blank lines, comments and options (-r, -e, --hash …).
func Name(line string) string {
	s := strings.TrimSpace(line)
	if i := strings.Index(s, " #"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(s, "-") {
		return ""
	}
	m := reqNameRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return NormalizeName(m[1])
}

// ApplyPins rewrites requirements text: each pin replaces the first line naming
// the same distribution (later lines for it are dropped), or is appended.
func ApplyPins(text string, pins []string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if strings.TrimSpace(text) == "" {
		lines = nil
	}
	for _, pin := range pins {
		name := Name(pin)
		var out []string
		done := false
		for _, l := range lines {
			if Name(l) == name {
				if !done {
					out = append(out, pin)
					done = true
				}
				continue
			}
			out = append(out, l)
		}
		if !done {
			out = append(out, pin)
		}
		lines = out
	}
	return strings.Join(lines, "\n") + "\n"
}

// CheckPins rejects pins that name no distribution.
func CheckPins(pins []string) error {
	for _, p := range pins {
		if Name(p) == "" {
			return fmt.Errorf("pin %q is not a requirement line (write it as name==version, e.g. numpy==1.26.4)", p)
		}
	}
	return nil
}

var reqFlagRE = regexp.MustCompile(`(?:^|\s)(?:-r\s*|--requirement(?:\s+|=))(\S+)`)

// Files lists the requirement files, relative to the app directory
// (which is /app in the image), that the commands make pip read: each `-r X`
// resolved against the directory earlier `cd D` parts of the same command moved
// to. Commands run in /app, and every RUN starts there again.
func Files(cmds []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, cmd := range cmds {
		cwd := "."
		for _, part := range SplitShell(cmd) {
			f := strings.Fields(part)
			if len(f) == 0 {
				continue
			}
			if f[0] == "cd" {
				dir := "/app"
				if len(f) > 1 {
					dir = strings.Trim(f[1], `"'`)
				}
				cwd = relToApp(cwd, dir)
				continue
			}
			if !strings.Contains(part, "pip") {
				continue
			}
			for _, m := range reqFlagRE.FindAllStringSubmatch(part, -1) {
				p := relToApp(cwd, strings.Trim(m[1], `"'`))
				if p != "" && !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
	}
	return out
}

// relToApp resolves p against cwd (both relative to /app); "" when it leaves /app.
func relToApp(cwd, p string) string {
	if cwd == "" {
		return ""
	}
	var abs string
	if strings.HasPrefix(p, "/") {
		abs = path.Clean(p)
	} else {
		abs = path.Join("/app", cwd, p)
	}
	if abs == "/app" {
		return "."
	}
	if !strings.HasPrefix(abs, "/app/") {
		return ""
	}
	return strings.TrimPrefix(abs, "/app/")
}

// SplitShell splits a command at &&, || and ; outside quotes.
func SplitShell(cmd string) []string {
	var parts []string
	var cur strings.Builder
	var quote rune
	rs := []rune(cmd)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ';':
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		case (c == '&' || c == '|') && i+1 < len(rs) && rs[i+1] == c:
			parts = append(parts, cur.String())
			cur.Reset()
			i++
			continue
		}
		cur.WriteRune(c)
	}
	return append(parts, cur.String())
}

// Drop removes every line naming the distribution and reports whether any did.
func Drop(text, name string) (string, bool) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var out []string
	dropped := false
	for _, l := range lines {
		if Name(l) == name {
			dropped = true
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return "", dropped
	}
	return strings.Join(out, "\n") + "\n", dropped
}
