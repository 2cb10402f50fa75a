package recipe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/distribution/reference"
	"go.yaml.in/yaml/v3"
)

// LoadImageMap reads an images file: a YAML mapping from a reference as a builder
// or a Dockerfile names it (python:3.11-slim, nixpacks) to the reference to use
// instead. Every error names the file, line and column.
func LoadImageMap(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("images file: %w", err)
	}
	return ParseImageMap(path, data)
}

// ParseImageMap parses an images file's content (see LoadImageMap).
func ParseImageMap(file string, data []byte) (map[string]string, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) || len(bytes.TrimSpace(data)) == 0 {
			return map[string]string{}, nil
		}
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d:%d: want a mapping of image references (python:3.11-slim: registry.example.com/python:3.11-slim)", file, root.Line, root.Column)
	}
	out := map[string]string{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s:%d:%d: each entry is one reference mapped to one reference", file, k.Line, k.Column)
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("%s:%d:%d: %s is mapped twice; keep one entry", file, k.Line, k.Column, k.Value)
		}
		if k.Value != LogicalNixpacks {
			if _, err := reference.ParseNormalizedNamed(k.Value); err != nil {
				return nil, fmt.Errorf("%s:%d:%d: %q is not an image reference (%v); use a name such as python:3.11-slim or nixpacks", file, k.Line, k.Column, k.Value, err)
			}
		}
		if _, err := reference.ParseNormalizedNamed(v.Value); err != nil {
			return nil, fmt.Errorf("%s:%d:%d: %q is not an image reference (%v); use HOST/REPOSITORY:TAG", file, v.Line, v.Column, v.Value, err)
		}
		out[k.Value] = v.Value
	}
	return out, nil
}
