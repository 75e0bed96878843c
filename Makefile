# Cristallo-RS: `make run` starts the app, `make test` runs every check CI runs.
# Both install what is missing first (scripts/setup.sh; Debian 12, as root).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: setup build run test bench package

setup:
	bash scripts/setup.sh

build: setup
	cargo build -p cristallo-server --release
	test -f data/recordings/demo_harmonic.csv || cargo run -q -p cristallo-server --release -- make-demo-recordings --out data/recordings
	if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then cargo build -p cristallo-app; fi

# With a display: the desktop window. Without one: the server, which prints its URL first.
run: build
	if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
	  cargo run -p cristallo-app; \
	else \
	  echo "No display (\$$DISPLAY / \$$WAYLAND_DISPLAY): serving the UI in the browser instead."; \
	  cargo run -p cristallo-server --release -- serve --bind 127.0.0.1:0; \
	fi

# The .deb of the desktop app (Tauri CLI): icon, desktop entry, version, WebKitGTK as a
# dependency and calculix-ccx recommended. PROFILE=debug reuses the test build (CI does this).
PROFILE ?= release
package: setup
	node_modules/.bin/tauri build --bundles deb $(if $(filter debug,$(PROFILE)),--debug,) --ci

# No incremental caches in the test build: they only cost disk (GBs) on a one-off CI run.
test: export CARGO_INCREMENTAL = 0
test: setup
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace
	cargo build -p cristallo-server -p cristallo-app
	$(MAKE) package PROFILE=debug
	xvfb-run -a cargo test -p cristallo-tests -- --ignored --test-threads=1

bench: setup
	cargo bench -p cristallo-core
	cargo bench -p cristallo-server --bench round_trip
