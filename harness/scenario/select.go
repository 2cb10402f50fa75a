package scenario

import (
	"fmt"
	"path"
	"strings"
)

// Select returns the variants whose name matches one of include (all when
// include is empty) and none of exclude. A pattern is a name, a path.Match
// glob, or axis=glob (python=3.11, builder=nix*). A pattern that matches no
// variant is an error, since it is most likely a typo.
func (s *Scenario) Select(include, exclude []string) ([]Variant, error) {
	for _, pat := range append(append([]string{}, include...), exclude...) {
		if _, err := path.Match(globOf(pat), ""); err != nil {
			return nil, fmt.Errorf("scenario %s: bad variant pattern %q: %w", s.Name, pat, err)
		}
	}
	for _, pat := range include {
		found := false
		for i := range s.Variants {
			if matchVariant(&s.Variants[i], pat) {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("scenario %s: pattern %q matches no variant (variants: %s)", s.Name, pat, strings.Join(s.names(), ", "))
		}
	}
	var out []Variant
	for i := range s.Variants {
		v := &s.Variants[i]
		in := len(include) == 0
		for _, pat := range include {
			in = in || matchVariant(v, pat)
		}
		for _, pat := range exclude {
			if in && matchVariant(v, pat) {
				in = false
			}
		}
		if in {
			out = append(out, *v)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("scenario %s: no variant selected by include %q and exclude %q (variants: %s)", s.Name, include, exclude, strings.Join(s.names(), ", "))
	}
	return out, nil
}

func (s *Scenario) names() []string {
	names := make([]string, len(s.Variants))
	for i, v := range s.Variants {
		names[i] = v.Name
	}
	return names
}

func globOf(pat string) string {
	if i := strings.IndexByte(pat, '='); i >= 0 {
		return pat[i+1:]
	}
	return pat
}

func matchVariant(v *Variant, pat string) bool {
	if i := strings.IndexByte(pat, '='); i >= 0 {
		val, ok := v.Axes[pat[:i]]
		if !ok {
			// Settings that are not axes still select by their effective value.
			val, ok = map[string]string{"builder": string(v.Builder), "python": v.Python, "shell": string(v.Shell), "root": v.Root}[pat[:i]]
		}
		if !ok {
			return false
		}
		m, _ := path.Match(pat[i+1:], val)
		return m
	}
	if pat == v.Name {
		return true
	}
	m, _ := path.Match(pat, v.Name)
	return m
}
