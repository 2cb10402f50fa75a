package railpack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// DefaultConfigFile is the file Railpack reads from the app root unless
// RAILPACK_CONFIG_FILE names another (core/core.go GenerateConfigFromFile).
const DefaultConfigFile = "railpack.json"

// Providers are the names railpack.json's "provider" accepts (the enum of
// core/config/config.go; matched case-insensitively, as providers.GetProvider does).
var Providers = []string{"php", "golang", "java", "rust", "ruby", "elixir", "python", "deno", "dotnet", "node", "gleam", "cpp", "staticfile", "shell"}

// Config is the part of Railpack's config (file and RAILPACK_* variables,
// merged) that the Python provider's plan depends on. A nil list means the key
// was absent, which matters for "...": an absent list keeps the provider's
// packages, a list without "..." replaces them.
type Config struct {
	// File is the config file read, empty when there was none.
	File             string
	Provider         *string
	BuildAptPackages []string
	// Packages are mise tools and versions ("packages" in the file,
	// RAILPACK_PACKAGES); they override every version the provider finds.
	Packages map[string]string
	Deploy   DeployConfig
	// InstallCmd and BuildCmd are RAILPACK_INSTALL_CMD and RAILPACK_BUILD_CMD:
	// each replaces its step's commands with a copy of the source and the
	// command under sh -c.
	InstallCmd, BuildCmd string
	// Secrets are the names every step may read (all scenario variables, as
	// Railpack passes every service variable to the build as a secret).
	Secrets []string
	// Ignored lists keys Railpack accepts but this model does not act on, as
	// "file:line:col key: why", so a reader sees what was left out.
	Ignored []string
}

// DeployConfig is railpack.json's "deploy" object.
type DeployConfig struct {
	AptPackages []string
	StartCmd    string
	Variables   map[string]string
	Paths       []string
}

// Problem is one thing wrong in a config file or variable.
type Problem struct {
	// File is the config file, or "environment" for a RAILPACK_* variable.
	File      string
	Line, Col int
	// Key is the dotted key (deploy.aptPackages) or the variable name.
	Key  string
	Msg  string
	Hint string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", p.Line, p.Col)
	}
	if p.Key != "" {
		b.WriteString(": " + p.Key)
	}
	b.WriteString(": " + p.Msg)
	if p.Hint != "" {
		b.WriteString("; " + p.Hint)
	}
	return b.String()
}

// ConfigError carries every problem found, not only the first, so one edit
// can fix them all.
type ConfigError struct {
	Problems []Problem
}

