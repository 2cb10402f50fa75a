package railpack

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

// Images are the concrete references the Dockerfile builds on: the real
// ghcr.io images online, stand-ins offline.
type Images struct {
	Builder string
	Runtime string
	// StepLines are Dockerfile lines put right after a step stage's WORKDIR,
	// keyed by plan step name: what the build that runs the Dockerfile adds
	// in place of Railpack's secrets and cache mounts (the package index, an
	// offline wheelhouse). They are not part of the plan.
	StepLines map[string][]string
}

// OnlineImages are the images Railpack itself uses, for online runs.
var OnlineImages = Images{Builder: BuilderImage, Runtime: RuntimeImage}

// defaultPath is BuildKit's system.DefaultPathEnvUnix, which Railpack appends
// to every PATH it sets.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// workDir is buildkit/convert.go WorkingDir: every step and the image run in /app.
const workDir = "/app"

// DeployStage is the name of the Dockerfile's last stage.
const DeployStage = "deploy"

// StageName is the Dockerfile stage a plan step becomes ("packages:mise" →
// "packages-mise"); stage names may not contain colons.
func StageName(step string) string { return strings.ReplaceAll(step, ":", "-") }

// buildEnv is build_llb.BuildEnvironment: the variables and PATH entries a
// step hands to the steps built on it.
type buildEnv struct {
	paths []string
	vars  map[string]string
}

func (e *buildEnv) merge(o buildEnv) {
	for _, p := range o.paths {
		if !slices.Contains(e.paths, p) {
			e.paths = append(e.paths, p)
		}
	}
	maps.Copy(e.vars, o.vars)
}

// Dockerfile renders the plan as a multi-stage Dockerfile that performs the
// plan's steps: one stage per step, then a deploy stage that copies exactly
// the deploy inputs. docs/railpack-fidelity.md lists where it differs from
// the LLB Railpack would run.
func Dockerfile(p *BuildPlan, img Images) (string, error) {
	if img.Builder == "" || img.Runtime == "" {
		return "", fmt.Errorf("railpack Dockerfile: both the builder and the runtime image must be given (got builder %q, runtime %q)", img.Builder, img.Runtime)
	}
	r := &renderer{plan: p, img: img, out: map[string]buildEnv{}}
	var b strings.Builder
	b.WriteString("# Railpack's plan as a Dockerfile: one stage per plan step, then the deploy image.\n")
	for _, s := range p.Steps {
		if err := r.step(&b, s); err != nil {
			return "", err
		}
	}
	if err := r.deploy(&b); err != nil {
		return "", err
	}
	return b.String(), nil
}

type renderer struct {
	plan *BuildPlan
	img  Images
	out  map[string]buildEnv
	// copied holds "stage path" for each step output the current stage has
	// copied, to prove an exclude can be dropped.
	copied map[string]bool
}

func (r *renderer) from(l Layer) (string, error) {
	switch {
	case l.Image == BuilderImage:
		return r.img.Builder, nil
	case l.Image == RuntimeImage:
		return r.img.Runtime, nil
	case l.Image != "":
		return l.Image, nil
	case l.Step != "":
		if _, ok := r.out[l.Step]; !ok {
			return "", fmt.Errorf("railpack Dockerfile: step %q is used before it is built", l.Step)
		}
		return StageName(l.Step), nil
	}
	return "", fmt.Errorf("railpack Dockerfile: the first input must be an image or a step, not %+v", l)
}

func (r *renderer) step(b *strings.Builder, s Step) error {
	if len(s.Inputs) == 0 {
		return fmt.Errorf("railpack Dockerfile: step %q has no inputs", s.Name)
	}
	base, err := r.from(s.Inputs[0])
	if err != nil {
		return fmt.Errorf("step %s: %w", s.Name, err)
	}
	r.copied = map[string]bool{}
	fmt.Fprintf(b, "\n# step %s\nFROM %s AS %s\nWORKDIR %s\n", s.Name, base, StageName(s.Name), workDir)
	for _, l := range r.img.StepLines[s.Name] {
		b.WriteString(l + "\n")
	}

	in := buildEnv{vars: map[string]string{}}
	for _, l := range s.Inputs {
		if l.Step != "" {
			in.merge(r.out[l.Step])
		}
	}
	out := buildEnv{vars: maps.Clone(in.vars), paths: slices.Clone(in.paths)}
	maps.Copy(out.vars, s.Variables)
	for _, k := range slices.Sorted(maps.Keys(out.vars)) {
		fmt.Fprintf(b, "ENV %s=%s\n", k, envQuote(out.vars[k]))
	}
	if len(in.paths) > 0 {
		fmt.Fprintf(b, "ENV PATH=%s\n", envQuote(strings.Join(in.paths, ":")+":"+defaultPath))
	}
	for _, l := range s.Inputs[1:] {
		if err := r.copyLayer(b, l); err != nil {
			return fmt.Errorf("step %s: %w", s.Name, err)
		}
	}
	for _, c := range s.Caches {
		if cache := r.plan.Caches[c]; cache != nil {
			fmt.Fprintf(b, "# cache %s: %s (%s); not mounted, each build starts it empty\n", c, cache.Directory, cache.Type)
		}
	}
	for _, c := range s.Commands {
		switch c.Kind() {
		case "exec":
			argv, err := shlex(c.Cmd)
			if err != nil {
				return fmt.Errorf("step %s: command %q: %w", s.Name, c.Cmd, err)
			}
			fmt.Fprintf(b, "RUN %s\n", jsonArray(argv...))
		case "path":
			if !slices.Contains(out.paths, c.Path) {
				out.paths = append([]string{c.Path}, out.paths...)
			}
			fmt.Fprintf(b, "ENV PATH=%s\n", envQuote(strings.Join(out.paths, ":")+":"+defaultPath))
		case "copy":
			fmt.Fprintf(b, "COPY %s\n", copyArgs(c.Src, c.Dest))
		case "file":
			asset, ok := s.Assets[c.Name]
			if !ok {
				return fmt.Errorf("railpack Dockerfile: step %s: asset %q not found", s.Name, c.Name)
			}
			fmt.Fprintf(b, "RUN mkdir -p %s && printf '%s' > %s\n", path.Dir(c.Path), printfEscape(asset), c.Path)
		}
	}
	if s.Name == StepMise {
		// BuildKit skips a missing deploy input path; COPY fails on one.
		// Creating the directories mise may not have written makes the
		// deploy COPYs succeed without adding any file.
		fmt.Fprintf(b, "RUN %s\n", jsonArray("mkdir", "-p", "/mise/shims", "/mise/installs", "/root/.local/state/mise"))
	}
	r.out[s.Name] = out
	return nil
}

