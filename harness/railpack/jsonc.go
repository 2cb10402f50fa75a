package railpack

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Railpack reads railpack.json through hujson (JSON with comments and
// trailing commas) before encoding/json sees it (core/core.go readConfigJSON,
// internal/utils StandardizeJSON). This parser accepts the same extensions and
// keeps the position of every value, which encoding/json does not, so a wrong
// type can be reported at its line and column.

type nodeKind int

const (
	kindNull nodeKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k nodeKind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "a list", "an object"}[k]
}

type pos struct{ Line, Col int }

type member struct {
	Key    string
	KeyPos pos
	Val    *node
}

type node struct {
	Kind nodeKind
	Pos  pos
	// Off and End are the value's byte span in the source, End exclusive.
	Off, End int
	Str      string // string value, or the literal of a number or boolean
	Items    []*node
	Members  []member
}

type syntaxError struct {
	Pos pos
	Msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg) }

type jsonParser struct {
	src  string
	off  int
	line int
	col  int
}

func parseJSONC(data []byte) (*node, error) {
	p := &jsonParser{src: string(data), line: 1, col: 1}
	if strings.HasPrefix(p.src, "\uFEFF") {
		p.off = len("\uFEFF")
	}
	if err := p.skip(); err != nil {
		return nil, err
	}
	if p.off >= len(p.src) {
		return nil, &syntaxError{p.pos(), "the file is empty; an empty config is {}"}
	}
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.skip(); err != nil {
		return nil, err
	}
	if p.off < len(p.src) {
		return nil, p.errf("unexpected %s after the top-level value", p.describe())
	}
	return n, nil
}

func (p *jsonParser) pos() pos { return pos{p.line, p.col} }

func (p *jsonParser) errf(format string, a ...any) error {
	return &syntaxError{p.pos(), fmt.Sprintf(format, a...)}
}

func (p *jsonParser) describe() string {
	if p.off >= len(p.src) {
		return "end of file"
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.off:])
	return strconv.QuoteRune(r)
}

func (p *jsonParser) advance(n int) {
	for i := 0; i < n && p.off < len(p.src); {
		r, size := utf8.DecodeRuneInString(p.src[p.off:])
		p.off += size
		i += size
		if r == '\n' {
			p.line++
			p.col = 1
		} else {
			p.col++
		}
	}
}

// skip passes whitespace and comments.
func (p *jsonParser) skip() error {
	for p.off < len(p.src) {
		c := p.src[p.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			p.advance(1)
		case strings.HasPrefix(p.src[p.off:], "//"):
			for p.off < len(p.src) && p.src[p.off] != '\n' {
				p.advance(1)
			}
		case strings.HasPrefix(p.src[p.off:], "/*"):
			start := p.pos()
			end := strings.Index(p.src[p.off+2:], "*/")
			if end < 0 {
				return &syntaxError{start, "a /* comment is never closed"}
			}
			p.advance(end + 4)
		default:
			return nil
		}
	}
	return nil
}

func (p *jsonParser) value() (*node, error) {
	off := p.off
	n, err := p.value1()
	if n != nil {
		n.Off, n.End = off, p.off
	}
	return n, err
}

func (p *jsonParser) value1() (*node, error) {
	if p.off >= len(p.src) {
		return nil, p.errf("unexpected end of file, expected a value")
	}
	start := p.pos()
	switch c := p.src[p.off]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return &node{Kind: kindString, Pos: start, Str: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		end := p.off
		for end < len(p.src) && strings.IndexByte("+-.eE0123456789", p.src[end]) >= 0 {
			end++
		}
		lit := p.src[p.off:end]
		if _, err := strconv.ParseFloat(lit, 64); err != nil {
			return nil, p.errf("%q is not a number", lit)
		}
		p.advance(end - p.off)
		return &node{Kind: kindNumber, Pos: start, Str: lit}, nil
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if strings.HasPrefix(p.src[p.off:], lit) {
				p.advance(len(lit))
				if lit == "null" {
					return &node{Kind: kindNull, Pos: start}, nil
				}
				return &node{Kind: kindBool, Pos: start, Str: lit}, nil
			}
		}
		return nil, p.errf("unexpected %s, expected a value (strings need double quotes)", p.describe())
	}
}

func (p *jsonParser) str() (string, error) {
	start := p.pos()
	p.advance(1)
	var b strings.Builder
	for {
		if p.off >= len(p.src) {
			return "", &syntaxError{start, "a string is never closed"}
		}
		switch c := p.src[p.off]; c {
		case '"':
			p.advance(1)
			return b.String(), nil
		case '\n':
			return "", p.errf("a string runs past the end of the line; close it with \"")
		case '\\':
			if p.off+1 >= len(p.src) {
				return "", p.errf("a string is never closed")
			}
			e := p.src[p.off+1]
			simple := map[byte]string{'"': "\"", '\\': "\\", '/': "/", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t"}
			if s, ok := simple[e]; ok {
				b.WriteString(s)
				p.advance(2)
				continue
			}
			if e == 'u' && p.off+6 <= len(p.src) {
				if v, err := strconv.ParseUint(p.src[p.off+2:p.off+6], 16, 32); err == nil {
					b.WriteRune(rune(v))
					p.advance(6)
					continue
				}
			}
			return "", p.errf("invalid escape \\%c in a string", e)
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.off:])
			b.WriteRune(r)
			p.advance(size)
		}
	}
}

func (p *jsonParser) array() (*node, error) {
	n := &node{Kind: kindArray, Pos: p.pos(), Items: []*node{}}
	p.advance(1)
	for {
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.off < len(p.src) && p.src[p.off] == ']' {
			p.advance(1)
			return n, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.Items = append(n.Items, v)
		if err := p.skip(); err != nil {
			return nil, err
		}
		switch {
		case p.off < len(p.src) && p.src[p.off] == ',':
			p.advance(1) // a trailing comma before ] is allowed, as hujson allows it
		case p.off < len(p.src) && p.src[p.off] == ']':
		default:
			return nil, p.errf("unexpected %s in a list, expected , or ]", p.describe())
		}
	}
}

func (p *jsonParser) object() (*node, error) {
	n := &node{Kind: kindObject, Pos: p.pos()}
	p.advance(1)
	for {
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.off < len(p.src) && p.src[p.off] == '}' {
			p.advance(1)
			return n, nil
		}
		if p.off >= len(p.src) || p.src[p.off] != '"' {
			return nil, p.errf("unexpected %s, expected a key in double quotes or }", p.describe())
		}
		keyPos := p.pos()
		key, err := p.str()
		if err != nil {
			return nil, err
		}
		if err := p.skip(); err != nil {
			return nil, err
		}
		if p.off >= len(p.src) || p.src[p.off] != ':' {
			return nil, p.errf("unexpected %s after key %q, expected :", p.describe(), key)
		}
		p.advance(1)
		if err := p.skip(); err != nil {
			return nil, err
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		n.Members = append(n.Members, member{Key: key, KeyPos: keyPos, Val: v})
		if err := p.skip(); err != nil {
			return nil, err
		}
		switch {
		case p.off < len(p.src) && p.src[p.off] == ',':
			p.advance(1)
		case p.off < len(p.src) && p.src[p.off] == '}':
		default:
			return nil, p.errf("unexpected %s in an object, expected , or }", p.describe())
		}
	}
}
