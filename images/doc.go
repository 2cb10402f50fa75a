// Package images holds the offline kit: Debian-built stand-ins for python:*-slim and
// the Nixpacks (Nix) base image, and a wheelhouse repackaged from Debian's numpy. The
// kit is built by images/build.sh (make images); kit_test.go proves that it fails and
// succeeds for the same mechanical reasons as the real images. See README.md.
package images
