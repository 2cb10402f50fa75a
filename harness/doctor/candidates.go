package doctor

import (
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/requirements"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// draft is a candidate before it is written: what it changes in the files
// (Edit, run on a copy of the baseline) and in the platform's settings (Variant).
type draft = builder.Draft

// fixKind is one kind of fix the doctor tries: adding a kind is one entry
// in fixKinds, and the builder that writes it lists it in its FixKinds.
type fixKind struct {
	kind diagnose.FixKind
	// always is for the kinds tried whatever the failure: the changes that
	// sidestep Nix's library layout altogether. The others answer the classes
	// whose catalogue entry offers them, and whatever the diagnosis proposed.
	always bool
	// drafts writes the candidates of a kind that is no builder's (a
	// requirement's pin is the same change whatever builds it); nil asks the
	// builders that list the kind how it applies to the baseline and how it
	// edits the copy of the project. The candidate's diff is what the edit changed.
	drafts func(s *state) []draft
}

// fixKinds are in the catalogue's order, smallest change first: the last
// tie-break when two proven fixes change as many lines.
var fixKinds = []fixKind{
	{kind: diagnose.FixSetAppRoot},
	{kind: diagnose.FixAddPythonProvider},
	{kind: diagnose.FixAddNixLibs},
	{kind: diagnose.FixAddNixPkgs},
	{kind: diagnose.FixMoveNixPkgToNixLibs},
	{kind: diagnose.FixLoginShell},
	{kind: diagnose.FixUseVenvInstall},
	{kind: diagnose.FixBreakSystemPackages},
	{kind: diagnose.FixRailpackKeepDefaults},
	{kind: diagnose.FixRailpackDeployApt},
	{kind: diagnose.FixAddAptPkgs},
	{kind: diagnose.FixNewerBase},
	{kind: diagnose.FixNixPythonPackage, always: true},
	{kind: diagnose.FixPinRequirement, drafts: func(s *state) []draft { return s.pins(diagnose.FixPinRequirement) }},
	{kind: diagnose.FixUnpinRequirement, drafts: func(s *state) []draft { return s.pins(diagnose.FixUnpinRequirement) }},
	{kind: diagnose.FixBinaryPackage, drafts: (*state).binaryTwins},
	{kind: diagnose.FixStartCommand, drafts: (*state).startCommand},
	{kind: diagnose.FixBuilderPythonSlim, always: true},
	{kind: diagnose.FixBuilderDockerfile, always: true},
	{kind: diagnose.FixBuilderRailpack, always: true},
}

// lookupKind is k's entry in fixKinds and its rank there; false for a kind
// the doctor cannot write.
func lookupKind(k diagnose.FixKind) (fixKind, int, bool) {
	for i, x := range fixKinds {
		if x.kind == k {
			return x, i, true
		}
	}
	return fixKind{}, len(fixKinds), false
}

func kindRank(k diagnose.FixKind) int {
	_, i, _ := lookupKind(k)
	return i
}

// state is what the generators know of the baseline and its failure; the
// builders get its FixBase.
type state struct {
	builder.FixBase
	builders []builder.Builder
}

// kindsFor are the fix kinds to try: the first failure's, in the diagnosis's
// order, then the general ones.
func kindsFor(start result.Variant) []diagnose.FixKind {
	var out []diagnose.FixKind
	add := func(k diagnose.FixKind) {
		for _, x := range out {
			if x == k {
				return
			}
		}
		out = append(out, k)
	}
	for _, f := range start.Fixes {
		add(diagnose.FixKind(f.ID))
	}
	if first := start.FirstFailure(); first != nil {
		if c, ok := diagnose.Lookup(first.Class); ok {
			for _, k := range c.Fixes {
				add(k)
			}
		}
	}
	for _, fk := range fixKinds {
		if fk.always {
			add(fk.kind)
		}
	}
	return out
}

// drafts generates the candidates for kinds, in that order; a kind that does
// not apply to this variant, or that the doctor cannot write, generates nothing.
func (s *state) drafts(kinds []diagnose.FixKind) []draft {
	var out []draft
	for _, k := range kinds {
		fk, _, ok := lookupKind(k)
		switch {
		case !ok:
		case fk.drafts != nil:
			out = append(out, fk.drafts(s)...)
		default:
			for _, b := range s.builders {
				if slices.Contains(b.FixKinds(), k) {
					out = append(out, b.Drafts(k, &s.FixBase)...)
				}
			}
		}
	}
	return out
}

var offeredRE = regexp.MustCompile(`satisfies the requirement ([A-Za-z0-9._-]+)\s*==\s*([^\s(]+) \(from versions: ([^)]*)\)`)

// pins changes a pinned requirement: to the newest version the failure says is
// on offer, or to no pin at all.
func (s *state) pins(k diagnose.FixKind) []draft {
	if s.First == nil || len(s.Requirements) == 0 {
		return nil
	}
	type change struct{ name, line string }
	var changes []change
	if m := offeredRE.FindStringSubmatch(s.First.Output); m != nil {
		offered := strings.Split(m[3], ",")
		last := strings.TrimSpace(offered[len(offered)-1])
		switch {
		case k == diagnose.FixPinRequirement && last != "" && last != "none":
			changes = append(changes, change{requirements.Name(m[1]), m[1] + "==" + last})
		case k == diagnose.FixUnpinRequirement:
			changes = append(changes, change{requirements.Name(m[1]), m[1]})
		}
	} else if k == diagnose.FixUnpinRequirement {
		for _, f := range s.Requirements {
			text, err := builder.ReadText(s.Dir, f)
			if err != nil {
				continue
			}
			for _, l := range strings.Split(text, "\n") {
				name := requirements.Name(l)
				if name != "" && strings.Contains(l, "==") && s.isImported(name) {
					changes = append(changes, change{name, strings.TrimSpace(l[:strings.Index(l, "==")])})
				}
			}
		}
	}
	if len(changes) == 0 {
		return nil
	}
	c := changes[0]
	id, what := "pin-requirement", "pin "+c.line
	if k == diagnose.FixUnpinRequirement {
		id, what = "unpin-requirement", "drop the version pin of "+c.name+" ("+c.line+")"
	}
	reqs := append([]string{}, s.Requirements...)
	return []draft{{ID: id, Kind: k, Summary: what + " in " + strings.Join(reqs, ", "),
		Edit: func(dir string, touched *[]string) error {
			for _, f := range reqs {
				text, err := builder.ReadText(dir, f)
				if err != nil {
					return err
				}
				found := false
				for _, l := range strings.Split(text, "\n") {
					found = found || requirements.Name(l) == c.name
				}
				if !found {
					continue
				}
				if err := builder.WriteText(dir, f, requirements.ApplyPins(text, []string{c.line})); err != nil {
					return err
				}
				*touched = append(*touched, f)
			}
			return nil
		}}}
}

// binaryTwin maps a distribution that builds from source to the one that ships the
// same modules prebuilt, with its libraries bundled.
var binaryTwin = map[string]string{"psycopg2": "psycopg2-binary"}

// startCommand gives a baseline that has no start command at all the one the
// project's requirements suggest (gunicorn's, uvicorn's, else python app.py), as
// the platform's setting; only a guess that boots is offered.
func (s *state) startCommand() []draft {
	if s.First != nil && s.First.Facts.Venv != "" {
		return s.venvStart(s.First.Facts.Venv)
	}
	if s.Start != "" {
		return nil
	}
	p, err := project.Inspect(filepath.Join(s.Dir, filepath.FromSlash(s.Root)))
	if err != nil {
		return nil
	}
	start := p.DefaultStart()
	return []draft{{ID: "start-command", Kind: diagnose.FixStartCommand,
		Summary:  fmt.Sprintf("set the start command to %s (a platform setting: Railway's Start Command)", start),
		Settings: []string{"start command: " + start},
		Variant:  func(v *scenario.Variant) { v.Start = start }}}
}

// venvStart runs the start command's program from the venv that has the requirements
// (the runner found it): python app.py → /opt/venv/bin/python app.py. Without a start
// command of its own the variant starts what the requirements suggest, as the
// platform's default would.
func (s *state) venvStart(venv string) []draft {
	start := s.Start
	if start == "" {
		p, err := project.Inspect(filepath.Join(s.Dir, filepath.FromSlash(s.Root)))
		if err != nil {
			return nil
		}
		start = p.DefaultStart()
	}
	prog, rest, _ := strings.Cut(start, " ")
	if prog == "" || strings.Contains(prog, "/") || strings.Contains(prog, "=") {
		return nil
	}
	start = strings.TrimSpace(venv + "/bin/" + prog + " " + rest)
	return []draft{{ID: "start-venv", Kind: diagnose.FixStartCommand,
		Summary:  fmt.Sprintf("start with the venv's %s: %s (a platform setting: Railway's Start Command)", prog, start),
		Settings: []string{"start command: " + start},
		Variant:  func(v *scenario.Variant) { v.Start = start }}}
}

// binaryTwins replaces, in the requirements, a distribution whose build failed with its
// prebuilt twin, keeping its version specifier: psycopg2==2.9.10 → psycopg2-binary==2.9.10.
func (s *state) binaryTwins() []draft {
	if s.First == nil || len(s.Requirements) == 0 {
		return nil
	}
	reqs := append([]string{}, s.Requirements...)
	var out []draft
	for _, from := range slices.Sorted(maps.Keys(binaryTwin)) {
		to := binaryTwin[from]
		named := false
		for _, f := range reqs {
			text, err := builder.ReadText(s.Dir, f)
			if err != nil {
				continue
			}
			for _, l := range strings.Split(text, "\n") {
				named = named || requirements.Name(l) == from
			}
		}
		if !named {
			continue
		}
		out = append(out, draft{ID: string(diagnose.FixBinaryPackage), Kind: diagnose.FixBinaryPackage,
			Summary: "install " + to + " instead of " + from + " in " + strings.Join(reqs, ", "),
			Edit: func(dir string, touched *[]string) error {
				for _, f := range reqs {
					text, err := builder.ReadText(dir, f)
					if err != nil {
						return err
					}
					lines := strings.Split(text, "\n")
					changed := false
					for i, l := range lines {
						if requirements.Name(l) != from {
							continue
						}
						// The name is the line's first word (after leading space); what follows
						// (specifier, markers, comment) stays.
						lead := len(l) - len(strings.TrimLeft(l, " \t"))
						rest := l[lead:]
						end := strings.IndexFunc(rest, func(r rune) bool { return !distNameRune(r) })
						if end < 0 {
							end = len(rest)
						}
						lines[i] = l[:lead] + to + rest[end:]
						changed = true
					}
					if !changed {
						continue
					}
					if err := builder.WriteText(dir, f, strings.Join(lines, "\n")); err != nil {
						return err
					}
					*touched = append(*touched, f)
				}
				return nil
			}})
	}
	return out
}

// distNameRune: a rune of a distribution's name as written (PEP 508).
func distNameRune(r rune) bool {
	return r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

func (s *state) isImported(dist string) bool {
	for _, m := range s.Imports {
		if requirements.Name(project.Distribution(m)) == dist {
			return true
		}
	}
	return false
}

// applied is a draft written out: the candidate's copy of the project, the
// scenario and variant that build it, the key of the images they render, and
// the files the edit touched (what its diff shows).
type applied struct {
	sc      *scenario.Scenario
	v       scenario.Variant
	key     string
	touched []string
}

// apply copies the baseline project to dir and makes the draft's change there.
// An error from the edit or the renderer means the candidate cannot be tried.
func apply(d draft, b *baseline, dir string) (applied, error) {
	if err := copyTree(b.dir, dir); err != nil {
		return applied{}, err
	}
	var a applied
	if d.Edit != nil {
		if err := d.Edit(dir, &a.touched); err != nil {
			return applied{}, err
		}
	}
	csc := *b.sc
	csc.Project.Dir = dir
	a.sc = &csc
	a.v = b.v
	if d.Variant != nil {
		d.Variant(&a.v)
	}
	key, err := recipeKey(a.sc, a.v)
	if err != nil {
		return applied{}, err
	}
	a.key = key
	return a, nil
}
