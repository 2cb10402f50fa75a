package runner

import (
	"bufio"
	"regexp"
	"strconv"
	"strings"
)

// baseImages lists the images a Dockerfile builds on: FROM and COPY --from references
// that are not earlier stages or scratch, with ARG values substituted the way the
// builder does (build args first, then the ARG's default). The cache key includes
// their IDs, so a rebuilt kit image invalidates every variant image made from it.
func baseImages(dockerfile string, args map[string]string) []string {
	global := map[string]string{}
	stages := map[string]bool{}
	var refs []string
	seen := map[string]bool{}
	add := func(ref string) {
		if ref == "" || strings.EqualFold(ref, "scratch") || stages[strings.ToLower(ref)] || seen[ref] {
			return
		}
		if _, err := strconv.Atoi(ref); err == nil { // COPY --from=0
			return
		}
		seen[ref] = true
		refs = append(refs, ref)
	}
	sawFrom := false
	for _, ins := range instructions(dockerfile) {
		fields := strings.Fields(ins)
		if len(fields) == 0 {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "ARG":
			if sawFrom {
				continue
			}
			for _, f := range fields[1:] {
				name, def, hasDef := strings.Cut(f, "=")
				if v, ok := args[name]; ok {
					global[name] = v
				} else if hasDef {
					global[name] = strings.Trim(def, `"'`)
				}
			}
		case "FROM":
			sawFrom = true
			rest := fields[1:]
			for len(rest) > 0 && strings.HasPrefix(rest[0], "--") {
				rest = rest[1:]
			}
			if len(rest) == 0 {
				continue
			}
			add(expand(rest[0], global))
			if len(rest) >= 3 && strings.EqualFold(rest[1], "AS") {
				stages[strings.ToLower(rest[2])] = true
			}
		case "COPY", "ADD":
			for _, f := range fields[1:] {
				if !strings.HasPrefix(f, "--") {
					break
				}
				if v, ok := strings.CutPrefix(f, "--from="); ok {
					add(expand(v, global))
				}
			}
		}
	}
	return refs
}

// instructions joins continuation lines and drops comments.
func instructions(dockerfile string) []string {
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(dockerfile))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if s, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(s)
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(line)
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

var argRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

func expand(s string, vars map[string]string) string {
	return argRef.ReplaceAllStringFunc(s, func(m string) string {
		g := argRef.FindStringSubmatch(m)
		if g[4] != "" {
			return vars[g[4]]
		}
		v, ok := vars[g[1]]
		switch g[2] {
		case "-":
			if !ok || v == "" {
				return g[3]
			}
		case "+":
			if ok && v != "" {
				return g[3]
			}
			return ""
		}
		return v
	})
}
