package report

import (
	"html/template"
	"io"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// The page needs no network: styles and the one small script are inline. Every
// cell is a <details> element, so its log opens with JavaScript disabled too; the
// script only lets a URL fragment (#open=<variant>/<stage>) open one on load.
// html/template escapes everything captured, whatever the app printed.
var htmlPage = template.Must(template.New("page").Funcs(template.FuncMap{
	"stage":   func(v result.Variant, name string) *result.Stage { return v.StageByName(name) },
	"stages":  func() []string { return result.StageNames },
	"boots":   countBoots,
	"summary": expectSummary,
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bootmatrix: {{.Scenario}}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse}
th,td{border:1px solid #bbb;padding:0;vertical-align:top;text-align:left}
th{background:#eee;padding:.4em .6em}
td.name{padding:.4em .6em;font-weight:600;white-space:nowrap}
td.pass{background:#cdeccd}td.fail{background:#f4c2c2}td.skip{background:#e4e4e4}
td.met{background:#cdeccd;padding:.4em .6em}td.unmet{background:#f4c2c2;padding:.4em .6em}
details>summary{cursor:pointer;padding:.4em .6em;list-style:none;min-width:7em}
details[open]{background:#fff}
.panel{padding:.5em .8em;max-width:60em}
pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;border:1px solid #ddd;padding:.5em;max-height:30em;overflow:auto;font-size:12px}
.why{color:#444;margin:.3em 0}
</style>
</head>
<body>
<h1>bootmatrix: {{.Scenario}}</h1>
<p>{{len .Variants}} variant(s), {{boots .}} boot, {{summary .}}.{{if .Mode}} Mode: {{.Mode}}.{{end}}</p>
<table id="matrix">
<tr><th>variant</th>{{range stages}}<th>{{.}}</th>{{end}}<th>expected</th></tr>
{{range $v := .Variants}}<tr data-variant="{{$v.Name}}">
<td class="name">{{$v.Name}}{{if $v.Error}}<div class="why">could not run: {{$v.Error}}</div>{{end}}</td>
{{range $name := stages}}{{with stage $v $name}}<td class="{{.Status}}"><details id="cell-{{$v.Name}}/{{$name}}"><summary>{{if eq .Status "pass"}}✓{{else if eq .Status "fail"}}✗ {{.Class}}{{else}}–{{end}} <small>{{printf "%.1f" .Seconds}}s</small></summary>
<div class="panel">{{if .Explanation}}<p class="why">{{.Explanation}}</p>{{end}}{{if .Note}}<p class="why">{{.Note}}</p>{{end}}
{{if .Evidence}}<p>Evidence</p><pre>{{range .Evidence}}{{.}}
{{end}}</pre>{{end}}{{range .Missing}}<p>missing {{.Library}}{{if .FoundAt}}, present at {{range .FoundAt}}{{.}} {{end}}{{end}}{{if .Provider}} (provided by {{.Provider}}){{end}}</p>{{end}}
{{if .Output}}<p>Log (exit {{.ExitCode}})</p><pre>{{.Output}}</pre>{{end}}</div></details></td>{{else}}<td class="skip"></td>{{end}}{{end}}
<td class="{{if $v.ExpectationMet}}met{{else}}unmet{{end}}">{{if $v.ExpectationMet}}✓{{else}}✗{{end}} {{$v.Expectation}}{{if not $v.ExpectationMet}}<div class="why">{{$v.ExpectationDetail}}</div>{{end}}</td>
</tr>
{{end}}</table>
<script>
(function(){var m=/^#open=(.+)$/.exec(decodeURIComponent(location.hash));if(!m)return;var d=document.getElementById('cell-'+m[1]);if(d){d.open=true;d.setAttribute('open','');d.scrollIntoView();}})();
</script>
</body>
</html>
`))

// WriteHTML writes one self-contained page: the matrix as a coloured grid whose
// cells open their stage's log and evidence.
func WriteHTML(w io.Writer, run *result.Run) error {
	return htmlPage.Execute(w, run)
}
