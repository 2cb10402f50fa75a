package dockerfile

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/builder/debian"
	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	parse "github.com/bootmatrix/bootmatrix/harness/dockerfile"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// FixKinds: the switches to a Dockerfile, a new one on python:*-slim or the
// project's own, which sidestep another builder's library layout altogether.
func (Builder) FixKinds() []diagnose.FixKind {
	return []diagnose.FixKind{diagnose.FixNewerBase, diagnose.FixAddAptPkgs, diagnose.FixBuilderPythonSlim, diagnose.FixBuilderDockerfile}
}

// Materialize has nothing to write: the variant's settings are its Dockerfile's.
func (Builder) Materialize(_ *scenario.Scenario, v scenario.Variant, _, _ string, _ *[]string) (scenario.Variant, bool, error) {
	return v, false, nil
}

// Describe is the scenario's start command and the variant's Python.
func (Builder) Describe(base *builder.FixBase) (string, string, error) {
	start, py := builder.DescribeVariant(base)
	return start, py, nil
}

// Drafts writes the switches to this builder, from a baseline of any builder.
func (Builder) Drafts(k diagnose.FixKind, base *builder.FixBase) []builder.Draft {
	switch k {
	case diagnose.FixBuilderPythonSlim:
		return pythonSlim(base)
	case diagnose.FixBuilderDockerfile:
		return projectDockerfile(base)
	case diagnose.FixAddAptPkgs:
		return aptDockerfile(base)
	case diagnose.FixNewerBase:
		return newerBase(base)
	}
	return nil
}

// nextRelease: a Debian-based image and the same image of Debian's next release, whose
// glibc and libstdc++ are newer (bookworm 2.36, trixie 2.41).
var nextRelease = []struct{ from, to string }{
	{"debian:bullseye-slim", "debian:bookworm-slim"}, {"debian:bullseye", "debian:bookworm"},
	{"debian:bookworm-slim", "debian:trixie-slim"}, {"debian:bookworm", "debian:trixie"},
	{"-slim-bullseye", "-slim-bookworm"}, {"-bullseye", "-bookworm"},
	{"-slim-bookworm", "-slim-trixie"}, {"-bookworm", "-trixie"},
}

// newerBase moves the Dockerfile's last stage, the one the app runs in, to the next
// Debian release of its image: a binary built against a newer glibc than that stage
// has (a build stage's interpreter copied into an older runtime) then finds it.
func newerBase(base *builder.FixBase) []builder.Draft {
	if base.Variant.Builder != Name || base.Variant.Dockerfile == "" {
		return nil
	}
	df := path.Clean(filepath.ToSlash(base.Variant.Dockerfile))
	text, err := builder.ReadText(base.Dir, df)
	if err != nil {
		return nil
	}
	f := parse.Parse(text)
	last := -1
	for i, in := range f.Instructions {
		if in.Cmd == "FROM" && len(in.Args) > 0 && in.Start == in.End {
			last = i
		}
	}
	if last < 0 {
		return nil
	}
	in := f.Instructions[last]
	img := in.Args[0]
	if strings.HasPrefix(img, "--platform=") && len(in.Args) > 1 {
		img = in.Args[1]
	}
	newImg := ""
	for _, r := range nextRelease {
		if img == r.from || strings.HasPrefix(r.from, "-") && strings.HasSuffix(img, r.from) {
			newImg = strings.TrimSuffix(img, r.from) + r.to
			if !strings.HasPrefix(r.from, "-") {
				newImg = r.to
			}
			break
		}
	}
	if newImg == "" {
		return nil
	}
	lines := append([]string{}, f.Lines...)
	lines[in.Start] = strings.Replace(lines[in.Start], img, newImg, 1)
	out := strings.Join(lines, "\n")
	if strings.HasSuffix(text, "\n") && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return []builder.Draft{{ID: "newer-base-image", Kind: diagnose.FixNewerBase,
		Summary: fmt.Sprintf("run the app on %s instead of %s in %s (line %d): the next Debian release, with a newer glibc and libstdc++", newImg, img, df, in.Start+1),
		Edit: func(dir string, touched *[]string) error {
			*touched = append(*touched, df)
			return builder.WriteText(dir, df, out)
		}}}
}

// aptDockerfile: the python:X.Y-slim Dockerfile with the Debian packages the diagnosis
// named installed first, for a library a python-slim build lacks (one opened by name at
// run time, which no wheel bundles). A Dockerfile of the user's own is left alone.
func aptDockerfile(base *builder.FixBase) []builder.Draft {
	var pkgs []string
	for _, f := range base.Fixes {
		if f.ID == string(diagnose.FixAddAptPkgs) {
			pkgs = append(pkgs, f.Packages...)
		}
	}
	if len(pkgs) == 0 || base.Variant.Builder == Name {
		return nil
	}
	// The import names only the first library the loader missed; the ldd stage found
	// the rest, and a Dockerfile that installs one of them fails on the next.
	for _, m := range base.Missing {
		if p := debian.PackageFor(m.Library); p != "" && !slices.Contains(pkgs, p) {
			pkgs = append(pkgs, p)
		}
	}
	list := strings.Join(pkgs, " ")
	return slimDockerfile(base, "add-aptpkgs", diagnose.FixAddAptPkgs,
		[]string{"# Debian's Python with " + list + " from Debian's archive, which the wheels do not bundle."},
		[]string{"RUN apt-get update && apt-get install -y --no-install-recommends " + list + " && rm -rf /var/lib/apt/lists/*"},
		"install "+list+" with apt-get in a Dockerfile on python:"+base.Python+"-slim at %s (the platform builds a root Dockerfile)")
}

