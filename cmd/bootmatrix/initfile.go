package main

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
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

type starterVariant struct {
	Name       string           `yaml:"name"`
	Builder    string           `yaml:"builder"`
	Python     quoted           `yaml:"python"`
	Shell      string           `yaml:"shell,omitempty"`
	Root       string           `yaml:"root,omitempty"`
	Nixpacks   *starterNixpacks `yaml:"nixpacks,omitempty"`
	Start      quoted           `yaml:"start,omitempty"`
	Dockerfile string           `yaml:"dockerfile,omitempty"`

	// comment says what the variant tries; it heads the variant's entry.
	comment string
}

type starterNixpacks struct {
	NixPkgs quotedList `yaml:"nixPkgs,omitempty"`
	NixLibs nixList    `yaml:"nixLibs,omitempty"`
	// InstallCmds is written even when empty: [] replaces the provider's
	// install, which is what the variant means.
	InstallCmds quotedList `yaml:"installCmds"`
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

// nixList is a one-line list of Nix attributes, written bare as in
// nixpacks.toml's documentation; only the provider's "..." marker, which
// YAML would read as the end of the document, is quoted.
type nixList []string

func (l nixList) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range l {
		var style yaml.Style
		if s == "..." {
			style = yaml.DoubleQuotedStyle
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: style})
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
