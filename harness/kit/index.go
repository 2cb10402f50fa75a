package kit

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// WheelhouseImage is the kit image whose /wheelhouse holds the wheels.
const WheelhouseImage = "bootmatrix-kit/wheelhouse:latest"

// WriteIndex writes wheels (file name → content) under dir as a PEP 503 simple
// index: dir/simple/index.html lists the projects, dir/simple/<project>/index.html
// links each file with its sha256, and the files are in dir/files/. Links are
// relative, so the index works from any URL it is served under.
func WriteIndex(dir string, wheels map[string][]byte) error {
	projects := map[string][]string{}
	for name := range wheels {
		p, err := projectOf(name)
		if err != nil {
			return err
		}
		projects[p] = append(projects[p], name)
	}
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(projects))
	for p := range projects {
		names = append(names, p)
	}
	sort.Strings(names)
	var root strings.Builder
	root.WriteString("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\"><title>Simple index</title></head><body>\n")
	for _, p := range names {
		fmt.Fprintf(&root, "<a href=\"%s/\">%s</a>\n", p, p)
		files := projects[p]
		sort.Strings(files)
		var page strings.Builder
		fmt.Fprintf(&page, "<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\"><title>Links for %s</title></head><body>\n<h1>Links for %s</h1>\n", p, p)
		for _, f := range files {
			data := wheels[f]
			if err := os.WriteFile(filepath.Join(dir, "files", f), data, 0o644); err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			fmt.Fprintf(&page, "<a href=\"../../files/%s#sha256=%s\">%s</a><br>\n", html.EscapeString(f), hex.EncodeToString(sum[:]), html.EscapeString(f))
		}
		page.WriteString("</body></html>\n")
		if err := os.MkdirAll(filepath.Join(dir, "simple", p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "simple", p, "index.html"), []byte(page.String()), 0o644); err != nil {
			return err
		}
	}
	root.WriteString("</body></html>\n")
	return os.WriteFile(filepath.Join(dir, "simple", "index.html"), []byte(root.String()), 0o644)
}

var nonAlnum = regexp.MustCompile(`[-_.]+`)

// projectOf is a wheel's project name, normalised as PEP 503 says.
func projectOf(file string) (string, error) {
	if !strings.HasSuffix(file, ".whl") || strings.Count(file, "-") < 4 {
		return "", fmt.Errorf("%s is not a wheel file name (name-version-python-abi-platform.whl)", file)
	}
	return strings.ToLower(nonAlnum.ReplaceAllString(file[:strings.IndexByte(file, '-')], "-")), nil
}

// Wheels reads the wheel files of the kit's wheelhouse image, through a container
// that is created, never started, and removed.
func Wheels(ctx context.Context, cli *client.Client, image string) (map[string][]byte, error) {
	c, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: image, Cmd: []string{"/none"}, Labels: map[string]string{"org.bootmatrix.managed": "true"}},
	})
	if err != nil {
		return nil, fmt.Errorf("wheelhouse image %s: %w: build the kit first (make images)", image, err)
	}
	defer func() {
		_, _ = cli.ContainerRemove(context.WithoutCancel(ctx), c.ID, client.ContainerRemoveOptions{Force: true})
	}()
	res, err := cli.CopyFromContainer(ctx, c.ID, client.CopyFromContainerOptions{SourcePath: "/wheelhouse"})
	if err != nil {
		return nil, fmt.Errorf("read /wheelhouse of %s: %w", image, err)
	}
	defer func() { _ = res.Content.Close() }()
	out := map[string][]byte{}
	tr := tar.NewReader(res.Content)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read /wheelhouse of %s: %w", image, err)
		}
		if h.Typeflag != tar.TypeReg || !strings.HasSuffix(h.Name, ".whl") {
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		out[path.Base(h.Name)] = data
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s has no wheels under /wheelhouse: rebuild the kit (make images)", image)
	}
	return out, nil
}
