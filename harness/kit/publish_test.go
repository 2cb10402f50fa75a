package kit

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTargets(t *testing.T) {
	t.Parallel()
	ts, err := Targets("127.0.0.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"python:3.11-slim": "127.0.0.1:5000/library/python:3.11-slim",
		"nixpacks":         "127.0.0.1:5000/railwayapp/nixpacks:ubuntu-1745885067",
	}
	got := map[string]string{}
	for _, tg := range ts {
		got[tg.Logical] = tg.Ref
		if !strings.HasPrefix(tg.Source, "bootmatrix-kit/") {
			t.Errorf("%s: source %s is no kit image", tg.Logical, tg.Source)
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("target of %s = %q, want %q", k, got[k], v)
		}
	}
	if _, err := Targets("https://r.example"); err == nil {
		t.Error("a registry with a scheme was taken")
	}
}

func TestWriteIndex(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wheel := []byte("not really a zip")
	err := WriteIndex(dir, map[string][]byte{
		"numpy-2.2.4-cp313-cp313-manylinux_2_41_x86_64.whl": wheel,
		"Foo_Bar-1.0-py3-none-any.whl":                      []byte("x"),
	})
	if err != nil {
		t.Fatal(err)
	}
	root, _ := os.ReadFile(filepath.Join(dir, "simple", "index.html"))
	if !strings.Contains(string(root), `<a href="numpy/">numpy</a>`) || !strings.Contains(string(root), `<a href="foo-bar/">foo-bar</a>`) {
		t.Errorf("root page:\n%s", root)
	}
	page, err := os.ReadFile(filepath.Join(dir, "simple", "numpy", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(wheel)
	link := `href="../../files/numpy-2.2.4-cp313-cp313-manylinux_2_41_x86_64.whl#sha256=` + hex.EncodeToString(sum[:]) + `"`
	if !strings.Contains(string(page), link) {
		t.Errorf("project page lacks %s:\n%s", link, page)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "files", "numpy-2.2.4-cp313-cp313-manylinux_2_41_x86_64.whl")); string(data) != string(wheel) {
		t.Error("the wheel was not written under files/")
	}
	if err := WriteIndex(t.TempDir(), map[string][]byte{"README": nil}); err == nil {
		t.Error("a file that is no wheel was indexed")
	}
}