// copyLayer copies a step input after the first, as getCopyState does:
// a local "." lands in /app, a step's include keeps its path.
func (r *renderer) copyLayer(b *strings.Builder, l Layer) error {
	for _, inc := range l.Include {
		if l.Local {
			fmt.Fprintf(b, "COPY %s\n", copyArgs(inc, path.Join(workDir, path.Base(inc))))
			continue
		}
		stage, err := r.from(Layer{Step: l.Step, Image: l.Image})
		if err != nil {
			return err
		}
		src := containerPath(inc)
		if len(l.Exclude) > 0 {
			// The classic builder's COPY has no --exclude. Copying the
			// excluded paths again is harmless only when they were copied
			// from the same stage already.
			for _, ex := range l.Exclude {
				if !r.copied[stage+" "+path.Join(src, ex)] {
					return fmt.Errorf("railpack Dockerfile: %s excludes %s, which no earlier input copies from %s; a Dockerfile COPY cannot leave it out", l.Step, ex, stage)
				}
			}
			fmt.Fprintf(b, "# the plan excludes %s here; COPY has no --exclude on the classic builder, and the same files came from %s just above, so the tree is the same\n", strings.Join(l.Exclude, ", "), stage)
		}
		fmt.Fprintf(b, "COPY --from=%s %s\n", stage, copyArgs(src, src))
		r.copied[stage+" "+src] = true
	}
	return nil
}

// containerPath is resolvePaths for a step input.
func containerPath(inc string) string {
	switch {
	case inc == "." || inc == "/app" || inc == "/app/":
		return "/app"
	case path.IsAbs(inc):
		return inc
	}
	return path.Join(workDir, inc)
}

func (r *renderer) deploy(b *strings.Builder) error {
	d := r.plan.Deploy
	base, err := r.from(d.Base)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	r.copied = map[string]bool{}
	fmt.Fprintf(b, "\n# deploy\nFROM %s AS %s\n", base, DeployStage)
	env := buildEnv{vars: map[string]string{}}
	for _, l := range d.Inputs {
		if l.Step == "" {
			return fmt.Errorf("railpack Dockerfile: deploy input %+v is not a step output; only step inputs are rendered", l)
		}
		if err := r.copyLayer(b, l); err != nil {
			return fmt.Errorf("deploy: %w", err)
		}
		env.merge(r.out[l.Step])
	}
	fmt.Fprintf(b, "WORKDIR %s\n", workDir)
	vars := maps.Clone(env.vars)
	maps.Copy(vars, d.Variables)
	paths := slices.Concat(d.Paths, env.paths, []string{defaultPath})
	slices.Sort(paths)
	vars["PATH"] = strings.Join(paths, ":")
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		fmt.Fprintf(b, "ENV %s=%s\n", k, envQuote(vars[k]))
	}
	start := d.StartCmd
	if start == "" {
		start = "/bin/bash"
	}
	fmt.Fprintf(b, "ENTRYPOINT %s\nCMD %s\n", jsonArray("/bin/bash", "-c"), jsonArray(start))
	return nil
}

// copyArgs writes COPY's source and destination in JSON form when a path has
// a space, which the plain form would split.
func copyArgs(src, dest string) string {
	if strings.ContainsAny(src+dest, " \t\"") {
		return jsonArray(src, dest)
	}
	return src + " " + dest
}

// jsonArray is the exec form of RUN, CMD and COPY, with "&&" left readable.
func jsonArray(words ...string) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(words)
	return strings.TrimSuffix(b.String(), "\n")
}

// envQuote quotes a value for ENV: double quotes, with the characters the
// Dockerfile parser would interpret escaped.
func envQuote(v string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`)
	return `"` + r.Replace(v) + `"`
}

// printfEscape makes s a single-quoted printf format on one Dockerfile line.
func printfEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `%%`, `'`, `'\''`, "\n", `\n`)
	return r.Replace(s)
}

// shlex splits a command line as google/shlex does for BuildKit's llb.Shlex:
// words separated by blanks, '…' literal, "…" with \ escapes, \ escaping
// one character outside quotes. Railpack runs the words without a shell.
func shlex(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unclosed single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unclosed double quote")
			}
			inWord = true
		case c == '\\':
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
			inWord = true
		case c == '#' && !inWord:
			return words, nil
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
