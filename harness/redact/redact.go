// Package redact replaces secret values in captured output before it is stored,
// so that reports and logs never carry a credential the project's environment held.
package redact

import (
	"net/url"
	"sort"
	"strings"
)

// Mask is what a secret value becomes.
const Mask = "[redacted]"

// secretish are the parts of an environment name that mark its value as secret.
var secretish = []string{"KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "DATABASE_URL", "DSN", "AUTH"}

// minLen keeps very short values ("1", "no") from being masked everywhere they happen
// to appear: masking them would destroy the output without protecting anything.
const minLen = 4

// LooksSecret reports whether an environment name is one whose value is secret.
func LooksSecret(name string) bool {
	u := strings.ToUpper(name)
	for _, s := range secretish {
		if strings.Contains(u, s) {
			return true
		}
	}
	return false
}

// Redactor replaces a fixed set of secret values.
type Redactor struct {
	r *strings.Replacer
}

// New collects the values of env whose names look secret or are listed in extra.
// Nil-safe: a Redactor with no values returns its input unchanged.
func New(env map[string]string, extra []string) *Redactor {
	named := map[string]bool{}
	for _, n := range extra {
		named[n] = true
	}
	seen := map[string]bool{}
	var values []string
	add := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) < minLen || seen[v] {
			return
		}
		seen[v] = true
		values = append(values, v)
	}
	for name, v := range env {
		// A URL's password is secret whatever the variable is called
		// (PIP_INDEX_URL=https://user:token@host/simple), and apps log a
		// connection string's parts on their own.
		if pw := urlPassword(v); pw != "" {
			add(pw)
		}
		if named[name] || LooksSecret(name) {
			add(v)
		}
	}
	if len(values) == 0 {
		return &Redactor{}
	}
	// Longest first, so that a secret containing another is masked whole.
	sort.Slice(values, func(i, j int) bool {
		if len(values[i]) != len(values[j]) {
			return len(values[i]) > len(values[j])
		}
		return values[i] < values[j]
	})
	pairs := make([]string, 0, 2*len(values))
	for _, v := range values {
		pairs = append(pairs, v, Mask)
	}
	return &Redactor{r: strings.NewReplacer(pairs...)}
}

// urlPassword is the password in a URL's user information, if any.
func urlPassword(v string) string {
	if !strings.Contains(v, "://") || !strings.Contains(v, "@") {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || u.User == nil {
		return ""
	}
	pw, _ := u.User.Password()
	return pw
}

// String returns s with every secret value masked.
func (r *Redactor) String(s string) string {
	if r == nil || r.r == nil || s == "" {
		return s
	}
	return r.r.Replace(s)
}

// Strings masks every element of ss in place and returns it.
func (r *Redactor) Strings(ss []string) []string {
	for i := range ss {
		ss[i] = r.String(ss[i])
	}
	return ss
}
