// Package doctor searches for the smallest change that makes a failing variant
// boot. It writes the variant's configuration into a copy of the project,
// generates candidate fixes from the diagnosis of the first failure (and a
// general set that sidesteps Nix's library layout), writes each candidate as
// an edited copy of the project, runs them all through the runner, and
// reports the ones that booted, smallest change first, each as a unified diff
// of the user's files that `git apply` accepts. A candidate that did not boot
// is only ever reported as tried.
package doctor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/builder/builtin"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// VariantRunner runs one variant; *runner.Runner satisfies it. The runner
// should carry the diagnoser (runner.WithDiagnoser), so failures have classes.
type VariantRunner interface {
	RunVariant(ctx context.Context, sc *scenario.Scenario, v scenario.Variant) (result.Variant, error)
}

// Option changes a search.
type Option func(*options)

type options struct {
	parallel int
	max      int
	first    bool
	start    *result.Variant
	workDir  string
	logf     func(string, ...any)
}

// WithParallel bounds how many candidates run at once (default 2).
func WithParallel(n int) Option { return func(o *options) { o.parallel = n } }

// WithMaxCandidates bounds how many candidates are run (default 8).
func WithMaxCandidates(n int) Option { return func(o *options) { o.max = n } }

// WithFirst stops at the smallest fix that boots: candidates start smallest
// first, and none starts once a proven one ranks before it (WithMaxCandidates
// keeps the smallest). The smallest proven fix is the one a full search finds;
// the larger ones are not run (they are in the report's skipped list), so the
// search takes less time and proves fewer alternatives.
func WithFirst() Option { return func(o *options) { o.first = true } }

// WithStartResult gives the starting variant's result, so it is not run again.
func WithStartResult(v result.Variant) Option { return func(o *options) { o.start = &v } }

// WithWorkDir puts the project copies under dir and leaves them there; by
// default they go to a temporary directory removed when the search ends.
func WithWorkDir(dir string) Option { return func(o *options) { o.workDir = dir } }

// WithLogf receives one line per step of the search.
func WithLogf(f func(string, ...any)) Option { return func(o *options) { o.logf = f } }

// Report is a search's outcome.
type Report struct {
	Scenario string `json:"scenario"`
	Variant  string `json:"variant"`
	// Baseline is the diff from the project on disk to the starting variant's
	// files (its nixpacks overrides, pins and start command written into them);
	// empty when the variant changes nothing. Candidates' diffs apply after it.
	Baseline string `json:"baseline,omitempty"`
	// Start is the starting variant's result.
	Start result.Variant `json:"start"`
	// Candidates are every candidate run: the proven ones first, smallest change
	// first, then those that did not boot.
	Candidates []Candidate `json:"candidates"`
	// Skipped are candidates not run, with the reason (same recipe as another, limit).
	Skipped []string `json:"skipped,omitempty"`
	Seconds float64  `json:"seconds"`
}

// Candidate is one tried fix.
type Candidate struct {
	ID      string           `json:"id"`
	Kind    diagnose.FixKind `json:"kind"`
	Summary string           `json:"summary"`
	// Diff is the change to the user's files, relative to the starting
	// variant's files (after Baseline), a/ b/ prefixed for git apply.
	Diff  string   `json:"diff,omitempty"`
	Files []string `json:"files,omitempty"`
	// Lines is the number of changed lines (added plus removed).
	Lines int `json:"lines"`
	// Settings are changes to the platform's settings the fix also needs.
	Settings []string `json:"settings,omitempty"`
	// Size orders the fixes: Lines plus SettingWeight per setting.
	Size   int            `json:"size"`
	Proven bool           `json:"proven"`
	Result result.Variant `json:"result"`
}

// SettingWeight is what one platform setting counts in a fix's size: more than
// a line, since it lives outside the repository where no diff shows it.
const SettingWeight = 3

// Proven returns the candidates that booted, smallest first.
func (r *Report) Proven() []Candidate {
	var out []Candidate
	for _, c := range r.Candidates {
		if c.Proven {
			out = append(out, c)
		}
	}
	return out
}

