// Package dockerfile reads Dockerfiles the way Docker's builder does, as far as
// the harness needs: instructions with their line spans (continuations and
// comment lines inside them as Docker treats them, the escape directive), the
// global ARGs with build arguments applied, ${...} expansion, and the images a
// file builds on. The dockerfile builder rewrites FROM lines with it and the
// runner keys its image cache on the base images it finds; one reading keeps
// the two from disagreeing about a file.
package dockerfile

import (
	"regexp"
	"strconv"
	"strings"
)

// File is a parsed Dockerfile.
type File struct {
	// Lines are the file's lines, CRLF read as LF, without their newline.
	Lines []string
	// Escape is the escape character: '\' unless a directive says '`'.
	Escape byte
	// Instructions in file order.
	Instructions []Instruction
}

// Instruction is one instruction with its continuation lines joined.
type Instruction struct {
	// Cmd is the keyword in upper case ("FROM").
	Cmd string
	// Args is the rest of the instruction split on white space.
	Args []string
	// Start and End are the indices in File.Lines of its first and last line.
	Start, End int
}

var directiveRE = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$`)

// Parse reads a Dockerfile. It does not fail: text that is not a Dockerfile
// gives instructions Docker would refuse, which their users check.
func Parse(text string) *File {
	f := &File{Lines: strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), Escape: '\\'}
	i := 0
	for ; i < len(f.Lines); i++ { // parser directives: only at the very top
		m := directiveRE.FindStringSubmatch(strings.TrimSpace(f.Lines[i]))
		if m == nil {
			break
		}
		if strings.EqualFold(m[1], "escape") && (m[2] == "`" || m[2] == `\`) {
			f.Escape = m[2][0]
		}
	}
	var cur strings.Builder
	start := -1
	for ; i < len(f.Lines); i++ {
		trim := strings.TrimSpace(f.Lines[i])
		if trim == "" || strings.HasPrefix(trim, "#") {
			continue // Docker drops these even between continuation lines
		}
		if start < 0 {
			start = i
		}
		if body, ok := strings.CutSuffix(trim, string(f.Escape)); ok {
			cur.WriteString(body)
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(trim)
		f.add(cur.String(), start, i)
		cur.Reset()
		start = -1
	}
	if start >= 0 {
		f.add(cur.String(), start, len(f.Lines)-1)
	}
	return f
}

func (f *File) add(text string, start, end int) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return
	}
	f.Instructions = append(f.Instructions, Instruction{Cmd: strings.ToUpper(fields[0]), Args: fields[1:], Start: start, End: end})
}

// Globals are the ARGs declared before the first FROM, the only ones a FROM
// line can use, with build arguments applied as Docker applies them: a build
// argument replaces the declared default even when it is empty, an ARG with
// neither stays unset (absent from the map), and a build argument no global
// ARG declares is not seen.
func (f *File) Globals(buildArgs map[string]string) map[string]string {
	vars := map[string]string{}
	for _, in := range f.Instructions {
		if in.Cmd == "FROM" {
			break
		}
		if in.Cmd != "ARG" {
			continue
		}
		for _, w := range words(strings.Join(in.Args, " ")) {
			name, def, hasDef := strings.Cut(w, "=")
			if v, ok := buildArgs[name]; ok {
				vars[name] = v
			} else if hasDef {
				vars[name] = Expand(def, vars)
			}
		}
	}
	return vars
}

// words splits an ARG line into name[=value] words, with quotes removed.
func words(s string) []string {
	var out []string
	var b strings.Builder
	in, quote := false, byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote, in = c, true
		case quote == 0 && (c == ' ' || c == '\t'):
			if in {
				out = append(out, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, b.String())
	}
	return out
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// Expand substitutes $V, ${V}, ${V:-word}, ${V-word}, ${V:+word} and
// ${V+word} from vars as Docker's builder does: with the colon an empty value
// counts as unset, without it only a missing one does; an unset variable is
// empty.
func Expand(s string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		g := varRef.FindStringSubmatch(m)
		if g[4] != "" {
			return vars[g[4]]
		}
		v, ok := vars[g[1]]
		set := ok && (v != "" || !strings.HasPrefix(g[2], ":"))
		switch strings.TrimPrefix(g[2], ":") {
		case "-":
			if !set {
				return g[3]
			}
		case "+":
			if set {
				return g[3]
			}
			return ""
		}
		return v
	})
}

// From is one FROM instruction read.
type From struct {
	Instruction
	// Flags are the --platform=… and other flags, as written.
	Flags []string
	// Image is the reference as written; Expanded has the global ARGs substituted.
	Image, Expanded string
	// Stage is the "AS name", "" when none.
	Stage string
}

// ParseFrom reads a FROM instruction's arguments; ok is false when they are
// not "[flags] image [AS name]".
func ParseFrom(in Instruction, globals map[string]string) (From, bool) {
	fr := From{Instruction: in}
	rest := in.Args
	for len(rest) > 0 && strings.HasPrefix(rest[0], "--") {
		fr.Flags = append(fr.Flags, rest[0])
		rest = rest[1:]
	}
	switch {
	case len(rest) == 1:
	case len(rest) == 3 && strings.EqualFold(rest[1], "AS"):
		fr.Stage = rest[2]
	default:
		return fr, false
	}
	fr.Image = rest[0]
	fr.Expanded = Expand(fr.Image, globals)
	return fr, true
}

// BaseImages lists the images the file builds on: FROM and COPY/ADD --from
// references that are not earlier stages, stage numbers or scratch, with the
// global ARGs expanded, each once, in file order.
func (f *File) BaseImages(buildArgs map[string]string) []string {
	globals := f.Globals(buildArgs)
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
	for _, in := range f.Instructions {
		switch in.Cmd {
		case "FROM":
			args := in.Args
			for len(args) > 0 && strings.HasPrefix(args[0], "--") {
				args = args[1:]
			}
			if len(args) == 0 {
				continue
			}
			add(Expand(args[0], globals))
			if len(args) >= 3 && strings.EqualFold(args[1], "AS") {
				stages[strings.ToLower(args[2])] = true
			}
		case "COPY", "ADD":
			for _, a := range in.Args {
				if !strings.HasPrefix(a, "--") {
					break
				}
				if v, ok := strings.CutPrefix(a, "--from="); ok {
					add(Expand(v, globals))
				}
			}
		}
	}
	return refs
}
