# Two commands do everything on a fresh machine with Docker and Go (as root with
# apt-get they install the host tools they need; otherwise they say what to run):
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
TEST_TIMEOUT ?= 70m
TEST_FLAGS ?=

.PHONY: all build images demo test test-short bench lint clean gc host-tools test-tools release-check

# Host tools, as command:Debian package. The kit is built with debootstrap and
# patchelf; the online tests start Debian's docker-registry. Missing ones are
# installed when we are root with apt-get; otherwise one line says what to run.
KIT_TOOLS := debootstrap:debootstrap patchelf:patchelf
TEST_TOOLS := docker-registry:docker-registry
define need_tools
	@need=""; for t in $(1); do command -v "$${t%%:*}" >/dev/null 2>&1 || need="$$need $${t#*:}"; done; \
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$need"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$need >/dev/null || exit 1; \
	  else \
	    echo "missing host tools: run 'sudo apt-get install -y$$need' and then make $(or $(MAKECMDGOALS),$@) again"; exit 1; \
	  fi; \
	fi
endef

all: build

build:
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/bootmatrix

host-tools:
	$(call need_tools,$(KIT_TOOLS))

test-tools:
	$(call need_tools,$(TEST_TOOLS))

# The same recipes an installed CLI carries: `bootmatrix kit build` runs images/build.sh
# from the copy embedded in the binary.
images: host-tools build
	$(BIN) kit build

demo: images build
	$(BIN) run scenarios/seed/scenario.yaml --json out/seed.json --html out/seed.html

test: images test-tools
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