// Fixes are the proven candidates as result fixes, smallest first.
func (r *Report) Fixes() []result.Fix {
	var out []result.Fix
	for _, c := range r.Proven() {
		s := c.Summary
		if len(c.Settings) > 0 {
			s += " [settings: " + strings.Join(c.Settings, "; ") + "]"
		}
		out = append(out, result.Fix{ID: c.ID, Summary: s, Proven: true, Diff: c.Diff})
	}
	return out
}

// Search looks for fixes of variant v of sc with r. The error is a setup
// problem (the variant cannot be written into files, the project cannot be
// copied); candidates that fail are part of the report.
func Search(ctx context.Context, sc *scenario.Scenario, v scenario.Variant, r VariantRunner, opts ...Option) (*Report, error) {
	o := newOptions(opts)
	began := time.Now()
	work, cleanup, err := o.workspace()
	if err != nil {
		return nil, err
	}
	defer cleanup()

	b, rep, err := reproduce(sc, v, work)
	if err != nil {
		return nil, err
	}
	if rep.Start, err = o.startResult(ctx, r, b, v.Name); err != nil {
		return nil, err
	}
	baseKey, err := recipeKey(b.sc, b.v)
	if err != nil {
		return nil, err
	}
	if rep.Start.Boots {
		rep.Seconds = time.Since(began).Seconds()
		return rep, nil
	}

	st, err := newState(b, sc, rep.Start)
	if err != nil {
		return nil, err
	}
	drafts := st.drafts(kindsFor(rep.Start))
	limit := o.max
	if o.first {
		// The limit keeps the smallest candidates, not the first in catalogue order:
		// every draft is written out (file copies) and sized before any runs.
		limit = len(drafts)
	}
	todo, err := prepare(drafts, b, work, baseKey, v.Name, limit, rep)
	if err != nil {
		return nil, err
	}
	if o.first {
		sort.SliceStable(todo, func(i, j int) bool { return smaller(todo[i].c, todo[j].c) })
	}
	if len(todo) > o.max {
		for _, p := range todo[o.max:] {
			rep.Skipped = append(rep.Skipped, p.c.ID+": over the limit of "+fmt.Sprint(o.max)+" candidates (the smallest were kept)")
		}
		todo = todo[:o.max]
	}
	ran, skipped := runCandidates(ctx, r, todo, o)
	rep.Skipped = append(rep.Skipped, skipped...)
	rep.Candidates = ranked(ran)
	rep.Seconds = time.Since(began).Seconds()
	return rep, ctx.Err()
}

func newOptions(opts []Option) options {
	o := options{parallel: 2, max: 8, logf: func(string, ...any) {}}
	for _, opt := range opts {
		opt(&o)
	}
	if o.parallel < 1 {
		o.parallel = 1
	}
	return o
}

// workspace is the directory the project copies go to, and what removes it
// when the search ends (nothing, for a directory the caller gave).
func (o options) workspace() (string, func(), error) {
	if o.workDir != "" {
		if err := os.MkdirAll(o.workDir, 0o755); err != nil {
			return "", nil, err
		}
		return o.workDir, func() {}, nil
	}
	d, err := os.MkdirTemp("", "bootmatrix-doctor-")
	if err != nil {
		return "", nil, err
	}
	return d, func() { _ = os.RemoveAll(d) }, nil
}

// reproduce writes the variant's settings into a copy of the project (the
// baseline every candidate edits) and checks that the copy builds what the
// variant builds: otherwise every fix would be proven on another
// configuration than the one that failed. The report starts with the
// baseline's diff.
func reproduce(sc *scenario.Scenario, v scenario.Variant, work string) (*baseline, *Report, error) {
	b, err := materialize(sc, v, filepath.Join(work, "baseline"))
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{Scenario: sc.Name, Variant: v.Name}
	if rep.Baseline, _, _, err = diffTrees(sc.Project.Dir, b.dir, b.touched); err != nil {
		return nil, nil, err
	}
	origKey, err := recipeKey(sc, v, "nixpacks.toml", "railpack.json")
	if err != nil {
		return nil, nil, err
	}
	sameKey, err := recipeKey(b.sc, b.v, "nixpacks.toml", "railpack.json")
	if err != nil {
		return nil, nil, err
	}
	if origKey != sameKey {
		return nil, nil, fmt.Errorf("variant %q: writing its settings into %s did not reproduce its build (a bug in the doctor; please report it with the scenario)", v.Name, b.dir)
	}
	return b, rep, nil
}

