package railpack

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// app is Railpack's App (core/app/app.go): the source directory the provider
// inspects.
type app struct {
	root string
}

// has is App.HasFile: anything at the path, file or directory.
func (a app) has(name string) bool {
	_, err := os.Stat(filepath.Join(a.root, filepath.FromSlash(name)))
	return err == nil
}

func (a app) read(name string) (string, bool) {
	b, err := os.ReadFile(filepath.Join(a.root, filepath.FromSlash(name)))
	if err != nil {
		return "", false
	}
	return string(b), true
}

// walk lists regular files (slash paths relative to the root, sorted) for
// which match is true. Railpack globs with doublestar over the whole source;
// .git is skipped because it is never part of a build context.
func (a app) walk(match func(rel string) bool) []string {
	var out []string
	_ = filepath.WalkDir(a.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if p != a.root && d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(a.root, p)
		rel = filepath.ToSlash(rel)
		if match(rel) {
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// glob matches one-directory patterns such as "mise.*.toml" or
// ".config/mise/conf.d/*.toml".
func (a app) glob(pattern string) []string {
	matches, _ := filepath.Glob(filepath.Join(a.root, filepath.FromSlash(pattern)))
	var out []string
	for _, m := range matches {
		if info, err := os.Stat(m); err == nil && info.Mode().IsRegular() {
			rel, _ := filepath.Rel(a.root, m)
			out = append(out, filepath.ToSlash(rel))
		}
	}
	sort.Strings(out)
	return out
}

// filesContaining is App.FindFilesWithContent over **/*.py.
func (a app) pyFilesMatching(re *regexp.Regexp) []string {
	return a.walk(func(rel string) bool {
		if !strings.HasSuffix(rel, ".py") {
			return false
		}
		s, _ := a.read(rel)
		return re.MatchString(s)
	})
}
