package scenario

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxVisits bounds the work spent walking one document: aliases may refer to
// the same subtree many times, and a crafted file must not make loading slow.
const maxVisits = 200000

// parser walks yaml nodes by hand so that every problem keeps its position and
// unknown fields are reported instead of silently dropped.
type parser struct {
	problems []Problem
	visits   int
	tooBig   bool
}

type pair struct {
	key, val *yaml.Node
}

func (p *parser) add(n *yaml.Node, field, msg, hint string) {
	pr := Problem{Field: field, Msg: msg, Hint: hint}
	if n != nil {
		pr.Line, pr.Column = n.Line, n.Column
	}
	p.problems = append(p.problems, pr)
}

// deref follows aliases and counts the work done.
func (p *parser) deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	p.visits++
	if p.visits > maxVisits && !p.tooBig {
		p.tooBig = true
		p.add(n, "", "document is too large or uses too many aliases", "write the scenario out plainly")
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

func kindName(n *yaml.Node) string {
	if n == nil {
		return "nothing"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return "the number " + n.Value
		case "!!bool":
			return "the boolean " + n.Value
		case "!!null":
			return "an empty value"
		case "!!str":
			return strconv.Quote(n.Value)
		}
		return n.Value
	}
	return "an unexpected node"
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

// mapping returns a mapping's key/value pairs, expanding YAML merge keys (<<)
// and reporting duplicate keys. It reports a problem and returns false when n
// is not a mapping.
func (p *parser) mapping(n *yaml.Node, field, want string) ([]pair, bool) {
	n = p.deref(n)
	if n == nil || p.tooBig {
		return nil, false
	}
	if n.Kind != yaml.MappingNode {
		p.add(n, field, "expected a mapping, found "+kindName(n), want)
		return nil, false
	}
	var out, merged []pair
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, p.mergeSources(v, field)...)
			continue
		}
		kd := p.deref(k)
		if kd == nil {
			continue
		}
		if kd.Kind != yaml.ScalarNode {
			p.add(k, field, "a key must be a plain name, found "+kindName(kd), "use a field name as the key")
			continue
		}
		if first, dup := seen[kd.Value]; dup {
			p.add(k, join(field, kd.Value), fmt.Sprintf("given twice (first at line %d)", first.Line), "keep one of them")
			continue
		}
		seen[kd.Value] = k
		out = append(out, pair{k, v})
	}
	for _, m := range merged {
		if _, ok := seen[m.key.Value]; ok {
			continue
		}
		seen[m.key.Value] = m.key
		out = append(out, m)
	}
	return out, true
}

func (p *parser) mergeSources(v *yaml.Node, field string) []pair {
	v = p.deref(v)
	if v == nil {
		return nil
	}
	var srcs []*yaml.Node
	switch v.Kind {
	case yaml.MappingNode:
		srcs = []*yaml.Node{v}
	case yaml.SequenceNode:
		srcs = v.Content
	default:
		p.add(v, field, "a merge key (<<) needs a mapping or a list of mappings", "merge an anchored mapping: <<: *name")
		return nil
	}
	var out []pair
	for _, s := range srcs {
		ps, ok := p.mapping(s, field, "merge an anchored mapping: <<: *name")
		if ok {
			out = append(out, ps...)
		}
	}
	return out
}

// fields dispatches a mapping's keys to handlers, reporting unknown keys with
// the closest known name. Keys whose value is empty (null) are treated as absent.
func (p *parser) fields(n *yaml.Node, field, want string, known []string, handle func(key string, k, v *yaml.Node)) bool {
	ps, ok := p.mapping(n, field, want)
	if !ok {
		return false
	}
	for _, kv := range ps {
		name := p.deref(kv.key).Value
		if !slices.Contains(known, name) {
			hint := "known fields: " + strings.Join(known, ", ")
			if s := suggest(name, known); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			p.add(kv.key, join(field, name), "unknown field", hint)
			continue
		}
		if isNull(p.deref(kv.val)) {
			continue
		}
		handle(name, kv.key, kv.val)
	}
	return true
}

// str reads a string scalar. Numbers and booleans are refused, not converted:
// YAML reads 3.10 as the number 3.1, and the version it meant is lost.
func (p *parser) str(n *yaml.Node, field string) (string, bool) {
	n = p.deref(n)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		p.add(n, field, "expected a string, found "+kindName(n), "write a single quoted value")
		return "", false
	}
	switch n.ShortTag() {
	case "!!str":
		return n.Value, true
	case "!!float", "!!int":
		read := n.Value
		if f, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64); err == nil {
			read = strconv.FormatFloat(f, 'f', -1, 64)
		}
		p.add(n, field, fmt.Sprintf("%s is read as the number %s, not a string", n.Value, read), fmt.Sprintf("quote it: %q", n.Value))
	default:
		p.add(n, field, "expected a string, found "+kindName(n), fmt.Sprintf("quote it: %q", n.Value))
	}
	return "", false
}

