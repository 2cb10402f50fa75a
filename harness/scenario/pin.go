package scenario

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Pin returns the scenario file's text with expect set as pins says, by variant
// name; the rest of the file, comments included, is kept. A variant that has an
// include entry of its own (its name, or an entry no other variant shares) gets
// expect there; a combination of the matrix's axes gets a new include entry that
// names its axis values, which extends exactly that combination. The result is
// parsed again, and Pin fails unless every pinned variant then has the
// expectation it was given under the same name.
func Pin(path string, data []byte, pins map[string]Expectation, opts ...Option) ([]byte, error) {
	o := options{maxVariants: DefaultMaxVariants}
	for _, opt := range opts {
		opt(&o)
	}
	o.checkFiles = false // the file's own text is edited; nothing on disk matters
	p := &parser{}
	l := &loader{p: p, s: &Scenario{File: path}, o: o}
	l.run(data)
	if len(p.problems) > 0 {
		return nil, &ValidationError{File: path, Problems: sortProblems(p.problems)}
	}
	if l.doc == nil || l.matrix == nil || l.matrix.node == nil || l.matrix.node.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: no matrix mapping to write expectations into", path)
	}
	shared := map[*entry]int{}
	for _, info := range l.infos {
		for _, e := range info.c.entries {
			shared[e]++
		}
	}
	names := make([]string, 0, len(pins))
	for name := range pins {
		names = append(names, name)
	}
	sort.Strings(names)
	index := map[string]int{}
	for i, v := range l.s.Variants {
		index[v.Name] = i
	}
	aliased := map[*yaml.Node]bool{}
	walk(l.doc, func(n *yaml.Node) {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			aliased[n.Alias] = true
		}
	})
	var added []*yaml.Node
	// New entries follow the file's order of variants, not the map's.
	sort.SliceStable(names, func(a, b int) bool { return index[names[a]] < index[names[b]] })
	for _, name := range names {
		i, ok := index[name]
		if !ok {
			return nil, fmt.Errorf("%s: no variant %q to pin", path, name)
		}
		want := pins[name]
		c := l.infos[i].c
		if e := ownEntry(c, shared, aliased); e != nil {
			setKey(e.node, "expect", expectNode(want))
			continue
		}
		if c.field != "matrix" {
			// Made by an include entry that is also used elsewhere: a new entry would
			// be a variant of its own, not this one.
			return nil, fmt.Errorf("%s:%d: variant %s comes from an include entry used elsewhere through an alias; write its expect by hand", path, c.node.Line, name)
		}
		added = append(added, comboEntry(c, want))
	}
	if len(added) > 0 {
		seq := includeSeq(l.matrix.node)
		seq.Content = append(seq.Content, added...)
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(l.doc); err != nil {
		return nil, fmt.Errorf("%s: write expectations: %w", path, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("%s: write expectations: %w", path, err)
	}
	out := keepBlankLines(data, b.Bytes())

	// The edit must mean what it says: same variants, the new expectations.
	s, err := Parse(path, out, append(opts, WithCheckFiles(false))...)
	if err != nil {
		return nil, fmt.Errorf("%s: the pinned file does not load (%w); it was not written", path, err)
	}
	if len(s.Variants) != len(l.s.Variants) {
		return nil, fmt.Errorf("%s: the pinned file has %d variants, not %d; it was not written", path, len(s.Variants), len(l.s.Variants))
	}
	for i, v := range s.Variants {
		if v.Name != l.s.Variants[i].Name {
			return nil, fmt.Errorf("%s: pinning renamed variant %s to %s; it was not written", path, l.s.Variants[i].Name, v.Name)
		}
		if want, ok := pins[v.Name]; ok && (v.Expect == nil || *v.Expect != want) {
			return nil, fmt.Errorf("%s: variant %s did not take its expectation; it was not written", path, v.Name)
		}
	}
	return out, nil
}

// ownEntry is the include entry that belongs to c's variant alone: the entry
// that made it, or one that extends only it. An entry an alias repeats
// elsewhere is not its own.
func ownEntry(c *combo, shared map[*entry]int, aliased map[*yaml.Node]bool) *entry {
	for i := len(c.entries) - 1; i >= 0; i-- {
		e := c.entries[i]
		if shared[e] == 1 && e.node != nil && e.node.Kind == yaml.MappingNode && !aliased[e.node] {
			return e
		}
	}
	return nil
}

func walk(n *yaml.Node, f func(*yaml.Node)) {
	if n == nil {
		return
	}
	f(n)
	for _, c := range n.Content {
		walk(c, f)
	}
}

// comboEntry is a new include entry holding c's original axis values and the
// expectation: it matches c on every axis, so it extends c and nothing else.
func comboEntry(c *combo, want Expectation) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
	for _, k := range axisNames {
		if !c.orig[k] {
			continue
		}
		n.Content = append(n.Content, scalar(k), plainCopy(c.vals[k].node))
	}
	n.Content = append(n.Content, scalar("expect"), expectNode(want))
	return n
}

