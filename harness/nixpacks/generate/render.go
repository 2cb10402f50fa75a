package generate

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Where Nixpacks puts things (dockerfile_generation.rs, app.rs).
const (
	OutputDir = ".nixpacks"
	AppDir    = "/app/"
	AssetsDir = "/assets/"
)

// Output is what `nixpacks build --out <dir>` writes, by path relative to
// <dir>: the Dockerfile, the nix expressions and the assets live under
// .nixpacks/ (OutputDir::get_absolute_path).
type Output struct {
	// Dockerfile is .nixpacks/Dockerfile.
	Dockerfile string
	// Nix maps a file name ("nixpkgs-<archive>.nix") to its expression; each
	// is written to .nixpacks/<name> and installed by `nix-env -if`.
	Nix map[string]string
	// Assets maps a static asset's name to its content, written to
	// .nixpacks/assets/<name> and copied to /assets/.
	Assets map[string]string
	// BuildArgs are the plan's variables, which Nixpacks passes as
	// --build-arg: the Dockerfile only declares them (ARG) and copies them
	// into the image (ENV K=$K), so a build without them gets empty values.
	BuildArgs map[string]string
	// BuildScript is .nixpacks/build.sh, the docker build command Nixpacks
	// saves instead of running it; empty unless WithOutDir was given.
	BuildScript string

	// The Dockerfile in its parts, so that it can be built in steps without
	// reading its text back: Dockerfile is Head, then every Phases text and
	// every PathLines line each followed by a newline, then a newline, Start
	// and a newline.
	Head      string
	Phases    []PhasePart
	PathLines []string
	Start     string
}

// PhasePart is one phase's part of the Dockerfile, in the order it is built.
type PhasePart struct {
	Name, Text string
}

// Split cuts the Dockerfile after the phase named after (or before every
// phase when no phase has that name): before holds Head and the phases up to
// it, after the later phases, the PATH lines and, unless the start runs in an
// image of its own (runImage), the start; start is that image's part, or "".
// before+after+start is the Dockerfile.
func (o *Output) Split(after string, ownStartImage bool) (before, after2, start string) {
	cut := 0
	for i, ph := range o.Phases {
		if ph.Name == after {
			cut = i + 1
		}
	}
	var b, a strings.Builder
	b.WriteString(o.Head)
	for i, ph := range o.Phases {
		w := &a
		if i < cut {
			w = &b
		}
		w.WriteString(ph.Text + "\n")
	}
	for _, l := range o.PathLines {
		a.WriteString(l + "\n")
	}
	if len(o.Phases)+len(o.PathLines) == 0 {
		a.WriteString("\n") // Render joins no parts into one empty line
	}
	a.WriteString("\n")
	if ownStartImage {
		return b.String(), a.String(), o.Start + "\n"
	}
	a.WriteString(o.Start + "\n")
	return b.String(), a.String(), ""
}

// Files returns every file Output holds, keyed by its path under the
// --out directory.
func (o *Output) Files() map[string]string {
	files := map[string]string{OutputDir + "/Dockerfile": o.Dockerfile}
	for name, text := range o.Nix {
		files[OutputDir+"/"+name] = text
	}
	for name, text := range o.Assets {
		files[OutputDir+"/assets/"+name] = text
	}
	if o.BuildScript != "" {
		files[OutputDir+"/build.sh"] = o.BuildScript
	}
	return files
}

// Option changes how Render writes what Nixpacks writes. Without options the
// output is byte for byte Nixpacks' with caching off (`--no-cache`).
type Option func(*options)

type options struct {
	baseImage  string
	images     func(string) string
	archiveURL func(rev string) string
	overlayURL func(url string) string
	cacheKey   string
	outDir     string
	imageName  string
}

// WithBaseImage puts ref in the build stage's FROM in place of the plan's
// buildImage (or the default Nixpacks image).
func WithBaseImage(ref string) Option { return func(o *options) { o.baseImage = ref } }

