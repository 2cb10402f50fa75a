package scenario

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// Axis names the loader itself knows, in the order generated variant names
// join their values; the builders' own settings (SettingOwner) follow them.
var axisNames = []string{"builder", "python", "pins", "shell", "root", "nixpacks"}

var (
	entryFields    = []string{"base", "dockerfile", "buildArgs", "start", "timeouts", "limits", "settle", "expect"}
	nixpacksFields = []string{"label", "nixPkgs", "nixLibs", "aptPkgs", "installCmds", "buildCmds", "startCmd", "runImage", "nixpkgsArchive", "startUser"}
)

// axes are the loader's axes and then the builders' own settings.
func (l *loader) axes() []string { return append(slices.Clone(axisNames), l.o.ownSettings()...) }

func (l *loader) includeFields() []string {
	return append(append([]string{"name"}, l.axes()...), entryFields...)
}

func (l *loader) matrixKeys() []string { return append(l.axes(), "include", "exclude") }

// axisVal is one value of an axis, typed, with what is needed to compare,
// display and name it.
type axisVal struct {
	axis    string
	key     string // equality key: two values match when their keys are equal
	display string
	part    string // its piece of a generated variant name; "" adds nothing
	node    *yaml.Node
	str     string
	pins    []string
	nix     NixpacksOverrides
	own     any // a builder's own setting's value
}

type axisDef struct {
	name   string
	node   *yaml.Node
	values []axisVal
}

// entry is one include or exclude entry.
type entry struct {
	node  *yaml.Node
	field string
	axes  map[string]axisVal

	name       string
	nameNode   *yaml.Node
	base       *string
	baseNode   *yaml.Node
	dockerfile *string
	dfNode     *yaml.Node
	start      *string
	buildArgs  map[string]string
	timeouts   Timeouts
	limits     Limits
	settle     time.Duration
	expect     *Expectation
}

type matrixDef struct {
	key     *yaml.Node
	node    *yaml.Node
	axes    []axisDef
	include []*entry
	exclude []*entry
	// broken is set when an axis was refused: "expands to nothing" would then
	// be a consequence of a problem already reported, not news.
	broken bool
}

func (m *matrixDef) isAxis(name string) bool {
	for _, a := range m.axes {
		if a.name == name {
			return true
		}
	}
	return false
}

func (l *loader) parseMatrix(k, v *yaml.Node) *matrixDef {
	p := l.p
	m := &matrixDef{key: k, node: p.deref(v)}
	ps, ok := p.mapping(v, "matrix", "write matrix: with axes (builder, python, pins, shell, root, nixpacks) and include/exclude lists")
	if !ok {
		return m
	}
	for _, kv := range ps {
		name := p.deref(kv.key).Value
		field := join("matrix", name)
		if keys := l.matrixKeys(); !slices.Contains(keys, name) {
			hint := "axes are " + strings.Join(l.axes(), ", ") + "; or include/exclude"
			if s := suggest(name, keys); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			p.add(kv.key, field, "unknown axis", hint)
			m.broken = true
			continue
		}
		val := p.deref(kv.val)
		if isNull(val) {
			continue
		}
		switch name {
		case "include", "exclude":
			if val.Kind != yaml.SequenceNode {
				p.add(val, field, "expected a list of entries, found "+kindName(val), "write a list: - {builder: nixpacks, ...}")
				continue
			}
			for i, c := range val.Content {
				e := l.entry(c, index(field, i), name == "include")
				if e == nil {
					continue
				}
				if name == "include" {
					m.include = append(m.include, e)
				} else {
					m.exclude = append(m.exclude, e)
				}
			}
		default:
			if val.Kind != yaml.SequenceNode {
				p.add(val, field, "an axis is a list of values, found "+kindName(val), fmt.Sprintf("write %s: [value, ...]", name))
				m.broken = true
				continue
			}
			if len(val.Content) == 0 {
				p.add(val, field, "axis has no values", "give at least one value or remove the axis")
				m.broken = true
				continue
			}
			a := axisDef{name: name, node: kv.key}
			seen := map[string]int{}
			for i, c := range val.Content {
				av, ok := l.axisValue(name, c, index(field, i), true)
				if !ok {
					continue
				}
				if first, dup := seen[av.key]; dup {
					p.add(c, index(field, i), fmt.Sprintf("same value as %s[%d]", field, first), "remove the repeated value")
					continue
				}
				seen[av.key] = i
				a.values = append(a.values, av)
			}
			m.axes = append(m.axes, a)
		}
	}
	return m
}

