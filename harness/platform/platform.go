// Package platform reads the settings users keep in their platform's own
// config files: Railway's railway.toml / railway.json (build.builder,
// build.buildCommand, build.dockerfilePath, deploy.startCommand,
// deploy.healthcheckPath; the file's directory is the service's root
// directory) and Render's render.yaml (the first web service's rootDir,
// buildCommand, startCommand, healthCheckPath, runtime, dockerfilePath).
// Each value keeps the file and line it came from; unknown and conflicting
// settings are problems, one line each, that do not stop the reading.
package platform

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"go.yaml.in/yaml/v3"
)

// Builders Railway's build.builder names that bootmatrix builds.
const (
	Nixpacks   = "NIXPACKS"
	Railpack   = "RAILPACK"
	Dockerfile = "DOCKERFILE"
)

// Value is one setting and where it was written.
type Value struct {
	Value string
	// From is "railway.toml:3 (build.builder)".
	From string
}

// Set reports whether the file gave the setting.
func (v Value) Set() bool { return v.Value != "" }

// Config is what a platform file says about the build.
type Config struct {
	// Platform is "railway" or "render"; File the file read (relative to the
	// project), Files every file read.
	Platform string
	File     string
	// Builder is Railway's NIXPACKS, RAILPACK or DOCKERFILE; for Render, the
	// runtime (python, docker).
	Builder        Value
	BuildCommand   Value
	StartCommand   Value
	HealthPath     Value
	DockerfilePath Value
	// Root is the service's root directory, relative to the project.
	Root Value
	// Problems are unknown and conflicting settings: "railway.toml:2: build.builder: …".
	Problems []string
}

// Read finds and reads the platform config of the project in dir: Railway's
// at dir or one directory down, else render.yaml at dir. It returns nil when
// there is none. An error is a file that cannot be read or parsed at all.
func Read(dir string) (*Config, error) {
	var found []string
	for _, pattern := range []string{"railway.toml", "railway.json", "*/railway.toml", "*/railway.json"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range m {
			rel, _ := filepath.Rel(dir, f)
			found = append(found, filepath.ToSlash(rel))
		}
	}
	if len(found) > 0 {
		return readRailway(dir, found)
	}
	if _, err := os.Stat(filepath.Join(dir, "render.yaml")); err == nil {
		return readRender(dir, "render.yaml")
	}
	return nil, nil
}

// railwayKeys are the settings read; railwayKnown the ones Railway has that
// play no part in what is built and checked here.
var (
	railwayKeys  = []string{"build.builder", "build.buildCommand", "build.dockerfilePath", "deploy.startCommand", "deploy.healthcheckPath"}
	railwayKnown = []string{"$schema", "build.watchPatterns", "build.nixpacksConfigPath", "build.nixpacksPlan", "build.nixpacksVersion", "build.railpackVersion",
		"deploy.healthcheckTimeout", "deploy.restartPolicyType", "deploy.restartPolicyMaxRetries", "deploy.numReplicas",
		"deploy.cronSchedule", "deploy.preDeployCommand", "deploy.sleepApplication", "deploy.region", "deploy.overlapSeconds",
		"deploy.drainingSeconds", "deploy.multiRegionConfig", "deploy.runtime", "deploy.requiredMountPath", "environments", "build", "deploy"}
)

