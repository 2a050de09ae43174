# otelcol-twingate: the twingateanalytics receiver and a custom collector built
# with the OpenTelemetry Collector Builder (ocb).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO          ?= go
OCB_VERSION := v0.165.0
OCB_MODULE  := go.opentelemetry.io/collector/cmd/builder
BUILD_DIR   := _build
# Tools built from Go modules live in the checkout, never in GOPATH/bin: a
# file target per pinned version, rebuilt from the shared Go build cache.
TOOLS_DIR   := $(BUILD_DIR)/tools
OCB         := $(TOOLS_DIR)/ocb-$(OCB_VERSION)
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

.PHONY: build run test e2e bench bench-fleet fuzz lint journal-fixtures clean ocb deps

build: $(BIN)

ocb: $(OCB)

# Order-only prerequisite of $(BIN): a new ocb never forces a rebuild by itself.
$(OCB):
	@mkdir -p $(@D)
	GOFLAGS= GOBIN=$(abspath $(@D)) $(GO) install $(OCB_MODULE)@$(OCB_VERSION)
	mv $(@D)/builder $@

# ocb_build CONFIG,DIR,BINARY: ocb generates the sources and go.mod and tidies
# it; its log goes to DIR/ocb.log and is shown only when ocb fails. Its `go mod
# tidy` runs with -e (GOFLAGS, which ocb's go commands inherit): tidy resolves
# the tests of every dependency too, and one of them imports a package the
# module proxy does not serve (contrib pkg/semconvtest), which the collector
# never compiles. --skip-get-modules is no way out: ocb then writes no go.mod.
# The compile is done here (the flags ocb uses, without cgo).
define ocb_build
	@mkdir -p $(2)
	@cd $(2) && rm -f $(GENERATED) $(3)
	@echo "ocb $(OCB_VERSION): generating $(2) from $(1) (log: $(2)/ocb.log)"
	@GOFLAGS="$$($(GO) env GOFLAGS) -e" "$(abspath $(OCB))" --config $(1) --skip-compilation >$(2)/ocb.log 2>&1 \
		|| { cat $(2)/ocb.log >&2; echo "ocb failed; its log is above and in $(2)/ocb.log" >&2; exit 1; }
	@for f in $(GENERATED); do \
		test -s $(2)/$$f || { cat $(2)/ocb.log >&2; echo "ocb did not generate $(2)/$$f" >&2; exit 1; }; \
	done
	cd $(2) && CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(3) .
	@touch $(2)/$(3)
endef

$(BIN): builder-config.yaml go.mod $(wildcard go.sum) $(GO_SOURCES) $(STANDINS:%=%/go.mod) | $(OCB)
	$(call ocb_build,builder-config.yaml,$(BUILD_DIR),otelcol-twingate)

# The stock contrib collector make bench compares with.
$(STOCK_BIN): testdata/bench/builder-config.yaml | $(OCB)
	$(call ocb_build,testdata/bench/builder-config.yaml,$(BUILD_DIR)/bench-stock,otelcol-bench-stock)

run: $(BIN)
	$(BIN) --config $(CONFIG)

# The OS packages the tests need and Go cannot provide (e2e/os-deps.sh says
# which and why): installed when missing, with sudo -n when not root; when
# that is impossible, make test stops here, before building anything, with
# the command to run.
deps:
	@e2e/os-deps.sh

# Every benchmark runs once first, so none can rot (the numbers come from
# make bench); the tests run last, so their summary closes the output.
test: deps $(BIN)
	$(GO) test -count=1 -run '^$$' -bench . -benchtime=1x ./...
	@for m in $(STANDINS); do (cd $$m && $(GO) test -count=1 ./...); done
	$(GO) test -count=1 ./...
	$(MAKE) --no-print-directory e2e

# Whole-collector tests (e2e/, a module of its own): the built binary, the
# examples and the deployment files. They fail, not skip, without the binary
# when CI is set. The fleet benchmark runs once, at a few thousand records, so
# that it cannot rot (the numbers come from make bench-fleet).
# The .deb install test (e2e/package_deb_test.go) needs root for its private
# root; go test shows why it skips only with -v, so it is said here.
e2e: deps $(BIN)
	@if [ "$$(id -u)" != 0 ]; then echo "note: not root, so TestDebInstall (install/upgrade/remove/purge of the .deb in a private root that leaves the machine untouched) is skipped: run make test as root to include it"; fi
	@if dpkg-query -W -f='$${db:Status-Status}' otelcol-twingate 2>/dev/null | grep -qv '^not-installed$$'; then echo "note: otelcol-twingate is installed on this machine; the tests leave it untouched"; fi
	cd e2e && OTELCOL_TWINGATE_BIN=$(abspath $(BIN)) $(GO) test -count=1 -bench '^BenchmarkFleetGateway$$' -benchtime=1x ./...

# Performance: Go microbenchmarks, then whole collectors on a generated 1M-line
# connector log (testdata/bench/run.sh). Not part of make test.
bench: $(BIN) $(STOCK_BIN)
	@mkdir -p $(BUILD_DIR)/bench
	$(GO) test -count=1 -run '^$$' -bench . -benchmem -cpu 1 ./pkg/... ./receiver/... | tee $(BUILD_DIR)/bench/micro.txt
	testdata/bench/run.sh $(BIN) $(STOCK_BIN) $(BUILD_DIR)/bench

