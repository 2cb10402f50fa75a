package scenario

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bootmatrix/bootmatrix/harness/requirements"
)

// nativePackages maps a distribution (normalised as PEP 503 does) to the module
// that loads its compiled code. These are the packages whose import can fail on
// a missing shared library, so the import stage loads them by default.
var nativePackages = map[string]string{
	"numpy": "numpy", "scipy": "scipy", "pandas": "pandas",
	"psycopg2": "psycopg2", "psycopg2-binary": "psycopg2",
	"pydantic-core": "pydantic_core", "pydantic": "pydantic",
	"orjson": "orjson", "ujson": "ujson", "lxml": "lxml", "pillow": "PIL",
	"cryptography": "cryptography", "grpcio": "grpc", "bcrypt": "bcrypt",
	"cffi": "_cffi_backend", "greenlet": "greenlet", "gevent": "gevent",
	"uvloop": "uvloop", "httptools": "httptools", "msgpack": "msgpack",
	"pyyaml": "yaml", "regex": "regex", "scikit-learn": "sklearn",
	"matplotlib": "matplotlib", "torch": "torch", "tiktoken": "tiktoken",
	"tokenizers": "tokenizers", "jiter": "jiter", "numba": "numba",
	"pyarrow": "pyarrow", "asyncpg": "asyncpg", "mysqlclient": "MySQLdb",
	"psutil": "psutil", "markupsafe": "markupsafe", "zstandard": "zstandard",
	"opencv-python": "cv2", "opencv-python-headless": "cv2", "faiss-cpu": "faiss",
	"shapely": "shapely", "h5py": "h5py", "pyzmq": "zmq", "rapidfuzz": "rapidfuzz",
	"pycryptodome": "Crypto", "argon2-cffi-bindings": "_argon2_cffi_bindings",
	"onnxruntime": "onnxruntime", "sentencepiece": "sentencepiece",
	"pymupdf": "fitz", "statsmodels": "statsmodels", "xgboost": "xgboost",
	"lightgbm": "lightgbm", "watchfiles": "watchfiles", "websockets": "websockets",
	// pure Python, but their import opens a system library by name (cffi's dlopen)
	"cairocffi": "cairocffi", "weasyprint": "weasyprint",
}

// NativeImports lists, in file order, the modules of the native packages a
// requirements file names.
func NativeImports(text []byte) []string {
	var out []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if mod, ok := nativePackages[requirements.Name(sc.Text())]; ok && !seen[mod] {
			seen[mod] = true
			out = append(out, mod)
		}
	}
	return out
}

// checkFiles looks at the project on disk: the directories and files each
// variant's builder will need.
func (l *loader) checkFiles() {
	p, s := l.p, l.s
	if s.Project.Dir == "" {
		return
	}
	fi, err := os.Stat(s.Project.Dir)
	switch {
	case err != nil:
		p.add(l.dirNode, "project.dir", fmt.Sprintf("%s does not exist", s.Project.Dir), "project.dir is relative to the scenario file's directory "+s.Dir)
		return
	case !fi.IsDir():
		p.add(l.dirNode, "project.dir", fmt.Sprintf("%s is not a directory", s.Project.Dir), "point dir at the project's directory")
		return
	}
	rootAt, rootField := l.rootNode, "project.root"
	if rootAt == nil {
		rootAt, rootField = l.dirNode, "project.dir"
	}
	if !isDir(filepath.Join(s.Project.Dir, filepath.FromSlash(s.Project.Root))) {
		p.add(rootAt, rootField, fmt.Sprintf("app root %q is not a directory in the project", s.Project.Root), "set root to the directory that holds the app")
	}
	var roots []string
	addRoot := func(r string) {
		if !slices.Contains(roots, r) {
			roots = append(roots, r)
		}
	}
	addRoot(s.Project.Root)
	for i := range s.Variants {
		v := &s.Variants[i]
		c := l.infos[i].c
		at, field := c.node, c.field
		if av, ok := c.vals["root"]; ok {
			at, field = av.node, fieldOf(c, "root")
		}
		dfAt, dfField := c.node, c.field
		for _, e := range c.entries {
			if e.dfNode != nil {
				dfAt, dfField = e.dfNode, join(e.field, "dockerfile")
			}
		}
		spec := l.o.spec(v.Builder)
		var found []SettingProblem
		if spec != nil {
			found = spec.CheckProject(s.Project.Dir, *v)
		}
		rootOK := isDir(filepath.Join(s.Project.Dir, filepath.FromSlash(v.Root)))
		for _, pr := range found {
			switch {
			case pr.File != "":
				p.problems = append(p.problems, Problem{File: displayPath(pr.File), Line: pr.Line, Column: pr.Column, Msg: pr.Msg, Hint: pr.Hint})
			case pr.Setting == SettingDockerfile:
				p.add(dfAt, dfField, pr.Msg, pr.Hint)
			case rootOK: // problems under a missing root say nothing more than that it is missing
				p.add(at, field, pr.Msg, pr.Hint)
			}
		}
		if !rootOK {
			if _, own := c.vals["root"]; own {
				p.add(at, field, fmt.Sprintf("app root %q is not a directory in the project", v.Root), "set root to the directory that holds the app")
			}
			continue // a missing project.root was reported once, above
		}
		addRoot(v.Root)
	}
	if !l.importsOK {
		for _, r := range roots {
			data, err := os.ReadFile(filepath.Join(s.Project.Dir, filepath.FromSlash(r), "requirements.txt"))
			if err != nil {
				continue
			}
			for _, m := range NativeImports(data) {
				if !slices.Contains(s.Imports, m) {
					s.Imports = append(s.Imports, m)
				}
			}
		}
	}
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// displayPath is path as the user would type it from the working directory, when
// it is beneath it.
func displayPath(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	rel, err := filepath.Rel(wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
