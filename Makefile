# Two commands do everything on a fresh machine with Docker and Go:
#   make demo   builds the offline kit if needed, runs the seed scenario offline, prints the matrix
#   make test   builds the offline kit if needed, runs every test (container tests included)
SHELL := /bin/bash
GO ?= go
BIN := bin/bootmatrix
# Downloaded .deb files and debootstrap roots are kept here between builds.
KIT_CACHE ?= images/cache
# The host copy of the wheelhouse, read by images' tests.
KIT_OUT ?= images/out
export KIT_CACHE KIT_OUT
# Container tests take minutes; keep go test from killing them at its 10-minute default.
TEST_TIMEOUT ?= 40m
TEST_FLAGS ?=

.PHONY: all build images demo test test-short bench lint clean gc release-check

all: build

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/bootmatrix

# The same recipes an installed CLI carries: `bootmatrix kit build` runs images/build.sh
# from the copy embedded in the binary.
images: build
	$(BIN) kit build

demo: images build
	$(BIN) run scenarios/seed/scenario.yaml --json out/seed.json --html out/seed.html

test: images
	$(GO) test -timeout $(TEST_TIMEOUT) $(TEST_FLAGS) ./...

test-short:
	$(GO) test -short ./...

bench: images build
	bash bench/run.sh

# golangci-lint's configuration is .golangci.yml; install it with
#   go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
GOLANGCI_LINT ?= $(shell command -v golangci-lint || echo $$($(GO) env GOPATH)/bin/golangci-lint)

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	@test -x "$(GOLANGCI_LINT)" || { echo "golangci-lint not found: go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0"; exit 1; }
	$(GOLANGCI_LINT) run ./...

# The release configuration, checked by the goreleaser version it was written for
# (fetched through the Go module proxy; the first run compiles it).
GORELEASER ?= $(GO) run github.com/goreleaser/goreleaser/v2@v2.15.1
release-check:
	$(GORELEASER) check

gc: build
	$(BIN) gc

clean:
	rm -rf bin out
