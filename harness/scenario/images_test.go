package scenario

import "testing"

// images: maps single references; each side must be an image reference, and a bad
// one is reported at its line and column.
func TestImagesMap(t *testing.T) {
	t.Parallel()
	head := "schemaVersion: 1\nname: t\nproject: {dir: .}\nmatrix: {include: [{name: a}]}\n"
	s := mustParse(t, head+"images:\n  python:3.11-slim: registry.example.com/base/python:3.11-slim\n  nixpacks: registry.example.com/nixpacks:1\n")
	if s.Images["python:3.11-slim"] != "registry.example.com/base/python:3.11-slim" || s.Images["nixpacks"] != "registry.example.com/nixpacks:1" {
		t.Errorf("Images = %v", s.Images)
	}
	_, err := parseString(t, head+"images:\n  python:3.11-slim: \"Not A Ref\"\n  \"Bad Key\": x\n")
	checkProblems(t, err, []want{
		{6, 21, "images.python:3.11-slim", "is not an image reference"},
		{7, 3, "images.Bad Key", "is not an image reference"},
	})
}