// pythonSlim writes a Dockerfile at the app root on python:X.Y-slim that
// installs the same requirement files and starts the same command; a
// platform that finds a Dockerfile at the root builds it instead of Nixpacks.
func pythonSlim(base *builder.FixBase) []builder.Draft {
	return slimDockerfile(base, "builder-python-slim", diagnose.FixBuilderPythonSlim,
		[]string{"# Debian's Python instead of Nix's: libstdc++ and the other C/C++ runtime",
			"# libraries are in /usr/lib, where the wheels' extension modules look."}, nil,
		"build with a Dockerfile on python:"+base.Python+"-slim at %s (the platform builds a root Dockerfile instead of Nixpacks)")
}

// slimDockerfile writes the Dockerfile pythonSlim describes, with run before the
// requirements are installed; summary has a %s for the Dockerfile's path.
func slimDockerfile(base *builder.FixBase, id string, kind diagnose.FixKind, comment, run []string, summary string) []builder.Draft {
	if base.Variant.Builder == Name || len(base.Requirements) == 0 || base.Start == "" {
		return nil
	}
	lines := append(append([]string{}, comment...), "FROM python:"+base.Python+"-slim", "WORKDIR /app")
	lines = append(append(lines, run...), "COPY . /app")
	for _, f := range base.Requirements {
		rel := strings.TrimPrefix(strings.TrimPrefix(f, base.Root+"/"), "./")
		if base.Root == "." {
			rel = f
		}
		lines = append(lines, "RUN pip install --no-cache-dir -r "+rel)
	}
	lines = append(lines, "CMD "+base.Start)
	text := strings.Join(lines, "\n") + "\n"
	df := path.Join(base.Root, "Dockerfile")
	return []builder.Draft{{ID: id, Kind: kind,
		Summary: fmt.Sprintf(summary, df),
		Edit: func(dir string, touched *[]string) error {
			*touched = append(*touched, df)
			return builder.WriteText(dir, df, text)
		},
		Variant: func(v *scenario.Variant) {
			v.Builder, v.Dockerfile, v.Shell, v.Base = Name, df, "", ""
		}}}
}

// projectDockerfile switches to a Dockerfile the project already has: a
// platform setting (builder, Dockerfile path, root directory), no file change.
func projectDockerfile(base *builder.FixBase) []builder.Draft {
	var found []string
	rootAbs := filepath.Join(base.Dir, filepath.FromSlash(base.Root))
	if _, err := os.Stat(filepath.Join(rootAbs, "Dockerfile")); err == nil {
		found = append(found, path.Join(base.Root, "Dockerfile"))
	}
	entries, _ := os.ReadDir(rootAbs)
	for _, e := range entries {
		if e.IsDir() && !builder.Skipped(e.Name()) {
			if _, err := os.Stat(filepath.Join(rootAbs, e.Name(), "Dockerfile")); err == nil {
				found = append(found, path.Join(base.Root, e.Name(), "Dockerfile"))
			}
		}
	}
	sort.Strings(found)
	for _, df := range found {
		if base.Variant.Builder == Name && path.Clean(filepath.ToSlash(base.Variant.Dockerfile)) == df {
			continue
		}
		dir := path.Dir(df)
		settings := []string{"builder: Dockerfile", "Dockerfile path: " + df}
		if dir != base.Root {
			settings = append(settings, "root directory: "+dir)
		}
		return []builder.Draft{{ID: "builder-dockerfile", Kind: diagnose.FixBuilderDockerfile,
			Summary:  fmt.Sprintf("build the project's own %s instead (a platform setting: %s)", df, strings.Join(settings, ", ")),
			Settings: settings,
			Variant: func(v *scenario.Variant) {
				v.Builder, v.Dockerfile, v.Root, v.Shell, v.Base = Name, df, dir, "", ""
			}}}
	}
	return nil
}

// Starters: the project's own Dockerfile when it has one; otherwise a hint
// of the entry that would try one.
func (Builder) Starters(p *project.Project) ([]builder.StarterVariant, []string) {
	if p.Dockerfile == "" {
		return nil, []string{"No Dockerfile found; to try one, add:",
			fmt.Sprintf("  - {name: %s, builder: %s, root: %s, dockerfile: %s/Dockerfile}", Name, Name, p.AppRoot, p.AppRoot)}
	}
	return []builder.StarterVariant{{Name: string(Name), Python: p.Python, Root: p.AppRoot, Dockerfile: p.Dockerfile,
		Why: []string{"The project's own Dockerfile; its FROM lines decide the base image."}}}, nil
}