// WithImages rewrites every image reference the Dockerfile names (the build
// image, unless WithBaseImage set it, and the runImage), as a substitution
// table maps logical images to the ones available.
func WithImages(rewrite func(ref string) string) Option {
	return func(o *options) { o.images = rewrite }
}

// WithArchiveURL replaces the URL a nix expression fetches a nixpkgs archive
// from (https://github.com/NixOS/nixpkgs/archive/<rev>.tar.gz); offline it
// points at a local copy, file:///…/<rev>.tar.gz. The file names, the env
// names and everything else stay the archive's.
func WithArchiveURL(url func(rev string) string) Option {
	return func(o *options) { o.archiveURL = url }
}

// WithOverlayURL rewrites each nixOverlays URL the same way.
func WithOverlayURL(url func(string) string) Option {
	return func(o *options) { o.overlayURL = url }
}

// WithCacheKey turns on the phases' cache mounts with key, as
// `nixpacks build --cache-key key` does; the CLI's own default is
// DefaultCacheKey(source path). "" keeps them off, as --no-cache or
// NIXPACKS_NO_CACHE=1 do.
func WithCacheKey(key string) Option { return func(o *options) { o.cacheKey = key } }

// WithOutDir names the --out directory and the image, so that build.sh is
// rendered as Nixpacks writes it; Nixpacks' default name is a fresh UUID.
func WithOutDir(dir, imageName string) Option {
	return func(o *options) { o.outDir, o.imageName = dir, imageName }
}

// ArchiveURL is the URL Nixpacks fetches a nixpkgs revision from.
func ArchiveURL(rev string) string {
	return "https://github.com/NixOS/nixpkgs/archive/" + rev + ".tar.gz"
}

// Render writes plan as `nixpacks build --out` does. The plan is used as
// given: the Nixpacks generator pins every plan first (BuildPlan.Pin), so a
// plan read from `nixpacks plan` or built by MergePlans and Pin renders
// exactly; an unpinned one renders as Nixpacks would render it (phases with
// no archive share nixpkgs.nix on the default archive).
func Render(plan *BuildPlan, opts ...Option) (*Output, error) {
	o := options{archiveURL: ArchiveURL}
	for _, opt := range opts {
		opt(&o)
	}
	if plan == nil {
		plan = &BuildPlan{}
	}
	sorted, err := plan.SortedPhases()
	if err != nil {
		return nil, err
	}
	phases := plan.phaseList()

	out := &Output{Nix: map[string]string{}, Assets: maps.Clone(plan.StaticAssets), BuildArgs: maps.Clone(plan.Variables)}
	if out.Assets == nil {
		out.Assets = map[string]string{}
	}
	groups := groupByArchive(phases)
	for _, g := range groups {
		out.Nix[nixFileName(g.archive)] = nixExpression(g, o)
	}

	var setupFiles []string
	for _, g := range groups {
		setupFiles = append(setupFiles, g.files...)
	}
	setupCopy := strings.Join(copyCommands(setupFiles, AppDir), "\n")

	var nixInstall []string
	for _, name := range nixFileNames(phases) {
		f := OutputDir + "/" + name
		nixInstall = append(nixInstall, fmt.Sprintf("COPY %s %s\nRUN nix-env -if %s && nix-collect-garbage -d", f, f, f))
	}

	var apt []string
	for _, ph := range phases {
		apt = append(apt, ph.AptPkgs...)
	}
	aptStr := ""
	if len(apt) > 0 {
		aptStr = "RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends " + strings.Join(apt, " ")
	}

	argsStr := ""
	if len(plan.Variables) > 0 {
		keys := slices.Sorted(maps.Keys(plan.Variables))
		env := make([]string, len(keys))
		for i, k := range keys {
			k = strings.TrimSpace(k)
			env[i] = k + "=$" + k
		}
		argsStr = "ARG " + strings.Join(keys, " ") + "\nENV " + strings.Join(env, " ")
	}

	assetsCopy := ""
	if len(plan.StaticAssets) > 0 {
		assetsCopy = "COPY " + OutputDir + "/assets " + AssetsDir
	}

	var parts []string
	for _, ph := range sorted {
		text := phaseDockerfile(ph, o.cacheKey)
		out.Phases = append(out.Phases, PhasePart{Name: ph.GetName(), Text: text})
		parts = append(parts, text)
	}
	for _, ph := range sorted {
		s := ""
		if ph.Paths != nil {
			s = fmt.Sprintf("RUN printf '\\nPATH=%s:$PATH' >> /root/.profile", strings.Join(ph.Paths, ":"))
		}
		out.PathLines = append(out.PathLines, s)
		parts = append(parts, s)
	}

	start := plan.Start
	if start == nil {
		start = &StartPhase{}
	}
	base := DefaultBaseImage
	if plan.BuildImage != nil {
		base = *plan.BuildImage
	}
	if o.images != nil {
		base = o.images(base)
	}
	if o.baseImage != "" {
		base = o.baseImage
	}

	out.Head = "FROM " + base + "\n" +
		"\n" +
		`ENTRYPOINT ["/bin/bash", "-l", "-c"]` + "\n" +
		"WORKDIR " + AppDir + "\n" +
		"\n" +
		setupCopy + "\n" +
		strings.Join(nixInstall, "\n") + "\n" +
		aptStr + "\n" +
		assetsCopy + "\n" +
		argsStr + "\n" +
		"\n"
	out.Start = startDockerfile(start, o)
	out.Dockerfile = out.Head + strings.Join(parts, "\n") + "\n" + "\n" + out.Start + "\n"

	if o.outDir != "" {
		out.BuildScript = buildScript(plan, o)
	}
	return out, nil
}

