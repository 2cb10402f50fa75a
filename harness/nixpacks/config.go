// Package nixpacks reproduces the part of Nixpacks that turns a project into a
// build plan: the nixpacks.toml reader, provider detection, the Python
// provider's defaults and the "..." merge rules. It does no building: the
// recipe package turns a Plan into Dockerfiles.
//
// The behaviour follows railwayapp/nixpacks (src/nixpacks/plan/{generator,merge,
// phase,utils}.rs, src/providers/python.rs, src/lib.rs for provider order);
// where this package approximates, the doc comment of the function says so.
package nixpacks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// ConfigFileNames are the files Nixpacks reads from the app root, in the order it looks for them.
var ConfigFileNames = []string{"nixpacks.toml", "nixpacks.json"}

// Config is a parsed nixpacks.toml (or nixpacks.json). A nil list means the key
// was absent, which matters: an absent list keeps the earlier plan's list, an
// empty one replaces it with nothing.
type Config struct {
	// File is the path the config was read from.
	File       string
	Providers  []string
	BuildImage string
	Variables  map[string]string
	// Phases by name ("setup", "install", "build" or any custom phase).
	Phases map[string]*PhaseConfig
	Start  *StartConfig
	// Ignored lists keys Nixpacks accepts but that do not reach the plan
	// (unknown keys, cache directories, overlays …), as "file:line:col key".
	Ignored []string
}

// PhaseConfig is one [phases.NAME] table.
type PhaseConfig struct {
	DependsOn        []string
	NixPkgs          []string
	NixLibs          []string
	NixOverlays      []string
	NixpkgsArchive   string
	AptPkgs          []string
	Cmds             []string
	OnlyIncludeFiles []string
	CacheDirectories []string
	Paths            []string
}

// StartConfig is the [start] table.
type StartConfig struct {
	Cmd              *string
	RunImage         *string
	User             *string
	OnlyIncludeFiles []string
}

// ConfigError is a config file Nixpacks would refuse to read.
type ConfigError struct {
	File         string
	Line, Column int
	Msg          string
}

func (e *ConfigError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	}
	return fmt.Sprintf("%s: %s (%s)", loc, e.Msg, configHint)
}

// ConfigErrors are every problem of one config file: Nixpacks stops at the first,
// the scenario's validation reports them all so the file is fixed in one round.
// errors.As finds each *ConfigError in it.
type ConfigErrors []*ConfigError

func (es ConfigErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As and errors.Is see each problem.
func (es ConfigErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// Problems lists err's config problems: each of a ConfigErrors, the one
// *ConfigError, or none when err is neither.
func Problems(err error) []*ConfigError {
	var es ConfigErrors
	if errors.As(err, &es) {
		return es
	}
	var e *ConfigError
	if errors.As(err, &e) {
		return []*ConfigError{e}
	}
	return nil
}

// configHint is what ConfigError.Error appends to the problem.
const configHint = `Nixpacks would fail with "Failed to parse Nixpacks config file"; fix the file, see https://nixpacks.com/docs/configuration/file`

// LoadConfig reads the config file Nixpacks would read from appRoot:
// nixpacks.toml, else nixpacks.json. It returns nil and no error when neither exists.
func LoadConfig(appRoot string) (*Config, error) {
	for _, name := range ConfigFileNames {
		cfg, err := ReadConfig(filepath.Join(appRoot, name))
		if err != nil || cfg != nil {
			return cfg, err
		}
	}
	return nil, nil
}

// ReadConfig parses the config file at path (TOML, or JSON when the name ends in
// .json). It returns nil and no error when the file does not exist. Unknown keys
// are accepted, as Nixpacks accepts them, and listed in Config.Ignored.
func ReadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading Nixpacks config: %w", err)
	}
	if info, statErr := os.Stat(path); statErr == nil && info.IsDir() {
		return nil, nil
	}
	if strings.HasSuffix(path, ".json") {
		return parseJSON(path, data)
	}
	return ParseConfig(path, data)
}

