package scenario

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// combo is one combination of axis values on its way to becoming a variant.
type combo struct {
	vals map[string]axisVal
	// orig marks the values that came from the axes; include entries must
	// match them and may not change them, as in GitHub Actions.
	orig    map[string]bool
	entries []*entry
	node    *yaml.Node
	field   string
}

// vinfo keeps a variant's positions for the checks that follow expansion.
type vinfo struct {
	c *combo
}

func (l *loader) expand() []Variant {
	p, m := l.p, l.matrix
	if m == nil {
		if l.root == nil || l.root.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(l.root.Content); i += 2 {
			if k := l.root.Content[i]; k.Value == "matrix" {
				p.add(k, "matrix", "empty", "add axes (builder, python, ...) or include entries")
				return nil
			}
		}
		p.add(l.root, "matrix", "missing", "add matrix: with axes or include entries, one per configuration to try")
		return nil
	}
	if m.node == nil || m.node.Kind != yaml.MappingNode {
		return nil // reported by parseMatrix
	}
	max := l.o.maxVariants
	if max <= 0 {
		max = DefaultMaxVariants
	}

	var combos []*combo
	// An axis whose every value was refused (and reported) is left out, so
	// that the rest of the matrix is still checked in this same pass.
	axes := m.axes[:0:0]
	for _, a := range m.axes {
		if len(a.values) > 0 {
			axes = append(axes, a)
		} else {
			m.broken = true
		}
	}
	m.axes = axes
	if len(m.axes) > 0 {
		size := 1
		for _, a := range m.axes {
			size *= len(a.values)
			if size > max {
				p.add(m.key, "matrix", fmt.Sprintf("the axes make more than %d combinations", max), "remove axis values or split the scenario")
				return nil
			}
		}
		combos = []*combo{{vals: map[string]axisVal{}, orig: map[string]bool{}, node: m.key, field: "matrix"}}
		for _, a := range m.axes {
			var next []*combo
			for _, c := range combos {
				for _, v := range a.values {
					n := &combo{vals: map[string]axisVal{}, orig: map[string]bool{}, node: m.key, field: "matrix"}
					for k, x := range c.vals {
						n.vals[k], n.orig[k] = x, true
					}
					n.vals[a.name], n.orig[a.name] = v, true
					next = append(next, n)
				}
			}
			combos = next
		}
	}

	for _, e := range m.exclude {
		valid := len(e.axes) > 0
		if !valid && len(e.node.Content) == 0 {
			p.add(e.node, e.field, "empty exclude entry", "name the axis values to leave out, such as {builder: python-slim}")
		}
		for _, k := range l.axes() {
			if av, ok := e.axes[k]; ok && !m.isAxis(k) {
				valid = false
				p.add(av.node, join(e.field, k), fmt.Sprintf("%s is not an axis of this matrix", k), "exclude matches axis values only; axes here: "+l.axisList())
			}
		}
		if !valid {
			continue
		}
		kept := combos[:0]
		for _, c := range combos {
			if !matches(c, e) {
				kept = append(kept, c)
			}
		}
		combos = kept
	}

	named := map[string]*entry{}
	for _, e := range m.include {
		if e.name == "" {
			continue
		}
		if first, dup := named[e.name]; dup {
			p.add(e.nameNode, join(e.field, "name"), fmt.Sprintf("variant name %q is given twice: lines %d and %d", e.name, first.nameNode.Line, e.nameNode.Line), "give each variant its own name")
			continue
		}
		named[e.name] = e
	}

	original := combos
	var added []*combo
	for _, e := range m.include {
		n := 0
		for _, c := range original {
			if !matches(c, e) {
				continue
			}
			n++
			for k, v := range e.axes {
				if !c.orig[k] {
					c.vals[k] = v
				}
			}
			c.entries = append(c.entries, e)
		}
		if n > 1 && e.name != "" {
			p.add(e.nameNode, join(e.field, "name"), fmt.Sprintf("this entry extends %d combinations, which cannot share one name", n), "remove name, or add axis values so the entry matches one combination")
		}
		if n == 0 {
			c := &combo{vals: map[string]axisVal{}, orig: map[string]bool{}, entries: []*entry{e}, node: e.node, field: e.field}
			for k, v := range e.axes {
				c.vals[k] = v
			}
			added = append(added, c)
		}
	}
	combos = append(append([]*combo{}, original...), added...)
	if len(combos) == 0 && !m.broken {
		p.add(m.key, "matrix", "expands to no variants", "add axes or include entries, or loosen exclude")
		return nil
	}
	if len(combos) > max {
		p.add(m.key, "matrix", fmt.Sprintf("expands to %d variants, more than %d", len(combos), max), "remove axis values or split the scenario")
		return nil
	}
	return l.variants(combos)
}