func readRailway(dir string, files []string) (*Config, error) {
	sort.Slice(files, func(i, j int) bool {
		return strings.Count(files[i], "/") < strings.Count(files[j], "/") || files[i] < files[j]
	})
	c := &Config{Platform: "railway", File: files[0]}
	rootDir := path.Dir(files[0])
	for _, f := range files[1:] {
		if path.Dir(f) != rootDir {
			c.Problems = append(c.Problems, fmt.Sprintf("%s: ignored: %s is read first (Railway reads the config file in the service's root directory)", f, files[0]))
			continue
		}
		c.Problems = append(c.Problems, fmt.Sprintf("%s: conflicts with %s: Railway reads one config file; remove one (the values below are %s's)", f, files[0], files[0]))
	}
	values, lines, err := flatten(dir, files[0])
	if err != nil {
		return nil, err
	}
	from := func(key string) Value {
		v, ok := values[key]
		if !ok {
			return Value{}
		}
		s, isStr := v.(string)
		if !isStr {
			c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: %s: must be a string, not %T; ignored", files[0], lines[key], key, v))
			return Value{}
		}
		return Value{Value: s, From: fmt.Sprintf("%s:%d (%s)", files[0], lines[key], key)}
	}
	c.Builder = from("build.builder")
	c.BuildCommand = from("build.buildCommand")
	c.DockerfilePath = from("build.dockerfilePath")
	c.StartCommand = from("deploy.startCommand")
	c.HealthPath = from("deploy.healthcheckPath")
	c.Root = Value{Value: rootDir, From: fmt.Sprintf("%s (Railway reads it from the service's root directory)", files[0])}
	if b := strings.ToUpper(c.Builder.Value); c.Builder.Set() {
		if !slices.Contains([]string{Nixpacks, Railpack, Dockerfile}, b) {
			c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: build.builder: %q is not a builder bootmatrix has (it builds NIXPACKS, RAILPACK and DOCKERFILE); the current row uses Nixpacks, Railway's default", files[0], lines["build.builder"], c.Builder.Value))
			c.Builder = Value{}
		} else {
			c.Builder.Value = b
		}
	}
	for _, k := range sortedKeys(values) {
		if !slices.Contains(railwayKeys, k) && !known(k) {
			c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: %s: not a Railway setting bootmatrix knows; ignored", files[0], lines[k], k))
		}
	}
	if c.HealthPath.Set() && !strings.HasPrefix(c.HealthPath.Value, "/") {
		c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: deploy.healthcheckPath: %q does not start with /; the scenario's health path is /%s", files[0], lines["deploy.healthcheckPath"], c.HealthPath.Value, c.HealthPath.Value))
		c.HealthPath.Value = "/" + c.HealthPath.Value
	}
	if c.DockerfilePath.Set() && c.Builder.Value != Dockerfile {
		c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: build.dockerfilePath is set but build.builder is %s: Railway builds the Dockerfile only with builder DOCKERFILE", files[0], lines["build.dockerfilePath"], cmpOr(c.Builder.Value, "not set")))
	}
	return c, nil
}

func known(k string) bool {
	for _, p := range railwayKnown {
		if k == p || strings.HasPrefix(k, p+".") && (p == "environments" || p == "deploy.multiRegionConfig" || p == "build.nixpacksPlan") {
			return true
		}
	}
	return false
}

// flatten reads a railway.toml or railway.json into dotted keys (tables one
// level deep, as Railway's schema is) with the line each is on.
func flatten(dir, rel string) (map[string]any, map[string]int, error) {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, nil, err
	}
	doc := map[string]any{}
	if strings.HasSuffix(rel, ".json") {
		if err := json.Unmarshal(data, &doc); err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				line := 1 + strings.Count(string(data[:se.Offset]), "\n")
				return nil, nil, fmt.Errorf("%s:%d: %v: fix the JSON (Railway would not read it either)", rel, line, err)
			}
			return nil, nil, fmt.Errorf("%s: %v: the file must be one JSON object", rel, err)
		}
	} else if err := toml.Unmarshal(data, &doc); err != nil {
		var de *toml.DecodeError
		if errors.As(err, &de) {
			line, _ := de.Position()
			return nil, nil, fmt.Errorf("%s:%d: %v: fix the TOML (Railway would not read it either)", rel, line, err)
		}
		return nil, nil, fmt.Errorf("%s: %w", rel, err)
	}
	values := map[string]any{}
	for k, v := range doc {
		if m, ok := v.(map[string]any); ok && k != "environments" {
			for k2, v2 := range m {
				values[k+"."+k2] = v2
			}
			continue
		}
		values[k] = v
	}
	return values, keyLines(string(data), strings.HasSuffix(rel, ".json")), nil
}

var (
	tomlTable = regexp.MustCompile(`^\s*\[([A-Za-z0-9_.-]+)\]`)
	tomlKey   = regexp.MustCompile(`^\s*"?([A-Za-z0-9_$-]+)"?\s*=`)
	jsonKey   = regexp.MustCompile(`"([A-Za-z0-9_$]+)"\s*:`)
)

