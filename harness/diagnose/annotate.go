package diagnose

import (
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Annotate diagnoses every failed stage of v in place: Class, Explanation and Evidence,
// and the Provider of every missing library. It appends the first failure's fixes to
// v.Fixes as unproven suggestions (a fix already listed by ID is left as it is, so a
// runner's proven fixes survive and Annotate can run twice).
//
// Each stage is classified from its own Facts (what the runner observed while it ran).
// The ldd stage's findings inform every stage: they say where a library named by an
// import or boot error exists in the image.
func Annotate(v *result.Variant, ctx Context) {
	if v == nil {
		return
	}
	ctx = withAxes(ctx, v.Axes)
	var lddMissing []result.MissingLib
	if st := v.StageByName(result.StageLdd); st != nil {
		lddMissing = st.Missing
	}
	noteIgnoredIndexes(v, ctx)
	first := v.FirstFailure()
	var firstFinding *Finding
	for i := range v.Stages {
		st := &v.Stages[i]
		if st.Status != result.Fail {
			fillProviders(st.Missing, ctx)
			continue
		}
		missing := lddMissing
		if st.Name == result.StageLdd {
			missing = st.Missing
		}
		f := Classify(*st, missing, ctx)
		st.Class = f.Class
		st.Explanation = f.Explanation
		st.Evidence = f.Evidence
		if st.Name == result.StageLdd || len(st.Missing) > 0 {
			for j := range st.Missing {
				for _, m := range f.Missing {
					if m.Library == st.Missing[j].Library && st.Missing[j].Provider == "" {
						st.Missing[j].Provider = m.Provider
					}
				}
			}
			fillProviders(st.Missing, ctx)
		}
		if st == first {
			firstFinding = &f
		}
	}
	if firstFinding == nil {
		return
	}
	for _, s := range firstFinding.Suggestions {
		if hasFix(v.Fixes, s.ID) {
			continue
		}
		s.Proven = false
		v.Fixes = append(v.Fixes, s)
	}
}

// noteIgnoredIndexes tells, on the stage that ran pip, that an offline run did not
// use the index the requirements name: pip says nothing of it, so an install that
// passed may have taken other versions than the file asks for, and one that failed
// may have failed only for that.
func noteIgnoredIndexes(v *result.Variant, ctx Context) {
	if ctx.Mode != result.ModeOffline || len(ctx.Indexes) == 0 {
		return
	}
	st := v.StageByName(result.StageInstall)
	if st == nil || st.Status == result.Skip {
		st = v.StageByName(result.StageBuild)
	}
	if st == nil || st.Status == result.Skip || strings.Contains(st.Note, "the index the requirements name") {
		return
	}
	note := ignoredIndexText(ctx.Indexes)
	if st.Note != "" {
		note = st.Note + "; " + note
	}
	st.Note = note
}

// stageText is the output Classify reads: the stage's output, then the import probe's
// per-module errors when the output does not already carry them.
func stageText(st *result.Stage) string {
	var b strings.Builder
	b.WriteString(st.Output)
	for _, m := range st.Modules {
		if m.OK || m.Error == "" || strings.Contains(st.Output, m.Error) {
			continue
		}
		b.WriteString("\n")
		b.WriteString(m.Error)
	}
	return b.String()
}

func fillProviders(ms []result.MissingLib, ctx Context) {
	if len(ms) == 0 {
		return
	}
	c := classifier{ctx: ctx, missing: ms, s: &scan{}}
	for i := range ms {
		if ms[i].Provider == "" {
			ms[i].Provider = c.providerOf(ms[i])
		}
	}
}

func hasFix(fs []result.Fix, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}

// withAxes fills what ctx leaves unknown from the variant's matrix axes, which name the
// builder, shell and Python version whenever the matrix varies them.
func withAxes(ctx Context, axes map[string]string) Context {
	if ctx.Builder == "" {
		ctx.Builder = scenario.BuilderName(axes["builder"]) // a name only: the facts come with the recipe
	}
	if ctx.Shell == "" {
		switch sh := scenario.Shell(axes["shell"]); sh {
		case scenario.ShellLogin, scenario.ShellPlain:
			ctx.Shell = sh
		}
	}
	if ctx.Python == "" {
		ctx.Python = axes["python"]
	}
	return ctx
}