// axisValue reads one value of an axis. In an axis list a pins value is a list
// of requirement lines; in an include/exclude entry, pins is that list itself.
func (l *loader) axisValue(axis string, n *yaml.Node, field string, inAxis bool) (axisVal, bool) {
	p := l.p
	av := axisVal{axis: axis, node: p.deref(n)}
	if av.node == nil {
		return av, false
	}
	switch axis {
	case "builder":
		s, ok := p.str(n, field)
		if !ok {
			return av, false
		}
		if hint, ok := l.o.knownBuilder(s); !ok {
			p.add(n, field, fmt.Sprintf("unknown builder %q", s), hint)
			return av, false
		}
		av.str, av.key, av.display, av.part = s, s, s, s
	case "shell":
		known := shells
		s, ok := p.str(n, field)
		if !ok {
			return av, false
		}
		if !slices.Contains(known, s) {
			hint := "use one of " + strings.Join(known, ", ")
			if sg := suggest(s, known); sg != "" {
				hint = fmt.Sprintf("did you mean %q? (%s)", sg, hint)
			}
			p.add(n, field, fmt.Sprintf("unknown %s %q", axis, s), hint)
			return av, false
		}
		av.str, av.key, av.display, av.part = s, s, s, s
	case "python":
		s, ok := p.str(n, field)
		if !ok {
			return av, false
		}
		if !pythonRe.MatchString(s) {
			p.add(n, field, fmt.Sprintf("%q is not a Python version", s), "write major.minor, quoted, such as \"3.11\"")
			return av, false
		}
		av.str, av.key, av.display, av.part = s, s, s, "py"+s
	case "root":
		r, ok := l.relPath(n, field, "root")
		if !ok {
			return av, false
		}
		av.str, av.key, av.display = r, r, r
		if r != "." {
			av.part = r
		}
	case "pins":
		dn := av.node
		if inAxis && dn.Kind == yaml.ScalarNode {
			p.add(n, field, "each pins value is a list of requirement lines", fmt.Sprintf("write [%s]", dn.Value))
			return av, false
		}
		list, ok := p.strList(n, field, "write a list of requirement lines, such as [numpy==2.2.4]")
		if !ok {
			return av, false
		}
		for i, r := range list {
			if !validRequirement(r) {
				p.add(dn.Content[i], index(field, i), fmt.Sprintf("%q is not a requirement line", r), "write name==version, such as numpy==2.2.4")
				return av, false
			}
		}
		av.pins = list
		av.key = "pins:" + strings.Join(list, "\n")
		av.display = strings.Join(list, " ")
		if len(list) == 0 {
			av.display = "none"
		}
		parts := make([]string, len(list))
		for i, r := range list {
			parts[i] = strings.Map(func(r rune) rune {
				if strings.ContainsRune("=<>!~ ", r) {
					return -1
				}
				return r
			}, r)
		}
		av.part = strings.Join(parts, "-")
	case "nixpacks":
		nix, label, ok := l.nixpacks(n, field)
		if !ok {
			return av, false
		}
		av.nix = nix
		b, _ := json.Marshal(nix)
		av.key = string(b)
		if label == "" {
			label = nixLabel(nix)
		}
		av.display, av.part = label, label
	default:
		owner := l.o.owner(axis)
		if owner == nil {
			return av, false
		}
		val, problems := owner.ParseSetting(axis, n)
		for _, pr := range problems {
			at := pr.Node
			if at == nil {
				at = n
			}
			p.add(at, join(field, pr.Field), pr.Msg, pr.Hint)
		}
		if len(problems) > 0 {
			return av, false
		}
		av.own, av.key, av.display, av.part = val.Value, axis+":"+val.Key, val.Label, val.Label
	}
	return av, true
}

