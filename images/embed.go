package images

import "embed"

// Recipes is everything build.sh reads, so that an installed CLI builds the same kit
// as `make images` in a clone (`bootmatrix kit build` runs it from an extraction).
// Whole directories are named, so a new file in one is carried along; a new
// directory must be added here, and TestRecipesEmbedEverything says so.
//
//go:embed build.sh lib stages cpython nixpacks railpack
var Recipes embed.FS
