package recipe

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/distribution/reference"

	"github.com/bootmatrix/bootmatrix/harness/result"
)

// Substitution modes, kept as names here for the renderers; the type is result.Mode.
const (
	ModeOffline = result.ModeOffline
	ModeOnline  = result.ModeOnline
)

// WheelhouseMount is where the wheelhouse image's wheels are copied in every image that runs pip.
const WheelhouseMount = "/opt/bootmatrix/wheelhouse"

// NixpacksBaseImage is the base image Nixpacks builds on (DEFAULT_BASE_IMAGE in
// nixpacks' src/nixpacks/images.rs).
const NixpacksBaseImage = "ghcr.io/railwayapp/nixpacks:ubuntu-1745885067"

// The images Railpack builds on and deploys to (railwayapp/railpack
// core/generate/mise_step_builder.go, core/plan/plan.go; harness/railpack names
// the same ones). Their tag is the mise release.
const (
	RailpackMiseVersion  = "2026.8.6"
	RailpackBuilderImage = "ghcr.io/railwayapp/railpack-builder:mise-" + RailpackMiseVersion
	RailpackRuntimeImage = "ghcr.io/railwayapp/railpack-runtime:mise-" + RailpackMiseVersion
)

// LogicalNixpacks is the logical name of the Nixpacks base image.
const LogicalNixpacks = "nixpacks"

// onlinePipVars are passed through from the caller's environment when set.
var onlinePipVars = []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST"}

// KitNixpacksImage is the kit's stand-in for Nixpacks' Ubuntu base image: real
// Nix over a stand-in nixpkgs (images/nixpacks).
const KitNixpacksImage = "bootmatrix-kit/nixpacks:ubuntu"

// KitNixpkgsArchives are the nixpkgs revisions the kit's Nix image carries
// (images/stages/nixpacks.sh), under KitNixpkgsDir: the two Nixpacks pins.
var KitNixpkgsArchives = []string{"bc8f8d1be58e8c8383e683a06e1e1e57893fff87", "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db"}

// KitNixpkgsDir is where the kit's Nix image keeps its archives.
const KitNixpkgsDir = "/opt/bootmatrix/nixpkgs"

func kitArchives() map[string]string {
	m := make(map[string]string, len(KitNixpkgsArchives))
	for _, rev := range KitNixpkgsArchives {
		m[rev] = "file://" + KitNixpkgsDir + "/" + rev + ".tar.gz"
	}
	return m
}

// KitRepo is the repository the offline kit's images are tagged under.
const KitRepo = "bootmatrix-kit"

// WithKitRepo returns the table with the kit's images taken from repo instead of
// KitRepo: a kit built beside the usual one (KIT_REPO) can be run against.
func (s Substitutions) WithKitRepo(repo string) Substitutions {
	if repo == "" || repo == KitRepo {
		return s
	}
	swap := func(ref string) string {
		if rest, ok := strings.CutPrefix(ref, KitRepo+"/"); ok {
			return repo + "/" + rest
		}
		return ref
	}
	images := make(map[string]string, len(s.Images))
	for k, v := range s.Images {
		images[k] = swap(v)
	}
	s.Images = images
	s.Wheelhouse = swap(s.Wheelhouse)
	return s
}

// KitImages are the concrete images an offline table takes from the kit (none
// online), for the diagnosis to tell a missing kit image from a name no kit has.
func (s Substitutions) KitImages() []string {
	if s.Mode != ModeOffline {
		return nil
	}
	out := make([]string, 0, len(s.Images)+1)
	for _, v := range s.Images {
		out = append(out, v)
	}
	if s.Wheelhouse != "" {
		out = append(out, s.Wheelhouse)
	}
	sort.Strings(out)
	return out
}