// phaseDockerfile is Phase::generate_dockerfile without the incremental
// cache (--incremental-cache-image), which needs a running registry.
func phaseDockerfile(ph *Phase, cacheKey string) string {
	if !ph.RunsDockerCommands() {
		return fmt.Sprintf("# %s phase\n# noop\n", ph.GetName())
	}
	buildPath := ""
	if ph.Paths != nil {
		buildPath = fmt.Sprintf("ENV NIXPACKS_PATH=%s:$NIXPACKS_PATH", strings.Join(ph.Paths, ":"))
	}
	files := []string{"."}
	if ph.OnlyIncludeFiles != nil {
		files = ph.OnlyIncludeFiles
	}
	mount := cacheMount(cacheKey, ph.CacheDirectories)
	runs := make([]string, len(ph.Cmds))
	for i, c := range ph.Cmds {
		// The space after the mount is there even without one: Nixpacks
		// writes "RUN  cmd" then.
		runs[i] = fmt.Sprintf("RUN %s %s", mount, c)
	}
	var stmts []string
	for _, s := range []string{buildPath, strings.Join(copyCommands(files, AppDir), "\n"), strings.Join(runs, "\n")} {
		if s != "" {
			stmts = append(stmts, s)
		}
	}
	return fmt.Sprintf("# %s phase\n%s\n", ph.GetName(), strings.Join(stmts, "\n"))
}

// startDockerfile is StartPhase::generate_dockerfile.
func startDockerfile(s *StartPhase, o options) string {
	cmd := ""
	if s.Cmd != nil {
		cmd = execCommand(*s.Cmd)
	}
	user := ""
	if s.User != nil {
		user = fmt.Sprintf("RUN useradd -m -s /bin/bash %s\nUSER %s\n", *s.User, *s.User)
	}
	if s.RunImage == nil {
		return "# start\nCOPY . /app\n" + user + "\n" + cmd + "\n"
	}
	image := *s.RunImage
	if o.images != nil {
		image = o.images(image)
	}
	// RUN true is Nixpacks' workaround for moby/moby#37965 (consecutive COPY
	// --from failing).
	return "# start\n" +
		"FROM " + image + "\n" +
		`ENTRYPOINT ["/bin/bash", "-l", "-c"]` + "\n" +
		"WORKDIR " + AppDir + "\n" +
		"COPY --from=0 /etc/ssl/certs /etc/ssl/certs\n" +
		"RUN true\n" +
		strings.Join(copyFromCommands("0", s.OnlyIncludeFiles, AppDir), "\n") + "\n" +
		user + "\n" +
		cmd + "\n"
}

