package diagnose

import (
	"strings"
	"unicode/utf8"
)

// Work limits. Classification reads at most MaxScanBytes from the end of the output
// (failures are reported last; a runner keeps only a tail anyway), matches each line on
// its first maxLineBytes, and keeps a bounded number of hits per signal, so its time is
// linear in min(len(output), MaxScanBytes) and its memory is bounded.
const (
	MaxScanBytes     = 16 << 20
	maxLineBytes     = 8 << 10
	maxHitsPerSignal = 12
	tailLines        = 8
	// MaxEvidenceLines and MaxEvidenceRunes bound a Finding's Evidence.
	MaxEvidenceLines = 8
	MaxEvidenceRunes = 300
)

type hit struct {
	n    int // line number in the scanned window
	text string
}

// scan is one pass over the output: per signal its first hits and its last, the last
// exception line of a traceback, and the last non-empty lines.
type scan struct {
	hits      [nSignals][]hit
	last      [nSignals]hit
	count     [nSignals]int
	exception hit
	tail      []hit
	truncated bool
}

func (s *scan) has(sig signal) bool { return s.count[sig] > 0 }

// lines returns the recorded hits of a signal: its first ones and its last.
func (s *scan) lines(sig signal) []hit {
	h := s.hits[sig]
	if s.count[sig] > len(h) {
		h = append(append([]hit(nil), h...), s.last[sig])
	}
	return h
}

func scanOutput(out string) *scan {
	s := &scan{}
	if len(out) > MaxScanBytes {
		out = out[len(out)-MaxScanBytes:]
		if i := strings.IndexByte(out, '\n'); i >= 0 {
			out = out[i+1:]
		}
		s.truncated = true
	}
	n := 0
	for len(out) > 0 {
		i := strings.IndexAny(out, "\n\r")
		var raw string
		if i < 0 {
			raw, out = out, ""
		} else {
			raw, out = out[:i], out[i+1:]
		}
		if len(raw) > maxLineBytes {
			raw = raw[:maxLineBytes]
		}
		line := cleanLine(raw)
		if line == "" {
			continue
		}
		n++
		h := hit{n: n, text: line}
		if !strings.HasPrefix(line, "[bootmatrix: ") { // the runner's tail headers
			s.addTail(h)
		}
		if isExceptionLine(line) {
			s.exception = h
		}
		s.match(line, h)
	}
	return s
}

// match records the signals of one line. Rather than searching the line for every needle,
// it looks up each 4-byte window of the line in an index of the needles' first four
// bytes (behind a 64 Ki-entry filter), so a line costs time proportional to its length
// whatever the number of rules.
func (s *scan) match(line string, h hit) {
	var cand [16]int // rules whose needle occurs in the line; more are checked the slow way
	nc := 0
	overflow := false
	for i := 0; i+4 <= len(line) && !overflow; i++ {
		k := uint32(line[i]) | uint32(line[i+1])<<8 | uint32(line[i+2])<<16 | uint32(line[i+3])<<24
		if !needleFilter[filterSlot(k)] {
			continue
		}
		for _, n := range needleIndex[k] {
			if !strings.HasPrefix(line[i:], n.text) {
				continue
			}
			if nc == len(cand) {
				overflow = true
				break
			}
			cand[nc] = n.rule
			nc++
		}
	}
	var seen [nSignals]bool
	check := func(ri int) {
		r := signalRules[ri]
		if seen[r.s] || !r.matches(line) {
			return
		}
		seen[r.s] = true
		s.count[r.s]++
		s.last[r.s] = h
		if len(s.hits[r.s]) < maxHitsPerSignal {
			s.hits[r.s] = append(s.hits[r.s], h)
		}
	}
	if overflow {
		for ri := range signalRules {
			check(ri)
		}
		return
	}
	for _, ri := range cand[:nc] {
		check(ri)
	}
}

type needle struct {
	rule int
	text string
}

var (
	needleIndex  = map[uint32][]needle{}
	needleFilter [1 << 16]bool
)

func filterSlot(k uint32) uint32 { return (k * 2654435761) >> 16 }

func init() {
	for ri, r := range signalRules {
		for _, a := range r.anyOf {
			if len(a) < 4 {
				panic("diagnose: needle shorter than 4 bytes: " + a)
			}
			k := uint32(a[0]) | uint32(a[1])<<8 | uint32(a[2])<<16 | uint32(a[3])<<24
			needleIndex[k] = append(needleIndex[k], needle{ri, a})
			needleFilter[filterSlot(k)] = true
		}
	}
}

func (r signalRule) matches(line string) bool {
	for _, a := range r.anyOf {
		ok := false
		if r.prefix {
			ok = strings.HasPrefix(line, a)
		} else {
			ok = strings.Contains(line, a)
		}
		if ok {
			return r.and == "" || strings.Contains(line, r.and)
		}
	}
	return false
}