// ParseConfig parses nixpacks.toml content; file names the source in errors.
func ParseConfig(file string, data []byte) (*Config, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, col := de.Position()
			return nil, &ConfigError{File: file, Line: line, Column: col, Msg: "invalid TOML: " + strings.TrimPrefix(de.Error(), "toml: ")}
		}
		return nil, &ConfigError{File: file, Msg: "invalid TOML: " + err.Error()}
	}
	c := &converter{file: file, pos: tomlKeyPositions(data)}
	return c.config(doc)
}

func parseJSON(file string, data []byte) (*Config, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		ce := &ConfigError{File: file, Msg: "invalid JSON: " + err.Error()}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			ce.Line, ce.Column = lineCol(data, int(se.Offset))
		}
		return nil, ce
	}
	c := &converter{file: file, pos: map[string]unstable.Position{}}
	return c.config(doc)
}

func lineCol(data []byte, offset int) (int, int) {
	if offset > len(data) {
		offset = len(data)
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := offset - bytes.LastIndexByte(before, '\n')
	return line, col
}

// tomlKeyPositions maps every dotted key path written in the document to where
// it is written, so type errors found after decoding can point at a line.
func tomlKeyPositions(data []byte) map[string]unstable.Position {
	pos := map[string]unstable.Position{}
	p := unstable.Parser{}
	p.Reset(data)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			table = keyParts(e.Key())
			it := e.Key()
			if it.Next() {
				record(pos, &p, table, it.Node())
			}
		case unstable.KeyValue:
			parts := append(append([]string{}, table...), keyParts(e.Key())...)
			it := e.Key()
			if it.Next() {
				record(pos, &p, parts, it.Node())
			}
		}
	}
	return pos
}

func record(pos map[string]unstable.Position, p *unstable.Parser, parts []string, n *unstable.Node) {
	k := strings.Join(parts, ".")
	if _, ok := pos[k]; ok || n == nil || n.Raw.Length == 0 {
		return
	}
	defer func() { _ = recover() }() // a range outside the input only loses the position
	pos[k] = p.Shape(n.Raw).Start
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

type converter struct {
	file     string
	pos      map[string]unstable.Position
	ignored  []string
	problems []*ConfigError
}

// keep records err, a problem found while converting, so that the rest of the
// document is still read and every problem reported at once.
func (c *converter) keep(err error) {
	var ce *ConfigError
	if errors.As(err, &ce) {
		c.problems = append(c.problems, ce)
		return
	}
	c.problems = append(c.problems, &ConfigError{File: c.file, Msg: err.Error()})
}

// errAt builds an error positioned at key, or at its closest written parent.
func (c *converter) errAt(key []string, format string, args ...any) error {
	e := &ConfigError{File: c.file, Msg: fmt.Sprintf(format, args...)}
	for i := len(key); i > 0; i-- {
		if p, ok := c.pos[strings.Join(key[:i], ".")]; ok {
			e.Line, e.Column = p.Line, p.Column
			break
		}
	}
	return e
}

func (c *converter) ignore(key []string) {
	loc := c.file
	if p, ok := c.pos[strings.Join(key, ".")]; ok {
		loc = fmt.Sprintf("%s:%d:%d", c.file, p.Line, p.Column)
	}
	c.ignored = append(c.ignored, loc+" "+strings.Join(key, "."))
}

func (c *converter) config(doc map[string]any) (*Config, error) {
	cfg := &Config{File: c.file}
	var err error
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		v := doc[k]
		key := []string{k}
		switch k {
		case "providers":
			cfg.Providers, err = c.list(key, v)
		case "buildImage":
			cfg.BuildImage, err = c.str(key, v)
		case "variables":
			cfg.Variables, err = c.vars(key, v)
		case "phases":
			cfg.Phases, err = c.phases(key, v)
		case "start":
			cfg.Start, err = c.start(key, v)
		default:
			// staticAssets and anything unknown: Nixpacks accepts them, the plan here has no use for them.
			c.ignore(key)
		}
		if err != nil {
			c.keep(err)
			err = nil
		}
	}
	cfg.Ignored = c.ignored
	// Keys are read in sorted order; the problems are listed as the file reads.
	slices.SortStableFunc(c.problems, func(a, b *ConfigError) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	switch len(c.problems) {
	case 0:
		return cfg, nil
	case 1:
		return nil, c.problems[0]
	}
	return nil, ConfigErrors(c.problems)
}

func (c *converter) table(key []string, v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, c.errAt(key, "%s must be a table, not %s", strings.Join(key, "."), kind(v))
	}
	return m, nil
}

