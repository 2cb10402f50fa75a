package railpack

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// NewConfigFile is a railpack.json holding only deploy.aptPackages.
func NewConfigFile(deployApt []string) []byte {
	return []byte("{\n  \"$schema\": \"https://schema.railpack.com\",\n  \"deploy\": {\n    \"aptPackages\": " + quoteList(deployApt) + "\n  }\n}\n")
}

// AddDeployAptPackages returns the railpack.json source data (nil when the
// project has none) with pkgs in deploy.aptPackages and "..." kept first,
// so the provider's own runtime packages (libpq5 …) stay: a list without
// "..." replaces them (railpack #637). Everything outside the list is left as
// written, comments included. file names the source in problems.
func AddDeployAptPackages(file string, data []byte, pkgs ...string) ([]byte, error) {
	if len(strings.TrimSpace(string(data))) == 0 {
		return NewConfigFile(mergeApt(nil, pkgs)), nil
	}
	root, err := parseJSONC(data)
	if err != nil {
		_, problems := ParseConfig(file, data)
		return nil, &ConfigError{Problems: problems}
	}
	if root.Kind != kindObject {
		_, problems := ParseConfig(file, data)
		return nil, &ConfigError{Problems: problems}
	}
	src := string(data)
	splice := func(off, end int, text string) []byte {
		return []byte(src[:off] + text + src[end:])
	}
	deploy := memberNamed(root, "deploy")
	if deploy == nil && len(root.Members) == 0 {
		return splice(root.Off, root.End, "{\n  \"deploy\": {\n    \"aptPackages\": "+quoteList(mergeApt(nil, pkgs))+"\n  }\n}"), nil
	}
	if deploy == nil {
		text := "\n  \"deploy\": {\n    \"aptPackages\": " + quoteList(mergeApt(nil, pkgs)) + "\n  }"
		if len(root.Members) > 0 {
			text += ","
		}
		return splice(root.Off+1, root.Off+1, text), nil
	}
	if deploy.Kind != kindObject {
		return nil, &ConfigError{Problems: []Problem{{File: file, Line: deploy.Pos.Line, Col: deploy.Pos.Col, Key: "deploy",
			Msg: fmt.Sprintf("must be an object, not %s", deploy.Kind), Hint: "fix it by hand before adding packages"}}}
	}
	apt := memberNamed(deploy, "aptPackages")
	if apt == nil {
		text := "\"aptPackages\": " + quoteList(mergeApt(nil, pkgs))
		if len(deploy.Members) > 0 {
			text += ", "
		}
		return splice(deploy.Off+1, deploy.Off+1, text), nil
	}
	var existing []string
	switch apt.Kind {
	case kindArray:
		for _, it := range apt.Items {
			if it.Kind == kindString {
				existing = append(existing, it.Str)
			}
		}
	case kindString:
		// A string where a list belongs: keep the names it meant.
		existing = strings.Fields(apt.Str)
	}
	return splice(apt.Off, apt.End, quoteList(mergeApt(existing, pkgs))), nil
}

// mergeApt puts "..." first unless present, then the existing entries, then
// the packages not yet listed.
func mergeApt(existing, add []string) []string {
	out := slices.Clone(existing)
	if !slices.Contains(out, "...") {
		out = append([]string{"..."}, out...)
	}
	for _, p := range add {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func memberNamed(obj *node, name string) *node {
	var found *node
	for _, m := range obj.Members {
		if strings.EqualFold(m.Key, name) {
			found = m.Val // the last one wins, as in encoding/json
		}
	}
	return found
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
