package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/docker/go-units"
	"github.com/mattn/go-runewidth"
	"github.com/moby/term"

	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/runner"
)

// progress shows stage events and image pulls while a run is under way. On a
// terminal it keeps one line per variant (its current stage and elapsed time) and,
// while an image is pulled, one per layer with a bar, and redraws them in place; on
// a pipe or in CI, where cursor movement would garble the log, it prints plain
// lines: one per stage event, and one per layer state with its byte counts at most
// every plainPullEvery. It does no I/O of its own timing: the caller feeds events
// and calls Draw, so tests can drive it with a fake clock.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	live  bool
	now   func() time.Time
	order []string
	rows  map[string]*progressRow
	width int
	drawn int // lines on screen from the last Draw, to move the cursor back over
	// cols is the terminal's width now, 0 when unknown. A line longer than it
	// would wrap, and moving the cursor back by lines drawn would then leave
	// the screen garbled, so Draw cuts lines to it.
	cols func() int
	// pulls are the pulls under way, in the order they started.
	pulls []*pullView
}

// plainPullEvery bounds how often a pipe gets a line for one layer whose state has
// not changed: a 1 GB layer reports its bytes thousands of times.
const plainPullEvery = 5 * time.Second

// pullView is one pull under way: the image's latest own message and its layers.
type pullView struct {
	ref    string
	status string
	layers []*layerView
}

type layerView struct {
	id             string
	status         string
	current, total int64
	printed        time.Time // plain mode: when its last line went out
	printedStatus  string
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

// terminalCols is w's width in columns now, 0 when w is not a terminal.
func terminalCols(w io.Writer) func() int {
	return func() int {
		f, ok := w.(*os.File)
		if !ok {
			return 0
		}
		ws, err := term.GetWinsize(f.Fd())
		if err != nil {
			return 0
		}
		return int(ws.Width)
	}
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

// Pull records a pull's message; in plain mode it prints it unless it only counts
// bytes of a layer state printed less than plainPullEvery ago. A pull's Done
// message ends its lines.
func (p *progress) Pull(e runner.PullProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	stamp := e.Time.Format("15:04:05")
	if e.Done {
		for i, pv := range p.pulls {
			if pv.ref == e.Ref {
				p.pulls = append(p.pulls[:i], p.pulls[i+1:]...)
				break
			}
		}
		if p.live {
			return
		}
		if e.Err != nil {
			fmt.Fprintf(p.w, "%s  pull %s failed: %v\n", stamp, e.Ref, e.Err)
			return
		}
		fmt.Fprintf(p.w, "%s  pull %s done\n", stamp, e.Ref)
		return
	}
	pv := p.pull(e.Ref)
	if e.Layer == "" {
		pv.status = e.Status
		if !p.live {
			fmt.Fprintf(p.w, "%s  pull %s  %s\n", stamp, e.Ref, e.Status)
		}
		return
	}
	var l *layerView
	for _, x := range pv.layers {
		if x.id == e.Layer {
			l = x
			break
		}
	}
	if l == nil {
		l = &layerView{id: e.Layer}
		pv.layers = append(pv.layers, l)
	}
	l.status, l.current, l.total = e.Status, e.Current, e.Total
	if p.live || (l.printedStatus == e.Status && e.Time.Sub(l.printed) < plainPullEvery) {
		return
	}
	l.printed, l.printedStatus = e.Time, e.Status
	line := fmt.Sprintf("%s  pull %s  %s  %s", stamp, e.Ref, l.id, l.status)
	if n := layerBytes(l.current, l.total); n != "" {
		line += "  " + n
	}
	fmt.Fprintln(p.w, line)
}

func (p *progress) pull(ref string) *pullView {
	for _, pv := range p.pulls {
		if pv.ref == ref {
			return pv
		}
	}
	pv := &pullView{ref: ref}
	p.pulls = append(p.pulls, pv)
	return pv
}

// layerBytes is "1.049MB/3.146MB 33%", or what of it the engine said.
func layerBytes(current, total int64) string {
	switch {
	case total > 0:
		return fmt.Sprintf("%s/%s %d%%", units.HumanSize(float64(current)), units.HumanSize(float64(total)), percent(current, total))
	case current > 0:
		return units.HumanSize(float64(current))
	}
	return ""
}

func percent(current, total int64) int64 {
	return min(max(current*100/total, 0), 100)
}

// pullBarWidth is the bar's cells, narrow enough that a mirror's long reference
// still leaves the line inside 80 columns for most layers.
const pullBarWidth = 20

// layerLine is a layer's live line: its state, and a bar while bytes are counted.
func layerLine(l *layerView) string {
	line := fmt.Sprintf("  %s  %-18s", l.id, l.status)
	if l.total > 0 {
		n := int(percent(l.current, l.total) * pullBarWidth / 100)
		bar := strings.Repeat("=", n)
		if n < pullBarWidth {
			bar += ">" + strings.Repeat(" ", pullBarWidth-n-1)
		}
		line += " [" + bar + "] " + layerBytes(l.current, l.total)
	} else if n := layerBytes(l.current, l.total); n != "" {
		line += " " + n
	}
	return strings.TrimRight(line, " ")
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
	lines := make([]string, 0, len(p.order))
	for _, v := range p.order {
		lines = append(lines, p.line(v, now))
	}
	for _, pv := range p.pulls {
		lines = append(lines, strings.TrimRight("pull "+pv.ref+"  "+pv.status, " "))
		for _, l := range pv.layers {
			lines = append(lines, layerLine(l))
		}
	}
	cols := 0
	if p.cols != nil {
		cols = p.cols()
	}
	for _, l := range lines {
		if cols > 1 {
			// The last column stays empty: some terminals wrap on writing it.
			l = runewidth.Truncate(l, cols-1, "…")
		}
		b.WriteString("\r\x1b[2K")
		b.WriteString(l)
		b.WriteString("\n")
	}
	if len(lines) < p.drawn {
		// A finished pull's lines are below: clear them.
		b.WriteString("\x1b[J")
	}
	p.drawn = len(lines)
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
