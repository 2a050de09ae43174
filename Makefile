# otelcol-twingate: the twingateanalytics receiver and a custom collector built
# with the OpenTelemetry Collector Builder (ocb).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO          ?= go
OCB_VERSION := v0.165.0
OCB_MODULE  := go.opentelemetry.io/collector/cmd/builder
# `go install` puts ocb here (GOBIN, else GOPATH/bin).
GOBIN_DIR   := $(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin)
OCB         ?= $(GOBIN_DIR)/builder

BUILD_DIR   := _build
BIN         := $(BUILD_DIR)/otelcol-twingate
STOCK_BIN   := $(BUILD_DIR)/bench-stock/otelcol-bench-stock
CONFIG      ?= examples/quickstart.yaml
# How long `make fuzz` mutates lines.
FUZZTIME    ?= 60s

# Everything the generated distribution compiles from this checkout: the ocb
# manifest, the root module and all non-test Go files (receiver/ and anything it
# may import), excluding the generated _build/ module.
GO_SOURCES  := $(shell find . \( -path ./$(BUILD_DIR) -o -path ./.git \) -prune -o -type f -name '*.go' ! -name '*_test.go' -print)
# packaging/ is a module of its own (the package and image tools), not compiled in.
GO_SOURCES  := $(filter-out ./packaging/%,$(GO_SOURCES))
GENERATED   := main.go main_others.go main_windows.go components.go go.mod
# Local modules that builder-config.yaml substitutes for unavailable ones.
STANDINS    := $(patsubst %/go.mod,%,$(wildcard standin/*/go.mod))

.PHONY: build run test e2e bench fuzz lint journal-fixtures clean ocb

build: $(BIN)

# Installs the pinned ocb unless the binary at $(OCB) already is that version.
# Order-only prerequisite of $(BIN): it never forces a rebuild by itself.
ocb:
	@if ! "$(OCB)" version 2>&1 | grep -qF "$(OCB_VERSION)"; then \
		echo "installing ocb $(OCB_VERSION) into $(GOBIN_DIR)"; \
		GOFLAGS= $(GO) install $(OCB_MODULE)@$(OCB_VERSION); \
	fi

# ocb_build CONFIG,DIR,BINARY: ocb generates the sources and runs `go mod
# tidy` itself; that tidy can fail (it also resolves test-only dependencies,
# e.g. a missing pkg/semconvtest), so its exit status is ignored as long as
# all sources were generated, and the module is then tidied with -e and
# compiled here (same flags as ocb uses).
define ocb_build
	@mkdir -p $(2)
	cd $(2) && rm -f $(GENERATED) $(3)
	"$(OCB)" --config $(1) --skip-compilation \
		|| echo "note: ocb failed after generating sources (go mod tidy); continuing with 'go mod tidy -e'"
	@for f in $(GENERATED); do \
		test -s $(2)/$$f || { echo "ocb did not generate $(2)/$$f" >&2; exit 1; }; \
	done
	cd $(2) && $(GO) mod tidy -e
	cd $(2) && CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(3) .
	@touch $(2)/$(3)
endef

$(BIN): builder-config.yaml go.mod $(wildcard go.sum) $(GO_SOURCES) $(STANDINS:%=%/go.mod) | ocb
	$(call ocb_build,builder-config.yaml,$(BUILD_DIR),otelcol-twingate)

# The stock contrib collector make bench compares with.
$(STOCK_BIN): testdata/bench/builder-config.yaml | ocb
	$(call ocb_build,testdata/bench/builder-config.yaml,$(BUILD_DIR)/bench-stock,otelcol-bench-stock)

run: $(BIN)
	$(BIN) --config $(CONFIG)

# Every benchmark runs once first, so none can rot (the numbers come from
# make bench); the tests run last, so their summary closes the output.
test: $(BIN)
	$(GO) test -count=1 -run '^$$' -bench . -benchtime=1x ./...
	@for m in $(STANDINS); do (cd $$m && $(GO) test -count=1 ./...); done
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory e2e

# Whole-collector tests (e2e/, a module of its own): the built binary, the
# examples and the deployment files. They fail, not skip, without the binary
# when CI is set.
e2e: $(BIN)
	cd e2e && OTELCOL_TWINGATE_BIN=$(abspath $(BIN)) $(GO) test -count=1 ./...

# Performance: Go microbenchmarks, then whole collectors on a generated 1M-line
# connector log (testdata/bench/run.sh). Not part of make test.
bench: $(BIN) $(STOCK_BIN)
	@mkdir -p $(BUILD_DIR)/bench
	$(GO) test -count=1 -run '^$$' -bench . -benchmem -cpu 1 ./pkg/... ./receiver/... | tee $(BUILD_DIR)/bench/micro.txt
	testdata/bench/run.sh $(BIN) $(STOCK_BIN) $(BUILD_DIR)/bench

# Fuzzes the line -> record path (Translator.AppendLine) for FUZZTIME. `make
# test` runs the seeds only. A crasher is saved under
# pkg/translator/twingate/testdata/fuzz/FuzzAppendLine/: commit it as a
# regression case with the fix.
fuzz:
	$(GO) test ./pkg/translator/twingate -run '^$$' -fuzz '^FuzzAppendLine$$' -fuzztime $(FUZZTIME)

lint:
	@files=$$(find . \( -path ./$(BUILD_DIR) -o -path ./.git \) -prune -o -type f -name '*.go' -print); \
	unformatted=$$( [ -z "$$files" ] || gofmt -l $$files ); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...
	@for m in $(STANDINS); do (cd $$m && $(GO) vet ./...); done

journal-fixtures:
	testdata/journal/make-fixtures.sh

clean:
	rm -rf $(BUILD_DIR)

# Backends the end-to-end tests start on 127.0.0.1 (README "Backends"). Each is
# a file target: built once into _build/, reused by later runs; a fresh clone
# rebuilds them quickly from the shared Go build cache. Debian's prometheus
# 2.42 and promtool come from apt (.ci/run).
PROMETHEUS3_VERSION  := v0.316.0
VICTORIALOGS_VERSION := v1.52.1
PROMETHEUS3_BIN      := $(BUILD_DIR)/prometheus3-$(PROMETHEUS3_VERSION)/prometheus
VICTORIALOGS_BIN     := $(BUILD_DIR)/victorialogs-$(VICTORIALOGS_VERSION)/victoria-logs

.PHONY: prometheus3 victorialogs backends

prometheus3: $(PROMETHEUS3_BIN)
victorialogs: $(VICTORIALOGS_BIN)
backends: prometheus3 victorialogs

$(PROMETHEUS3_BIN):
	@mkdir -p $(@D)
	GOFLAGS= GOBIN=$(abspath $(@D)) CGO_ENABLED=0 $(GO) install github.com/prometheus/prometheus/cmd/prometheus@$(PROMETHEUS3_VERSION)

$(VICTORIALOGS_BIN):
	@mkdir -p $(@D)
	GOFLAGS= GOBIN=$(abspath $(@D)) CGO_ENABLED=0 $(GO) install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$(VICTORIALOGS_VERSION)

# make e2e (and so make test) starts them: e2e/prometheus_test.go,
# e2e/victorialogs_test.go.
e2e: $(PROMETHEUS3_BIN) $(VICTORIALOGS_BIN)
e2e: export OTELCOL_TWINGATE_PROMETHEUS3 := $(abspath $(PROMETHEUS3_BIN))
e2e: export OTELCOL_TWINGATE_VICTORIALOGS := $(abspath $(VICTORIALOGS_BIN))

# ---------------------------------------------------------------------------
# Release artefacts (.goreleaser.yaml, as opentelemetry-collector-releases
# does it): `make package` and `make image` run goreleaser once, as a snapshot
# (release --snapshot --clean --skip=sbom,sign: nothing is published, and
# syft and cosign, which a real release runs, are not needed). It writes into
# _build/dist/ what a release publishes: per architecture (amd64, arm64) the
# tar.gz archive, the .deb, the .rpm and the image tarball, named
# otelcol-twingate_<version>_linux_<arch>.<ext>, and checksums.txt. The
# version is written once, as dist.version in builder-config.yaml (ocb stamps
# it into the binary; packaging/release/version.sh reads it). goreleaser and
# the image builder (packaging/buildimage, which goreleaser's build runs: see
# .goreleaser.yaml) are file targets in _build/tools/.
VERSION     := $(shell sh packaging/release/version.sh)
HOST_ARCH   := $(shell $(GO) env GOARCH)
PKG_ARCHS   ?= amd64 arm64
IMAGE_ARCH  ?= $(HOST_ARCH)
DIST_DIR    := $(BUILD_DIR)/dist
TOOLS_DIR   := $(BUILD_DIR)/tools
GORELEASER_VERSION := v2.15.1
GORELEASER  := $(TOOLS_DIR)/goreleaser
BUILDIMAGE  := $(TOOLS_DIR)/buildimage
RELEASE_FILES := .goreleaser.yaml LICENSE README.md CHANGELOG.md packaging/config.yaml packaging/image-config.yaml \
	packaging/otelcol-twingate.env packaging/otelcol-twingate.service $(wildcard packaging/scripts/*.sh) $(wildcard packaging/release/*.sh)
# goreleaser's record of its run stands for everything the run writes.
SNAPSHOT    := $(DIST_DIR)/artifacts.json
# The names the e2e tests read (and `make package` always wrote):
# otelcol-twingate_<version>_<arch>.<ext>, hard links to goreleaser's files.
PKG_NAME     = $(DIST_DIR)/otelcol-twingate_$(VERSION)_$(1).$(2)
IMAGE       := $(call PKG_NAME,$(IMAGE_ARCH),image.tar)
# Where the image builder also writes the layer's files for examples/docker/Dockerfile.
IMAGE_ROOTFS := $(BUILD_DIR)/image/rootfs

.PHONY: package image

package: $(foreach a,$(PKG_ARCHS),$(call PKG_NAME,$(a),deb) $(call PKG_NAME,$(a),rpm))

image: $(IMAGE)

$(GORELEASER):
	@mkdir -p $(@D)
	GOFLAGS= GOBIN=$(abspath $(@D)) CGO_ENABLED=0 $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

$(BUILDIMAGE): packaging/go.mod packaging/go.sum $(wildcard packaging/buildimage/*.go)
	cd packaging && $(GO) build -o $(abspath $@) ./buildimage

# One goreleaser run builds both architectures from the sources ocb generated
# for $(BIN) (its before hooks check the version and find them up to date).
$(SNAPSHOT): $(BIN) $(BUILDIMAGE) $(RELEASE_FILES) | $(GORELEASER)
	OTELCOL_TWINGATE_VERSION=$(VERSION) $(GORELEASER) release --snapshot --clean --skip=sbom,sign

# ln, then touch: a link is as old as goreleaser's file, which is older than
# $(SNAPSHOT).
$(DIST_DIR)/otelcol-twingate_$(VERSION)_%.deb: $(SNAPSHOT)
	ln -f $(DIST_DIR)/otelcol-twingate_$(VERSION)_linux_$*.deb $@ && touch $@
$(DIST_DIR)/otelcol-twingate_$(VERSION)_%.rpm: $(SNAPSHOT)
	ln -f $(DIST_DIR)/otelcol-twingate_$(VERSION)_linux_$*.rpm $@ && touch $@
$(DIST_DIR)/otelcol-twingate_$(VERSION)_%.image.tar: $(SNAPSHOT)
	ln -f $(DIST_DIR)/otelcol-twingate_$(VERSION)_linux_$*.image.tar $@ && touch $@

# The collector goreleaser built for one GOARCH (which its archive, packages
# and image hold), where the package and image tests compare it.
$(BUILD_DIR)/linux_%/otelcol-twingate: $(SNAPSHOT)
	@mkdir -p $(@D)
	cp $(DIST_DIR)/otelcol-twingate_linux_$*_*/otelcol-twingate $@
.PRECIOUS: $(BUILD_DIR)/linux_%/otelcol-twingate

# packaging/ is its own module: `go vet ./...` at the root does not reach it.
.PHONY: lint-packaging
lint: lint-packaging
lint-packaging:
	cd packaging && $(GO) vet ./...

# The GitHub workflows (.github/workflows/), checked by actionlint.
ACTIONLINT_VERSION := v1.7.12
ACTIONLINT  := $(TOOLS_DIR)/actionlint

$(ACTIONLINT):
	@mkdir -p $(@D)
	GOFLAGS= GOBIN=$(abspath $(@D)) CGO_ENABLED=0 $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

.PHONY: lint-workflows
lint: lint-workflows
lint-workflows: | $(ACTIONLINT)
	$(ACTIONLINT) .github/workflows/*.yaml

# The package and image tests (e2e/package_*_test.go, e2e/image_test.go)
# check this machine's .deb and .rpm, a newer build of the .deb (the upgrade
# test) and the image; `make package` builds the other architecture too,
# which the tests also check.
UPGRADE_DIR := $(BUILD_DIR)/upgrade
UPGRADE_DEB := $(UPGRADE_DIR)/otelcol-twingate_$(VERSION)+upgrade_$(HOST_ARCH).deb
e2e: $(call PKG_NAME,$(HOST_ARCH),deb) $(call PKG_NAME,$(HOST_ARCH),rpm) $(UPGRADE_DEB) $(call PKG_NAME,$(HOST_ARCH),image.tar)
e2e: export OTELCOL_TWINGATE_DEB := $(abspath $(call PKG_NAME,$(HOST_ARCH),deb))
e2e: export OTELCOL_TWINGATE_DEB_UPGRADE := $(abspath $(UPGRADE_DEB))
e2e: export OTELCOL_TWINGATE_RPM := $(abspath $(call PKG_NAME,$(HOST_ARCH),rpm))
e2e: export OTELCOL_TWINGATE_IMAGE := $(abspath $(call PKG_NAME,$(HOST_ARCH),image.tar))
e2e: export OTELCOL_TWINGATE_IMAGE_ROOTFS := $(abspath $(IMAGE_ROOTFS))

# The upgrade test's .deb: goreleaser's packages once more, as version
# <version>+upgrade, in a dist of their own (a copy of .goreleaser.yaml with
# only the dist directory changed): without the before hooks (whose version check this
# build is the exception to), archives and images.
$(UPGRADE_DEB): $(SNAPSHOT)
	@mkdir -p $(@D)
	sed 's|$(DIST_DIR)|$(UPGRADE_DIR)/dist|g' .goreleaser.yaml > $(UPGRADE_DIR)/goreleaser.yaml
	OTELCOL_TWINGATE_VERSION=$(VERSION)+upgrade OTELCOL_TWINGATE_IMAGES=no \
		$(GORELEASER) release --snapshot --clean --skip=before,archive,sbom,sign --config $(UPGRADE_DIR)/goreleaser.yaml
	ln -f $(UPGRADE_DIR)/dist/otelcol-twingate_$(VERSION)+upgrade_linux_$(HOST_ARCH).deb $@ && touch $@
