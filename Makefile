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
