package main

import (
	"fmt"
	"path"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/platform"
)

// platformRow is the variant the platform's own config file describes: what
// it builds and checks, each value with the file and line it came from, and
// the header lines (what was read, the problems, one line each).
func (p *starter) platformRow(cfg *platform.Config) (row builder.StarterVariant, builderName string, header []string) {
	header = append(header, fmt.Sprintf("Platform settings read from %s: the row \"current\" is what %s builds and checks.", cfg.File, title(cfg.Platform)))
	for _, pr := range cfg.Problems {
		header = append(header, "Problem: "+pr)
	}
	root := path.Clean(cfg.Root.Value)
	row = builder.StarterVariant{Name: "current", Root: root}
	why := []string{fmt.Sprintf("What %s builds and checks, from its config file:", title(cfg.Platform))}
	add := func(what string, v platform.Value) {
		if v.Set() {
			why = append(why, fmt.Sprintf("  %s: %s", what, v.From))
		}
	}
	add("root "+root, cfg.Root)
	switch {
	case cfg.Platform == "railway" && cfg.Builder.Value == platform.Railpack:
		builderName = "railpack"
		if cfg.BuildCommand.Set() {
			row.Own = []builder.Setting{{Key: "railpack", Value: map[string]any{"env": map[string]string{"RAILPACK_BUILD_CMD": cfg.BuildCommand.Value}}}}
		}
	case cfg.Platform == "railway" && cfg.Builder.Value == platform.Dockerfile,
		cfg.Platform == "render" && cfg.Builder.Value == "docker":
		builderName = "dockerfile"
		row.Python = p.Python
		row.Dockerfile = path.Join(root, "Dockerfile")
		if cfg.DockerfilePath.Set() {
			row.Dockerfile = path.Clean(path.Join(root, cfg.DockerfilePath.Value))
		}
		if cfg.BuildCommand.Set() {
			header = append(header, fmt.Sprintf("Problem: %s: a build command does not apply to a Dockerfile build; ignored", cfg.BuildCommand.From))
		}
	case cfg.Platform == "render":
		// Render's native Python runtime is no builder here: the nearest is
		// Debian's python image with the same root, install and start.
		builderName = "python-slim"
		row.Python = p.Python
		why = append(why, "  Render's native Python runtime is not one of bootmatrix's builders: this row builds on python:"+p.Python+"-slim.")
		if cfg.BuildCommand.Set() && cfg.BuildCommand.Value != "pip install -r requirements.txt" {
			header = append(header, fmt.Sprintf("Problem: %s: %q: the python-slim row installs with pip install -r requirements.txt only", cfg.BuildCommand.From, cfg.BuildCommand.Value))
		}
	default:
		builderName = "nixpacks"
		row.Python = p.Python
		if cfg.BuildCommand.Set() {
			row.Own = []builder.Setting{{Key: "nixpacks", Value: map[string]any{"buildCmds": quotedList{cfg.BuildCommand.Value}}}}
		}
		if !cfg.Builder.Set() && cfg.Platform == "railway" {
			why = append(why, "  build.builder is not set: the service's setting decides; this row is Nixpacks, the railpack row below is Railpack.")
		}
	}
	add("builder "+builderName, cfg.Builder)
	add("build command", cfg.BuildCommand)
	add("dockerfile", cfg.DockerfilePath)
	if cfg.StartCommand.Set() {
		row.Start = cfg.StartCommand.Value
		add("start", cfg.StartCommand)
	} else if builderName == "python-slim" {
		row.Start = p.DefaultStart()
	}
	add("health path "+cfg.HealthPath.Value, cfg.HealthPath)
	row.Why = why
	return row, builderName, header
}

func title(platformName string) string {
	if platformName == "render" {
		return "Render"
	}
	return "Railway"
}