// keyLines finds the line of each dotted key: TOML by its table and key
// lines, JSON by the nesting of its keys' braces.
func keyLines(text string, isJSON bool) map[string]int {
	out := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(text))
	table, depth, n := "", 0, 0
	var stack []string
	last := ""
	for sc.Scan() {
		n++
		line := sc.Text()
		if !isJSON {
			if m := tomlTable.FindStringSubmatch(line); m != nil {
				table = m[1]
				continue
			}
			if m := tomlKey.FindStringSubmatch(line); m != nil {
				k := m[1]
				if table != "" {
					k = table + "." + k
				}
				if _, ok := out[k]; !ok {
					out[k] = n
				}
			}
			continue
		}
		for i := 0; i < len(line); i++ {
			if m := jsonKey.FindStringSubmatchIndex(line[i:]); m != nil && m[0] == 0 {
				last = line[i+m[2] : i+m[3]]
				k := strings.Join(append(slices.Clone(stack), last), ".")
				if _, ok := out[k]; !ok {
					out[k] = n
				}
				i += m[1] - 1
				continue
			}
			switch line[i] {
			case '{':
				if depth > 0 {
					stack = append(stack, last)
				}
				depth++
			case '}':
				depth--
				if len(stack) > 0 && depth > 0 {
					stack = stack[:len(stack)-1]
				}
			}
		}
	}
	return out
}

// renderKeys are the web service's settings read; renderKnown the others
// Render has.
var (
	renderKeys  = []string{"type", "name", "runtime", "env", "rootDir", "buildCommand", "startCommand", "healthCheckPath", "dockerfilePath", "dockerContext"}
	renderKnown = []string{"plan", "region", "branch", "repo", "autoDeploy", "autoDeployTrigger", "envVars", "numInstances", "scaling", "disk", "domains",
		"preDeployCommand", "buildFilter", "previews", "pullRequestPreviewsEnabled", "maxShutdownDelaySeconds", "image", "registryCredential", "dockerCommand"}
)

func readRender(dir, rel string) (*Config, error) {
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v: fix the YAML (Render would not read it either)", rel, err)
	}
	c := &Config{Platform: "render", File: rel}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	services := mapValue(root, "services")
	if services == nil || services.Kind != yaml.SequenceNode {
		c.Problems = append(c.Problems, fmt.Sprintf("%s: no services list: nothing to build", rel))
		return c, nil
	}
	var web *yaml.Node
	for i, s := range services.Content {
		if t := mapValue(s, "type"); t != nil && t.Value == "web" {
			if web == nil {
				web = s
			} else {
				c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: services[%d]: another web service; only the first (line %d) is read", rel, s.Line, i, web.Line))
			}
		}
	}
	if web == nil {
		c.Problems = append(c.Problems, fmt.Sprintf("%s: no service of type web: nothing serves HTTP to check", rel))
		return c, nil
	}
	get := func(key string) Value {
		n := mapValue(web, key)
		if n == nil {
			return Value{}
		}
		if n.Kind != yaml.ScalarNode {
			c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: services.%s: must be a string; ignored", rel, n.Line, key))
			return Value{}
		}
		return Value{Value: n.Value, From: fmt.Sprintf("%s:%d (services.%s)", rel, n.Line, key)}
	}
	c.Builder = get("runtime")
	if env := get("env"); env.Set() {
		if c.Builder.Set() && c.Builder.Value != env.Value {
			c.Problems = append(c.Problems, fmt.Sprintf("%s: services.env %q conflicts with services.runtime %q (env is its old name); runtime is used", env.From, env.Value, c.Builder.Value))
		} else if !c.Builder.Set() {
			c.Builder = env
		}
	}
	c.BuildCommand = get("buildCommand")
	c.StartCommand = get("startCommand")
	c.HealthPath = get("healthCheckPath")
	c.DockerfilePath = get("dockerfilePath")
	c.Root = get("rootDir")
	if !c.Root.Set() {
		c.Root = Value{Value: ".", From: rel + " (no services.rootDir: the repository root)"}
	}
	if b := c.Builder.Value; b != "" && b != "python" && b != "docker" {
		c.Problems = append(c.Problems, fmt.Sprintf("%s: runtime %q is not one bootmatrix builds (python, docker); the current row uses python", c.Builder.From, b))
		c.Builder = Value{}
	}
	for i := 0; i+1 < len(web.Content); i += 2 {
		k := web.Content[i]
		if !slices.Contains(renderKeys, k.Value) && !slices.Contains(renderKnown, k.Value) {
			c.Problems = append(c.Problems, fmt.Sprintf("%s:%d: services.%s: not a Render setting bootmatrix knows; ignored", rel, k.Line, k.Value))
		}
	}
	return c, nil
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