func validRequirement(r string) bool {
	r = strings.TrimSpace(r)
	if r == "" || strings.ContainsAny(r, "\n\r") || strings.HasPrefix(r, "-") {
		return false
	}
	c := r[0]
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (l *loader) nixpacks(n *yaml.Node, field string) (NixpacksOverrides, string, bool) {
	p := l.p
	var o NixpacksOverrides
	var label string
	good := true
	ok := p.fields(n, field, "write an overrides object: {nixPkgs: [\"...\", gcc], installCmds: [...]}", nixpacksFields, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "label":
			s, ok := p.str(v, f)
			good = good && ok
			label = s
		case "startCmd", "runImage", "nixpkgsArchive", "startUser":
			s, ok := p.str(v, f)
			good = good && ok
			*map[string]*string{"startCmd": &o.StartCmd, "runImage": &o.RunImage,
				"nixpkgsArchive": &o.NixpkgsArchive, "startUser": &o.StartUser}[key] = s
		default:
			list, ok := p.strList(v, f, fmt.Sprintf("write a list; put \"...\" in it to extend nixpacks.toml's %s instead of replacing it", key))
			good = good && ok
			switch key {
			case "nixPkgs":
				o.NixPkgs = list
			case "nixLibs":
				o.NixLibs = list
			case "aptPkgs":
				o.AptPkgs = list
			case "installCmds":
				o.InstallCmds = list
			case "buildCmds":
				o.BuildCmds = list
			}
		}
	})
	return o, label, ok && good
}

// nixLabel names an overrides object from its content: package lists by their
// packages, commands by a short hash (they are too long to read in a name).
func nixLabel(o NixpacksOverrides) string {
	var parts []string
	pk := func(name string, list []string) {
		if list == nil {
			return
		}
		var items []string
		for _, x := range list {
			if x != "..." {
				items = append(items, x)
			}
		}
		if len(items) == 0 {
			items = []string{"none"}
		}
		parts = append(parts, strings.ToLower(name)+"-"+strings.Join(items, "-"))
	}
	cmd := func(name string, set bool, v any) {
		if !set {
			return
		}
		b, _ := json.Marshal(v)
		h := sha256.Sum256(b)
		parts = append(parts, strings.ToLower(name)+"-"+hex.EncodeToString(h[:3]))
	}
	pk("nixPkgs", o.NixPkgs)
	pk("nixLibs", o.NixLibs)
	pk("aptPkgs", o.AptPkgs)
	cmd("installCmds", o.InstallCmds != nil, o.InstallCmds)
	cmd("buildCmds", o.BuildCmds != nil, o.BuildCmds)
	cmd("startCmd", o.StartCmd != "", o.StartCmd)
	cmd("runImage", o.RunImage != "", o.RunImage)
	cmd("nixpkgsArchive", o.NixpkgsArchive != "", o.NixpkgsArchive)
	cmd("startUser", o.StartUser != "", o.StartUser)
	if len(parts) == 0 {
		return "nixpacks-defaults"
	}
	return strings.Join(parts, "-")
}

