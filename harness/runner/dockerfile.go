package runner

import "github.com/bootmatrix/bootmatrix/harness/dockerfile"

// baseImages lists the images a Dockerfile builds on, ARGs substituted as the
// builder does. The cache key includes their IDs, so a rebuilt kit image
// invalidates every variant image made from it.
func baseImages(df string, args map[string]string) []string {
	return dockerfile.Parse(df).BaseImages(args)
}