# The fleet gateway's cost per record (e2e/fleet_bench_test.go,
# docs/fleet-sizing.md): the built binary on examples/fleet/gateway*.yaml and
# every variant tried, draining Kafka (kfake, in-process) to an OTLP/HTTP
# sink; a backlog of FLEET_BENCH_RECORDS records, and FLEET_BENCH_AGENTS
# agents sending once a second for FLEET_BENCH_TRICKLE seconds. CPU is the
# gateway process's utime + stime. The table goes to _build/bench/fleet.md.
FLEET_BENCH_RECORDS ?= 300000
FLEET_BENCH_AGENTS  ?= 200
FLEET_BENCH_TRICKLE ?= 10
bench-fleet: $(BIN)
	@mkdir -p $(BUILD_DIR)/bench
	cd e2e && OTELCOL_TWINGATE_BIN=$(abspath $(BIN)) FLEET_BENCH_RECORDS=$(FLEET_BENCH_RECORDS) \
		FLEET_BENCH_AGENTS=$(FLEET_BENCH_AGENTS) FLEET_BENCH_TRICKLE=$(FLEET_BENCH_TRICKLE) \
		FLEET_BENCH_OUT=$(abspath $(BUILD_DIR)/bench/fleet.md) \
		$(GO) test -count=1 -run '^$$' -bench '^BenchmarkFleetGateway$$' -benchtime=1x -timeout 90m . \
		| tee $(abspath $(BUILD_DIR)/bench/fleet.txt)

# Fuzzes the line -> record path (Translator.AppendLine) and the S3 sync
# object -> records path (ExportScanner, AppendExportEvent) for FUZZTIME. `make
# test` runs the seeds only. A crasher is saved under
# pkg/translator/twingate/testdata/fuzz/FuzzAppendLine/ (or FuzzExport/): commit it as a
# regression case with the fix.
fuzz:
	$(GO) test ./pkg/translator/twingate -run '^$$' -fuzz '^FuzzAppendLine$$' -fuzztime $(FUZZTIME)
	$(GO) test ./pkg/translator/twingate -run '^$$' -fuzz '^FuzzExport$$' -fuzztime $(FUZZTIME)

# golangci-lint, built once from its module like the backends below (its go.mod
# pins every linter it runs); a file target, so the first make lint builds it.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT         := $(BUILD_DIR)/tools/golangci-lint

$(GOLANGCI_LINT):
	@mkdir -p $(@D)
	GOFLAGS= GOBIN=$(abspath $(@D)) CGO_ENABLED=0 $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

# golangci-lint (.golangci.yml, close to contrib's: import groups, gofumpt,
# revive, errorlint, gosec, govet's analyzers, staticcheck, ...) in every Go
# module: the root, e2e/, packaging/ and the stand-ins. Each module is linted
# even when an earlier one fails, so one run lists every finding.
LINT_MODULES := . e2e packaging $(STANDINS)

lint: $(GOLANGCI_LINT)
	@failed=; for m in $(LINT_MODULES); do \
		echo "golangci-lint run ($$m)"; \
		(cd $$m && "$(abspath $(GOLANGCI_LINT))" run --config "$(abspath .golangci.yml)" ./...) || failed="$$failed $$m"; \
	done; \
	if [ -n "$$failed" ]; then echo "lint failed in:$$failed" >&2; exit 1; fi

journal-fixtures: deps
	internal/testcorpus/journal/make-fixtures.sh

clean:
	rm -rf $(BUILD_DIR)

# Backends the end-to-end tests start on 127.0.0.1 (docs/backends.md). Each is
# a file target: built once into _build/, reused by later runs; a fresh clone
# rebuilds them quickly from the shared Go build cache. promtool is built with
# Prometheus in one `go install`, so that they share the compilation.
PROMETHEUS3_VERSION  := v0.316.0
VICTORIALOGS_VERSION := v1.52.1
PROMETHEUS3_BIN      := $(BUILD_DIR)/prometheus3-$(PROMETHEUS3_VERSION)/prometheus
PROMTOOL_BIN         := $(BUILD_DIR)/prometheus3-$(PROMETHEUS3_VERSION)/promtool
VICTORIALOGS_BIN     := $(BUILD_DIR)/victorialogs-$(VICTORIALOGS_VERSION)/victoria-logs

.PHONY: prometheus3 victorialogs backends

prometheus3: $(PROMETHEUS3_BIN) $(PROMTOOL_BIN)
victorialogs: $(VICTORIALOGS_BIN)
backends: prometheus3 victorialogs

$(PROMETHEUS3_BIN) $(PROMTOOL_BIN) &:
	@mkdir -p $(@D)
	GOFLAGS= GOBIN=$(abspath $(@D)) CGO_ENABLED=0 $(GO) install \
		github.com/prometheus/prometheus/cmd/prometheus@$(PROMETHEUS3_VERSION) \
		github.com/prometheus/prometheus/cmd/promtool@$(PROMETHEUS3_VERSION)

$(VICTORIALOGS_BIN):
	@mkdir -p $(@D)
	GOFLAGS= GOBIN=$(abspath $(@D)) CGO_ENABLED=0 $(GO) install github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs@$(VICTORIALOGS_VERSION)

# make e2e (and so make test) starts them: e2e/prometheus_test.go,
# e2e/victorialogs_test.go.
e2e: $(PROMETHEUS3_BIN) $(PROMTOOL_BIN) $(VICTORIALOGS_BIN)
e2e: export OTELCOL_TWINGATE_PROMETHEUS3 := $(abspath $(PROMETHEUS3_BIN))
e2e: export OTELCOL_TWINGATE_PROMTOOL := $(abspath $(PROMTOOL_BIN))
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

package: $(foreach a,$(PKG_ARCHS),$(call PKG_NAME,$(a),deb) $(call PKG_NAME,$(a),rpm) $(BUILD_DIR)/linux_$(a)/otelcol-twingate)

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
e2e: $(BUILD_DIR)/linux_$(HOST_ARCH)/otelcol-twingate
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
