// Package railpack reproduces the part of Railpack that turns a Python project
// into a build plan: railpack.json and the RAILPACK_* variables, provider
// detection, mise's Python version, the package manager's install commands,
// the build and deploy apt packages with "..." and the start command. It also
// renders the plan as a multi-stage Dockerfile, because Railpack itself emits
// BuildKit LLB, not a Dockerfile. It builds nothing.
//
// The behaviour follows railwayapp/railpack at commit
// b5e805800e6787a4744cd944a357e29b848d38f3 (mise 2026.8.6):
// core/providers/python/{python,dependencies,django}.go, core/generate/
// {context,mise_step_builder,deploy_builder,command_step_builder,cache_context}.go,
// core/core.go, core/config/config.go, core/plan, core/resolver and
// buildkit/{convert.go,build_llb}. docs/railpack-fidelity.md maps each
// Dockerfile step to the plan step and says where they differ.
package railpack

import (
	"bytes"
	"encoding/json"
)

// MiseVersion is the mise release the builder and runtime image tags name.
const MiseVersion = "2026.8.6"

// The images Railpack builds on and deploys to (core/generate/mise_step_builder.go
// RailpackBuilderImage, core/plan/plan.go RailpackRuntimeImage).
const (
	BuilderImage = "ghcr.io/railwayapp/railpack-builder:mise-" + MiseVersion
	RuntimeImage = "ghcr.io/railwayapp/railpack-runtime:mise-" + MiseVersion
)

// Result is what Railpack's GenerateBuildPlan returns (core/core.go
// BuildResult), less the logs.
type Result struct {
	Plan              *BuildPlan                  `json:"plan"`
	ResolvedPackages  map[string]*ResolvedPackage `json:"resolvedPackages,omitempty"`
	Metadata          map[string]string           `json:"metadata,omitempty"`
	DetectedProviders []string                    `json:"detectedProviders,omitempty"`
	// Warnings are what Railpack would log as warnings or suggestions and
	// what this model left out (Config.Ignored).
	Warnings []string `json:"warnings,omitempty"`
	// ProviderDeployApt are the runtime apt packages the provider chose
	// before deploy.aptPackages was applied; DroppedDeployApt are those a
	// deploy.aptPackages without "..." left out (railpack #637). Not part of
	// Railpack's output.
	ProviderDeployApt []string `json:"-"`
	DroppedDeployApt  []string `json:"-"`
	// ConfigFile is the config file read, "" when there was none.
	ConfigFile string `json:"-"`
}

// ResolvedPackage is one mise tool: what was asked for, where the request
// came from and what it resolved to.
type ResolvedPackage struct {
	Name             string `json:"name"`
	RequestedVersion string `json:"requestedVersion,omitempty"`
	ResolvedVersion  string `json:"resolvedVersion,omitempty"`
	Source           string `json:"source"`
}

// BuildPlan mirrors core/plan.BuildPlan; its JSON is the shape of
// `railpack plan` output.
type BuildPlan struct {
	Steps   []Step            `json:"steps,omitempty"`
	Caches  map[string]*Cache `json:"caches,omitempty"`
	Secrets []string          `json:"secrets,omitempty"`
	Deploy  Deploy            `json:"deploy"`
}

// Step mirrors core/plan.Step.
type Step struct {
	Name      string            `json:"name,omitempty"`
	Inputs    []Layer           `json:"inputs,omitempty"`
	Commands  []Command         `json:"commands,omitempty"`
	Secrets   []string          `json:"secrets,omitempty"`
	Assets    map[string]string `json:"assets,omitempty"`
	Variables map[string]string `json:"variables,omitempty"`
	Caches    []string          `json:"caches,omitempty"`
}

// Layer mirrors core/plan.Layer: an image, a step's output or the local
// source, optionally filtered.
type Layer struct {
	Image   string   `json:"image,omitempty"`
	Step    string   `json:"step,omitempty"`
	Local   bool     `json:"local,omitempty"`
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
}

// Command is one of Railpack's four command kinds; exactly one field group is
// set. Exec commands run without a shell (BuildKit's Shlex), so "&&" needs an
// explicit sh -c.
type Command struct {
	// exec
	Cmd        string `json:"cmd,omitempty"`
	CustomName string `json:"customName,omitempty"`
	// path: prepended to PATH for later commands and steps; for a file
	// command, the file written
	Path string `json:"path,omitempty"`
	// copy from the local source (src and dest relative to /app)
	Src  string `json:"src,omitempty"`
	Dest string `json:"dest,omitempty"`
	// file: writes asset Name to Path
	Name string `json:"name,omitempty"`
}

// Kind names the command's kind.
func (c Command) Kind() string {
	switch {
	case c.Cmd != "":
		return "exec"
	case c.Src != "":
		return "copy"
	case c.Name != "":
		return "file"
	default:
		return "path"
	}
}

// Cache mirrors core/plan.Cache.
type Cache struct {
	Directory string `json:"directory"`
	Type      string `json:"type"`
}

// Deploy mirrors core/plan.Deploy.
type Deploy struct {
	Base      Layer             `json:"base"`
	Inputs    []Layer           `json:"inputs,omitempty"`
	StartCmd  string            `json:"startCommand,omitempty"`
	Variables map[string]string `json:"variables,omitempty"`
	Paths     []string          `json:"paths,omitempty"`
}

func execCmd(cmd string) Command         { return Command{Cmd: cmd} }
func execNamed(cmd, name string) Command { return Command{Cmd: cmd, CustomName: name} }
func pathCmd(p string) Command           { return Command{Path: p} }
func copyCmd(f string) Command           { return Command{Src: f, Dest: f} }
func fileCmd(path, name, custom string) Command {
	return Command{Path: path, Name: name, CustomName: custom}
}

func stepLayer(step string, include, exclude []string) Layer {
	return Layer{Step: step, Include: include, Exclude: exclude}
}

// JSON is the result as indented JSON, with "&&" and "<" left as they are
// rather than escaped for HTML.
func (r *Result) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
