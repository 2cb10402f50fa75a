package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cpuguy83/dockercfg"
	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
)

// PullImage pulls through the engine. The engine itself never reads
// ~/.docker/config.json, so the client does, the way the docker CLI does: an auths
// entry, credsStore or credHelpers for the reference's registry. The credentials go
// only in the request header.
func (m *mobyEngine) PullImage(ctx context.Context, ref string, progress func(PullProgress)) error {
	auth, err := RegistryAuth(ref)
	if err != nil {
		return err
	}
	resp, err := m.cli.ImagePull(ctx, ref, client.ImagePullOptions{RegistryAuth: auth})
	if err != nil {
		return err
	}
	return jsonmessage.DisplayMessages(resp.JSONMessages(ctx), io.Discard, pullPrinter(progress))
}

// pullPrinter hands each message of a pull stream, as jsonmessage decodes it, to
// progress typed; a message carrying the registry's error ends the pull with it.
func pullPrinter(progress func(PullProgress)) jsonmessage.DisplayOpt {
	return jsonmessage.WithMessagePrinter(func(jm jsonstream.Message, _ io.Writer) error {
		if jm.Error != nil {
			return jm.Error
		}
		p := PullProgress{Layer: jm.ID, Status: jm.Status}
		// "Pulling from library/python" carries the tag as its id: it is the image's.
		if strings.HasPrefix(jm.Status, "Pulling from ") {
			p.Layer = ""
		}
		if jm.Progress != nil {
			p.Current, p.Total = jm.Progress.Current, jm.Progress.Total
		}
		progress(p)
		return nil
	})
}

// RegistryAuth is the X-Registry-Auth value for ref's registry from Docker's
// configuration, empty when it has none.
func RegistryAuth(ref string) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("image reference %q: %w", ref, err)
	}
	host := dockercfg.ResolveRegistryHost(reference.Domain(named))
	user, secret, err := dockercfg.GetRegistryCredentials(host)
	if err != nil {
		return "", fmt.Errorf("credentials for %s from Docker's configuration: %w", host, err)
	}
	if user == "" && secret == "" {
		return "", nil
	}
	cfg := registry.AuthConfig{Username: user, Password: secret, ServerAddress: host}
	if user == "" {
		cfg = registry.AuthConfig{IdentityToken: secret, ServerAddress: host}
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	return base64.URLEncoding.EncodeToString(data), nil
}
