# livechat: `make run` to chat, `make test` to check everything.
# Both install what they need (Go tools into ./bin, Chromium through apt).

SHELL   := /bin/bash
GO      ?= go
BIN     := $(CURDIR)/bin
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
ADDR    ?= localhost:8080
ARGS    ?=
# How long make fuzz runs each fuzz target (12 targets: about 2 minutes).
FUZZTIME ?= 8s

WASMBROWSERTEST_VERSION := v0.11.0
# Browser-side tools of the accessibility journeys, from the npm registry.
NPM_TOOLS := axe-core@4.10.3 lighthouse@11.7.1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(BIN):$(PATH)

.PHONY: all build wasm server release run test vet fuzz abuse test-go test-js bench bench-web tools npm-tools chromium clean

all: build

## build: the web app into web/ (with brotli and gzip copies), then the
## server into bin/
build: wasm server
	$(BIN)/livechat precompress web/app.wasm

# app.wasm is replaced only when it changed, so that its compressed copies
# (slow to make at the best level) are remade only then.
wasm:
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o web/app.wasm.new .
	@if cmp -s web/app.wasm.new web/app.wasm; then rm web/app.wasm.new; else mv web/app.wasm.new web/app.wasm; fi

server:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN)/livechat .

## release: bin/livechat with the web app built into it: one program that
## runs from any folder (-web still serves a directory instead)
release: build
	$(GO) build -trimpath -tags release -ldflags "-X main.version=$(VERSION)" -o $(BIN)/livechat .

## run: build and serve on $(ADDR); prints the URL to open
run: build
	$(BIN)/livechat -addr $(ADDR) $(ARGS)

## test: formatting and vet for both targets, every fuzz target for
## $(FUZZTIME), the native tests with the race detector, then the browser
## tests in headless Chromium
test: vet fuzz test-go test-js

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./...

## abuse: the abuse suite alone (part of test-go): limits, a flood, full
## storage, moderation, HTTP hardening, private metrics, TLS and backups,
## over real sockets
abuse:
	$(GO) test -race -count=1 -run '$(ABUSE_TESTS)' ./server/ ./server/store/

ABUSE_TESTS := TestAbuse|TestModeration|TestHardening|TestReady|TestMetricsNotPublic|TestMetricsToken|TestTLS|TestBackup|TestRestore

## fuzz: each fuzz target (decoder, batches, nicknames and their
## look-alikes, room names, texts, mentions, formatting, folding events
## onto messages, credentials, sign-up and invite codes) for $(FUZZTIME);
## an input that breaks one is kept in its testdata/fuzz directory
fuzz:
	GO=$(GO) scripts/fuzz $(FUZZTIME)

# The end-to-end journeys in the root package drive Chromium, and check
# accessibility with axe-core and Lighthouse. They take about 8 minutes,
# more on a busy machine: past go test's default of 10 for a package.
test-go: chromium npm-tools
	$(GO) test -race -timeout 30m ./...

# The GOOS=js tests run in Chromium through wasmbrowsertest. go test runs
# each test binary through bin/go_js_wasm_exec (scripts/), which starts a
# livechat server of its own for it.
test-js: tools chromium build
	GOOS=js GOARCH=wasm $(GO) test ./shared/... ./app/...

tools: $(BIN)/wasmbrowsertest $(BIN)/go_js_wasm_exec

$(BIN)/wasmbrowsertest:
	GOBIN=$(BIN) $(GO) install github.com/agnivade/wasmbrowsertest@$(WASMBROWSERTEST_VERSION)

$(BIN)/go_js_wasm_exec: scripts/go_js_wasm_exec
	mkdir -p $(BIN)
	cp $< $@

# npm-tools installs axe-core and Lighthouse into bin/npm once.
npm-tools: $(BIN)/npm/.installed

$(BIN)/npm/.installed: Makefile
	mkdir -p $(BIN)/npm
	npm install --prefix $(BIN)/npm --no-audit --no-fund --loglevel=error $(NPM_TOOLS)
	touch $@

# The emoji font makes the journeys' screenshots show emoji as people see
# them, not as empty boxes.
chromium:
	@command -v chromium >/dev/null 2>&1 && [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || { \
		echo "installing chromium and an emoji font (for the browser tests)"; \
		$(SUDO) apt-get update && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-color-emoji; }

## bench: the standard load scenarios with livechat bench, each against a
## fresh server, in one table (several minutes; nothing else should run)
bench: build
	$(BIN)/livechat bench -suite

## bench-web: app.wasm sizes, and load times in headless Chromium (medians of 5)
bench-web: chromium build
	@ls -l web/app.wasm web/app.wasm.gz web/app.wasm.br | awk '{ printf "%-20s %9d bytes\n", $$9, $$5 }'
	$(GO) test -run '^$$' -bench Load -benchtime 5x .

clean:
	rm -rf $(BIN) screenshots web/app.wasm web/app.wasm.new web/app.wasm.gz web/app.wasm.br
