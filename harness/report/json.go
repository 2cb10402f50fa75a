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

// WriteJSON writes the run in the stable schema, seconds rounded to 0.1.
func WriteJSON(w io.Writer, run *result.Run) error {
	cp := *run
	cp.Seconds = round1(cp.Seconds)
	cp.Variants = make([]result.Variant, len(run.Variants))
	for i, v := range run.Variants {
		v.Stages = append([]result.Stage(nil), v.Stages...)
		for j := range v.Stages {
			v.Stages[j].Seconds = round1(v.Stages[j].Seconds)
		}
		cp.Variants[i] = v
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&cp)
}

// ReadJSON reads a run written by WriteJSON.
func ReadJSON(r io.Reader) (*result.Run, error) {
	var run result.Run
	dec := json.NewDecoder(r)
	if err := dec.Decode(&run); err != nil {
		return nil, fmt.Errorf("not a bootmatrix result: %w", err)
	}
	if run.Scenario == "" && len(run.Variants) == 0 {
		return nil, fmt.Errorf("not a bootmatrix result: no scenario and no variants")
	}
	return &run, nil
}

// Merge combines shards of one matrix. Variant names must stay unique: two
// shards that ran the same variant are a sharding mistake worth stopping on.
func Merge(runs ...*result.Run) (*result.Run, error) {
	if len(runs) == 0 {
		return nil, fmt.Errorf("merge: no runs given")
	}
	out := &result.Run{Scenario: runs[0].Scenario, File: runs[0].File, Mode: runs[0].Mode, StartedAt: runs[0].StartedAt}
	seen := map[string]int{}
	var end time.Time
	for i, r := range runs {
		if r.StartedAt.Before(out.StartedAt) && !r.StartedAt.IsZero() {
			out.StartedAt = r.StartedAt
		}
		if e := r.StartedAt.Add(time.Duration(r.Seconds * float64(time.Second))); e.After(end) {
			end = e
		}
		for _, v := range r.Variants {
			if j, dup := seen[v.Name]; dup {
				return nil, fmt.Errorf("merge: variant %q is in shard %d and shard %d: each variant must run in one shard only", v.Name, j+1, i+1)
			}
			seen[v.Name] = i
			out.Variants = append(out.Variants, v)
		}
	}
	if !end.IsZero() && !out.StartedAt.IsZero() {
		out.Seconds = end.Sub(out.StartedAt).Seconds()
	}
	return out, nil
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
