package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIgnoreDockerfile(t *testing.T) {
	t.Parallel()
	own := filepath.Join(t.TempDir(), ".dockerignore")
	if err := os.WriteFile(own, []byte("secret.env"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		files   []ctxFile
		want    string // the context's .dockerignore afterwards
		wantErr string
	}{
		{"none: one naming itself and the Dockerfile", []ctxFile{{path: "app.py", data: []byte("x")}}, ".dockerignore\nDockerfile\n", ""},
		{"the project's, from the host", []ctxFile{{path: ".dockerignore", source: own, mode: 0o644}}, "secret.env\n.bootmatrix.Dockerfile\n", ""},
		{"a builder's, as data", []ctxFile{{path: ".dockerignore", data: []byte("*.log\n")}}, "*.log\n\nDockerfile\n", ""},
		{"a link", []ctxFile{{path: ".dockerignore", link: "elsewhere"}}, "", "is a symlink"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			name := "Dockerfile"
			if strings.Contains(c.want, ".bootmatrix") {
				name = ".bootmatrix.Dockerfile"
			}
			files, err := ignoreDockerfile(c.files, name)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range files {
				if i > 0 && files[i-1].path >= f.path {
					t.Errorf("files not sorted: %q before %q", files[i-1].path, f.path)
				}
				if f.path == ".dockerignore" {
					if string(f.data) != c.want || f.size != int64(len(f.data)) {
						t.Errorf(".dockerignore %q (size %d), want %q", f.data, f.size, c.want)
					}
					return
				}
			}
			t.Errorf("no .dockerignore in %+v", files)
		})
	}
}
