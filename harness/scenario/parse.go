package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"
	"go.yaml.in/yaml/v3"

	"github.com/bootmatrix/bootmatrix/harness/buildinfo"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// DefaultMaxVariants bounds a matrix's size; every variant builds images.
const DefaultMaxVariants = 256

// Defaults the loader fills in.
const (
	DefaultPort       = 8080
	DefaultHealthPath = "/health"
	DefaultStatus     = 200
	DefaultRoot       = "."
	// DefaultSettle is how long a booted app must stay up and healthy after its
	// first healthy answer when neither the variant nor the scenario says.
	DefaultSettle = 2 * time.Second
)

// defaultTimeouts apply to every stage neither a variant nor its scenario times.
// Every stage has one: Timeouts.For relies on it.
var defaultTimeouts = Timeouts{
	result.StageBuild:   10 * time.Minute,
	result.StageInstall: 5 * time.Minute,
	result.StageImport:  time.Minute,
	result.StageLdd:     time.Minute,
	result.StageBoot:    90 * time.Second,
}

// defaultTimeoutsYAML writes the defaults as a timeouts mapping, for hints:
// {build: 10m, install: 5m, import: 1m, ldd: 1m, boot: 1m30s}.
func defaultTimeoutsYAML() string {
	parts := make([]string, len(result.StageNames))
	for i, st := range result.StageNames {
		d := defaultTimeouts[st].String()
		if strings.HasSuffix(d, "m0s") {
			d = strings.TrimSuffix(d, "0s")
		}
		if strings.HasSuffix(d, "h0m") {
			d = strings.TrimSuffix(d, "0m")
		}
		parts[i] = string(st) + ": " + d
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// DefaultTimeouts returns the stage timeouts neither a variant nor its scenario
// sets, as a new map the caller may change.
func DefaultTimeouts() Timeouts { return maps.Clone(defaultTimeouts) }

var (
	classRe   = regexp.MustCompile(`^[a-z0-9-]+$`)
	envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	nameRe    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	pythonRe  = regexp.MustCompile(`^3\.[0-9]{1,2}$`)
	memRe     = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtT]?)(?:i?[bB])?$`)
)

var (
	topFields     = []string{"schemaVersion", "name", "project", "imports", "start", "port", "health", "config", "env", "secrets", "images", "timeouts", "limits", "settle", "matrix", "requires"}
	projectFields = []string{"dir", "root"}
	checkFields   = []string{"path", "status", "body"}
	// stages are the names an expectation and timeouts may use: result.StageNames, in run order.
	stages        = strs(result.StageNames)
	timeoutFields = stages
	limitFields   = []string{"memory", "cpus"}
	expectFields  = []string{"fails", "class", "output"}
	shells        = strs([]Shell{ShellLogin, ShellPlain})
)

// strs lists typed names as the plain strings a file writes and a hint shows.
func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// Option changes how a scenario is loaded.
type Option func(*options)

type options struct {
	checkFiles  bool
	maxVariants int
	classes     []string
	builders    Builders
	version     string
}

// WithVersion sets the bootmatrix version a `requires` field is checked against
// (default: this binary's, from buildinfo.Read).
func WithVersion(v string) Option { return func(o *options) { o.version = v } }

// WithCheckFiles turns the checks that read the project's files on or off
// (on by default). Off, nothing outside the scenario's bytes is read, and
// imports are not detected from requirements.txt.
func WithCheckFiles(on bool) Option { return func(o *options) { o.checkFiles = on } }

// WithClasses names the failure classes an expectation may use (the classifier's
// catalogue), so that a misspelt class is refused before anything runs instead of
// failing every run's expectation. Without it any lower-case-with-dashes name passes.
func WithClasses(ids []string) Option { return func(o *options) { o.classes = ids } }

// WithMaxVariants changes the largest matrix accepted (DefaultMaxVariants).
func WithMaxVariants(n int) Option { return func(o *options) { o.maxVariants = n } }

// Load reads a scenario file, validates it and expands its matrix. Problems
// with the file come back together as a *ValidationError.
func Load(path string, opts ...Option) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	return Parse(path, data, opts...)
}

// Parse validates and expands a scenario given as bytes; path names the file in
// problems and anchors relative paths.
func Parse(path string, data []byte, opts ...Option) (*Scenario, error) {
	o := options{checkFiles: true, maxVariants: DefaultMaxVariants, version: buildinfo.Read().Version}
	for _, opt := range opts {
		opt(&o)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		dir = filepath.Dir(path)
	}
	s := &Scenario{File: path, Dir: dir}
	p := &parser{}
	l := &loader{p: p, s: s, o: o}
	l.run(data)
	if len(p.problems) > 0 {
		return nil, &ValidationError{File: path, Problems: sortProblems(p.problems)}
	}
	return s, nil
}

// loader holds what one Parse call learns on its way to a Scenario.
type loader struct {
	p *parser
	s *Scenario
	o options

	root      *yaml.Node
	doc       *yaml.Node // the document node around root, with the file's head comments
	projNode  *yaml.Node // the project key, for problems about the project as a whole
	dirNode   *yaml.Node
	rootNode  *yaml.Node // project.root's value, where variant roots default from
	importsOK bool       // imports given in the file
	matrix    *matrixDef
	infos     []vinfo
}

func (l *loader) run(data []byte) {
	doc, ok := l.document(data)
	if !ok {
		return
	}
	l.root = doc
	l.top(doc)
	if l.p.tooBig {
		return
	}
	variants := l.expand()
	l.s.Variants = variants
	if l.o.checkFiles {
		l.checkFiles()
	}
}

// document parses the YAML text; a syntax error is reported at yaml's own line.
func (l *loader) document(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			l.p.problems = append(l.p.problems, Problem{Line: 1, Column: 1, Msg: "the file is empty", Hint: "start with schemaVersion: 1"})
			return nil, false
		}
		l.p.problems = append(l.p.problems, yamlProblem(err, data))
		return nil, false
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		l.p.add(&next, "", "a second YAML document (---) follows the scenario", "keep one scenario per file")
	} else if !errors.Is(err, io.EOF) {
		l.p.problems = append(l.p.problems, yamlProblem(err, data))
	}
	n := &doc
	l.doc = n
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			l.p.problems = append(l.p.problems, Problem{Line: 1, Column: 1, Msg: "the file is empty", Hint: "start with schemaVersion: 1"})
			return nil, false
		}
		n = n.Content[0]
	}
	return n, true
}

// parserProblems are the messages of yaml's parser (not scanner) errors.
// yaml.v3 prints their line 0-based while it prints scanner lines 1-based,
// so the line is corrected here to point at the right place.
var parserProblems = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'",
	"did not find expected '-' indicator", "did not find expected <document start>",
	"did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive",
	"found duplicate %YAML directive", "found incompatible YAML document",
	"found undefined tag handle",
}

var (
	yamlLineRe   = regexp.MustCompile(`^line (\d+): `)
	yamlAnchorRe = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)
)

func yamlProblem(err error, data []byte) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pr := Problem{Field: "yaml", Line: 1, Hint: "fix the syntax here (indentation, a missing colon, bracket or quote)"}
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		pr.Line, _ = strconv.Atoi(m[1])
		msg = msg[len(m[0]):]
		if slices.Contains(parserProblems, msg) {
			pr.Line++
		}
	} else if m := yamlAnchorRe.FindStringSubmatch(msg); m != nil {
		if i := bytes.Index(data, []byte("*"+m[1])); i >= 0 {
			pr.Line = bytes.Count(data[:i], []byte("\n")) + 1
			pr.Column = i - bytes.LastIndexByte(data[:i], '\n')
		}
		pr.Hint = "define the anchor (&" + m[1] + ") before this alias"
	}
	// At the end of the stream yaml's mark is one line past the last line.
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	if pr.Line > len(lines) {
		pr.Line = len(lines)
	}
	if pr.Line >= 1 {
		if l := lines[pr.Line-1]; len(l) > len(bytes.TrimLeft(l, " \t")) && bytes.ContainsRune(l[:len(l)-len(bytes.TrimLeft(l, " \t"))], '\t') {
			pr.Hint = "indent with spaces; YAML does not allow tabs for indentation"
		}
	}
	pr.Msg = "malformed YAML: " + msg
	return pr
}

func (l *loader) top(doc *yaml.Node) {
	p, s := l.p, l.s
	s.Port = DefaultPort
	s.Health = HTTPCheck{Path: DefaultHealthPath, ExpectStatus: DefaultStatus}
	s.Timeouts = DefaultTimeouts()
	s.Project.Root = DefaultRoot
	var versionSeen, nameSeen, projectSeen bool
	// Where env names and secrets were written, so that a secret also set in env is
	// reported at its own entry.
	envKeys := map[string]*yaml.Node{}
	var secretNodes []*yaml.Node
	ok := p.fields(doc, "", "a scenario is a mapping that starts with schemaVersion: 1", topFields, func(key string, k, v *yaml.Node) {
		switch key {
		case "schemaVersion":
			versionSeen = true
			if n, ok := p.integer(v, key, "write schemaVersion: 1"); ok && n != SchemaVersion {
				p.add(v, key, fmt.Sprintf("schema version %d is not supported (this build reads %d)", n, SchemaVersion), "write schemaVersion: 1 and follow docs/scenario-schema.md")
			}
		case "requires":
			if str, ok := p.str(v, key); ok {
				l.requires(v, str)
			}
		case "name":
			nameSeen = true
			if str, ok := p.str(v, key); ok {
				if !nameRe.MatchString(str) {
					p.add(v, key, fmt.Sprintf("%q is not a usable name", str), "use letters, digits, '.', '_' and '-', starting with a letter or digit")
				}
				s.Name = str
			}
		case "project":
			projectSeen = true
			l.projNode = k
			l.project(v)
		case "imports":
			if list, ok := p.strList(v, key, "write a list of module names: [numpy]"); ok {
				for i, m := range list {
					if !isModuleName(m) {
						p.add(p.deref(v).Content[i], index(key, i), fmt.Sprintf("%q is not a module name", m), "write the name you would import, such as numpy or PIL")
					}
				}
				s.Imports = list
				l.importsOK = true
			}
		case "start":
			if str, ok := p.str(v, key); ok {
				s.Start = str
			}
		case "port":
			if n, ok := p.intIn(v, key, 1, 65535, "write a port number such as 8080", "port %d is out of range", "use a port between 1 and 65535"); ok {
				s.Port = n
			}
		case "health":
			l.httpCheck(v, key, &s.Health)
		case "config":
			c := HTTPCheck{ExpectStatus: DefaultStatus}
			l.httpCheck(v, key, &c)
			s.Config = &c
		case "env":
			s.Env, _ = p.strMap(v, key, "write NAME: value pairs", func(k *yaml.Node, name string) {
				envKeys[name] = k
				if !envNameRe.MatchString(name) {
					p.add(k, join(key, name), "not a valid environment variable name", "use letters, digits and '_', not starting with a digit")
				}
			})
		case "secrets":
			if list, ok := p.strList(v, key, "write a list of environment variable names: [OPENAI_API_KEY]"); ok {
				for i, n := range list {
					secretNodes = append(secretNodes, p.deref(v).Content[i])
					if !envNameRe.MatchString(n) {
						p.add(p.deref(v).Content[i], index(key, i), fmt.Sprintf("%q is not a valid environment variable name", n), "use letters, digits and '_', not starting with a digit")
					}
				}
				s.Secrets = list
			}
		case "images":
			s.Images = l.images(v, key)
		case "timeouts":
			l.timeouts(v, key, &s.Timeouts)
		case "limits":
			l.limits(v, key, &s.Limits)
		case "settle":
			if d, ok := p.duration(v, key); ok {
				s.Settle = d
			}
		case "matrix":
			l.matrix = l.parseMatrix(k, v)
		}
	})
	if !ok {
		return
	}
	at := p.deref(doc)
	if !versionSeen {
		p.add(at, "schemaVersion", "missing", "add schemaVersion: 1 as the first line")
	}
	if !nameSeen {
		p.add(at, "name", "missing", "add name: <scenario name>")
	}
	if !projectSeen {
		p.add(at, "project", "missing", "add project: {dir: ./project} pointing at the code under test")
	}
	for i, sec := range s.Secrets {
		k, ok := envKeys[sec]
		if !ok || i >= len(secretNodes) {
			continue
		}
		p.add(secretNodes[i], index("secrets", i), fmt.Sprintf("%s is both a secret and set in env (line %d)", sec, k.Line), "secrets come from the environment bootmatrix runs in; remove it from env")
	}
}

func (l *loader) project(v *yaml.Node) {
	p := l.p
	var dirSeen bool
	ok := p.fields(v, "project", "write project: {dir: ./project, root: .}", projectFields, func(key string, k, v *yaml.Node) {
		field := join("project", key)
		switch key {
		case "dir":
			dirSeen = true
			if str, ok := p.str(v, field); ok {
				if str == "" {
					p.add(v, field, "empty", "give the project's directory, relative to the scenario file")
					return
				}
				l.dirNode = v
				if filepath.IsAbs(str) {
					l.s.Project.Dir = filepath.Clean(str)
				} else {
					l.s.Project.Dir = filepath.Join(l.s.Dir, filepath.FromSlash(str))
				}
			}
		case "root":
			if r, ok := l.relPath(v, field, "app root"); ok {
				l.rootNode = v
				l.s.Project.Root = r
			}
		}
	})
	if ok && !dirSeen {
		p.add(p.deref(v), "project.dir", "missing", "add dir: the project's directory, relative to the scenario file")
	}
}

// relPath reads a slash-separated path that must stay inside the project.
func (l *loader) relPath(v *yaml.Node, field, what string) (string, bool) {
	str, ok := l.p.str(v, field)
	if !ok {
		return "", false
	}
	c := path.Clean(str)
	if str == "" || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") || strings.Contains(str, "\\") {
		l.p.add(v, field, fmt.Sprintf("%s %q is not a path inside the project", what, str), "write a relative path with '/' that stays inside project.dir, such as backend")
		return "", false
	}
	return c, true
}

func (l *loader) httpCheck(v *yaml.Node, field string, c *HTTPCheck) {
	p := l.p
	pathSeen := c.Path != ""
	ok := p.fields(v, field, "write {path: /health, status: 200, body: ...}", checkFields, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "path":
			if str, ok := p.str(v, f); ok {
				pathSeen = true
				if !strings.HasPrefix(str, "/") {
					p.add(v, f, fmt.Sprintf("%q does not start with /", str), "write the request path, such as /health")
				} else {
					c.Path = str
				}
			}
		case "status":
			if n, ok := p.intIn(v, f, 100, 599, "write an HTTP status such as 200", "%d is not an HTTP status", "use a status between 100 and 599"); ok {
				c.ExpectStatus = n
			}
		case "body":
			dv := p.deref(v)
			if dv != nil && dv.Kind == yaml.ScalarNode {
				if dv.ShortTag() == "!!str" {
					c.ExpectBody = dv.Value
				} else {
					p.add(v, f, "expected a string, found "+kindName(dv), fmt.Sprintf("quote it: '%s'", dv.Value))
				}
			} else if dv != nil {
				if txt, ok := p.jsonText(dv, f); ok {
					c.ExpectBody = txt
				}
			}
		}
	})
	if ok && !pathSeen {
		p.add(p.deref(v), join(field, "path"), "missing", "add path: the request path, such as /config")
	}
}

func (l *loader) timeouts(v *yaml.Node, field string, t *Timeouts) {
	p := l.p
	p.fields(v, field, "write "+defaultTimeoutsYAML(), timeoutFields, func(key string, k, v *yaml.Node) {
		d, ok := p.duration(v, join(field, key))
		if !ok {
			return
		}
		if *t == nil {
			*t = Timeouts{}
		}
		(*t)[result.StageName(key)] = d
	})
}

func (l *loader) limits(v *yaml.Node, field string, lim *Limits) {
	p := l.p
	p.fields(v, field, "write {memory: 1g, cpus: 1.5}", limitFields, func(key string, k, v *yaml.Node) {
		f := join(field, key)
		switch key {
		case "memory":
			dv := p.deref(v)
			if dv != nil && dv.Kind == yaml.ScalarNode && dv.ShortTag() == "!!int" {
				if n, ok := p.integer(dv, f, ""); ok && n > 0 {
					if minMemory(p, v, f, int64(n), fmt.Sprintf("%d bytes", n)) {
						lim.MemoryBytes = int64(n)
					}
					return
				}
			}
			str, ok := p.anyScalar(v, f)
			if !ok {
				return
			}
			b, ok := parseMemory(str)
			if !ok {
				p.add(v, f, fmt.Sprintf("%q is not a memory size", str), "write a size such as 512m or 1g")
				return
			}
			if minMemory(p, v, f, b, str) {
				lim.MemoryBytes = b
			}
		case "cpus":
			n, ok := p.number(v, f, "write a number of CPUs such as 1.5")
			if !ok {
				return
			}
			if n <= 0 || n > 1024 {
				p.add(v, f, fmt.Sprintf("%v CPUs is out of range", n), "write a positive number of CPUs such as 1.5")
				return
			}
			lim.NanoCPUs = int64(n * 1e9)
			lim.CPUsAt = Pos{Line: v.Line, Column: v.Column, Field: f}
		}
	})
}

// minMemory reports whether b (written as text) is at least the engine's minimum,
// adding the problem when it is not: every container of the variant would be refused.
func minMemory(p *parser, v *yaml.Node, field string, b int64, text string) bool {
	if b >= MinMemoryBytes {
		return true
	}
	p.add(v, field, fmt.Sprintf("%s is below the Docker engine's minimum memory limit of 6 MiB, which refuses to start the container", text),
		"write 6m or more (a Python app needs about 64m)")
	return false
}

// parseMemory reads docker-style sizes: 512m, 1g, 1.5GiB, 1048576.
func parseMemory(s string) (int64, bool) {
	m := memRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	mult := map[string]float64{"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[strings.ToLower(m[2])]
	b := f * mult
	if b < 1 || b > 1<<50 {
		return 0, false // the engine's minimum is checked by minMemory, with its own message
	}
	return int64(b), true
}

func isModuleName(s string) bool {
	if s == "" {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i, r := range part {
			identChar := r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9'
			if !identChar {
				return false
			}
		}
	}
	return true
}

// requires checks the scenario's `requires: ">= X.Y"` against the running version.
// A development build passes and the scenario records that it was not checked.
func (l *loader) requires(v *yaml.Node, req string) {
	ok, dev, err := buildinfo.Satisfies(l.o.version, req)
	switch {
	case err != nil:
		l.p.add(v, "requires", err.Error(), `write the oldest bootmatrix that reads this file, such as requires: ">= 0.3"`)
	case !ok:
		l.p.add(v, "requires", fmt.Sprintf("this scenario needs bootmatrix %s; this is %s", req, l.o.version),
			"install a newer one: go install github.com/bootmatrix/bootmatrix/cmd/bootmatrix@latest")
	}
	l.s.Requires = Requirement{Text: req, Unchecked: dev && ok}
}

// images reads the images: map, a reference as a builder or a Dockerfile names it
// (python:3.11-slim, nixpacks) → the reference an online run uses instead. Both sides
// must be image references; credentials never belong here (Docker's configuration has them).
func (l *loader) images(v *yaml.Node, key string) map[string]string {
	p := l.p
	ps, ok := p.mapping(v, key, "write reference: replacement pairs, such as python:3.11-slim: registry.example.com/python:3.11-slim")
	if !ok {
		return nil
	}
	out := make(map[string]string, len(ps))
	for _, kv := range ps {
		name := p.deref(kv.key).Value
		if name != "nixpacks" {
			if _, err := reference.ParseNormalizedNamed(name); err != nil {
				p.add(kv.key, join(key, name), fmt.Sprintf("%q is not an image reference (%v)", name, err), "use a name such as python:3.11-slim, or nixpacks for the Nixpacks base")
				continue
			}
		}
		val, ok := p.anyScalar(kv.val, join(key, name))
		if !ok {
			continue
		}
		if _, err := reference.ParseNormalizedNamed(val); err != nil {
			p.add(p.deref(kv.val), join(key, name), fmt.Sprintf("%q is not an image reference (%v)", val, err), "write HOST/REPOSITORY:TAG")
			continue
		}
		out[name] = val
	}
	return out
}
