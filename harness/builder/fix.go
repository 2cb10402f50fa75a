package builder

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/diagnose"
	"github.com/bootmatrix/bootmatrix/harness/project"
	"github.com/bootmatrix/bootmatrix/harness/result"
	"github.com/bootmatrix/bootmatrix/harness/scenario"
)

// Fixer is a builder's part of the doctor's search (harness/doctor): writing
// a variant's own settings into a copy of the project, so that every
// candidate is a change of files, and the candidate fixes of its kinds. The
// doctor's table of fix kinds ranks them; a builder says which it writes.
type Fixer interface {
	// FixKinds are the kinds of fix the builder writes candidates for.
	FixKinds() []diagnose.FixKind
	// Materialize writes what v sets of the builder's own (its config
	// overrides, the start command a config file can carry) into the copy of
	// the project at dir, appending the files it wrote to touched, and returns
	// v without those settings; startMoved says the start command went into a
	// file, so the scenario's and the variant's are cleared.
	Materialize(sc *scenario.Scenario, v scenario.Variant, dir, root string, touched *[]string) (nv scenario.Variant, startMoved bool, err error)
	// Describe is what the builder makes of a baseline of its own: the
	// command it starts the app with and its Python version, which a switch
	// to another builder keeps.
	Describe(base *FixBase) (start, python string, err error)
	// Drafts are the builder's candidates of kind k for base; none when k is
	// not one of its kinds or does not apply. base's builder may be another
	// one: a switch of builder is the fix of the builder switched to.
	Drafts(k diagnose.FixKind, base *FixBase) []Draft
}

// FixBase is what candidate fixes start from: the doctor's copy of the
// project with the variant's settings written into its files, and the
// failure to fix.
type FixBase struct {
	Scenario *scenario.Scenario // Project.Dir is Dir
	Variant  scenario.Variant   // its builder's own settings are in the files
	Dir      string
	// Root is the app root, a clean slash path relative to Dir.
	Root string
	// Requirements are the requirement files the install reads, relative to Dir.
	Requirements []string
	// Imports are the scenario's native modules.
	Imports []string
	// First is the first failed stage; nil when none failed.
	First *result.Stage
	// Missing are the libraries the stages found missing, each once.
	Missing []result.MissingLib
	// Fixes are the diagnosis's suggestions for the first failure, with what each adds.
	Fixes []result.Fix
	// Start and Python are the baseline builder's Describe.
	Start, Python string
}

// Draft is a candidate fix before it is written: what it changes in the
// files (Edit, run on a copy of the baseline) and in the platform's settings
// (Settings for people, Variant for the run).
type Draft struct {
	ID       string
	Kind     diagnose.FixKind
	Summary  string
	Settings []string
	// Edit changes the copy at dir, appending the files it wrote to touched
	// (what the candidate's diff shows); nil for a settings-only fix.
	Edit func(dir string, touched *[]string) error
	// Variant changes the variant that runs the candidate; nil for none.
	Variant func(v *scenario.Variant)
}

// ReadText reads a project file (rel, a slash path under root) with its line
// ends as "\n", the way fixes edit it.
func ReadText(root, rel string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	return string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), err
}

// WriteText writes a project file, creating its directory and keeping an
// existing file's permission bits. It refuses a path through a symbolic link:
// the copy a fix edits keeps the project's links, whose targets may be outside
// it, in the user's own files.
func WriteText(root, rel, text string) error {
	p := filepath.Join(root, filepath.FromSlash(rel))
	at := root
	for _, part := range strings.Split(filepath.ToSlash(filepath.Clean(filepath.FromSlash(rel))), "/") {
		at = filepath.Join(at, part)
		if fi, err := os.Lstat(at); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("%s: %s is a symbolic link; a fix does not write through links (the platform's build leaves them out)", rel, strings.TrimPrefix(at, root+string(filepath.Separator)))
		}
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(p); err == nil {
		mode = info.Mode().Perm()
	}
	return os.WriteFile(p, []byte(text), mode)
}

// DescribeVariant is Describe for a builder with no config file of its own:
// the scenario's start command and the variant's Python version (the
// project's default when it names none).
func DescribeVariant(base *FixBase) (start, python string) {
	start = base.Variant.Start
	if start == "" {
		start = base.Scenario.Start
	}
	return start, cmp.Or(base.Variant.Python, project.DefaultPython)
}

// skipped are directories a copy of the project leaves out: VCS data, caches
// and local environments, which no build context includes either.
var skipped = map[string]bool{".git": true, "__pycache__": true, ".venv": true, "node_modules": true}

// Skipped reports whether a directory of that name is left out of a copy of
// the project and of the search for its files.
func Skipped(dir string) bool { return skipped[dir] }
