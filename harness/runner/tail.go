package runner

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
)

// Tail keeps the last max bytes a process printed, plus the lines before that tail
// that look like errors (up to keyCap lines, each cut to lineCap bytes). A build that
// prints 100 MB costs max + keyCap*lineCap bytes, not 100 MB, and the first error of a
// long log survives even when the tail is only the noise that followed it.
type Tail struct {
	mu      sync.Mutex
	ring    []byte
	w       int // next write position in ring
	n       int // bytes held in ring
	total   int64
	line    []byte // the current line, up to lineCap bytes, for keyword matching
	lineOff int64  // offset of the current line's first byte
	keys    []keyLine
	dropped int // error lines not kept because keyCap was reached
	keyCap  int
	lineCap int
}

type keyLine struct {
	off  int64
	text string
}

// Defaults sized for a report: 64 KiB of tail, 200 error lines of at most 512 bytes.
const (
	defaultTailBytes = 64 << 10
	defaultKeyLines  = 200
	defaultLineCap   = 512
)

// errorish are lower-case fragments that make a line worth keeping when it scrolls
// out of the tail.
var errorish = []string{
	"error", "traceback", "exception", "fatal", "failed", "failure", "cannot", "can't",
	"not found", "no such file", "exited with code", "killed", "denied", "refused",
	"externally-managed", "returned a non-zero code", "unable to", "segmentation fault",
}

// NewTail returns a Tail keeping the last max bytes (default 64 KiB when max <= 0).
func NewTail(max int) *Tail {
	if max <= 0 {
		max = defaultTailBytes
	}
	return &Tail{ring: make([]byte, max), keyCap: defaultKeyLines, lineCap: defaultLineCap}
}

// Write never fails and never grows beyond the Tail's bounds.
func (t *Tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.scan(p)
	t.total += int64(len(p))
	if len(p) >= len(t.ring) {
		copy(t.ring, p[len(p)-len(t.ring):])
		t.w, t.n = 0, len(t.ring)
		return len(p), nil
	}
	k := copy(t.ring[t.w:], p)
	if k < len(p) {
		copy(t.ring, p[k:])
	}
	t.w = (t.w + len(p)) % len(t.ring)
	t.n = min(t.n+len(p), len(t.ring))
	return len(p), nil
}

// WriteString is Write for strings.
func (t *Tail) WriteString(s string) { _, _ = t.Write([]byte(s)) }

func (t *Tail) scan(p []byte) {
	off := t.total
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if room := t.lineCap - len(t.line); room > 0 {
			t.line = append(t.line, chunk[:min(room, len(chunk))]...)
		}
		if i < 0 {
			return
		}
		t.endLine()
		off += int64(i + 1)
		t.lineOff = off
		p = p[i+1:]
	}
}

func (t *Tail) endLine() {
	if isErrorish(t.line) {
		if len(t.keys) < t.keyCap {
			t.keys = append(t.keys, keyLine{off: t.lineOff, text: strings.TrimRight(string(t.line), "\r")})
		} else {
			t.dropped++
		}
	}
	t.line = t.line[:0]
}

func isErrorish(line []byte) bool {
	if len(line) == 0 {
		return false
	}
	l := bytes.ToLower(line)
	for _, k := range errorish {
		if bytes.Contains(l, []byte(k)) {
			return true
		}
	}
	return false
}

// Len is the number of bytes written so far.
func (t *Tail) Len() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// String is the bounded output: when bytes were dropped, a header line, the error
// lines among the dropped bytes, then the tail starting at a line boundary.
func (t *Tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	tail := make([]byte, 0, t.n)
	if t.n < len(t.ring) {
		tail = append(tail, t.ring[:t.n]...)
	} else {
		tail = append(tail, t.ring[t.w:]...)
		tail = append(tail, t.ring[:t.w]...)
	}
	start := t.total - int64(len(tail))
	if start == 0 {
		return string(tail)
	}
	// Start at a whole line so that a secret or an error message is never cut in two.
	if i := bytes.IndexByte(tail, '\n'); i >= 0 && i < len(tail)-1 {
		tail = tail[i+1:]
		start += int64(i + 1)
	}
	var b strings.Builder
	var early []string
	for _, k := range t.keys {
		if k.off < start {
			early = append(early, k.text)
		}
	}
	fmt.Fprintf(&b, "[bootmatrix: %d earlier bytes omitted", start)
	if len(early) > 0 {
		fmt.Fprintf(&b, "; their error lines follow")
	}
	b.WriteString("]\n")
	for _, l := range early {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if t.dropped > 0 {
		fmt.Fprintf(&b, "[bootmatrix: %d more error lines omitted]\n", t.dropped)
	}
	if len(early) > 0 {
		b.WriteString("[bootmatrix: last lines]\n")
	}
	b.Write(tail)
	return b.String()
}
