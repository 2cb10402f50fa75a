package runner

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/result"
)

// ctxFile is one build-context entry, resolved: Data, or a host file read when tarred.
type ctxFile struct {
	path   string // slash path inside the context
	mode   int64
	data   []byte
	source string // host path when data is nil
	link   string // symlink target, for symlinks inside a Source directory
	size   int64
}

// buildSpec is a build with its context resolved and its cache key computed.
type buildSpec struct {
	stage      result.StageName
	dockerfile string // name of the Dockerfile inside the context
	files      []ctxFile
	args       map[string]string
	bases      []string // resolved base references, for messages
	fetches    []string // URLs the build downloads from itself
	key        string
	tag        string
}

// buildCall lets variants that share a stage wait for one build of it.
type buildCall struct {
	done   chan struct{}
	tag    string
	cached bool
	code   int
	err    error
	output string // the building variant's output, for the variants that waited
}

var validPath = regexp.MustCompile(`^[^/].*$`)

// resolveContext expands a recipe build's context into files, sorted by path. A Source
// that is a directory contributes every file beneath it.
func resolveContext(b recipe.Build) ([]ctxFile, string, error) {
	var files []ctxFile
	names := make([]string, 0, len(b.Context))
	for p := range b.Context {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, p := range names {
		f := b.Context[p]
		clean := path.Clean(strings.ReplaceAll(p, `\`, "/"))
		if !validPath.MatchString(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return nil, "", fmt.Errorf("build context path %q leaves the context: use a relative path inside it", p)
		}
		if f.Source == "" {
			mode := f.Mode
			if mode == 0 {
				mode = 0o644
			}
			files = append(files, ctxFile{path: clean, mode: mode, data: f.Data, size: int64(len(f.Data))})
			continue
		}
		st, err := os.Lstat(f.Source)
		if err != nil {
			return nil, "", fmt.Errorf("build context %q: %w", p, err)
		}
		if !st.IsDir() {
			cf, err := hostFile(clean, f.Source, f.Mode, st)
			if err != nil {
				return nil, "", err
			}
			files = append(files, cf)
			continue
		}
		err = filepath.WalkDir(f.Source, func(hp string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == ".git" || d.Name() == "__pycache__" {
					return filepath.SkipDir
				}
				return nil
			}
			rel, err := filepath.Rel(f.Source, hp)
			if err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			cf, err := hostFile(path.Join(clean, filepath.ToSlash(rel)), hp, 0, info)
			if err != nil {
				return err
			}
			files = append(files, cf)
			return nil
		})
		if err != nil {
			return nil, "", fmt.Errorf("build context %q from %s: %w", p, f.Source, err)
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	dockerfile := "Dockerfile"
	for _, f := range files {
		if f.path == dockerfile {
			// The project's own Dockerfile stays where it is; ours goes beside it.
			dockerfile = ".bootmatrix.Dockerfile"
			break
		}
	}
	files, err := ignoreDockerfile(files, dockerfile)
	if err != nil {
		return nil, "", err
	}
	return files, dockerfile, nil
}

func hostFile(ctxPath, host string, mode int64, st fs.FileInfo) (ctxFile, error) {
	if mode == 0 {
		mode = int64(st.Mode().Perm())
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(host)
		if err != nil {
			return ctxFile{}, err
		}
		return ctxFile{path: ctxPath, mode: 0o777, link: target}, nil
	}
	if !st.Mode().IsRegular() {
		return ctxFile{}, fmt.Errorf("build context %s: %s is not a regular file", ctxPath, host)
	}
	return ctxFile{path: ctxPath, mode: mode, source: host, size: st.Size()}, nil
}

// cacheKey hashes everything that decides the image: the Dockerfile, the build args,
// every context file's path, mode and content, and the IDs of the base images.
func cacheKey(dockerfile string, args map[string]string, files []ctxFile, baseIDs []string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "dockerfile %d\n%s\n", len(dockerfile), dockerfile)
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "arg %q=%q\n", k, args[k])
	}
	for _, id := range baseIDs {
		fmt.Fprintf(h, "base %s\n", id)
	}
	for _, f := range files {
		fmt.Fprintf(h, "file %q %o ", f.path, f.mode)
		switch {
		case f.link != "":
			fmt.Fprintf(h, "link %q\n", f.link)
		case f.data != nil || f.source == "":
			fmt.Fprintf(h, "%d\n", len(f.data))
			h.Write(f.data)
		default:
			fh, err := os.Open(f.source)
			if err != nil {
				return "", err
			}
			n, err := io.Copy(h, fh)
			_ = fh.Close()
			if err != nil {
				return "", fmt.Errorf("read %s: %w", f.source, err)
			}
			fmt.Fprintf(h, " %d\n", n)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeContext streams the build context as a tar.
func writeContext(w io.Writer, dockerfileName, dockerfile string, files []ctxFile) error {
	tw := tar.NewWriter(w)
	hdr := func(name string, mode, size int64) *tar.Header {
		return &tar.Header{Name: name, Mode: mode, Size: size, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	}
	if err := tw.WriteHeader(hdr(dockerfileName, 0o644, int64(len(dockerfile)))); err != nil {
		return err
	}
	if _, err := io.WriteString(tw, dockerfile); err != nil {
		return err
	}
	for _, f := range files {
		switch {
		case f.link != "":
			if err := tw.WriteHeader(&tar.Header{Name: f.path, Typeflag: tar.TypeSymlink, Linkname: f.link, Mode: 0o777, Format: tar.FormatPAX}); err != nil {
				return err
			}
		case f.source == "":
			if err := tw.WriteHeader(hdr(f.path, f.mode, int64(len(f.data)))); err != nil {
				return err
			}
			if _, err := tw.Write(f.data); err != nil {
				return err
			}
		default:
			fh, err := os.Open(f.source)
			if err != nil {
				return err
			}
			st, err := fh.Stat()
			if err == nil {
				err = tw.WriteHeader(hdr(f.path, f.mode, st.Size()))
			}
			if err == nil {
				_, err = io.CopyN(tw, fh, st.Size())
			}
			_ = fh.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", f.source, err)
			}
		}
	}
	return tw.Close()
}

// errImageMissing is a base image that is not in the engine and must not be pulled.
type errImageMissing struct {
	ref     string
	offline []string // the logical names the offline kit provides, for the message
}

func (e errImageMissing) Error() string {
	if localOnly(e.ref) || len(e.offline) == 0 {
		return fmt.Sprintf("image %s is not present: run `bootmatrix kit build` (or `make images` in a clone) to build the offline kit", e.ref)
	}
	// `make images` would not help: the kit has no stand-in for this name.
	return fmt.Sprintf("image %s is not present and cannot be pulled offline: the offline kit (`bootmatrix kit build`) provides %s; use one of those as base, or run with --online",
		e.ref, strings.Join(e.offline, ", "))
}

// localOnly are references that only `make images` or an earlier stage produce; pulling
// them could only fail, or worse, fetch someone else's image of that name.
func localOnly(ref string) bool { return recipe.LocalOnly(ref) }

// offlineNames are the logical image names the substitution table maps, sorted.
func (r *Runner) offlineNames() []string {
	names := make([]string, 0, len(r.subs.Images))
	for k := range r.subs.Images {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// prepare resolves a build's context and base images and computes its cache tag.
func (r *Runner) prepare(ctx context.Context, stage result.StageName, b recipe.Build, extra map[string]string, out io.Writer) (*buildSpec, error) {
	files, dfName, err := resolveContext(b)
	if err != nil {
		return nil, err
	}
	args := map[string]string{}
	for k, v := range b.Args {
		args[k] = v
	}
	for k, v := range extra {
		args[k] = v
	}
	bases := baseImages(b.Dockerfile, args)
	ids := make([]string, 0, len(bases))
	for _, ref := range bases {
		ins, err := r.eng.InspectImage(ctx, ref)
		switch {
		case err == nil:
			ids = append(ids, ref+"@"+ins.ID)
		case cerrdefs.IsNotFound(err) && (localOnly(ref) || r.subs.Mode == "offline"):
			return nil, errImageMissing{ref: ref, offline: r.offlineNames()}
		case cerrdefs.IsNotFound(err):
			// Online: pulled here, once per run, so that a refusal is the registry's
			// own answer and the key hashes the image actually pulled.
			if perr := r.pull(ctx, ref, out); perr != nil {
				return nil, perr
			}
			ins, err := r.eng.InspectImage(ctx, ref)
			if err != nil {
				return nil, fmt.Errorf("inspect pulled base image %s: %w", ref, err)
			}
			ids = append(ids, ref+"@"+ins.ID)
		default:
			return nil, fmt.Errorf("inspect base image %s: %w", ref, err)
		}
	}
	key, err := cacheKey(b.Dockerfile, args, files, ids)
	if err != nil {
		return nil, err
	}
	return &buildSpec{stage: stage, dockerfile: dfName, files: files, args: args, bases: bases, fetches: b.Fetches,
		key: key, tag: "bootmatrix-cache/" + string(stage) + ":" + key[:32]}, nil
}

// buildImage builds spec unless its tag exists. Variants of this runner that need the
// same tag wait for one build, and other processes on this host wait on the key's
// lock file (lockKey). Processes that still build one key at once (on two hosts
// sharing an engine) are harmless, because each builds under a unique temporary tag
// and only then moves the final tag, so the tag always names a complete image.
func (r *Runner) buildImage(ctx context.Context, spec *buildSpec, dockerfile string, out *Tail) (cached bool, code int, err error) {
	r.mu.Lock()
	if c, ok := r.builds[spec.tag]; ok {
		r.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return false, 0, ctx.Err()
		}
		if c.err != nil {
			out.WriteString(c.output)
			return false, c.code, c.err
		}
		return true, 0, nil
	}
	c := &buildCall{done: make(chan struct{}), tag: spec.tag}
	r.builds[spec.tag] = c
	r.mu.Unlock()
	defer func() {
		c.cached, c.code, c.err = cached, code, err
		if err != nil {
			c.output = out.String()
		} else {
			r.touchCache(spec.tag)
		}
		r.mu.Lock()
		delete(r.builds, spec.tag)
		r.mu.Unlock()
		close(c.done)
	}()

	if _, err := r.eng.InspectImage(ctx, spec.tag); err == nil {
		return true, 0, nil
	} else if !cerrdefs.IsNotFound(err) {
		return false, 0, fmt.Errorf("inspect %s: %w", spec.tag, err)
	}
	// Another process on this host may be building the key: wait for it rather
	// than build the same image beside it, then take its image if it made one.
	unlock, waited, err := r.lockKey(ctx, spec.key)
	if err != nil {
		return false, 0, err
	}
	defer unlock()
	if waited {
		if _, err := r.eng.InspectImage(ctx, spec.tag); err == nil {
			out.WriteString("bootmatrix: waited for another run building " + spec.tag + "; using its image\n")
			return true, 0, nil
		}
	}
	tmp := spec.tag + tmpTagInfix + NewRunID()
	code, err = r.dockerBuild(ctx, spec, dockerfile, tmp, out)
	if err != nil {
		return false, code, err
	}
	if r.afterBuild != nil {
		r.afterBuild()
	}
	// A fresh context: an image built but left under its temporary tag is a leak.
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	// Another process may have built the same key meanwhile. Keeping its image, not
	// moving the tag to ours, keeps the key naming one image ID, so that the stages
	// built on it (whose keys hash that ID) share one key across processes too.
	var terr error
	adopted := false
	if _, err := r.eng.InspectImage(tctx, spec.tag); err == nil {
		adopted = true
	} else {
		terr = r.eng.TagImage(tctx, tmp, spec.tag)
	}
	// Untagging the temporary name deletes our image, and its untagged intermediate
	// layers, when the key adopted another.
	if rerr := r.eng.RemoveImage(tctx, tmp, false); rerr != nil && terr == nil {
		r.logf("remove temporary tag %s: %v", tmp, rerr)
	}
	if terr != nil {
		return false, 0, fmt.Errorf("tag %s: %w", spec.tag, terr)
	}
	if adopted {
		out.WriteString("bootmatrix: another run built " + spec.tag + " at the same time; using its image\n")
	} else {
		r.reportLargeLayers(tctx, spec.tag, out)
	}
	return false, 0, nil
}

// tmpTagInfix marks a build's temporary tag, which gc knows to be incomplete.
const tmpTagInfix = "-tmp-"

// labelInstruction is one LABEL instruction for all labels, appended to the
// Dockerfile. The builder's Labels option adds one LABEL step per label, and each
// step of the classic builder is a container commit: about a second apiece on an
// engine with fuse-overlayfs, paid on every build that is not a cache hit. ok is
// false when the Dockerfile ends in a line continuation, which would swallow it.
func labelInstruction(dockerfile string, labels map[string]string) (string, bool) {
	end := strings.TrimRight(dockerfile, " \t\r\n")
	if strings.HasSuffix(end, `\`) || strings.HasSuffix(end, "`") {
		return "", false
	}
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("\nLABEL")
	for _, k := range keys {
		fmt.Fprintf(&b, " %q=%q", k, labels[k])
	}
	b.WriteString("\n")
	return b.String(), true
}

func (r *Runner) dockerBuild(ctx context.Context, spec *buildSpec, dockerfile, tag string, out *Tail) (int, error) {
	labels := map[string]string{LabelManaged: "true", LabelCache: "true", LabelCacheStage: string(spec.stage)}
	if line, ok := labelInstruction(dockerfile, labels); ok {
		dockerfile += line
		labels = nil
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writeContext(pw, spec.dockerfile, dockerfile, spec.files))
	}()
	defer func() { _ = pr.Close() }()
	args, hostNet, err := r.buildArgs(spec.args)
	if err != nil {
		return 1, err
	}
	// A mirror on loopback is reached only from the host's network.
	hostNet = hostNet || slices.ContainsFunc(spec.fetches, onLoopback)
	return r.eng.Build(ctx, buildRequest{Context: pr, Dockerfile: spec.dockerfile, Tag: tag, Args: args, Labels: labels, HostNetwork: hostNet}, out)
}

// lockKey takes the host-wide lock of a cache key, a flocked file in the state
// directory; waited says another process held it first. Without a state directory
// (a runner on a fake engine) there is nothing to share and no lock.
func (r *Runner) lockKey(ctx context.Context, key string) (unlock func(), waited bool, err error) {
	if r.stateDir == "" {
		return func() {}, false, nil
	}
	dir := filepath.Join(r.stateDir, "build-locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("build lock: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, key+".lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("build lock: %w", err)
	}
	// The lock file stays: removing it would let a third process lock a new file
	// of the same name while a second still waits on the old one.
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { _ = f.Close() }, waited, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, false, fmt.Errorf("build lock %s: %w", f.Name(), err)
		}
		waited = true
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, false, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
