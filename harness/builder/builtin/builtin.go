// Package builtin registers the builders this harness ships. Adding a builder
// is its own package under harness/builder and one line here.
package builtin

import (
	"github.com/bootmatrix/bootmatrix/harness/builder"
	"github.com/bootmatrix/bootmatrix/harness/builder/dockerfile"
	"github.com/bootmatrix/bootmatrix/harness/builder/nixpacks"
	"github.com/bootmatrix/bootmatrix/harness/builder/pythonslim"
	"github.com/bootmatrix/bootmatrix/harness/builder/railpack"
)

// Registry returns the shipped builders; Nixpacks, the platform's own, is the default.
func Registry() *builder.Registry {
	return builder.New(
		nixpacks.Builder{},
		pythonslim.Builder{},
		dockerfile.Builder{},
		railpack.Builder{},
	)
}
