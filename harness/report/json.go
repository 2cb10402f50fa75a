// Package report renders one result.Run in every form its readers need: the
// terminal matrix, JSON for machines and shards, JUnit for CI, Markdown for step
// summaries and PR comments, and a self-contained HTML page.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// WriteJSON writes the run in the result package's stable schema, indented by
// two spaces, seconds rounded to 0.1 so that re-running a report does not churn
// diffs. Captured text is written as is (no \u003c for <): the file is read by
// people as often as by programs.
func WriteJSON(w io.Writer, run *result.Run) error {
	cp := *run
	cp.Seconds = round1(cp.Seconds)
	cp.Variants = make([]result.Variant, len(run.Variants))
	for i, v := range run.Variants {
		v.Stages = append([]result.Stage{}, v.Stages...)
		for j := range v.Stages {
			v.Stages[j].Seconds = round1(v.Stages[j].Seconds)
		}
		cp.Variants[i] = v
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&cp); err != nil {
		return fmt.Errorf("json: scenario %s: %w", run.Scenario, err)
	}
	return nil
}

// ReadJSON reads a run written by WriteJSON (or by any writer of the result
// schema). Fields it does not know are ignored, so older readers accept newer
// files; a file that is not a run at all is refused with what to give instead.
func ReadJSON(r io.Reader) (*result.Run, error) {
	var run result.Run
	dec := json.NewDecoder(r)
	if err := dec.Decode(&run); err != nil {
		return nil, fmt.Errorf("not a bootmatrix result (%w): give the JSON a run wrote with --json", err)
	}
	if run.Scenario == "" && len(run.Variants) == 0 {
		return nil, fmt.Errorf("not a bootmatrix result: no scenario and no variants; give the JSON a run wrote with --json")
	}
	for i, v := range run.Variants {
		if v.Name == "" {
			return nil, fmt.Errorf("variants[%d] has no name: every variant needs one", i)
		}
		for j, s := range v.Stages {
			switch s.Status {
			case result.Pass, result.Fail, result.Skip:
			default:
				return nil, fmt.Errorf("variant %q: stages[%d] (%s) has status %q: want pass, fail or skip", v.Name, j, s.Name, s.Status)
			}
		}
	}
	return &run, nil
}

// Merge combines the shards of one scenario's matrix into one run: variants in
// the order the shards are given, the earliest start, and the span until the
// last shard ended. A variant in two shards is a sharding mistake worth stopping
// on (which of the two would the report believe?), and so are shards of
// different scenarios or modes.
func Merge(runs ...*result.Run) (*result.Run, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("merge: no runs given")
	}
	for i, r := range runs {
		if r == nil {
			return nil, fmt.Errorf("merge: shard %d is empty", i+1)
		}
	}
	first := runs[0]
	out := &result.Run{Scenario: first.Scenario, File: first.File, Mode: first.Mode, StartedAt: first.StartedAt}
	type origin struct{ shard int }
	seen := map[string]origin{}
	var end time.Time
	for i, r := range runs {
		if r.Scenario != first.Scenario {
			return nil, fmt.Errorf("merge: shard %d is scenario %q, shard 1 is %q: merge the shards of one scenario", i+1, r.Scenario, first.Scenario)
		}
		if r.Mode != first.Mode {
			return nil, fmt.Errorf("merge: shard %d ran %s, shard 1 ran %s: merge shards of one mode", i+1, modeName(r.Mode), modeName(first.Mode))
		}
		if out.File == "" {
			out.File = r.File
		}
		if !r.StartedAt.IsZero() && (out.StartedAt.IsZero() || r.StartedAt.Before(out.StartedAt)) {
			out.StartedAt = r.StartedAt
		}
		if e := r.StartedAt.Add(time.Duration(r.Seconds * float64(time.Second))); e.After(end) {
			end = e
		}
		for _, v := range r.Variants {
			if o, dup := seen[v.Name]; dup {
				return nil, fmt.Errorf("merge: variant %q is in shard %d and in shard %d: run each variant in one shard only", v.Name, o.shard+1, i+1)
			}
			seen[v.Name] = origin{i}
			out.Variants = append(out.Variants, v)
		}
	}
	if !end.IsZero() && !out.StartedAt.IsZero() {
		out.Seconds = end.Sub(out.StartedAt).Seconds()
	}
	return out, nil
}

func modeName(m result.Mode) string {
	if m == "" {
		return "an unnamed mode"
	}
	return string(m)
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
