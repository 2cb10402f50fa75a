package dockerfile_test

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"

	"github.com/bootmatrix/bootmatrix/harness/dockerfile"
	"github.com/bootmatrix/bootmatrix/harness/runner"
	"github.com/bootmatrix/bootmatrix/harness/runner/runnertest"
)

const (
	debianKit = "bootmatrix-kit/debian:bookworm"
	python313 = "bootmatrix-kit/python:3.13-slim"
)

// dockerBuild builds text with Docker's builder (the one the runner uses) and
// returns the image; it is removed when the test ends.
func dockerBuild(t *testing.T, cli *client.Client, text string, args map[string]string) client.ImageInspectResult {
	t.Helper()
	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	if err := tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(text))}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(tw, text); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tag := "bootmatrix-test/dockerfile:" + runner.NewRunID()
	bargs := map[string]*string{}
	for k, v := range args {
		bargs[k] = &v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	resp, err := cli.ImageBuild(ctx, &ctxTar, client.ImageBuildOptions{Tags: []string{tag}, BuildArgs: bargs, Remove: true, ForceRemove: true,
		Version: build.BuilderV1, Labels: map[string]string{"bootmatrix.test": "dockerfile"}})
	if err != nil {
		t.Fatalf("docker build: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	dec := json.NewDecoder(resp.Body)
	for {
		var m struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("build output: %v", err)
		}
		if m.Error != "" {
			t.Fatalf("docker build of\n%s: %s", text, m.Error)
		}
	}
	t.Cleanup(func() {
		_, _ = cli.ImageRemove(context.Background(), tag, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	})
	ins, err := cli.ImageInspect(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	return ins
}

// TestExpansionAgreesWithDocker has Docker's builder expand the same words
// the parser expands: the global ARGs re-declared in the stage carry their
// values into LABELs, which Docker expands with the same rules as FROM.
func TestExpansionAgreesWithDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds images on the engine")
	}
	cli := runnertest.Docker(t)
	runnertest.RequireImages(t, debianKit, python313)
	t.Parallel()

	text := "ARG V\nARG EMPTY=\"\"\nARG DEF=d\nARG CHAIN=${DEF}x\nARG UNSET\nFROM " + debianKit + "\nARG V\nARG EMPTY\nARG DEF\nARG CHAIN\nARG UNSET\n" +
		`LABEL plus="${V:+3.13}" minus="${EMPTY:-x}" plain="${EMPTY}" def="${DEF}" chain="${CHAIN}" unsetplus="${UNSET:+y}" unsetminus="${UNSET:-z}"` + "\n"
	words := map[string]string{"plus": "${V:+3.13}", "minus": "${EMPTY:-x}", "plain": "${EMPTY}", "def": "${DEF}", "chain": "${CHAIN}", "unsetplus": "${UNSET:+y}", "unsetminus": "${UNSET:-z}"}
	for _, args := range []map[string]string{nil, {"V": "1", "DEF": ""}, {"EMPTY": "e", "UNSET": "u"}} {
		ins := dockerBuild(t, cli, text, args)
		globals := dockerfile.Parse(text).Globals(args)
		for label, word := range words {
			if got, want := dockerfile.Expand(word, globals), ins.Config.Labels[label]; got != want {
				t.Errorf("args %v: %s expands to %q, Docker says %q", args, word, got, want)
			}
		}
	}
}

// TestBaseImagesAgreeWithDocker: the image the parser says a FROM builds on is
// the one Docker built on (the built image's layers start with its layers).
func TestBaseImagesAgreeWithDocker(t *testing.T) {
	if testing.Short() {
		t.Skip("builds images on the engine")
	}
	cli := runnertest.Docker(t)
	runnertest.RequireImages(t, debianKit, python313)
	t.Parallel()
	tests := []struct {
		name, text string
		args       map[string]string
		want       string
	}{
		{"conditional tag", "ARG V\nFROM bootmatrix-kit/python:${V:+3.13}-slim\n", map[string]string{"V": "1"}, python313},
		{"empty default", "ARG BASE=\"\"\nFROM ${BASE:-" + debianKit + "}\n", nil, debianKit},
		{"build arg over default", "ARG BASE=" + debianKit + "\nFROM ${BASE}\n", map[string]string{"BASE": python313}, python313},
	}
	for _, tc := range tests {
		got := dockerfile.Parse(tc.text).BaseImages(tc.args)
		if !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s: BaseImages = %q, want %s", tc.name, got, tc.want)
		}
		built := dockerBuild(t, cli, tc.text+"LABEL built=1\n", tc.args)
		base, err := cli.ImageInspect(context.Background(), tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if l := base.RootFS.Layers; len(built.RootFS.Layers) < len(l) || !slices.Equal(built.RootFS.Layers[:len(l)], l) {
			t.Errorf("%s: Docker did not build on %s", tc.name, tc.want)
		}
	}
}