// startResult is the starting variant's result: the one given with
// WithStartResult, else the baseline run under the variant's own name.
func (o options) startResult(ctx context.Context, r VariantRunner, b *baseline, name string) (result.Variant, error) {
	if o.start != nil {
		return *o.start, nil
	}
	o.logf("doctor: running the starting variant %s", name)
	return r.RunVariant(ctx, b.sc, named(b.v, name))
}

// prepared is a candidate written out and ready to run.
type prepared struct {
	c  Candidate
	sc *scenario.Scenario
	v  scenario.Variant
}

// prepare writes each draft into its own copy of the baseline, up to limit of
// them, and keeps only those that build something no earlier candidate (or
// the starting variant, baseKey) builds. What it leaves out goes to
// rep.Skipped with the reason.
func prepare(drafts []draft, b *baseline, work, baseKey, variant string, limit int, rep *Report) ([]prepared, error) {
	var todo []prepared
	seen := map[string]string{baseKey: "the starting variant"}
	for _, d := range drafts {
		if len(todo) >= limit {
			rep.Skipped = append(rep.Skipped, d.ID+": over the limit of "+fmt.Sprint(limit)+" candidates")
			continue
		}
		dir := filepath.Join(work, "cand-"+d.ID)
		a, err := apply(d, b, dir)
		if err != nil {
			rep.Skipped = append(rep.Skipped, d.ID+": "+err.Error())
			continue
		}
		if other, ok := seen[a.key]; ok {
			rep.Skipped = append(rep.Skipped, d.ID+": builds the same images as "+other)
			continue
		}
		seen[a.key] = d.ID
		diff, lines, _, err := diffTrees(b.dir, dir, a.touched)
		if err != nil {
			return nil, err
		}
		c := Candidate{ID: d.ID, Kind: d.Kind, Summary: d.Summary, Diff: diff, Lines: lines, Settings: d.Settings,
			Size: lines + SettingWeight*len(d.Settings)}
		c.Files = changedFiles(diff)
		todo = append(todo, prepared{c: c, sc: a.sc, v: named(a.v, variant+".fix-"+d.ID)})
	}
	return todo, nil
}