func (s *scan) addTail(h hit) {
	if len(s.tail) < tailLines {
		s.tail = append(s.tail, h)
		return
	}
	copy(s.tail, s.tail[1:])
	s.tail[len(s.tail)-1] = h
}

// isExceptionLine: "ImportError: …", "numpy.core._exceptions._ArrayMemoryError: …".
func isExceptionLine(line string) bool {
	i := strings.IndexByte(line, ':')
	if i <= 0 || i > 120 {
		return false
	}
	if strings.TrimSpace(line[i+1:]) == "" {
		return false // "ImportError:" whose message follows on other lines
	}
	name := line[:i]
	isException := strings.HasSuffix(name, "Error") || strings.HasSuffix(name, "Exception") || name == "SystemExit" || name == "KeyboardInterrupt"
	if !isException {
		return false
	}
	for j := 0; j < len(name); j++ {
		c := name[j]
		dotted := c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !dotted {
			return false
		}
	}
	return true
}

// cleanLine strips ANSI escape sequences and control bytes and trims white space. It
// allocates only for lines that need it.
func cleanLine(raw string) string {
	dirty := false
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c < 0x20 && c != '\t' || c == 0x7f {
			dirty = true
			break
		}
	}
	if !dirty {
		return strings.TrimSpace(raw)
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == 0x1b:
			i = skipEscape(raw, i)
		case c == '\t':
			b.WriteByte(' ')
			i++
		case c < 0x20 || c == 0x7f:
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return strings.TrimSpace(b.String())
}

// skipEscape returns the index after the escape sequence starting at raw[i] (ESC).
func skipEscape(raw string, i int) int {
	i++
	if i >= len(raw) {
		return i
	}
	switch raw[i] {
	case '[': // CSI: parameters, intermediates, one final byte
		i++
		for i < len(raw) && raw[i] >= 0x20 && raw[i] <= 0x3f {
			i++
		}
		if i < len(raw) && raw[i] >= 0x40 && raw[i] <= 0x7e {
			i++
		}
		return i
	case ']', 'P', '_', '^': // OSC/DCS/APC/PM: up to BEL or ST (ESC \)
		i++
		for i < len(raw) {
			if raw[i] == 0x07 {
				return i + 1
			}
			if raw[i] == 0x1b && i+1 < len(raw) && raw[i+1] == '\\' {
				return i + 2
			}
			i++
		}
		return i
	default: // two-byte sequence (ESC ( B, ESC =, …)
		if raw[i] >= 0x20 && raw[i] <= 0x2f && i+1 < len(raw) {
			return i + 2
		}
		return i + 1
	}
}

// evidenceLine makes a line fit for a report: one line without escape or control
// bytes, valid UTF-8, at most MaxEvidenceRunes runes.
func evidenceLine(s string) string { return textLine(s, MaxEvidenceRunes) }

// maxTextRunes bounds explanations and fix summaries, which quote file names and
// library names that come from the image.
const maxTextRunes = 2000

// textLine cleans s like an output line and cuts it to max runes, marking the cut.
func textLine(s string, max int) string {
	s = cleanLine(s)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if len(s) <= max || utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// evidence quotes the hits of the given signals, listed most telling first: every
// signal gets its first and last hit before any gets more, so a flood of one kind of
// line (pip's retry warnings) cannot crowd out the one that names the cause. The chosen
// lines are returned in output order, without repeats, followed by the extra lines
// (probe findings), at most MaxEvidenceLines in all.
func (s *scan) evidence(extra []string, sigs ...signal) []string {
	budget := MaxEvidenceLines - min(len(extra), MaxEvidenceLines/2)
	var chosen []hit
	seen := map[string]bool{}
	take := func(h hit) {
		if len(chosen) >= budget || seen[h.text] {
			return
		}
		seen[h.text] = true
		chosen = append(chosen, h)
	}
	for _, sig := range sigs {
		if hs := s.lines(sig); len(hs) > 0 {
			take(hs[0])
			take(hs[len(hs)-1])
		}
	}
	for _, sig := range sigs {
		for _, h := range s.lines(sig) {
			take(h)
		}
	}
	sortHits(chosen)
	out := make([]string, 0, len(chosen)+len(extra))
	for _, h := range chosen {
		out = append(out, evidenceLine(h.text))
	}
	for _, e := range extra {
		out = appendEvidence(out, e)
	}
	return out
}

func sortHits(hs []hit) {
	// insertion sort: a few dozen hits at most
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j].n < hs[j-1].n; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}

func (s *scan) tailEvidence() []string {
	out := make([]string, 0, len(s.tail))
	for _, h := range s.tail {
		out = append(out, evidenceLine(h.text))
	}
	return out
}