func (l *loader) entry(n *yaml.Node, field string, include bool) *entry {
	p := l.p
	e := &entry{node: p.deref(n), field: field, axes: map[string]axisVal{}}
	known := l.includeFields()
	want := "write an entry such as {name: my-variant, builder: nixpacks, python: \"3.13\", expect: boots}"
	if !include {
		known = l.axes()
		want = "write the axis values to leave out, such as {builder: python-slim, shell: login}"
	}
	ok := p.fields(n, field, want, known, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		if slices.Contains(known, key) && !slices.Contains(entryFields, key) && key != "name" {
			if av, ok := l.axisValue(key, v, f, false); ok {
				e.axes[key] = av
			}
			return
		}
		switch key {
		case "name":
			if s, ok := p.str(v, f); ok {
				if !nameRe.MatchString(s) {
					p.add(v, f, fmt.Sprintf("%q is not a usable variant name", s), "use letters, digits, '.', '_' and '-', starting with a letter or digit")
					return
				}
				e.name, e.nameNode = s, p.deref(v)
			}
		case "base", "start":
			if s, ok := p.str(v, f); ok {
				if key == "base" {
					e.base, e.baseNode = &s, p.deref(v)
				} else {
					e.start = &s
				}
			}
		case "dockerfile":
			if s, ok := l.relPath(v, f, "dockerfile"); ok {
				e.dockerfile, e.dfNode = &s, p.deref(v)
			}
		case "buildArgs":
			e.buildArgs, _ = p.strMap(v, f, "write NAME: value pairs", nil)
			if e.buildArgs == nil {
				e.buildArgs = map[string]string{}
			}
		case "timeouts":
			l.timeouts(v, f, &e.timeouts)
		case "limits":
			l.limits(v, f, &e.limits)
		case "settle":
			if d, ok := p.duration(v, f); ok {
				e.settle = d
			}
		case "expect":
			e.expect = l.expectation(v, f)
		}
	})
	if !ok {
		return nil
	}
	return e
}

func (l *loader) expectation(n *yaml.Node, field string) *Expectation {
	p := l.p
	const want = "write expect: boots, or expect: {fails: <stage>, class: <class>, output: <text>}"
	dn := p.deref(n)
	if dn == nil {
		return nil
	}
	if dn.Kind == yaml.ScalarNode {
		if dn.ShortTag() == "!!str" && dn.Value == "boots" {
			return &Expectation{Boots: true}
		}
		p.add(dn, field, fmt.Sprintf("%s is not an expectation", kindName(dn)), want)
		return nil
	}
	x := &Expectation{}
	failsSeen := false
	ok := p.fields(dn, field, want, expectFields, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		failsSeen = failsSeen || key == "fails"
		s, ok := p.str(v, f)
		if !ok {
			return
		}
		switch key {
		case "fails":
			if !result.StageName(s).Valid() {
				hint := "use one of " + strings.Join(stages, ", ")
				if sg := suggest(s, stages); sg != "" {
					hint = fmt.Sprintf("did you mean %q? (%s)", sg, hint)
				}
				p.add(v, f, fmt.Sprintf("unknown stage %q", s), hint)
				return
			}
			x.Stage = result.StageName(s)
		case "class":
			if !classRe.MatchString(s) {
				p.add(v, f, fmt.Sprintf("class %q is not lower-case-with-dashes", s), "write a class such as missing-shared-library")
				return
			}
			if known := l.o.classes; len(known) > 0 && !slices.Contains(known, s) {
				hint := "see docs/failure-classes.md for the list"
				if sg := suggest(s, known); sg != "" {
					hint = fmt.Sprintf("did you mean %q? (%s)", sg, hint)
				}
				p.add(v, f, fmt.Sprintf("unknown class %q", s), hint)
				return
			}
			x.Class = s
		case "output":
			if s == "" {
				p.add(v, f, "empty", "give a piece of the failing stage's output, or remove output")
				return
			}
			x.OutputContains = s
		}
	})
	if !ok {
		return nil
	}
	if !failsSeen {
		p.add(dn, join(field, "fails"), "missing", "say which stage fails: fails: install (or write expect: boots)")
		return nil
	}
	if x.Stage == "" {
		return nil
	}
	return x
}
