package doctor

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// skipCopy are directories a copy of the project leaves out: VCS data, caches
// and local environments, which no build context includes either.
var skipCopy = map[string]bool{".git": true, "__pycache__": true, ".venv": true, "node_modules": true}

// copyTree copies the regular files under src to dst (created), following
// links to files, keeping permission bits.
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
			if p != src && skipCopy[d.Name()] {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		info, err := os.Stat(p)
		if err != nil || !info.Mode().IsRegular() {
			return nil // dangling links and sockets are not project files
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}

// fileSet is the text of every file a fix may touch, by slash path relative to the project.
type fileSet map[string]string

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

var (
	reqNameRE  = regexp.MustCompile(`^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)`)
	normNameRE = regexp.MustCompile(`[-_.]+`)
	reqFlagRE  = regexp.MustCompile(`(?:^|\s)(?:-r\s*|--requirement(?:\s+|=))(\S+)`)
)

// reqName is the PEP 503 name a requirement line is about, "" for blank
// lines, comments and options; it matches what the recipe's pins do.
func reqName(line string) string {
	s := strings.TrimSpace(line)
	if i := strings.Index(s, " #"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	if s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(s, "-") {
		return ""
	}
	m := reqNameRE.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return strings.ToLower(normNameRE.ReplaceAllString(m[1], "-"))
}

// applyPins rewrites requirements text as the recipe does: a pin replaces the
// first line naming its distribution (later ones go) or is appended.
func applyPins(text string, pins []string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if strings.TrimSpace(text) == "" {
		lines = nil
	}
	for _, pin := range pins {
		name := reqName(pin)
		var out []string
		done := false
		for _, l := range lines {
			if reqName(l) == name {
				if !done {
					out = append(out, pin)
					done = true
				}
				continue
			}
			out = append(out, l)
		}
		if !done {
			out = append(out, pin)
		}
		lines = out
	}
	return strings.Join(lines, "\n") + "\n"
}

// dropRequirement removes every line naming the distribution.
func dropRequirement(text, name string) (string, bool) {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var out []string
	dropped := false
	for _, l := range lines {
		if reqName(l) == name {
			dropped = true
			continue
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return "", dropped
	}
	return strings.Join(out, "\n") + "\n", dropped
}

// requirementFiles lists the requirement files (slash paths relative to dir)
// the commands make pip read, following `cd D &&` and `-r F`, plus
// requirements.txt at dir when it exists. Commands run in the app directory.
func requirementFiles(dir string, cmds []string) []string {
	var out []string
	add := func(p string) {
		if p == "" {
			return
		}
		for _, o := range out {
			if o == p {
				return
			}
		}
		if info, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err == nil && info.Mode().IsRegular() {
			out = append(out, p)
		}
	}
	add("requirements.txt")
	for _, cmd := range cmds {
		cwd := "."
		for _, part := range splitShell(cmd) {
			f := strings.Fields(part)
			if len(f) == 0 {
				continue
			}
			if f[0] == "cd" {
				if len(f) < 2 || strings.HasPrefix(f[1], "/") {
					cwd = "."
					if len(f) > 1 && strings.HasPrefix(f[1], "/app/") {
						cwd = strings.TrimPrefix(f[1], "/app/")
					}
					continue
				}
				cwd = path.Join(cwd, strings.Trim(f[1], `"'`))
				continue
			}
			if !strings.Contains(part, "pip") {
				continue
			}
			for _, m := range reqFlagRE.FindAllStringSubmatch(part, -1) {
				p := path.Join(cwd, strings.Trim(m[1], `"'`))
				if !strings.HasPrefix(p, "../") && p != ".." {
					add(p)
				}
			}
		}
	}
	return out
}

// splitShell splits a command at &&, || and ; outside quotes.
func splitShell(cmd string) []string {
	var parts []string
	var cur strings.Builder
	var quote rune
	rs := []rune(cmd)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == ';':
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		case (c == '&' || c == '|') && i+1 < len(rs) && rs[i+1] == c:
			parts = append(parts, cur.String())
			cur.Reset()
			i++
			continue
		}
		cur.WriteRune(c)
	}
	return append(parts, cur.String())
}

// shellQuote quotes s for sh when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+/=:") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func writeFile(root, rel, text string) error {
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(p); err == nil {
		mode = info.Mode().Perm()
	}
	return os.WriteFile(p, []byte(text), mode)
}

func readText(root, rel string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
	return string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))), err
}
