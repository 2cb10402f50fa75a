package recipe

import (
	"bufio"
	"bytes"
	"io"
	"net/url"
	"os"
	"path"
	"slices"
	"sort"
	"strings"
)

// maxRequirementsBytes bounds what is read of one requirements file.
const maxRequirementsBytes = 1 << 20

// requirementIndexes are the --index-url and --extra-index-url values of the
// context's requirement files (*.txt), without credentials: a URL's user and
// password must never reach a report. Files that cannot be read are skipped;
// the build reads them and reports that itself.
func requirementIndexes(files map[string]File) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		if strings.HasSuffix(path.Base(name), ".txt") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var out []string
	for _, name := range names {
		f := files[name]
		data := f.Data
		if f.Source != "" {
			b, err := readBounded(f.Source)
			if err != nil {
				continue
			}
			data = b
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64<<10), maxRequirementsBytes)
		for sc.Scan() {
			if u := indexOption(sc.Text()); u != "" && !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}

func readBounded(p string) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer func() { _ = fh.Close() }() // read only: a close error changes nothing read
	return io.ReadAll(io.LimitReader(fh, maxRequirementsBytes))
}

// indexOption is the URL of a requirements line "-i URL", "--index-url URL",
// "--index-url=URL" or the same with --extra-index-url, credentials removed.
func indexOption(line string) string {
	s := strings.TrimSpace(line)
	if i := strings.Index(s, " #"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	var rest string
	for _, opt := range []string{"--index-url", "--extra-index-url", "-i"} {
		if v, ok := strings.CutPrefix(s, opt); ok && (v == "" || v[0] == ' ' || v[0] == '=' || v[0] == '\t') {
			rest = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), "="))
			break
		}
	}
	if rest == "" {
		return ""
	}
	if f := strings.Fields(rest); len(f) > 0 {
		rest = f[0]
	}
	u, err := url.Parse(rest)
	if err != nil {
		return "" // pip refuses it too, and says so
	}
	u.User = nil
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}