func (l *loader) axisList() string {
	var names []string
	for _, a := range l.matrix.axes {
		names = append(names, a.name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// matches reports whether an entry's values agree with every original axis
// value of c. Keys that are not original axes do not take part.
func matches(c *combo, e *entry) bool {
	for k, v := range e.axes {
		if c.orig[k] && c.vals[k].key != v.key {
			return false
		}
	}
	return true
}

func (l *loader) variants(combos []*combo) []Variant {
	s := l.s
	vs := make([]Variant, len(combos))
	l.infos = make([]vinfo, len(combos))
	explicit := map[string]*yaml.Node{}
	for i, c := range combos {
		v := Variant{Builder: l.o.defaultBuilder(), Root: s.Project.Root, Axes: map[string]string{}, Line: c.node.Line}
		for _, k := range l.axes() {
			av, ok := c.vals[k]
			if !ok {
				continue
			}
			v.Axes[k] = av.display
			switch k {
			case "builder":
				v.Builder = BuilderName(av.str)
			case "python":
				v.Python = av.str
			case "pins":
				v.Pins = av.pins
			case "shell":
				v.Shell = Shell(av.str)
			case "root":
				v.Root = av.str
			case "nixpacks":
				v.Nixpacks = av.nix
			default:
				if v.Settings == nil {
					v.Settings = map[string]any{}
				}
				v.Settings[k] = av.own
			}
		}
		var nameNode *yaml.Node
		for _, e := range c.entries {
			if e.name != "" {
				v.Name, nameNode = e.name, e.nameNode
			}
			if e.base != nil {
				v.Base = *e.base
			}
			if e.dockerfile != nil {
				v.Dockerfile = *e.dockerfile
			}
			if e.start != nil {
				v.Start = *e.start
			}
			if e.buildArgs != nil {
				v.BuildArgs = e.buildArgs
			}
			if e.expect != nil {
				v.Expect = e.expect
			}
			if len(e.timeouts) > 0 {
				v.Timeouts = e.timeouts.Over(v.Timeouts)
			}
			if e.limits.MemoryBytes != 0 {
				v.Limits.MemoryBytes = e.limits.MemoryBytes
			}
			if e.limits.NanoCPUs != 0 {
				v.Limits.NanoCPUs, v.Limits.CPUsAt = e.limits.NanoCPUs, e.limits.CPUsAt
			}
			if e.settle != 0 {
				v.Settle = e.settle
			}
		}
		if spec := l.o.spec(v.Builder); spec != nil {
			spec.Complete(&v)
		}
		if v.Name != "" {
			explicit[v.Name] = nameNode
		}
		l.crossCheck(c, &v)
		vs[i] = v
		l.infos[i] = vinfo{c: c}
	}
	taken := map[string]bool{}
	for name := range explicit {
		taken[name] = true
	}
	for i := range vs {
		if vs[i].Name != "" {
			continue
		}
		base := generatedName(l.axes(), combos[i])
		name := base
		for n := 2; taken[name]; n++ {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		taken[name] = true
		vs[i].Name = name
	}
	return vs
}

// crossCheck finds settings that the variant's builder would ignore: silently
// ignoring them would make a variant test something other than it says.
func (l *loader) crossCheck(c *combo, v *Variant) {
	p := l.p
	spec := l.o.spec(v.Builder)
	if spec == nil {
		return
	}
	refuse := func(n *yaml.Node, field, setting string) {
		msg, hint := l.o.refusal(spec, v.Builder, setting)
		p.add(n, field, msg, hint)
	}
	reads := func(setting string) bool { return readsSetting(spec, setting) }
	for _, k := range append([]string{SettingNixpacks}, l.o.ownSettings()...) {
		if av, ok := c.vals[k]; ok && !reads(k) {
			refuse(av.node, fieldOf(c, k), k)
		}
	}
	for _, e := range c.entries {
		if e.base != nil && !reads(SettingBase) {
			refuse(e.baseNode, join(e.field, "base"), SettingBase)
		}
		if e.dockerfile != nil && !reads(SettingDockerfile) {
			refuse(e.dfNode, join(e.field, "dockerfile"), SettingDockerfile)
		}
	}
}

// fieldOf names where a combination's value for key was written.
func fieldOf(c *combo, key string) string {
	if c.orig[key] {
		return join("matrix", key)
	}
	for i := len(c.entries) - 1; i >= 0; i-- {
		if _, ok := c.entries[i].axes[key]; ok {
			return join(c.entries[i].field, key)
		}
	}
	return c.field
}

// generatedName joins the combination's axis values in a fixed order, so the
// same file always gives the same names: nixpacks-py3.13-numpy2.2.4-login.
func generatedName(axes []string, c *combo) string {
	var parts []string
	seen := map[string]bool{}
	for _, k := range axes {
		av, ok := c.vals[k]
		if !ok {
			continue
		}
		part := sanitize(av.part)
		if part == "" || seen[part] {
			continue
		}
		seen[part] = true
		parts = append(parts, part)
	}
	if len(parts) == 0 {
		return "variant"
	}
	name := strings.Join(parts, "-")
	if len(name) > 100 {
		name = strings.TrimRight(name[:100], "-.")
	}
	return name
}

// sanitize keeps what container names and labels accept without quoting.
func sanitize(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_'
		if ok {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-._")
}
