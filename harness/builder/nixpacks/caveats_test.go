package nixpacks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKitCaveats(t *testing.T) {
	for _, tc := range []struct {
		name string
		libs []string
		want string // "" for no caveat
	}{
		{"provider libs", []string{"zlib", "stdenv.cc.cc.lib"}, ""},
		{"glibc", []string{"zlib", "stdenv.cc.cc.lib", "glibc"}, "nixLibs glibc puts"},
		{"glibc output", []string{"glibc.out"}, "nixLibs glibc.out puts"},
		{"pkgs prefix", []string{"pkgs.glibc"}, "take pkgs.glibc out of nixLibs"},
		{"the stdenv's libc", []string{"stdenv.cc.libc"}, "nixLibs stdenv.cc.libc puts"},
		// glibc.dev's lib holds the link-time files, no libc.so.6.
		{"headers and link files", []string{"glibc.dev"}, ""},
		{"a name that only starts with glibc", []string{"glibcLocales"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := kitCaveats(tc.libs, "5148520bfab61f99fd25fb9ff7bfbb50dad3c9db")
			switch {
			case tc.want == "" && len(got) != 0:
				t.Fatalf("caveats %q, want none", got)
			case tc.want == "":
			case len(got) != 1 || !strings.Contains(got[0], tc.want) || !strings.Contains(got[0], "nixpkgs 5148520,"):
				t.Fatalf("caveats %q, want one naming %q and the archive", got, tc.want)
			}
		})
	}
}

func TestProviderCaveats(t *testing.T) {
	for _, tc := range []struct {
		name        string
		providers   []string
		packageJSON string // "" for none
		want        string // "" for no caveat
	}{
		{"python alone", []string{"python"}, "", ""},
		{"node with nothing to do", []string{"node", "python"}, `{"name": "site", "private": true}`, ""},
		{"node with dependencies", []string{"node"}, `{"dependencies": {"vite": "^5", "react": "^18"}, "scripts": {"build": "vite build"}}`,
			"package.json has dependencies: react, vite; scripts: build"},
		{"node, package.json broken", []string{"node"}, `{"name": `, "package.json does not parse as JSON here"},
		{"another provider", []string{"go"}, "", "Nixpacks' go provider is in the plan"},
		{"node named in providers, no package.json", []string{"node", "python"}, "", "there is no readable package.json here"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.packageJSON != "" {
				if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(tc.packageJSON), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := providerCaveats(tc.providers, dir)
			switch {
			case tc.want == "" && len(got) != 0:
				t.Fatalf("caveats %q, want none", got)
			case tc.want == "":
			case len(got) != 1 || !strings.Contains(got[0], tc.want):
				t.Fatalf("caveats %q, want one saying %q", got, tc.want)
			}
		})
	}
}
