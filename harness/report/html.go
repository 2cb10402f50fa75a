package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// The page is one file that needs no network: styles and the one small script
// are inline. Every cell is a <details> element whose <summary> is the button, so
// a cell opens its log with JavaScript disabled too; the script only closes the
// other panels when one opens and lets a URL fragment (#open=<variant>/<stage>)
// open a cell on load, so a link can point at one log. html/template escapes
// everything captured, whatever the app printed.

type htmlPage struct {
	Run     *result.Run
	Counts  counts
	Started string
	Rows    []htmlRow
	Why     []htmlWhy
	Rec     recommendation
	Reason  string
	Rule    string
	Stages  []result.StageName
	// Undecided are the variants with caveats, for their own section.
	Undecided []htmlUndecided
	Notes     []htmlNote
}

type htmlNote struct{ Text, Who string }

type htmlUndecided struct {
	V       *result.Variant
	Outcome string
}

type htmlRow struct {
	V      *result.Variant
	Axes   string
	Cells  []htmlCell
	Expect string
	Short  string // the expectation without the output it demands, which is in the title
	// ExpectClass is met, unmet or none (the scenario claims nothing).
	ExpectClass string
}

type htmlCell struct {
	ID     string // variant/stage, the fragment that opens it
	Status string // pass, fail, skip
	Label  string
	S      *result.Stage // nil when the run has no record of the stage
}

type htmlWhy struct {
	why
	ID string // the failed cell, to link to
}

// Methods for the template; their types are unexported, so none of this is API.
func (c counts) Variants() int { return c.variants }
func (c counts) Boot() int     { return c.boot }
func (c counts) Fail() int     { return c.fail }
func (c counts) Met() int      { return c.met }
func (c counts) Unmet() int    { return c.unmet }
func (c counts) None() int     { return c.none }

func (w why) V() *result.Variant           { return w.v }
func (w why) Failed() *result.Stage        { return w.failed }
func (w why) Missing() []result.MissingLib { return w.missing }

// ExpectClass styles a variant's expect cell and says which line the Why entry ends with.
func (w why) ExpectClass() string { return expectClass(w.v) }

func expectClass(v *result.Variant) string {
	switch {
	case !hasExpectation(v):
		return "none"
	case v.ExpectationMet:
		return "met"
	}
	return "unmet"
}
func (w why) Class() string {
	if w.failed == nil {
		return ""
	}
	return classOf(w.failed)
}
func (r recommendation) Pick() *result.Variant { return r.pick }

var htmlTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"secs": func(f float64) string { return fmt.Sprintf("%.1fs", f) },
}).Parse(htmlSource))

// WriteHTML writes one self-contained page: a summary header with counts, the
// matrix as a coloured grid (green pass, red fail, grey skip) whose cells open
// their stage's explanation, evidence and log, the expectation column, why each
// failing variant failed, and the recommended configuration.
func WriteHTML(w io.Writer, run *result.Run) error {
	p := htmlPage{Run: run, Counts: countRun(run), Stages: result.StageNames, Rule: ruleFor(run)}
	for _, v := range undecided(run) {
		p.Undecided = append(p.Undecided, htmlUndecided{V: v, Outcome: outcomeWord(v)})
	}
	for _, n := range notesOf(run) {
		p.Notes = append(p.Notes, htmlNote{Text: n.text, Who: n.who(len(run.Variants))})
	}
	if !run.StartedAt.IsZero() {
		p.Started = run.StartedAt.UTC().Format("2006-01-02 15:04:05 UTC")
	}
	for i := range run.Variants {
		v := &run.Variants[i]
		row := htmlRow{V: v, ExpectClass: expectClass(v), Axes: axesLine(v.Axes), Expect: expectCell(v, unicodeMarks.pass, unicodeMarks.fail, unicodeMarks.skip), Short: shortExpectation(v.Expectation)}
		for _, name := range result.StageNames {
			s := v.StageByName(name)
			c := htmlCell{ID: v.Name + "/" + string(name), Status: string(result.Skip), Label: cell(s, unicodeMarks), S: s}
			if s != nil && (s.Status == result.Pass || s.Status == result.Fail) {
				c.Status = string(s.Status)
			}
			row.Cells = append(row.Cells, c)
		}
		p.Rows = append(p.Rows, row)
	}
	for _, wy := range whys(run) {
		h := htmlWhy{why: wy}
		if wy.failed != nil {
			h.ID = wy.v.Name + "/" + string(wy.failed.Name)
		}
		p.Why = append(p.Why, h)
	}
	p.Rec = recommend(run)
	p.Reason = p.Rec.reason("→")
	if err := htmlTmpl.Execute(w, p); err != nil {
		return fmt.Errorf("html: scenario %s: %w", run.Scenario, err)
	}
	return nil
}

const htmlSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>bootmatrix: {{.Run.Scenario}}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.2em 1.5em;color:#1f2328;background:#fff}
h1{font-size:1.5em;margin:0 0 .2em}
h2{font-size:1.15em;margin:1.4em 0 .4em}
.meta{color:#59636e;margin:0 0 .6em}
.counts{display:flex;gap:.6em;list-style:none;padding:0;margin:0 0 1em}
.counts li{border-radius:6px;padding:.3em .8em;background:#eef1f4}
.counts b{font-size:1.25em;margin-right:.25em}
.counts .boot,.counts .met{background:#d2f4d9}
.counts .fail,.counts .unmet{background:#ffd8d3}
table.matrix{border-collapse:separate;border-spacing:3px}
.matrix th{font-weight:600;text-align:left;padding:.35em .6em;background:#eef1f4;border-radius:4px}
.matrix th.variant{white-space:nowrap}
.matrix th.variant small{display:block;font-weight:400;color:#59636e;white-space:normal;max-width:22em;font-size:.8em}
td.cell{padding:0;border-radius:4px;min-width:5em;vertical-align:middle}
td.pass{background:#2da44e;color:#fff}
td.fail{background:#cf222e;color:#fff}
td.skip{background:#d0d7de;color:#424a53}
td.cell summary{cursor:pointer;padding:.55em .7em;list-style:none;font-weight:600}
td.cell summary::-webkit-details-marker{display:none}
td.cell summary:focus-visible{outline:3px solid #0969da;outline-offset:-3px}
td.cell summary small{display:block;font-weight:400;opacity:.85}
td.cell details[open]>summary{box-shadow:inset 0 -4px 0 #0969da}
/* An open panel spans the page just below its cell (absolute, top left at its
   static place), so a long log never stretches the grid. */
.panel{position:absolute;left:1.5em;right:1.5em;z-index:5;margin-top:4px;background:#fff;color:#1f2328;border:2px solid #0969da;border-radius:6px;padding:.6em 1em;box-shadow:0 8px 24px rgba(0,0,0,.25);font-weight:400;white-space:normal}
.panel h3{margin:.1em 0 .4em;font-size:1.05em}
.panel h4{margin:.8em 0 .2em;font-size:.95em}
.status-fail{color:#cf222e}.status-pass{color:#1a7f37}.status-skip{color:#59636e}
code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:.5em .7em;margin:.2em 0;max-height:22em;overflow:auto}
pre.evidence{background:#fff8c5;border-color:#d4a72c}
td.expect{padding:.45em .7em;border-radius:4px;min-width:11em;max-width:20em}
td.expect small{display:block;color:#424a53}
td.met{background:#d2f4d9}
td.unmet{background:#ffd8d3}
td.expect.none{color:#666}
.class{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.why li{margin:.2em 0 .8em}
.why .expl{margin:.2em 0}
.rec{margin-top:1.2em;padding:.6em 1em;border-left:4px solid #2da44e;background:#f0fff4}
.rec small{color:#59636e}
</style>
</head>
<body>
<header>
<h1>bootmatrix: {{.Run.Scenario}}</h1>
<p class="meta">{{with .Run.File}}{{.}} · {{end}}{{with .Run.Mode}}{{.}} · {{end}}{{with .Started}}started {{.}} · {{end}}{{secs .Run.Seconds}}</p>
<ul class="counts">
<li class="variants"><b>{{.Counts.Variants}}</b>variants</li>
<li class="boot"><b>{{.Counts.Boot}}</b>boot</li>
<li class="fail"><b>{{.Counts.Fail}}</b>fail</li>
<li class="met"><b>{{.Counts.Met}}</b>expectations met</li>
<li class="unmet"><b>{{.Counts.Unmet}}</b>not met</li>{{if .Counts.None}}
<li class="none"><b>{{.Counts.None}}</b>without expectation</li>{{end}}
</ul>
</header>
<main>
<table class="matrix" id="matrix">
<thead><tr><th>variant</th>{{range .Stages}}<th>{{.}}</th>{{end}}<th>expect</th></tr></thead>
<tbody>
{{range .Rows}}<tr data-variant="{{.V.Name}}">
<th scope="row" class="variant">{{.V.Name}}{{with .Axes}}<small>{{.}}</small>{{end}}</th>
{{range $c := .Cells}}<td class="cell {{.Status}}"><details id="cell-{{.ID}}"><summary>{{.Label}}{{with .S}}{{if ne .Status "skip"}} <small>{{secs .Seconds}}</small>{{end}}{{end}}</summary>
<div class="panel">{{with .S}}
<h3>{{$c.ID}}: <span class="status-{{.Status}}">{{.Status}}</span>{{if .Class}} <span class="class">{{.Class}}</span>{{end}} · exit {{.ExitCode}} · {{secs .Seconds}}</h3>
{{with .Explanation}}<p class="expl">{{.}}</p>{{end}}
{{with .Note}}<p class="note">{{.}}</p>{{end}}
{{with .Evidence}}<h4>Evidence</h4><pre class="evidence">{{range .}}{{.}}
{{end}}</pre>{{end}}
{{with .Missing}}<h4>Missing libraries</h4><ul>{{range .}}<li><code>{{.Library}}</code>{{with .NeededBy}}, needed by {{range $i, $n := .}}{{if $i}}, {{end}}<code>{{$n}}</code>{{end}}{{end}}{{with .FoundAt}}; found at {{range $i, $p := .}}{{if $i}}, {{end}}<code>{{$p}}</code>{{end}}{{else}}; found nowhere in the image{{end}}{{with .Provider}}; provided by <code>{{.}}</code>{{end}}</li>{{end}}</ul>{{end}}
{{with .Modules}}<h4>Modules</h4><ul>{{range .}}<li><code>{{.Name}}</code> {{if .OK}}ok{{with .Version}} {{.}}{{end}}{{else}}failed: {{.Error}}{{end}}</li>{{end}}</ul>{{end}}
<h4>Log</h4>{{if .Output}}<pre class="log">{{.Output}}</pre>{{else}}<p class="note">no output captured</p>{{end}}
{{else}}<p class="note">The run has no record of this stage.</p>{{end}}</div></details></td>
{{end}}<td class="expect {{.ExpectClass}}"{{with .V.Expectation}} title="expected: {{.}}"{{end}}>{{.Expect}}{{with .Short}}<small>expected: {{.}}</small>{{end}}</td>
</tr>
{{end}}</tbody>
</table>
{{with .Why}}<section class="why">
<h2>Why</h2>
<ul>
{{range .}}<li><b>{{.V.Name}}</b>: {{if .V.Error}}could not run: {{.V.Error}}{{else if .Failed}}<a href="#open={{.ID}}">{{.Failed.Name}}</a> failed: <span class="class">{{.Class}}</span>{{else}}no stage failed{{end}}
{{with .Failed}}{{with .Explanation}}<p class="expl">{{.}}</p>{{end}}{{with .Evidence}}<pre class="evidence">{{range .}}{{.}}
{{end}}</pre>{{end}}{{end}}
{{range .Missing}}<p class="expl">missing <code>{{.Library}}</code>{{with .FoundAt}}, found at {{range $i, $p := .}}{{if $i}}, {{end}}<code>{{$p}}</code>{{end}}{{end}}{{with .Provider}}, provided by <code>{{.}}</code>{{end}}</p>{{end}}
{{range .V.Fixes}}<p class="expl">fix: {{.Summary}}{{if .Proven}} (proven){{end}}</p>{{end}}
{{if eq .ExpectClass "none"}}<p class="expl">no expectation: this outcome cannot fail a run; <code>bootmatrix pin</code> writes it into the scenario</p>{{else if not .V.ExpectationMet}}<p class="expl">expectation not met: {{.V.ExpectationDetail}}</p>{{end}}</li>
{{end}}</ul>
</section>{{end}}
{{with .Notes}}<section class="why notes">
<h2>Builder notes</h2>
<ul>
{{range .}}<li>{{.Text}} <small>({{.Who}})</small></li>
{{end}}</ul>
</section>
{{end}}{{with .Undecided}}<section class="why undecided">
<h2>Not decided</h2>
<p class="note">The row is what bootmatrix built; a deploy may differ.</p>
<ul>
{{range .}}<li><b>{{.V.Name}}</b>: {{.Outcome}} here{{range .V.Caveats}}<p class="expl">caveat: {{.}}</p>{{end}}</li>
{{end}}</ul>
</section>
{{end}}<p class="rec">{{with .Rec.Pick}}<b>Recommended:</b> {{.Name}} — {{$.Reason}}.{{if .Caveats}} Not decided: no variant boots without a caveat.{{end}}{{else}}<b>Recommended:</b> none (no variant boots).{{end}}<br><small>{{.Rule}}.</small></p>
</main>
<script>
(function(){
  var cells=document.querySelectorAll('td.cell details');
  function only(d){for(var i=0;i<cells.length;i++){if(cells[i]!==d&&cells[i].open){cells[i].removeAttribute('open');}}}
  for(var i=0;i<cells.length;i++){cells[i].addEventListener('toggle',function(e){if(e.target.open){only(e.target);}});}
  function fromHash(){
    var h=location.hash;
    if(h.indexOf('#open=')!==0){return;}
    var d=document.getElementById('cell-'+decodeURIComponent(h.slice(6)));
    if(d){only(d);d.setAttribute('open','');d.scrollIntoView({block:'nearest'});}
  }
  window.addEventListener('hashchange',fromHash);
  fromHash();
})();
</script>
</body>
</html>
`

// shortExpectation keeps the expect column narrow: the output a scenario also
// demands is in the cell's title, the JSON and the terminal report.
func shortExpectation(e string) string {
	if i := strings.Index(e, " (output contains"); i > 0 {
		return e[:i]
	}
	return e
}
