package nixpacks

import (
	"github.com/bootmatrix/bootmatrix/harness/nixpacks/generate"

	"fmt"
	"maps"
	"slices"
	"sort"
)

// The types below mirror Nixpacks' BuildPlan, Phase and StartPhase closely
// enough that merge can follow merge.rs line by line. A nil slice is an unset
// list (keeps the earlier one); a non-nil empty slice replaces it with nothing.

type phase struct {
	name      string
	dependsOn []string
	nixPkgs   []string
	nixLibs   []string
	aptPkgs   []string
	cmds      []string
	paths     []string
}

type startPhase struct {
	cmd      *string
	runImage *string
}

type buildPlan struct {
	providers  []string
	buildImage *string
	variables  map[string]string
	phases     map[string]*phase // nil: no phases at all (not the same as an empty map)
	start      *startPhase
}

// Marker is what, in a list, stands for the earlier configuration's list.
const Marker = "..."

// IsSplice reports the markers fill replaces: Nixpacks accepts "@auto" as a synonym of "...".
func IsSplice(s string) bool { return s == Marker || s == "@auto" }

// HasSplice reports whether a list extends the earlier one rather than replacing it.
func HasSplice(list []string) bool { return slices.ContainsFunc(list, IsSplice) }

// Splice writes a later list onto an earlier one with the markers resolved
// there: each marker of later becomes the whole of earlier (whose own markers
// stay), and a nil earlier leaves later as it is. Merging the result where
// earlier was gives what merging earlier and then later did.
func Splice(later, earlier []string) []string {
	if earlier == nil {
		return append([]string{}, later...)
	}
	out := []string{}
	for _, x := range later {
		if IsSplice(x) {
			out = append(out, earlier...)
			continue
		}
		out = append(out, x)
	}
	return out
}

// fill and removeAutos are Nixpacks' fill_auto_in_vec and remove_autos_from_vec,
// kept once in the port of its plan code (generate). The marker stays in fill's
// result (Nixpacks removes them only when the plan is pinned), which is why a later
// "..." can splice a list that itself was spliced.
func fill(original, replacer []string) []string { return generate.FillAuto(original, replacer) }

func removeAutos(v []string) []string { return generate.RemoveAutos(v) }

func (p *phase) clone() *phase {
	c := *p
	return &c
}

func mergePhase(a, b *phase) *phase {
	out := a.clone()
	out.cmds = fill(a.cmds, b.cmds)
	out.dependsOn = fill(a.dependsOn, b.dependsOn)
	out.nixPkgs = fill(a.nixPkgs, b.nixPkgs)
	out.nixLibs = fill(a.nixLibs, b.nixLibs)
	out.aptPkgs = fill(a.aptPkgs, b.aptPkgs)
	out.paths = fill(a.paths, b.paths)
	return out
}

// merge is BuildPlan::merge: b is the later (winning) plan.
func merge(a, b *buildPlan) *buildPlan {
	out := &buildPlan{
		providers:  fill(a.providers, b.providers),
		buildImage: a.buildImage,
	}
	if b.buildImage != nil {
		out.buildImage = b.buildImage
	}
	switch {
	case a.variables == nil:
		out.variables = copyVars(b.variables)
	case b.variables == nil:
		out.variables = copyVars(a.variables)
	default:
		out.variables = copyVars(a.variables)
		for k, v := range b.variables {
			out.variables[k] = v
		}
	}
	if a.phases == nil {
		// Nixpacks takes the later plan's phases as they are, dependsOn included
		// (none, for phases read from a config file).
		out.phases = clonePhases(b.phases)
	} else {
		out.phases = clonePhases(a.phases)
		for _, name := range slices.Sorted(maps.Keys(b.phases)) {
			prev, ok := out.phases[name]
			if !ok {
				prev = &phase{name: name}
				switch name {
				case "install":
					prev.dependsOn = []string{"setup"}
				case "build":
					prev.dependsOn = []string{"install"}
				}
			}
			out.phases[name] = mergePhase(prev, b.phases[name])
		}
	}
	switch {
	case a.start == nil:
		out.start = b.start
	case b.start == nil:
		out.start = a.start
	default:
		s := *a.start
		if b.start.cmd != nil {
			s.cmd = b.start.cmd
		}
		if b.start.runImage != nil {
			s.runImage = b.start.runImage
		}
		out.start = &s
	}
	return out
}

func mergePlans(plans ...*buildPlan) *buildPlan {
	acc := &buildPlan{}
	for _, p := range plans {
		acc = merge(acc, p)
	}
	return acc
}

func copyVars(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func clonePhases(m map[string]*phase) map[string]*phase {
	if m == nil {
		return nil
	}
	out := make(map[string]*phase, len(m))
	for k, p := range m {
		c := p.clone()
		c.name = k
		out[k] = c
	}
	return out
}

// pin drops the "..." markers, as BuildPlan::pin does before a plan is built.
func (p *buildPlan) pin() {
	for _, ph := range p.phases {
		ph.cmds = removeAutos(ph.cmds)
		ph.dependsOn = removeAutos(ph.dependsOn)
		ph.nixPkgs = removeAutos(ph.nixPkgs)
		ph.nixLibs = removeAutos(ph.nixLibs)
		ph.aptPkgs = removeAutos(ph.aptPkgs)
		ph.paths = removeAutos(ph.paths)
	}
}

// sortedPhases is topological_sort: phases sorted by name, then emitted in
// rounds of those whose dependencies (among existing phases) are done. Phases
// read from a config file with no provider have no dependsOn, so they come out
// in name order: build before install.
func (p *buildPlan) sortedPhases() ([]*phase, error) {
	indeg := map[string]int{}
	for name, ph := range p.phases {
		n := 0
		for _, d := range ph.dependsOn {
			if _, ok := p.phases[d]; ok {
				n++
			}
		}
		indeg[name] = n
	}
	var out []*phase
	for len(indeg) > 0 {
		var ready []string
		for name, n := range indeg {
			if n == 0 {
				ready = append(ready, name)
			}
		}
		if len(ready) == 0 {
			left := slices.Sorted(maps.Keys(indeg))
			return nil, fmt.Errorf("circular dependency between phases %v (check dependsOn)", left)
		}
		sort.Strings(ready)
		for _, name := range ready {
			delete(indeg, name)
			out = append(out, p.phases[name])
		}
		for name := range indeg {
			for _, d := range p.phases[name].dependsOn {
				for _, r := range ready {
					if d == r {
						indeg[name]--
					}
				}
			}
		}
	}
	return out, nil
}

// fromConfig is BuildPlan::from_toml: the file's phases keep whatever dependsOn they were given.
func fromConfig(c *Config) *buildPlan {
	bp := &buildPlan{}
	if c == nil {
		return bp
	}
	bp.providers = c.Providers
	if c.BuildImage != "" {
		s := c.BuildImage
		bp.buildImage = &s
	}
	bp.variables = copyVars(c.Variables)
	if c.Phases != nil {
		bp.phases = map[string]*phase{}
		for name, pc := range c.Phases {
			bp.phases[name] = &phase{
				name:      name,
				dependsOn: pc.DependsOn,
				nixPkgs:   pc.NixPkgs,
				nixLibs:   pc.NixLibs,
				aptPkgs:   pc.AptPkgs,
				cmds:      pc.Cmds,
				paths:     pc.Paths,
			}
		}
	}
	if c.Start != nil {
		bp.start = &startPhase{cmd: c.Start.Cmd, runImage: c.Start.RunImage}
	}
	return bp
}