// runCandidates runs the candidates in order, o.parallel at a time, and records
// each one's result in place. A candidate is proven only when it booted and its
// run had no error. With o.first (todo is then smallest first) none starts once
// one is proven: it could not be the smallest fix. It returns the candidates run,
// and why the others were not.
func runCandidates(ctx context.Context, r VariantRunner, todo []prepared, o options) ([]prepared, []string) {
	sem := make(chan struct{}, o.parallel)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		proven *Candidate
		ran    = make([]bool, len(todo))
	)
	for i := range todo {
		sem <- struct{}{}
		mu.Lock()
		stop := o.first && proven != nil
		mu.Unlock()
		if stop {
			<-sem
			continue
		}
		ran[i] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			p := &todo[i]
			o.logf("doctor: trying %s", p.c.ID)
			res, err := r.RunVariant(ctx, p.sc, p.v)
			if err != nil && res.Error == "" {
				res.Error = err.Error()
			}
			p.c.Result = res
			p.c.Proven = res.Boots && res.Error == ""
			o.logf("doctor: %s %s", p.c.ID, outcome(res))
			if p.c.Proven {
				mu.Lock()
				if proven == nil || smaller(p.c, *proven) {
					proven = &p.c
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	var out []prepared
	var skipped []string
	for i, p := range todo {
		if ran[i] {
			out = append(out, p)
			continue
		}
		skipped = append(skipped, p.c.ID+": not run, the smaller "+proven.ID+" boots")
	}
	return out, skipped
}

// ranked are the candidates run, proven first, smallest change first.
func ranked(todo []prepared) []Candidate {
	var out []Candidate
	for _, p := range todo {
		out = append(out, p.c)
	}
	sort.SliceStable(out, func(i, j int) bool { return less(out[i], out[j]) })
	return out
}

// less ranks proven before not, then as smaller does.
func less(a, b Candidate) bool {
	if a.Proven != b.Proven {
		return a.Proven
	}
	return smaller(a, b)
}

// smaller ranks by size, fewer files, catalogue order, ID.
func smaller(a, b Candidate) bool {
	if a.Size != b.Size {
		return a.Size < b.Size
	}
	if len(a.Files) != len(b.Files) {
		return len(a.Files) < len(b.Files)
	}
	if ka, kb := kindRank(a.Kind), kindRank(b.Kind); ka != kb {
		return ka < kb
	}
	return a.ID < b.ID
}

func named(v scenario.Variant, name string) scenario.Variant {
	v.Name = name
	v.Expect = nil
	return v
}

func outcome(v result.Variant) string {
	if v.Boots {
		return "boots"
	}
	if v.Error != "" {
		return "did not run: " + v.Error
	}
	if f := v.FirstFailure(); f != nil {
		return "fails at " + string(f.Name) + " (" + f.Class + ")"
	}
	return "did not boot"
}

func changedFiles(diff string) []string {
	var out []string
	for _, l := range strings.Split(diff, "\n") {
		if rest, ok := strings.CutPrefix(l, "diff --git a/"); ok {
			if i := strings.Index(rest, " b/"); i >= 0 {
				out = append(out, rest[:i])
			}
		}
	}
	return out
}

func newState(b *baseline, orig *scenario.Scenario, start result.Variant) (*state, error) {
	reqs, err := b.requirementFiles()
	if err != nil {
		return nil, err
	}
	st := &state{builders: builtin.Registry().Builders(), FixBase: builder.FixBase{
		Scenario: b.sc, Variant: b.v, Dir: b.dir, Root: b.root,
		Requirements: reqs, Imports: orig.Imports,
		First: start.FirstFailure(), Missing: missingLibs(start), Fixes: start.Fixes,
	}}
	if st.Start, st.Python, err = b.builder.Describe(&st.FixBase); err != nil {
		return nil, err
	}
	return st, nil
}

// missingLibs are the libraries the start's stages found missing, each once,
// in the order found. When the ldd stage listed none but the first failure
// is a missing library (linked, or opened by name), the loader's error names
// it: that counts too.
func missingLibs(start result.Variant) []result.MissingLib {
	var out []result.MissingLib
	for _, s := range start.Stages {
		for _, m := range s.Missing {
			if findMissing(out, m.Library) < 0 {
				out = append(out, m)
			}
		}
	}
	first := start.FirstFailure()
	// A library opened by name (cffi's dlopen) is named by the loader's error the same way.
	if first == nil || len(out) > 0 || first.Class != diagnose.ClassMissingLib && first.Class != diagnose.ClassDlopenMissing {
		return out
	}
	for _, l := range strings.Split(first.Output, "\n") {
		if i := strings.Index(l, ": cannot open shared object file"); i > 0 {
			f := strings.Fields(l[:i])
			if len(f) > 0 {
				lib := filepath.Base(strings.Trim(f[len(f)-1], "\"'`():"))
				if findMissing(out, lib) < 0 {
					out = append(out, result.MissingLib{Library: lib})
				}
			}
		}
	}
	return out
}

func findMissing(ms []result.MissingLib, lib string) int {
	for i, m := range ms {
		if m.Library == lib {
			return i
		}
	}
	return -1
}

// recipeKey identifies what a variant builds and runs: two variants with the
// same key are the same experiment. Context files count by content, so copies
// of a project in different directories agree.
// ignore names context files whose content does not count (the variant's own
// config file, which the copy has rewritten).
func recipeKey(sc *scenario.Scenario, v scenario.Variant, ignore ...string) (string, error) {
	rc, err := builtin.Registry().Render(sc, v, recipe.Offline())
	if err != nil {
		return "", err
	}
	h := sha256.New()
	build := func(name string, b *recipe.Build) error {
		if b == nil {
			fmt.Fprintf(h, "%s: none\n", name)
			return nil
		}
		fmt.Fprintf(h, "%s:\n%s\n", name, b.Dockerfile)
		for _, k := range slices.Sorted(maps.Keys(b.Args)) {
			fmt.Fprintf(h, "arg %s=%s\n", k, b.Args[k])
		}
		for _, k := range slices.Sorted(maps.Keys(b.Context)) {
			if slices.Contains(ignore, k) {
				continue
			}
			f := b.Context[k]
			data := f.Data
			if f.Source != "" {
				d, err := os.ReadFile(f.Source)
				if err != nil {
					return err
				}
				data = d
			}
			fh := sha256.Sum256(data)
			fmt.Fprintf(h, "file %s %o %x\n", k, f.Mode, fh)
		}
		return nil
	}
	for _, s := range []struct {
		n string
		b *recipe.Build
	}{{"setup", &rc.Setup}, {"install", rc.Install}, {"final", rc.Final}} {
		if err := build(s.n, s.b); err != nil {
			return "", err
		}
	}
	fmt.Fprintf(h, "shell %q start %q workdir %q python %q\n", rc.Shell, rc.Start, rc.Workdir, rc.Python)
	for _, k := range slices.Sorted(maps.Keys(rc.Env)) {
		fmt.Fprintf(h, "env %s=%s\n", k, rc.Env[k])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WriteText prints the report: the start's failure, the proven fixes with
// their diffs, smallest first, then what was tried and failed.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "doctor: %s / %s\n", r.Scenario, r.Variant)
	if r.Start.Boots {
		b.WriteString("the starting variant already boots: nothing to fix\n")
		writeCaveats(&b, "", r.Start.Caveats)
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "starting point: %s\n", outcome(r.Start))
	if f := r.Start.FirstFailure(); f != nil {
		if f.Explanation != "" {
			fmt.Fprintf(&b, "  why: %s\n", f.Explanation)
		}
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  | %s\n", e)
		}
	}
	if r.Baseline != "" {
		b.WriteString("\nthe variant's settings as file edits (apply first; the fixes below are relative to them):\n")
		b.WriteString(r.Baseline)
	}
	proven := r.Proven()
	if len(proven) == 0 {
		b.WriteString("\nno candidate booted: no proven fix\n")
	} else {
		fmt.Fprintf(&b, "\n%d proven fix(es), smallest first (each booted and answered its health check):\n", len(proven))
	}
	for i, c := range proven {
		fmt.Fprintf(&b, "\n%d. %s — %s\n   %d line(s) in %d file(s)", i+1, c.ID, c.Summary, c.Lines, len(c.Files))
		if len(c.Settings) > 0 {
			fmt.Fprintf(&b, "; platform settings: %s", strings.Join(c.Settings, "; "))
		}
		b.WriteString("\n")
		writeCaveats(&b, "   ", c.Result.Caveats)
		if c.Diff != "" {
			b.WriteString(c.Diff)
		} else {
			b.WriteString("   (no file change)\n")
		}
	}
	if rec := recommendBoth(proven); rec != "" {
		b.WriteString("\n" + rec)
	}
	var failed []Candidate
	for _, c := range r.Candidates {
		if !c.Proven {
			failed = append(failed, c)
		}
	}
	if len(failed) > 0 {
		b.WriteString("\ntried, did not boot (not fixes):\n")
		for _, c := range failed {
			fmt.Fprintf(&b, "  %-24s %s\n", c.ID, outcome(c.Result))
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(&b, "  skipped %s\n", s)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeCaveats says, under a boot, where bootmatrix could not decide it as a deploy
// would (a stand-in of the offline kit, a provider it does not model): such a
// proof holds for what bootmatrix built only.
func writeCaveats(b *strings.Builder, indent string, caveats []string) {
	for _, c := range caveats {
		fmt.Fprintf(b, "%snot decided (a deploy may differ): %s\n", indent, c)
	}
}

// recommendBoth names the two paths when the migration to Railpack booted
// beside a fix on the current builder: the smallest fix, and the migration.
func recommendBoth(proven []Candidate) string {
	small, migrate := -1, -1
	for i, c := range proven {
		switch {
		case c.Kind == diagnose.FixBuilderRailpack && migrate < 0:
			migrate = i
		case c.Kind != diagnose.FixBuilderRailpack && small < 0:
			small = i
		}
	}
	if small < 0 || migrate < 0 {
		return ""
	}
	return fmt.Sprintf("recommended: %d. %s (the smallest fix), or %d. %s (the migration to Railpack, Nixpacks' successor)\n",
		small+1, proven[small].ID, migrate+1, proven[migrate].ID)
}