func (c *converter) str(key []string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", c.errAt(key, "%s must be a string, not %s", strings.Join(key, "."), kind(v))
	}
	return s, nil
}

func (c *converter) list(key []string, v any) ([]string, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, c.errAt(key, "%s must be a list of strings, not %s (write %s = [\"...\"])", strings.Join(key, "."), kind(v), key[len(key)-1])
	}
	out := make([]string, 0, len(arr))
	bad := 0
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			c.keep(c.errAt(key, "%s[%d] must be a string, not %s", strings.Join(key, "."), i, kind(e)))
			bad++
			continue
		}
		out = append(out, s)
	}
	if bad > 0 {
		return nil, nil // each element was recorded
	}
	return out, nil
}

func (c *converter) vars(key []string, v any) (map[string]string, error) {
	m, err := c.table(key, v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s, ok := m[k].(string)
		if !ok {
			c.keep(c.errAt(append(key, k), "variables.%s must be a string, not %s (quote it)", k, kind(m[k])))
			continue
		}
		out[k] = s
	}
	return out, nil
}

func (c *converter) phases(key []string, v any) (map[string]*PhaseConfig, error) {
	m, err := c.table(key, v)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*PhaseConfig, len(m))
	for _, name := range slices.Sorted(maps.Keys(m)) {
		pkey := append(append([]string{}, key...), name)
		pm, err := c.table(pkey, m[name])
		if err != nil {
			c.keep(err)
			continue
		}
		ph := &PhaseConfig{}
		for _, k := range slices.Sorted(maps.Keys(pm)) {
			fkey := append(append([]string{}, pkey...), k)
			var dst *[]string
			switch k {
			case "dependsOn":
				dst = &ph.DependsOn
			case "nixPkgs", "nixPackages":
				dst = &ph.NixPkgs
			case "nixLibs", "nixLibraries":
				dst = &ph.NixLibs
			case "nixOverlays":
				dst = &ph.NixOverlays
			case "aptPkgs", "aptPackages":
				dst = &ph.AptPkgs
			case "cmds", "commands":
				dst = &ph.Cmds
			case "onlyIncludeFiles":
				dst = &ph.OnlyIncludeFiles
			case "cacheDirectories":
				dst = &ph.CacheDirectories
			case "paths", "envPaths":
				dst = &ph.Paths
			case "nixpkgsArchive":
				if ph.NixpkgsArchive, err = c.str(fkey, pm[k]); err != nil {
					c.keep(err)
				}
				continue
			case "name":
				// Nixpacks overwrites a phase's name with its table key.
				continue
			default:
				c.ignore(fkey)
				continue
			}
			if *dst, err = c.list(fkey, pm[k]); err != nil {
				c.keep(err)
			}
		}
		out[name] = ph
	}
	return out, nil
}

func (c *converter) start(key []string, v any) (*StartConfig, error) {
	m, err := c.table(key, v)
	if err != nil {
		return nil, err
	}
	st := &StartConfig{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fkey := append(append([]string{}, key...), k)
		switch k {
		case "cmd", "runImage", "user":
			s, err := c.str(fkey, m[k])
			if err != nil {
				c.keep(err)
				continue
			}
			switch k {
			case "cmd":
				st.Cmd = &s
			case "runImage":
				st.RunImage = &s
			default:
				st.User = &s
			}
		case "onlyIncludeFiles":
			if st.OnlyIncludeFiles, err = c.list(fkey, m[k]); err != nil {
				c.keep(err)
			}
		default:
			c.ignore(fkey)
		}
	}
	return st, nil
}

func kind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	case bool:
		return "a boolean"
	case int64, float64, json.Number:
		return "a number"
	case nil:
		return "null"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
