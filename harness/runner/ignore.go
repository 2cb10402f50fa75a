package runner

import (
	"fmt"
	"os"
	"sort"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
)

// ignoreDockerfile keeps the Dockerfile the runner writes into the context out of
// the image, the way the docker client does for a Dockerfile from outside the
// context (docker/cli, cli/command/image/build/context.go AddDockerfileToBuildContext):
// its name is appended to the context's .dockerignore, or a .dockerignore naming
// itself and the Dockerfile is added. The classic builder reads the Dockerfile and
// then removes from the context the Dockerfile and .dockerignore when .dockerignore
// matches them (moby builder/remotecontext/detect.go removeDockerfile), so
// `COPY . /app` copies neither, while the project's other files were already
// filtered by recipe.WalkContext.
func ignoreDockerfile(files []ctxFile, dockerfile string) ([]ctxFile, error) {
	for i, f := range files {
		if f.path != recipe.DockerIgnore {
			continue
		}
		data := f.data
		switch {
		case f.link != "":
			return nil, fmt.Errorf("build context %s is a symlink: docker build reads it as a file; make it one", f.path)
		case f.source != "":
			b, err := os.ReadFile(f.source)
			if err != nil {
				return nil, fmt.Errorf("build context %s: %w", f.path, err)
			}
			data = b
		}
		data = append(append(append([]byte(nil), data...), '\n'), dockerfile+"\n"...)
		files[i] = ctxFile{path: f.path, mode: f.mode, data: data, size: int64(len(data))}
		return files, nil
	}
	data := []byte(recipe.DockerIgnore + "\n" + dockerfile + "\n")
	files = append(files, ctxFile{path: recipe.DockerIgnore, mode: 0o644, data: data, size: int64(len(data))})
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files, nil
}