// execCommand is utils::get_exec_command: the whole start command is the
// single CMD argument of ENTRYPOINT bash -l -c; only double quotes are
// escaped.
func execCommand(cmd string) string {
	return `CMD ["` + strings.ReplaceAll(cmd, `"`, `\"`) + `"]`
}

// cacheMount is utils::get_cache_mount.
func cacheMount(key string, dirs []string) string {
	if key == "" || dirs == nil {
		return ""
	}
	mounts := make([]string, len(dirs))
	for i, dir := range dirs {
		d := strings.ReplaceAll(dir, "~", "/root")
		id := sanitizeCacheKey(key + "-" + d)
		if !strings.HasPrefix(d, "/") {
			d = "/app/" + d
		}
		mounts[i] = fmt.Sprintf("--mount=type=cache,id=%s,target=%s", id, d)
	}
	return strings.Join(mounts, " ")
}

// sanitizeCacheKey is cache.rs sanitize_cache_key: dots removed, spaces
// turned into dashes.
func sanitizeCacheKey(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, ".", ""), " ", "-")
}

// copyCommands is utils::get_copy_commands.
func copyCommands(files []string, appDir string) []string {
	out := make([]string, 0, len(files))
	for _, f := range files {
		out = append(out, fmt.Sprintf("COPY %s %s", f, joinPath(appDir, trimDotSlash(f))))
	}
	return out
}

// copyFromCommands is utils::get_copy_from_commands: no files means the
// whole app directory.
func copyFromCommands(from string, files []string, appDir string) []string {
	if len(files) == 0 {
		return []string{fmt.Sprintf("COPY --from=0 %s %s", appDir, appDir)}
	}
	out := make([]string, 0, len(files))
	for _, f := range files {
		p := joinPath(appDir, trimDotSlash(f))
		out = append(out, fmt.Sprintf("COPY --from=%s %s %s", from, p, p))
	}
	return out
}

// trimDotSlash is str::trim_start_matches("./"): every leading "./".
func trimDotSlash(s string) string {
	for strings.HasPrefix(s, "./") {
		s = s[2:]
	}
	return s
}

// joinPath is Path::join as Rust does it on Unix, without cleaning: an
// absolute path replaces the base, otherwise one separator is added unless
// the base already ends with one.
func joinPath(base, p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	if base == "" || strings.HasSuffix(base, "/") {
		return base + p
	}
	return base + "/" + p
}

// buildScript is docker_image_builder.rs get_docker_build_cmd as
// command_to_string prints it into build.sh: arguments joined by spaces,
// unquoted, with every plan variable as a --build-arg.
func buildScript(plan *BuildPlan, o options) string {
	root := o.outDir
	args := []string{"build", root, "-f", joinPath(joinPath(root, OutputDir), "Dockerfile"), "-t", o.imageName}
	if o.cacheKey == "" {
		// No cache key is what --no-cache gives, and that flag is passed on.
		args = append(args, "--no-cache")
	}
	for _, k := range slices.Sorted(maps.Keys(plan.Variables)) {
		args = append(args, "--build-arg", k+"="+plan.Variables[k])
	}
	return "docker " + strings.Join(args, " ")
}

type nixGroup struct {
	archive  *string
	pkgs     []string
	libs     []string
	overlays []string
	files    []string
}

