package doctor

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/bootmatrix/bootmatrix/harness/builder"
)

// copyTree copies the regular files under src to dst (created), keeping
// permission bits, and its symbolic links as links to the same target: the
// builders leave links out of a build context as the platforms do, so a copy
// that turned them into files (or dropped linked directories) would build
// something else than the project.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if p != src && builder.Skipped(d.Name()) {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if d.Type()&fs.ModeSymlink != 0 {
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() {
			return nil // sockets and devices are not project files
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}

// diffTrees returns a unified diff (a/ and b/ prefixes, paths relative to the
// project, git's headers) of the files that differ between two copies, sorted
// by path, and the number of changed lines and files. Only the files named in
// paths are compared: the ones candidates write.
func diffTrees(oldDir, newDir string, paths []string) (string, int, int, error) {
	sort.Strings(paths)
	var b strings.Builder
	lines, files := 0, 0
	seen := map[string]bool{}
	for _, p := range paths {
		if seen[p] {
			continue
		}
		seen[p] = true
		oldText, oldOK, err := readMaybe(filepath.Join(oldDir, filepath.FromSlash(p)))
		if err != nil {
			return "", 0, 0, err
		}
		newText, newOK, err := readMaybe(filepath.Join(newDir, filepath.FromSlash(p)))
		if err != nil {
			return "", 0, 0, err
		}
		if oldOK == newOK && oldText == newText {
			continue
		}
		d, n := fileDiff(p, oldText, oldOK, newText, newOK)
		b.WriteString(d)
		lines += n
		files++
	}
	return b.String(), lines, files, nil
}

func readMaybe(p string) (string, bool, error) {
	data, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(data), true, nil
}

// fileDiff is one file's part of a git-style patch and its count of changed lines.
func fileDiff(p, oldText string, oldOK bool, newText string, newOK bool) (string, int) {
	var b strings.Builder
	fmt.Fprintf(&b, "diff --git a/%s b/%s\n", p, p)
	from, to := "a/"+p, "b/"+p
	switch {
	case !oldOK:
		b.WriteString("new file mode 100644\n")
		from = "/dev/null"
	case !newOK:
		b.WriteString("deleted file mode 100644\n")
		to = "/dev/null"
	}
	edits := udiff.Lines(oldText, newText)
	u, err := udiff.ToUnified(from, to, oldText, edits, 3)
	if err != nil {
		// ToUnified fails only on edits that do not fit the text, which Strings never makes.
		panic(fmt.Sprintf("unified diff of %s: %v", p, err))
	}
	b.WriteString(u)
	n := 0
	for _, l := range strings.Split(u, "\n") {
		if (strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++ ")) || (strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "--- ")) {
			n++
		}
	}
	return b.String(), n
}
