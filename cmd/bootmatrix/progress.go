package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moby/term"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
)

// progress shows stage events while a run is under way. On a terminal it keeps
// one line per variant (its current stage and elapsed time) and redraws them in
// place; on a pipe or in CI, where cursor movement would garble the log, it
// prints one plain line per event. It does no I/O of its own timing: the caller
// feeds events and calls Draw, so tests can drive it with a fake clock.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool
	now   func() time.Time
	order []string
	rows  map[string]*progressRow
	width int
	drawn int // lines on screen from the last Draw, to move the cursor back over
}

type progressRow struct {
	stage   result.StageName
	status  result.Status // empty while the stage runs
	started time.Time     // the variant's first event
	ended   time.Time     // the last stage end, zero while a stage runs
	events  int
}

func newProgress(w io.Writer, live bool, now func() time.Time, variants []string) *progress {
	p := &progress{w: w, live: live, now: now, order: variants, rows: map[string]*progressRow{}}
	for _, v := range variants {
		p.rows[v] = &progressRow{}
		if len(v) > p.width {
			p.width = len(v)
		}
	}
	return p
}

// liveTerminal reports whether w is a terminal worth redrawing on: not in CI,
// whose log viewers show every redraw as a new line.
func liveTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("CI") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return term.IsTerminal(f.Fd())
}

// Event records e; in plain mode it also prints it.
func (p *progress) Event(e runner.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		if e.Status == "" {
			fmt.Fprintf(p.w, "%s  %-*s  %-7s start\n", e.Time.Format("15:04:05"), p.width, e.Variant, e.Stage)
			return
		}
		fmt.Fprintf(p.w, "%s  %-*s  %-7s %-4s %5.1fs\n", e.Time.Format("15:04:05"), p.width, e.Variant, e.Stage, e.Status, e.Seconds)
		return
	}
	r, ok := p.rows[e.Variant]
	if !ok {
		// A variant the caller did not announce still gets a line.
		r = &progressRow{}
		p.rows[e.Variant] = r
		p.order = append(p.order, e.Variant)
		if len(e.Variant) > p.width {
			p.width = len(e.Variant)
		}
	}
	if r.events == 0 {
		r.started = e.Time
	}
	r.events++
	r.stage, r.status = e.Stage, e.Status
	if e.Status == "" {
		r.ended = time.Time{}
	} else {
		r.ended = e.Time
	}
}

// Draw redraws every variant's line in live mode (a no-op otherwise). The caller
// calls it on a ticker, which bounds the redraw rate whatever the event rate.
func (p *progress) Draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.live {
		return
	}
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn) // back to the first line
	}
	now := p.now()
	for _, v := range p.order {
		b.WriteString("\r\x1b[2K")
		b.WriteString(p.line(v, now))
		b.WriteString("\n")
	}
	p.drawn = len(p.order)
	io.WriteString(p.w, b.String())
}

func (p *progress) line(v string, now time.Time) string {
	r := p.rows[v]
	if r.events == 0 {
		return fmt.Sprintf("%-*s  waiting", p.width, v)
	}
	end := now
	if !r.ended.IsZero() {
		end = r.ended
	}
	elapsed := end.Sub(r.started).Seconds()
	state := "running"
	switch r.status {
	case result.Pass:
		state = "passed"
		if r.stage == result.StageBoot {
			state = "boots"
		}
	case result.Fail:
		state = "FAILED"
	case result.Skip:
		state = "skipped"
	}
	return fmt.Sprintf("%-*s  %-7s %-7s %6.1fs", p.width, v, r.stage, state, elapsed)
}

// start runs Draw about ten times a second until the returned stop is called,
// which draws the final state once more.
func (p *progress) start() (stop func()) {
	if !p.live {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.Draw()
			case <-done:
				return
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		p.Draw()
	}
}
