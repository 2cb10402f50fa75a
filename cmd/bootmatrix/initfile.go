package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/bootmatrix/bootmatrix/harness/builder"
)

// starterFile is the scenario init writes, its fields in the order the file
// shows them. Comments are not fields: they are attached to the encoded
// nodes (see encode), so the file explains itself the way a hand-written one would.
type starterFile struct {
	SchemaVersion int            `yaml:"schemaVersion"`
	Name          string         `yaml:"name"`
	Project       starterProject `yaml:"project"`
	Imports       quotedList     `yaml:"imports,omitempty"`
	Port          int            `yaml:"port"`
	Health        starterHealth  `yaml:"health"`
	Matrix        starterMatrix  `yaml:"matrix"`

	// comments are head comments by top-level key.
	comments map[string]string
	// trailer follows the matrix: a variant worth trying that init could not fill in.
	trailer string
}

type starterProject struct {
	Dir  string `yaml:"dir"`
	Root string `yaml:"root"`
}

type starterHealth struct {
	Path   string `yaml:"path"`
	Status int    `yaml:"status"`
}

type starterMatrix struct {
	Include []starterVariant `yaml:"include"`
}

// starterVariant is a builder's starter variant with its builder's name,
// written in the schema's order: name, builder, python, shell, root, the
// builder's own settings, start, dockerfile.
type starterVariant struct {
	builder.StarterVariant
	Builder string

	// comment says what the variant tries; it heads the variant's entry.
	comment string
}

func (v starterVariant) MarshalYAML() (any, error) {
	type field struct {
		key   string
		value any
	}
	fields := []field{{"name", v.Name}, {"builder", v.Builder}}
	if v.Python != "" {
		fields = append(fields, field{"python", quoted(v.Python)})
	}
	if v.Shell != "" {
		fields = append(fields, field{"shell", v.Shell})
	}
	if v.Root != "" {
		fields = append(fields, field{"root", v.Root})
	}
	for _, o := range v.Own {
		fields = append(fields, field{o.Key, o.Value})
	}
	if v.Start != "" {
		fields = append(fields, field{"start", quoted(v.Start)})
	}
	if v.Dockerfile != "" {
		fields = append(fields, field{"dockerfile", v.Dockerfile})
	}
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, fl := range fields {
		var vn yaml.Node
		if err := vn.Encode(fl.value); err != nil {
			return nil, fmt.Errorf("variant %s: %s: %w", v.Name, fl.key, err)
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: fl.key}, &vn)
	}
	return n, nil
}

// quoted is always written double-quoted: "3.10" must stay a string, and a
// start command reads the same in the file as in a shell.
type quoted string

func (q quoted) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(q), Style: yaml.DoubleQuotedStyle}, nil
}

// quotedList is a one-line list of quoted strings.
type quotedList []string

func (l quotedList) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range l {
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.DoubleQuotedStyle})
	}
	return n, nil
}

func (h starterHealth) MarshalYAML() (any, error) {
	type plain starterHealth
	var n yaml.Node
	if err := n.Encode(plain(h)); err != nil {
		return nil, err
	}
	n.Style = yaml.FlowStyle
	return &n, nil
}

// comment turns lines into a YAML comment block; an empty line comes out
// as a blank line, and no lines at all as one blank line.
func comment(lines ...string) string {
	if len(lines) == 1 && lines[0] == "" {
		return "\n"
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if l != "" {
			l = "# " + l
		}
		out[i] = l
	}
	return strings.Join(out, "\n")
}

// encode writes the file: the struct as yaml.v3 nodes, comments attached to
// its keys, two-space indentation.
func (f *starterFile) encode() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(f); err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		key := doc.Content[i]
		key.HeadComment = f.comments[key.Value]
		if key.Value == "matrix" {
			matrix := doc.Content[i+1]
			// Node.Encode does not keep comments set by marshalers: the
			// variants' are attached here, to the entries of include.
			for j := 0; j+1 < len(matrix.Content); j += 2 {
				if matrix.Content[j].Value != "include" {
					continue
				}
				// A foot comment of the key is the only one yaml.v3 indents
				// under matrix rather than at the margin.
				matrix.Content[j].FootComment = f.trailer
				for k, item := range matrix.Content[j+1].Content {
					item.HeadComment = f.Matrix.Include[k].comment
				}
			}
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("init: encode the scenario: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	// yaml.v3 indents the blank line that separates a comment from the entry
	// above it; the indentation is only noise in the file.
	return trailingSpace.ReplaceAll(b.Bytes(), nil), nil
}

var trailingSpace = regexp.MustCompile(`(?m)[ \t]+$`)