// anyScalar reads any scalar as its text, for values that are text in the end
// (environment variables, build args) where a number is harmless.
func (p *parser) anyScalar(n *yaml.Node, field string) (string, bool) {
	n = p.deref(n)
	if n == nil {
		return "", false
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() == "!!null" {
		p.add(n, field, "expected a single value, found "+kindName(n), "write a string")
		return "", false
	}
	return n.Value, true
}

func (p *parser) integer(n *yaml.Node, field, hint string) (int, bool) {
	n = p.deref(n)
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
		if err == nil && v >= math.MinInt32 && v <= math.MaxInt32 {
			return int(v), true
		}
	}
	p.add(n, field, "expected a whole number, found "+kindName(n), hint)
	return 0, false
}

// intIn reads a whole number that must lie in [lo, hi]; outside it, the problem
// says so with msg (a format taking the number) and what to do.
func (p *parser) intIn(n *yaml.Node, field string, lo, hi int, hint, msg, fix string) (int, bool) {
	v, ok := p.integer(n, field, hint)
	if !ok {
		return 0, false
	}
	if v < lo || v > hi {
		p.add(n, field, fmt.Sprintf(msg, v), fix)
		return 0, false
	}
	return v, true
}

func (p *parser) number(n *yaml.Node, field, hint string) (float64, bool) {
	n = p.deref(n)
	if n == nil {
		return 0, false
	}
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
		if err == nil && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return v, true
		}
	}
	p.add(n, field, "expected a number, found "+kindName(n), hint)
	return 0, false
}

// strList reads a list of strings; an empty list gives a non-nil empty slice
// because "given as empty" and "not given" differ for overrides.
func (p *parser) strList(n *yaml.Node, field, want string) ([]string, bool) {
	n = p.deref(n)
	if n == nil {
		return nil, false
	}
	if n.Kind != yaml.SequenceNode {
		p.add(n, field, "expected a list, found "+kindName(n), want)
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, c := range n.Content {
		s, good := p.str(c, index(field, i))
		if !good {
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

func (p *parser) strMap(n *yaml.Node, field, want string, checkKey func(k *yaml.Node, name string)) (map[string]string, bool) {
	ps, ok := p.mapping(n, field, want)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(ps))
	for _, kv := range ps {
		name := p.deref(kv.key).Value
		if checkKey != nil {
			checkKey(kv.key, name)
		}
		if v, ok := p.anyScalar(kv.val, join(field, name)); ok {
			out[name] = v
		}
	}
	return out, true
}

func (p *parser) duration(n *yaml.Node, field string) (time.Duration, bool) {
	const hint = "write a duration with a unit, such as 90s, 5m or 1h30m"
	n = p.deref(n)
	if n == nil {
		return 0, false
	}
	if n.Kind != yaml.ScalarNode {
		p.add(n, field, "expected a duration, found "+kindName(n), hint)
		return 0, false
	}
	if t := n.ShortTag(); t == "!!int" || t == "!!float" {
		p.add(n, field, fmt.Sprintf("%s has no unit", n.Value), fmt.Sprintf("write %ss for seconds, or %sm for minutes", n.Value, n.Value))
		return 0, false
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		p.add(n, field, fmt.Sprintf("%q is not a duration", n.Value), hint)
		return 0, false
	}
	if d <= 0 {
		// The value has its unit; what is wrong is the sign, or that it is zero.
		name := field[strings.LastIndexByte(field, '.')+1:]
		fix := "write a positive duration such as 2s"
		if d < 0 {
			fix = "write " + strings.TrimPrefix(strings.TrimSpace(n.Value), "-")
		}
		p.add(n, field, fmt.Sprintf("%s is not a positive duration", n.Value), fmt.Sprintf("%s, or leave %s out for its default", fix, name))
		return 0, false
	}
	return d, true
}

// jsonText renders a YAML mapping or list as JSON, so a health body may be
// written as YAML ({ok: true}) and compared as JSON.
func (p *parser) jsonText(n *yaml.Node, field string) (string, bool) {
	var v any
	if err := n.Decode(&v); err != nil {
		p.add(n, field, "cannot read this value: "+err.Error(), "write the body as a quoted string")
		return "", false
	}
	b, err := json.Marshal(v)
	if err != nil {
		p.add(n, field, "cannot render this value as JSON: "+err.Error(), "write the body as a quoted string")
		return "", false
	}
	return string(b), true
}
