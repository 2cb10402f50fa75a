package nixpacks

import (
	"fmt"
	"regexp"
	"strings"
)

// tomlText edits nixpacks.toml as text, one key at a time, so that the user's
// comments, order and layout survive and a fix's diff shows only the keys it
// changes. It understands [table] headers, dotted keys (phases.setup.nixPkgs
// at the top, setup.nixPkgs under [phases]) and values spanning several lines;
// every edit is checked afterwards by parsing the result (see editConfigIn).
type tomlText struct {
	lines []string
}

func newTOMLText(text string) *tomlText {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if text == "" {
		return &tomlText{}
	}
	return &tomlText{lines: strings.Split(strings.TrimSuffix(text, "\n"), "\n")}
}

func (t *tomlText) String() string {
	if len(t.lines) == 0 {
		return ""
	}
	return strings.Join(t.lines, "\n") + "\n"
}

var (
	tableHeaderRE = regexp.MustCompile(`^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$`)
	arrayHeaderRE = regexp.MustCompile(`^\s*\[\[`)
	keyLineRE     = regexp.MustCompile(`^(\s*)((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=`)
)

// normKey turns a written key path (`phases . "setup"`) into phases.setup.
func normKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// kv is one key/value found in the text.
type kv struct {
	start, end int // line indexes, inclusive
	indent     string
	key        string // as written
	comment    string // trailing comment of a one-line value, with its leading space
}

// section is a [table] in the text: its header line (-1 for the top level) and
// the line after its last line.
type section struct {
	name       string
	header     int
	begin, end int
}

func (t *tomlText) sections() []section {
	var out []section
	cur := section{header: -1, begin: 0}
	for i, l := range t.lines {
		if arrayHeaderRE.MatchString(l) {
			cur.end = i
			out = append(out, cur)
			cur = section{name: "\x00array", header: i, begin: i + 1}
			continue
		}
		if m := tableHeaderRE.FindStringSubmatch(l); m != nil {
			cur.end = i
			out = append(out, cur)
			cur = section{name: normKey(m[1]), header: i, begin: i + 1}
		}
	}
	cur.end = len(t.lines)
	return append(out, cur)
}

// valueEnd returns the last line of a value that starts on line i after col,
// and the trailing comment when the value ends on its first line.
func (t *tomlText) valueEnd(i, col int) (int, string) {
	depth := 0
	var quote string
	started := false
	for ln := i; ln < len(t.lines); ln++ {
		s := t.lines[ln]
		if ln == i {
			s = s[col:]
		}
		for j := 0; j < len(s); j++ {
			c := s[j]
			if quote != "" {
				switch {
				case quote == `"` && c == '\\':
					j++
				case strings.HasPrefix(s[j:], quote):
					j += len(quote) - 1
					quote = ""
				}
				continue
			}
			switch {
			case strings.HasPrefix(s[j:], `"""`) || strings.HasPrefix(s[j:], `'''`):
				quote = s[j : j+3]
				j += 2
				started = true
			case c == '"' || c == '\'':
				quote = string(c)
				started = true
			case c == '[' || c == '{':
				depth++
				started = true
			case c == ']' || c == '}':
				depth--
			case c == '#':
				if depth == 0 && quote == "" {
					if ln == i {
						return ln, " " + strings.TrimSpace(s[j:])
					}
					return ln, ""
				}
				j = len(s)
			case c != ' ' && c != '\t':
				started = true
			}
		}
		if started && depth <= 0 && quote == "" {
			return ln, ""
		}
	}
	return len(t.lines) - 1, ""
}

// find returns the key/value whose full path is table.key for one of the key's aliases.
func (t *tomlText) find(table string, aliases []string) (kv, bool) {
	for _, sec := range t.sections() {
		for i := sec.begin; i < sec.end; i++ {
			m := keyLineRE.FindStringSubmatchIndex(t.lines[i])
			if m == nil {
				continue
			}
			written := t.lines[i][m[4]:m[5]]
			full := normKey(written)
			if sec.name != "" {
				full = sec.name + "." + full
			}
			end, comment := t.valueEnd(i, m[1])
			for _, a := range aliases {
				if full == strings.TrimPrefix(table+"."+a, ".") {
					return kv{start: i, end: end, indent: t.lines[i][m[2]:m[3]], key: written, comment: comment}, true
				}
			}
			i = end
		}
	}
	return kv{}, false
}

// set writes table.key = value (value already in TOML syntax), replacing the
// existing entry written under any alias, or adding it at the end of the table,
// or adding the table at the end of the file.
func (t *tomlText) set(table string, aliases []string, value string) {
	if e, ok := t.find(table, aliases); ok {
		line := e.indent + e.key + " = " + value + e.comment
		t.replace(e.start, e.end, []string{line})
		return
	}
	key := aliases[0]
	for _, sec := range t.sections() {
		if sec.name != table || (sec.header < 0) != (table == "") {
			continue
		}
		// After the table's last key, before the blank lines and comments that lead into the next table.
		at := sec.header + 1
		for i := sec.begin; i < sec.end; i++ {
			s := strings.TrimSpace(t.lines[i])
			if s != "" && !strings.HasPrefix(s, "#") {
				at = i + 1
			}
		}
		add := []string{key + " = " + value}
		if table == "" && at < len(t.lines) && tableHeaderRE.MatchString(t.lines[at]) {
			add = append(add, "") // a top-level key right above a table reads as the table's
		}
		t.replace(at, at-1, add)
		return
	}
	var add []string
	if len(t.lines) > 0 && strings.TrimSpace(t.lines[len(t.lines)-1]) != "" {
		add = append(add, "")
	}
	add = append(add, "["+table+"]", key+" = "+value)
	t.lines = append(t.lines, add...)
}

// remove deletes table.key (any alias); it reports whether there was one.
func (t *tomlText) remove(table string, aliases []string) bool {
	e, ok := t.find(table, aliases)
	if !ok {
		return false
	}
	t.replace(e.start, e.end, nil)
	return true
}

// replace swaps lines[start..end] (inclusive; end = start-1 inserts) for repl.
func (t *tomlText) replace(start, end int, repl []string) {
	out := make([]string, 0, len(t.lines)+len(repl))
	out = append(out, t.lines[:start]...)
	out = append(out, repl...)
	out = append(out, t.lines[end+1:]...)
	t.lines = out
}

// tomlString is a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// tomlList is a one-line TOML array of strings.
func tomlList(v []string) string {
	q := make([]string, len(v))
	for i, s := range v {
		q[i] = tomlString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Key aliases Nixpacks accepts, the spelling written for a new key first.
var (
	keyNixPkgs   = []string{"nixPkgs", "nixPackages"}
	keyNixLibs   = []string{"nixLibs", "nixLibraries"}
	keyAptPkgs   = []string{"aptPkgs", "aptPackages"}
	keyCmds      = []string{"cmds", "commands"}
	keyStartCmd  = []string{"cmd"}
	keyRunImage  = []string{"runImage"}
	keyStartUser = []string{"user"}
	keyArchive   = []string{"nixpkgsArchive"}
)