func (e *ConfigError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// LoadConfig reads the config Railpack would read for the app in dir with the
// scenario's variables env: the file (railpack.json, or RAILPACK_CONFIG_FILE
// relative to dir) merged over the RAILPACK_* variables. Problems in both are
// returned together in a *ConfigError.
func LoadConfig(dir string, env map[string]string) (*Config, error) {
	envCfg, problems := ConfigFromEnv(env)
	name := DefaultConfigFile
	if v := strings.TrimSpace(env["RAILPACK_CONFIG_FILE"]); v != "" {
		name = v
	}
	fileCfg := &Config{}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	switch {
	case errors.Is(err, os.ErrNotExist) && name == DefaultConfigFile:
	case errors.Is(err, os.ErrNotExist):
		// Railpack hard-fails when a named config file is missing.
		problems = append(problems, Problem{File: "environment", Key: "RAILPACK_CONFIG_FILE",
			Msg: fmt.Sprintf("config file %q does not exist in the app directory", name), Hint: "the path is relative to the app root; fix it or unset the variable"})
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", name, err)
	default:
		var ps []Problem
		// Problems name the file by the path a reader can open.
		fileCfg, ps = ParseConfig(filepath.Join(dir, filepath.FromSlash(name)), data)
		problems = append(problems, ps...)
	}
	if len(problems) > 0 {
		return nil, &ConfigError{Problems: problems}
	}
	return Merge(envCfg, fileCfg), nil
}

// ConfigFromEnv turns the RAILPACK_* variables into config the way
// GenerateConfigFromEnvironment (core/core.go) does: lists are split on single
// spaces, exactly as Railpack splits them.
func ConfigFromEnv(env map[string]string) (*Config, []Problem) {
	c := &Config{}
	get := func(name string) string { return strings.TrimSpace(env["RAILPACK_"+name]) }
	list := func(name string) []string {
		if v := get(name); v != "" {
			return strings.Split(v, " ")
		}
		return nil
	}
	c.Deploy.StartCmd = get("START_CMD")
	if pkgs := list("PACKAGES"); len(pkgs) > 0 {
		c.Packages = map[string]string{}
		for _, p := range pkgs {
			name, version, ok := strings.Cut(p, "@")
			if !ok {
				version = "latest"
			}
			c.Packages[name] = version
		}
	}
	c.BuildAptPackages = list("BUILD_APT_PACKAGES")
	c.Deploy.AptPackages = list("DEPLOY_APT_PACKAGES")
	c.InstallCmd = get("INSTALL_CMD")
	c.BuildCmd = get("BUILD_CMD")
	var problems []Problem
	for _, name := range []string{"INSTALL_CMD", "BUILD_CMD"} {
		// ShellCommandString wraps the command in single quotes as it is,
		// so a quote inside it breaks the command in Railpack too.
		if strings.Contains(get(name), "'") {
			problems = append(problems, Problem{File: "environment", Key: "RAILPACK_" + name,
				Msg: "contains a single quote: Railpack runs it as sh -c '<command>' without escaping, so the command is cut at the quote", Hint: "use double quotes inside the command"})
		}
	}
	for name := range env {
		c.Secrets = append(c.Secrets, name)
	}
	sort.Strings(c.Secrets)
	return c, problems
}

// Merge lays file over env as config.Merge does: a later non-empty string or
// non-nil list wins, maps are merged key by key.
func Merge(env, file *Config) *Config {
	out := *env
	out.File = file.File
	out.Ignored = file.Ignored
	if file.Provider != nil {
		out.Provider = file.Provider
	}
	if file.BuildAptPackages != nil {
		out.BuildAptPackages = file.BuildAptPackages
	}
	out.Packages = mergeMaps(env.Packages, file.Packages)
	if file.Deploy.AptPackages != nil {
		out.Deploy.AptPackages = file.Deploy.AptPackages
	}
	if file.Deploy.StartCmd != "" {
		out.Deploy.StartCmd = file.Deploy.StartCmd
	}
	out.Deploy.Variables = mergeMaps(env.Deploy.Variables, file.Deploy.Variables)
	if file.Deploy.Paths != nil {
		out.Deploy.Paths = file.Deploy.Paths
	}
	// Environment secrets survive a file that lists its own (core.GetConfig).
	out.Secrets = dedupe(slices.Concat(env.Secrets, file.Secrets))
	return &out
}

// Overlay lays o over c as an edit of railpack.json would: a set provider,
// start command or list replaces c's, maps merge key by key. A list of o's
// with "..." keeps c's list at that place when c has one, and keeps the
// "..." itself (the provider's packages) when c has none.
func Overlay(c, o *Config) *Config {
	out := *c
	if o.Provider != nil {
		out.Provider = o.Provider
	}
	out.BuildAptPackages = overlayList(c.BuildAptPackages, o.BuildAptPackages)
	out.Packages = mergeMaps(c.Packages, o.Packages)
	out.Deploy.AptPackages = overlayList(c.Deploy.AptPackages, o.Deploy.AptPackages)
	if o.Deploy.StartCmd != "" {
		out.Deploy.StartCmd = o.Deploy.StartCmd
	}
	out.Deploy.Variables = mergeMaps(c.Deploy.Variables, o.Deploy.Variables)
	if o.Deploy.Paths != nil {
		out.Deploy.Paths = o.Deploy.Paths
	}
	return &out
}

func overlayList(base, over []string) []string {
	switch {
	case over == nil:
		return base
	case base == nil:
		return slices.Clone(over)
	}
	return spreadStrings(over, base)
}

func mergeMaps(a, b map[string]string) map[string]string {
	if a == nil && b == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// ParseConfig parses railpack.json content; file names it in problems. It
// reports every problem it finds. Keys match case-insensitively because
// Railpack decodes with encoding/json, which matches them that way.
func ParseConfig(file string, data []byte) (*Config, []Problem) {
	c := &Config{File: file}
	root, err := parseJSONC(data)
	if err != nil {
		var se *syntaxError
		pr := Problem{File: file, Msg: "invalid JSON: " + err.Error(), Hint: "Railpack stops with \"error reading " + file + " as JSON\"; fix the syntax (comments and trailing commas are allowed)"}
		if errors.As(err, &se) {
			pr.Line, pr.Col, pr.Msg = se.Pos.Line, se.Pos.Col, "invalid JSON: "+se.Msg
		}
		return nil, []Problem{pr}
	}
	d := &decoder{file: file, cfg: c}
	if root.Kind != kindObject {
		d.wrongType("", root, "an object", `the file must be one JSON object, e.g. {"deploy": {"aptPackages": ["..."]}}`)
		return nil, d.problems
	}
	d.walk(root, "", map[string]func(string, *node){
		"$schema":          func(k string, n *node) { d.str(k, n) },
		"provider":         d.provider,
		"buildAptPackages": func(k string, n *node) { c.BuildAptPackages = d.strList(k, n) },
		"packages":         func(k string, n *node) { c.Packages = d.strMap(k, n) },
		"secrets":          func(k string, n *node) { c.Secrets = d.strList(k, n) },
		"deploy": func(k string, n *node) {
			if n.Kind == kindNull {
				return
			}
			if n.Kind != kindObject {
				d.wrongType(k, n, "an object", `e.g. "deploy": {"aptPackages": ["...", "libgomp1"]}`)
				return
			}
			d.walk(n, k+".", map[string]func(string, *node){
				"aptPackages":  func(k string, n *node) { c.Deploy.AptPackages = d.strList(k, n) },
				"startCommand": func(k string, n *node) { c.Deploy.StartCmd = d.str(k, n) },
				"variables":    func(k string, n *node) { c.Deploy.Variables = d.strMap(k, n) },
				"paths":        func(k string, n *node) { c.Deploy.Paths = d.strList(k, n) },
				"base":         d.notModelled,
				"inputs":       d.notModelled,
			})
		},
		"steps":   d.notModelled,
		"caches":  d.notModelled,
		"exclude": d.notModelled,
	})
	if len(d.problems) > 0 {
		return nil, d.problems
	}
	return c, nil
}

type decoder struct {
	file     string
	cfg      *Config
	problems []Problem
}

func (d *decoder) add(key string, p pos, msg, hint string) {
	d.problems = append(d.problems, Problem{File: d.file, Line: p.Line, Col: p.Col, Key: key, Msg: msg, Hint: hint})
}

func (d *decoder) wrongType(key string, n *node, want, hint string) {
	d.add(key, n.Pos, fmt.Sprintf("must be %s, not %s", want, n.Kind), hint)
}

func (d *decoder) walk(obj *node, prefix string, fields map[string]func(string, *node)) {
	for _, m := range obj.Members {
		var fn func(string, *node)
		var canonical string
		for name, f := range fields {
			if strings.EqualFold(name, m.Key) {
				fn, canonical = f, name
			}
		}
		if fn == nil {
			d.cfg.Ignored = append(d.cfg.Ignored, fmt.Sprintf("%s:%d:%d %s%s: not a Railpack key, Railpack ignores it", d.file, m.KeyPos.Line, m.KeyPos.Col, prefix, m.Key))
			continue
		}
		fn(prefix+canonical, m.Val)
	}
}

func (d *decoder) notModelled(key string, n *node) {
	d.cfg.Ignored = append(d.cfg.Ignored, fmt.Sprintf("%s:%d:%d %s: accepted by Railpack, not modelled here", d.file, n.Pos.Line, n.Pos.Col, key))
}

func (d *decoder) str(key string, n *node) string {
	switch n.Kind {
	case kindString:
		return n.Str
	case kindNull:
		return ""
	}
	d.wrongType(key, n, "a string", "put the value in double quotes")
	return ""
}

func (d *decoder) strList(key string, n *node) []string {
	switch n.Kind {
	case kindNull:
		return nil
	case kindArray:
	case kindString:
		d.wrongType(key, n, "a list of strings", fmt.Sprintf("write it as a list: %s", suggestList(n.Str)))
		return nil
	default:
		d.wrongType(key, n, "a list of strings", `e.g. ["...", "libgomp1"]`)
		return nil
	}
	out := []string{}
	for i, it := range n.Items {
		if it.Kind != kindString {
			d.wrongType(fmt.Sprintf("%s[%d]", key, i), it, "a string", "each entry is one package name in double quotes")
			continue
		}
		out = append(out, it.Str)
	}
	return out
}

func suggestList(s string) string {
	items := []string{strconv.Quote("...")}
	for _, f := range strings.Fields(s) {
		if f != "..." {
			items = append(items, strconv.Quote(f))
		}
	}
	return "[" + strings.Join(items, ", ") + "]"
}

func (d *decoder) strMap(key string, n *node) map[string]string {
	switch n.Kind {
	case kindNull:
		return nil
	case kindObject:
	default:
		d.wrongType(key, n, "an object of strings", `e.g. {"python": "3.12"}`)
		return nil
	}
	out := map[string]string{}
	for _, m := range n.Members {
		if m.Val.Kind != kindString {
			d.wrongType(key+"."+m.Key, m.Val, "a string", "quote the value, e.g. \"3.12\" rather than 3.12")
			continue
		}
		out[m.Key] = m.Val.Str
	}
	return out
}

func (d *decoder) provider(key string, n *node) {
	if n.Kind == kindNull {
		return
	}
	v := d.str(key, n)
	if n.Kind != kindString {
		return
	}
	for _, p := range Providers {
		if strings.EqualFold(p, v) {
			if p != "python" {
				d.add(key, n.Pos, fmt.Sprintf("provider %q is a Railpack provider, but only python is modelled", v), `remove the key to let Railpack detect Python, or set "provider": "python"`)
				return
			}
			d.cfg.Provider = &p
			return
		}
	}
	d.add(key, n.Pos, fmt.Sprintf("unknown provider %q: Railpack logs \"Provider not found\" and plans with no provider, so the build fails", v), "use one of "+strings.Join(Providers, ", ")+` ("python" here)`)
}

func dedupe(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
