package builder

import "github.com/bootmatrix/bootmatrix/harness/project"

// Starter is a builder's part of the scenario `bootmatrix init` writes.
type Starter interface {
	// Starters are the builder's variants for the inspected project, in the
	// order the file lists them: the configuration as it is today, then the
	// usual fixes. Hint, when the builder has a variant worth trying that
	// init cannot fill in, is comment lines saying how to add it.
	Starters(p *project.Project) (vs []StarterVariant, hint []string)
}

// StarterVariant is one include entry of the starter scenario. Its fields
// are the schema's; Own holds the builder's own settings (nixpacks: …).
type StarterVariant struct {
	Name   string
	Python string
	Shell  string
	Root   string
	// Own are the builder's settings, each a top-level key of the entry with
	// a value yaml.v3 marshals; they come after root.
	Own        []Setting
	Start      string
	Dockerfile string
	// Why says what the variant tries: the comment heading its entry.
	Why []string
}

// Setting is one key of an include entry and its value.
type Setting struct {
	Key   string
	Value any
}
