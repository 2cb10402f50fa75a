package kit

// Publishing the kit, for teams that run online against their own
// infrastructure: its stand-in images pushed to a registry under the real names
// the online substitution table uses, and its wheelhouse written as a PEP 503
// "simple" package index any static file server can serve.

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"

	"github.com/bootmatrix/bootmatrix/harness/recipe"
	"github.com/bootmatrix/bootmatrix/harness/runner"
)

// Target is one kit image and the name it is pushed under.
type Target struct {
	Logical string // python:3.11-slim, nixpacks
	Source  string // the kit image: bootmatrix-kit/python:3.11-slim
	Ref     string // REGISTRY/library/python:3.11-slim
}

// Targets are the kit's images under the names an online run with
// --registry-mirror REGISTRY pulls, sorted by logical name.
func Targets(registry string) ([]Target, error) {
	if err := recipe.CheckMirror(registry); err != nil {
		return nil, err
	}
	off, on := recipe.Offline(), recipe.Online(nil)
	var out []Target
	for logical, src := range off.Images {
		real, ok := on.Images[logical]
		if !ok {
			continue
		}
		ref, err := recipe.MirrorRef(real, registry)
		if err != nil {
			return nil, err
		}
		out = append(out, Target{Logical: logical, Source: src, Ref: ref})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Logical < out[j].Logical })
	return out, nil
}

// Push tags and pushes every target, then removes the local tag (so that a run on
// this engine pulls from the registry rather than finding it). It returns the
// references pushed completely; on the first failure it stops and says which
// image failed with the registry's answer, and which were pushed before it.
func Push(ctx context.Context, cli *client.Client, registry string, out io.Writer) ([]string, error) {
	targets, err := Targets(registry)
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		if _, err := cli.ImageInspect(ctx, t.Source); err != nil {
			return nil, fmt.Errorf("kit image %s: %w: build the kit first (make images)", t.Source, err)
		}
	}
	var done []string
	for _, t := range targets {
		if err := pushOne(ctx, cli, t, out); err != nil {
			if len(done) == 0 {
				return nil, fmt.Errorf("push %s: %w; nothing was pushed", t.Ref, err)
			}
			return done, fmt.Errorf("push %s: %w; pushed before it: %v", t.Ref, err, done)
		}
		done = append(done, t.Ref)
		fmt.Fprintf(out, "pushed %s (%s)\n", t.Ref, t.Source)
	}
	return done, nil
}

func pushOne(ctx context.Context, cli *client.Client, t Target, out io.Writer) (err error) {
	if _, err := cli.ImageTag(ctx, client.ImageTagOptions{Source: t.Source, Target: t.Ref}); err != nil {
		return err
	}
	defer func() {
		// Untag only; the kit image keeps its own names.
		_, rerr := cli.ImageRemove(context.WithoutCancel(ctx), t.Ref, client.ImageRemoveOptions{})
		if err == nil && rerr != nil {
			err = fmt.Errorf("remove the local tag %s: %w", t.Ref, rerr)
		}
	}()
	auth, err := runner.RegistryAuth(t.Ref)
	if err != nil {
		return err
	}
	if auth == "" {
		auth = "e30=" // "{}": the engine wants a header even for an open registry
	}
	resp, err := cli.ImagePush(ctx, t.Ref, client.ImagePushOptions{RegistryAuth: auth})
	if err != nil {
		return err
	}
	// The stream's error message is the registry's answer (denied, unauthorized …).
	return jsonmessage.DisplayJSONMessages(resp.JSONMessages(ctx), out, 0, false, nil)
}