// includeSeq finds matrix.include, creating it when the matrix has none.
func includeSeq(m *yaml.Node) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value != "include" {
			continue
		}
		v := m.Content[i+1]
		if v.Kind != yaml.SequenceNode {
			// include: with nothing after it
			*v = yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", LineComment: v.LineComment}
		}
		return v
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	m.Content = append(m.Content, scalar("include"), seq)
	return seq
}

// setKey sets key in mapping m, keeping the old value's line comment.
func setKey(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.LineComment = m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, scalar(key), v)
}

// expectNode writes an expectation the way the schema documents it.
func expectNode(e Expectation) *yaml.Node {
	if e.Boots {
		return scalar("boots")
	}
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Style: yaml.FlowStyle}
	n.Content = append(n.Content, scalar("fails"), scalar(string(e.Stage)))
	if e.Class != "" {
		n.Content = append(n.Content, scalar("class"), scalar(e.Class))
	}
	if e.OutputContains != "" {
		n.Content = append(n.Content, scalar("output"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: e.OutputContains, Style: yaml.DoubleQuotedStyle})
	}
	return n
}

func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// plainCopy copies a value without its anchor and comments, which belong to
// the place it was written.
func plainCopy(n *yaml.Node) *yaml.Node {
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	c := &yaml.Node{Kind: n.Kind, Style: n.Style, Tag: n.Tag, Value: n.Value}
	if c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode {
		c.Style = yaml.FlowStyle
	}
	for _, ch := range n.Content {
		c.Content = append(c.Content, plainCopy(ch))
	}
	return c
}

// keepBlankLines puts back the blank lines the YAML encoder drops: each original
// line that followed a blank line gets one again before its first unchanged copy
// in the output, matched in order. Lines the edit changed are not matched, so
// nothing is ever moved, only blank lines inserted.
func keepBlankLines(orig, out []byte) []byte {
	src := strings.Split(string(orig), "\n")
	dst := strings.Split(string(out), "\n")
	blankBefore := map[int]bool{} // output line index -> insert a blank line before it
	j := 0
	prevBlank := false
	for _, line := range src {
		t := strings.TrimRight(line, " \t\r")
		if t == "" {
			prevBlank = true
			continue
		}
		// The two texts run line for line but for dropped blank lines and the edit,
		// so a match is near; looking further could pair a repeated line far ahead.
		for k := j; k < len(dst) && k <= j+2; k++ {
			if strings.TrimRight(dst[k], " \t\r") == t {
				if prevBlank && k > 0 {
					blankBefore[k] = true
				}
				j = k + 1
				break
			}
		}
		prevBlank = false
	}
	var b strings.Builder
	for k, line := range dst {
		if blankBefore[k] {
			b.WriteString("\n")
		}
		b.WriteString(line)
		if k < len(dst)-1 {
			b.WriteString("\n")
		}
	}
	return []byte(b.String())
}