// Offline resolves every logical image to a kit image built on this machine and
// points pip at the kit's wheelhouse only.
func Offline() Substitutions {
	return Substitutions{
		Mode: ModeOffline,
		Images: map[string]string{
			"python:3.11-slim":     "bootmatrix-kit/python:3.11-slim",
			"python:3.13-slim":     "bootmatrix-kit/python:3.13-slim",
			LogicalNixpacks:        KitNixpacksImage,
			NixpacksBaseImage:      KitNixpacksImage,
			"debian:bookworm-slim": "bootmatrix-kit/debian:bookworm",
			"debian:trixie-slim":   "bootmatrix-kit/debian:trixie",
			RailpackBuilderImage:   "bootmatrix-kit/railpack-builder:mise-" + RailpackMiseVersion,
			RailpackRuntimeImage:   "bootmatrix-kit/railpack-runtime:mise-" + RailpackMiseVersion,
		},
		NixpkgsArchives: kitArchives(),
		Wheelhouse:      "bootmatrix-kit/wheelhouse:latest",
		WheelhouseDir:   "/wheelhouse",
		PipEnv: map[string]string{
			"PIP_NO_INDEX":                  "1",
			"PIP_FIND_LINKS":                WheelhouseMount,
			"PIP_DISABLE_PIP_VERSION_CHECK": "1",
		},
	}
}

// Online uses the real images and pip's own index; PIP_INDEX_URL,
// PIP_EXTRA_INDEX_URL and PIP_TRUSTED_HOST are taken from env when set. Their
// values reach builds as build arguments, never as Dockerfile text, because an
// index URL can carry credentials.
func Online(env map[string]string) Substitutions {
	s := Substitutions{
		Mode: ModeOnline,
		Images: map[string]string{
			"python:3.11-slim":     "python:3.11-slim",
			"python:3.13-slim":     "python:3.13-slim",
			LogicalNixpacks:        NixpacksBaseImage,
			"debian:bookworm-slim": "debian:bookworm-slim",
			"debian:trixie-slim":   "debian:trixie-slim",
			RailpackBuilderImage:   RailpackBuilderImage,
			RailpackRuntimeImage:   RailpackRuntimeImage,
		},
		PipEnv: map[string]string{},
	}
	for _, k := range onlinePipVars {
		if v := env[k]; v != "" {
			s.PipEnv[k] = v
		}
	}
	return s
}

// Image resolves a logical reference; ok is false when neither the overrides nor
// the table has an entry (the reference is then used as written, or moved onto the
// mirror). An override is taken as written: it names exactly what to pull.
func (s Substitutions) Image(ref string) (string, bool) {
	if c, ok := lookup(s.Overrides, ref); ok {
		return c, true
	}
	c, ok := lookup(s.Images, ref)
	if !ok {
		c = ref
	}
	if s.Mirror != "" && !LocalOnly(c) {
		if m, err := MirrorRef(c, s.Mirror); err == nil {
			return m, true
		}
	}
	return c, ok
}

func lookup(table map[string]string, ref string) (string, bool) {
	if c, ok := table[ref]; ok {
		return c, true
	}
	c, ok := table[strings.TrimPrefix(strings.TrimPrefix(ref, "docker.io/"), "library/")]
	return c, ok
}

// LocalOnly are references that only `make images` or an earlier stage produce: they
// are never pulled and never moved onto a mirror.
func LocalOnly(ref string) bool {
	return strings.HasPrefix(ref, "bootmatrix-kit/") || strings.HasPrefix(ref, "bootmatrix-cache/")
}

// MirrorRef puts a reference on a registry mirror, keeping its repository path
// as the registry it names has it: python:3.11-slim → HOST/library/python:3.11-slim,
// ghcr.io/railwayapp/nixpacks:T → HOST/railwayapp/nixpacks:T. A digest is kept, a
// missing tag is latest, as Docker would pull.
func MirrorRef(ref, mirror string) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	out := mirror + "/" + reference.Path(named)
	switch r := reference.TagNameOnly(named).(type) {
	case reference.Digested:
		if t, ok := r.(reference.Tagged); ok {
			out += ":" + t.Tag()
		}
		out += "@" + r.Digest().String()
	case reference.Tagged:
		out += ":" + r.Tag()
	}
	return out, nil
}