// groupByArchive is group_nix_packages_by_archive: the phases that use Nix,
// in name order, gathered per archive; no archive sorts first, as None does
// in the BTreeMap.
func groupByArchive(phases []*Phase) []*nixGroup {
	byArchive := map[string]*nixGroup{}
	var keys []string
	for _, ph := range phases {
		if !ph.UsesNix() {
			continue
		}
		k := archiveKey(ph.NixpkgsArchive)
		g, ok := byArchive[k]
		if !ok {
			g = &nixGroup{archive: cloneStr(ph.NixpkgsArchive)}
			byArchive[k] = g
			keys = append(keys, k)
		}
		g.pkgs = append(g.pkgs, ph.NixPkgs...)
		g.libs = append(g.libs, ph.NixLibs...)
		g.overlays = append(g.overlays, ph.NixOverlays...)
		g.files = append(g.files, ph.OnlyIncludeFiles...)
	}
	slices.Sort(keys)
	out := make([]*nixGroup, len(keys))
	for i, k := range keys {
		out[i] = byArchive[k]
	}
	return out
}

// archiveKey orders None before every Some, as Option's Ord does.
func archiveKey(a *string) string {
	if a == nil {
		return ""
	}
	return "\x01" + *a
}

// nixFileNames is nix_file_names_for_phases.
func nixFileNames(phases []*Phase) []string {
	var names []string
	for _, g := range groupByArchive(phases) {
		names = append(names, nixFileName(g.archive))
	}
	return names
}

func nixFileName(archive *string) string {
	if archive == nil {
		return "nixpkgs.nix"
	}
	return "nixpkgs-" + *archive + ".nix"
}

// nixExpression is nix_expression_for_group: a buildEnv over the sorted
// packages, plus a profile script etc/profile.d/<archive>-env.sh that puts
// the sorted libraries' lib directories in front of LD_LIBRARY_PATH (only a
// login shell reads it). A library whose name contains "openssl" also sets
// OPENSSL_DIR and OPENSSL_LIB_DIR.
func nixExpression(g *nixGroup, o options) string {
	archive := NixpkgsArchive
	if g.archive != nil {
		archive = *g.archive
	}
	pkgs := slices.Sorted(slices.Values(g.pkgs))
	libs := slices.Sorted(slices.Values(g.libs))
	overlays := make([]string, len(g.overlays))
	for i, u := range g.overlays {
		if o.overlayURL != nil {
			u = o.overlayURL(u)
		}
		overlays[i] = fmt.Sprintf(`(import (builtins.fetchTarball "%s"))`, u)
	}
	pkgImport := fmt.Sprintf(`import (fetchTarball "%s")`, o.archiveURL(archive))
	openssl := ""
	for _, l := range g.libs {
		if strings.Contains(l, "openssl") {
			openssl = fmt.Sprintf("export OPENSSL_DIR=\"${%s.dev}\"\nexport OPENSSL_LIB_DIR=\"${%s.out}/lib\"\n", l, l)
			break
		}
	}
	name := archive + "-env"
	return "{ }:\n" +
		"\n" +
		"let pkgs = " + pkgImport + " { overlays = [ " + strings.Join(overlays, "\n") + " ]; };\n" +
		"in with pkgs;\n" +
		"  let\n" +
		`    APPEND_LIBRARY_PATH = "${lib.makeLibraryPath [ ` + strings.Join(libs, " ") + ` ] }";` + "\n" +
		`    myLibraries = writeText "libraries" ''` + "\n" +
		`      export LD_LIBRARY_PATH="${APPEND_LIBRARY_PATH}:$LD_LIBRARY_PATH"` + "\n" +
		"      " + openssl + "\n" +
		"    '';\n" +
		"  in\n" +
		"    buildEnv {\n" +
		`      name = "` + name + `";` + "\n" +
		"      paths = [\n" +
		`        (runCommand "` + name + `" { } ''` + "\n" +
		"          mkdir -p $out/etc/profile.d\n" +
		"          cp ${myLibraries} $out/etc/profile.d/" + name + ".sh\n" +
		"        '')\n" +
		"        " + strings.Join(pkgs, " ") + "\n" +
		"      ];\n" +
		"    }\n"
}
