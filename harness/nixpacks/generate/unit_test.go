package generate

import (
	"slices"
	"strings"
	"testing"
)

// The tests below cover what Nixpacks' own unit tests cover for the pieces
// Render is made of (the Rust test each one follows is named above it),
// with inputs and expected values of our own.

// utils.rs test_get_cache_mount and test_get_cache_mount_invalid_cache_key;
// cache.rs test_sanitizing_cache_key.
func TestCacheMountNixpacks(t *testing.T) {
	t.Parallel()
	if got, want := cacheMount("build_7", []string{"deps", "out"}), "--mount=type=cache,id=build_7-deps,target=/app/deps --mount=type=cache,id=build_7-out,target=/app/out"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := cacheMount("shop v1.2", []string{"deps", "/root/.npm"}), "--mount=type=cache,id=shop-v12-deps,target=/app/deps --mount=type=cache,id=shop-v12-/root/npm,target=/root/.npm"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for in, want := range map[string]string{"plain": "plain", "two  spaces": "two--spaces", "s/ab12-cd": "s/ab12-cd", "/.gradle/caches": "/gradle/caches", "v.1 .x": "v1-x"} {
		if got := sanitizeCacheKey(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cacheMount("", []string{"deps"}); got != "" {
		t.Errorf("no key must mean no mount, got %q", got)
	}
}

// utils.rs test_get_copy_commands, test_get_copy_from_command, test_get_exec_cmd.
func TestCopyAndExecNixpacks(t *testing.T) {
	t.Parallel()
	if got := copyCommands(nil, "app"); len(got) != 0 {
		t.Errorf("no files: %q", got)
	}
	files := []string{"main.py", "./conf/app.ini", "/etc/motd"}
	if got, want := copyCommands(files, "app"), []string{"COPY main.py app/main.py", "COPY ./conf/app.ini app/conf/app.ini", "COPY /etc/motd /etc/motd"}; !slices.Equal(got, want) {
		t.Errorf("copy: %q, want %q", got, want)
	}
	if got := copyFromCommands("0", nil, "app"); !slices.Equal(got, []string{"COPY --from=0 app app"}) {
		t.Errorf("copy from, no files: %q", got)
	}
	if got, want := copyFromCommands("0", files, "app"), []string{"COPY --from=0 app/main.py app/main.py", "COPY --from=0 app/conf/app.ini app/conf/app.ini", "COPY --from=0 /etc/motd /etc/motd"}; !slices.Equal(got, want) {
		t.Errorf("copy from: %q, want %q", got, want)
	}
	for in, want := range map[string]string{
		"serve":                          `CMD ["serve"]`,
		"serve --port 80":                `CMD ["serve --port 80"]`,
		`serve --name "edge"`:            `CMD ["serve --name \"edge\""]`,
		`python -c 'print("\\n")' && ok`: `CMD ["python -c 'print(\"\\n\")' && ok"]`,
	} {
		if got := execCommand(in); got != want {
			t.Errorf("exec(%q) = %q, want %q", in, got, want)
		}
	}
}

// nix/mod.rs test_group_nix_packages_by_archive.
func TestGroupByArchiveNixpacks(t *testing.T) {
	t.Parallel()
	setup1 := &Phase{Name: Str("setup"), NixPkgs: []string{"jq", "curl"}, NixLibs: []string{"libxml2"}, OnlyIncludeFiles: []string{"Makefile"}}
	setup2 := &Phase{Name: Str("setup"), NixPkgs: []string{"ripgrep", "fd"}, NixpkgsArchive: Str("rev2")}
	setup3 := &Phase{Name: Str("setup"), NixPkgs: []string{"git"}}
	g := groupByArchive([]*Phase{setup1, setup2, setup3})
	if len(g) != 2 {
		t.Fatalf("%d groups", len(g))
	}
	if g[0].archive != nil || !slices.Equal(g[0].pkgs, []string{"jq", "curl", "git"}) || !slices.Equal(g[0].libs, []string{"libxml2"}) || !slices.Equal(g[0].files, []string{"Makefile"}) {
		t.Errorf("group 0: %+v", g[0])
	}
	if *g[1].archive != "rev2" || !slices.Equal(g[1].pkgs, []string{"ripgrep", "fd"}) || len(g[1].libs) != 0 {
		t.Errorf("group 1: %+v", g[1])
	}
}

// dockerfile_generation.rs test_phase_generation and test_plan_generation,
// and an unpinned plan, whose phases share nixpkgs.nix on the default archive.
func TestPlanGenerationNixpacks(t *testing.T) {
	t.Parallel()
	ph := &Phase{Name: Str("fetch"), Cmds: []string{"make fetch"}, Paths: []string{"/opt/tools/bin"}}
	if df := phaseDockerfile(ph, ""); !strings.Contains(df, "make fetch") || !strings.Contains(df, "ENV NIXPACKS_PATH=/opt/tools/bin:$NIXPACKS_PATH") {
		t.Errorf("phase:\n%s", df)
	}
	plan := &BuildPlan{
		Variables: map[string]string{"APP_MODE ": "batch"},
		Phases: map[string]*Phase{
			"fetch":   {Name: Str("fetch"), Cmds: []string{"make fetch"}, AptPkgs: []string{"curl"}},
			"compile": {Name: Str("compile"), Cmds: []string{"make compile"}},
		},
	}
	out, err := Render(plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"make fetch", "make compile", "apt-get update", "curl", "ENV APP_MODE=$APP_MODE", "ARG APP_MODE \n"} {
		if !strings.Contains(out.Dockerfile, s) {
			t.Errorf("Dockerfile lacks %q:\n%s", s, out.Dockerfile)
		}
	}
	if out.BuildArgs["APP_MODE "] != "batch" || len(out.BuildArgs) != 1 {
		t.Errorf("build args %v", out.BuildArgs)
	}
	unpinned := &BuildPlan{Phases: map[string]*Phase{"a": {Name: Str("a"), NixPkgs: []string{"jq"}}, "b": {Name: Str("b"), NixLibs: []string{"zlib"}}}}
	out, err = Render(unpinned)
	if err != nil {
		t.Fatal(err)
	}
	nix, ok := out.Nix["nixpkgs.nix"]
	if len(out.Nix) != 1 || !ok || !strings.Contains(nix, ArchiveURL(NixpkgsArchive)) || !strings.Contains(nix, "[ zlib ]") || !strings.Contains(nix, "        jq\n") {
		t.Errorf("unpinned plan: %v", out.Nix)
	}
	if !strings.Contains(out.Dockerfile, "RUN nix-env -if .nixpacks/nixpkgs.nix && nix-collect-garbage -d") {
		t.Errorf("Dockerfile:\n%s", out.Dockerfile)
	}
	if _, err := Render(&BuildPlan{Phases: map[string]*Phase{"a": {DependsOn: []string{"a"}}}}); err == nil {
		t.Error("a phase depending on itself rendered")
	}
}

// A plan without phases still splits into the Dockerfile it renders.
func TestSplitEmptyPlan(t *testing.T) {
	out, err := Render(&BuildPlan{})
	if err != nil {
		t.Fatal(err)
	}
	if b, a, s := out.Split("setup", false); b+a+s != out.Dockerfile {
		t.Errorf("Split of an empty plan:\n%q\nwant\n%q", b+a+s, out.Dockerfile)
	}
}