// CheckMirror validates a --registry-mirror value: a registry host, with a port
// when it is not the default, and nothing else (no scheme, no path).
func CheckMirror(mirror string) error {
	if strings.Contains(mirror, "://") {
		return fmt.Errorf("registry mirror %q: give HOST[:PORT] without a scheme (the engine decides http or https; an http mirror must be in the engine's insecure-registries)", mirror)
	}
	if _, err := reference.ParseNormalizedNamed(mirror + "/library/probe:tag"); err != nil || strings.Contains(mirror, "/") || mirror == "" {
		return fmt.Errorf("registry mirror %q: want HOST[:PORT], for example registry.example.com or 127.0.0.1:5000", mirror)
	}
	return nil
}

// WithMirror returns s with every image that would be pulled moved onto mirror.
func (s Substitutions) WithMirror(mirror string) (Substitutions, error) {
	if err := CheckMirror(mirror); err != nil {
		return s, err
	}
	s.Mirror = mirror
	return s, nil
}

// WithNixpkgsMirror returns s with every nixpkgs archive fetched from
// mirror/<rev>.tar.gz. The URL is written into the generated nix files, which
// the image keeps, so it may carry no credentials.
func (s Substitutions) WithNixpkgsMirror(mirror string) (Substitutions, error) {
	u, err := url.Parse(mirror)
	switch {
	case err != nil || u.Host == "" && u.Scheme != "file" || u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file":
		return s, fmt.Errorf("nixpkgs mirror %q: want an http(s):// or file:// URL under which <rev>.tar.gz is each archive", mirror)
	case u.User != nil:
		return s, fmt.Errorf("nixpkgs mirror %q: the URL is written into the image's .nixpacks/*.nix files, so it must not carry credentials (give them to Nix through a netrc file instead)", u.Redacted())
	}
	s.NixpkgsMirror = strings.TrimSuffix(mirror, "/")
	s.NixpkgsArchives = nil
	return s, nil
}

// WithOverrides returns s with single references replaced (logical or real name →
// the reference to use, as written).
func (s Substitutions) WithOverrides(images map[string]string) Substitutions {
	if len(images) == 0 {
		return s
	}
	m := make(map[string]string, len(s.Overrides)+len(images))
	for k, v := range s.Overrides {
		m[k] = v
	}
	for k, v := range images {
		m[k] = v
	}
	s.Overrides = m
	return s
}

// PipLines are the Dockerfile lines that make pip use the substitution's
// package source, for an image that runs pip, and the build args they need.
// Offline: the wheelhouse is copied in and the (non-secret) pip settings become
// ENV. Online: each setting is declared as an ARG and passed as a build arg, so
// it is seen by RUN but neither written in the Dockerfile nor kept in the image.
func (s Substitutions) PipLines() (lines []string, args map[string]string) {
	if s.Wheelhouse != "" {
		dir := s.WheelhouseDir
		if dir == "" {
			dir = "/wheelhouse"
		}
		lines = append(lines, "COPY --from="+s.Wheelhouse+" "+dir+" "+WheelhouseMount)
	}
	keys := make([]string, 0, len(s.PipEnv))
	for k := range s.PipEnv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		return lines, nil
	}
	if s.Mode == ModeOffline {
		return append(lines, EnvLine(s.PipEnv)), nil
	}
	args = map[string]string{}
	for _, k := range keys {
		lines = append(lines, "ARG "+k)
		args[k] = s.PipEnv[k]
	}
	return lines, args
}

// EnvLine renders one ENV instruction with values taken literally.
func EnvLine(vars map[string]string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+quoteEnv(vars[k]))
	}
	return "ENV " + strings.Join(parts, " ")
}

// quoteEnv quotes a value for ENV so Docker keeps it as written (no $ expansion).
func quoteEnv(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\"'\\$`#\n") {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "\n", `\n`)
	return `"` + r.Replace(v) + `"`
}
