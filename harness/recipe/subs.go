package recipe

import (
	"sort"
	"strings"

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

// LogicalNixpacks is the logical name of the Nixpacks base image.
const LogicalNixpacks = "nixpacks"

// onlinePipVars are passed through from the caller's environment when set.
var onlinePipVars = []string{"PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST"}

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

// Offline resolves every logical image to a kit image built on this machine and
// points pip at the kit's wheelhouse only.
func Offline() Substitutions {
	return Substitutions{
		Mode: ModeOffline,
		Images: map[string]string{
			"python:3.11-slim":     "bootmatrix-kit/python:3.11-slim",
			"python:3.13-slim":     "bootmatrix-kit/python:3.13-slim",
			LogicalNixpacks:        "bootmatrix-kit/nix:latest",
			"debian:bookworm-slim": "bootmatrix-kit/debian:bookworm",
			"debian:trixie-slim":   "bootmatrix-kit/debian:trixie",
		},
		Wheelhouse:    "bootmatrix-kit/wheelhouse:latest",
		WheelhouseDir: "/wheelhouse",
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

// Image resolves a logical reference; ok is false when the table has no entry
// (the reference is then used as written).
func (s Substitutions) Image(ref string) (string, bool) {
	if c, ok := s.Images[ref]; ok {
		return c, true
	}
	if c, ok := s.Images[strings.TrimPrefix(strings.TrimPrefix(ref, "docker.io/"), "library/")]; ok {
		return c, true
	}
	return ref, false
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
