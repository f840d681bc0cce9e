# ClipStake: the README's commands.
#   make demo   the main job on the embedded default (in-process SVM)
#   make test   builds the SBF program and runs every test, with rustfmt and clippy (what CI runs)
#   make browser-tests   the campaign page in headless Chromium (part of `test`; installs
#               Debian's chromium when it is missing)
#   make build  builds target/deploy/clipstake.so (the tests also link the strict-alignment
#               variant beside it, see tools/sbf/README.md) and the IDL (make idl)
#   make idl    target/idl/clipstake.json and target/types/clipstake.ts, as `anchor build`
#               (copied from idl/ when idl/.source-hash shows it is this checkout's build)
#   make idl-build      always runs the builder
#   make idl-commit     builds and copies them to idl/ with the hash of their sources
#               (committed; a test fails when it is stale)
#   make test-ts        the TypeScript suites (tests/ts on litesvm and the local validator,
#                        clients/js); what `anchor test --skip-build` runs
#   make clients-js     regenerates the Codama client in clients/js/src/generated from idl/
#   make bench  prints the compute-unit table of every instruction
#   make bench-oracle    oracle throughput on the embedded chain
#   make bench-localnet  oracle throughput against the local validator over JSON-RPC
#   make bench-tracking  10,000 videos read through the view sources' router from local fakes
#   make localnet        runs the local validator (Ctrl-C stops it)
#   make fuzz-smoke      every fuzz target for 10 s (fuzz/README.md)
#   make fuzz-bounded    every fuzz target for 200,000 inputs from a fixed seed (part of `test`)
#   make fuzz            every fuzz target for 120 s (FUZZ_SECONDS=N to change), then the
#                        lifecycle test for 100,000 operations per asset (FUZZ_LIFECYCLE_OPS=N)

SHELL := /bin/bash
# Host crates build with the rustup toolchain; the SBF build picks its own compiler.
export PATH := $(HOME)/.cargo/bin:$(PATH)
# Reused across runs and clones so a re-run does not rebuild the world.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/clipstake/target-host

.PHONY: fmt-check build idl idl-build idl-commit idl-tests test-ts ts-suites clients-js build-with-variant test test-sbf-side test-host-build host-packages ts-install browser-tests unit-tests program-tests sbf-tool-tests bench bench-oracle bench-localnet bench-tracking \
	localnet demo fmt fuzz fuzz-smoke fuzz-bounded

build: idl
	bash tools/sbf/build.sh

# Anchor's IDL builder compiles the program's `idl-build` test in its own target directory
# (tools/idl/README.md). When idl/.source-hash says the committed idl/ was built from exactly
# this checkout (tools/idl/stamp.sh), that is what the builder would write: it is copied into
# target/ instead, and any change to the program, the locks, the tool or idl/ builds again.
# The IDL tool (its own workspace) compiles in its own target directory: sharing the host
# build's would make `make test`'s SBF side wait for that build's lock, then compile the tool
# after it, on the critical path.
IDL_TOOL_TARGET_DIR := $(HOME)/.cache/clipstake/target-idl-tool

idl:
	@if [ "$$(bash tools/idl/stamp.sh)" = "$$(cat idl/.source-hash 2>/dev/null)" ]; then \
	  echo "idl: idl/ is this checkout's build (idl/.source-hash); copied to target/idl and target/types"; \
	  mkdir -p target/idl target/types; \
	  cp idl/clipstake.json target/idl/; cp idl/clipstake.ts target/types/; \
	else \
	  $(MAKE) --no-print-directory idl-build; \
	fi

idl-build:
	CARGO_TARGET_DIR=$(IDL_TOOL_TARGET_DIR) cargo run --locked --quiet --manifest-path tools/idl/Cargo.toml

idl-commit: idl-build
	cp target/idl/clipstake.json target/types/clipstake.ts idl/
	bash tools/idl/stamp.sh > idl/.source-hash

# The SBF side (the program, its variant, the IDL and their tools' tests) and the host test
# binaries compile at the same time: each leaves a core idle for long stretches (the linker's
# install, the program's and the biggest crates' codegen), and neither needs the other until the
# tests run. Chromium and playwright-core install in the background meanwhile (after the SBF
# build's own apt step, so the two never wait on each other).
test: fmt-check
	$(MAKE) --no-print-directory test-sbf-side & sbf_side=$$!; \
	  $(MAKE) --no-print-directory test-host-build; host_build=$$?; \
	  wait $$sbf_side && exit $$host_build
	$(LINTED) cargo test --workspace --locked
	$(MAKE) ts-suites
	$(LINTED) $(MAKE) browser-tests

test-sbf-side:
	$(MAKE) --no-print-directory build-with-variant
	bash tests/browser/run.sh --background
	$(MAKE) --no-print-directory ts-install
	$(MAKE) --no-print-directory idl
	$(MAKE) --no-print-directory sbf-tool-tests idl-tests
	$(MAKE) --no-print-directory fuzz-bounded

test-host-build: host-packages
	$(LINTED) cargo test --workspace --locked --no-run

# Debian's libssl-dev and pkg-config, which the host crates link instead of compiling OpenSSL
# (.cargo/config.toml); apt installs them when missing.
host-packages:
	@bash tools/host-packages.sh

# Clippy lints the workspace's crates inside the host test build, as `cargo clippy -- -D warnings`
# would (clippy-driver as the workspace wrapper, the arguments passed the way cargo-clippy passes
# them): the workspace's crates compile with every lint checked while the dependencies still go to
# plain rustc, so linting costs no second, check-mode build of the whole graph. A warning of
# rustc's or clippy's fails `make test`; the test binaries, examples included, are linted too.
LINTED := RUSTC_WORKSPACE_WRAPPER=clippy-driver CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

# The page in headless Chromium against the local validator (tests/browser/README.md).
browser-tests:
	bash tests/browser/run.sh

# npm from the machine (node 20); packages as pinned by each package-lock.json.
export npm_config_cache ?= $(HOME)/.cache/clipstake/npm
# `npm install --no-save` rather than `npm ci`: litesvm 1.5.0 lists optional native packages for
# other platforms that were never published at 1.5.0, which `npm ci` reports as a lock file out
# of sync. With the lock file present, install takes exactly its versions and leaves it as is.
NPM_CI := npm install --no-save --prefer-offline --no-audit --no-fund --loglevel=error

# Alone, test-ts first builds the validator binary the suite starts. `make test` runs the suites
# on the one `cargo test --workspace` has just built: a `cargo build` resolves the workspace's
# features without the dev-dependencies and would rebuild Surfpool (about a minute, warm).
test-ts: host-packages
	cargo build --workspace --locked --bin clipstake-localnet
	$(MAKE) ts-suites

ts-suites:
	cd tests/ts && $(NPM_CI) && npm test
	cd clients/js && $(NPM_CI) && npm test

# The suites' packages, fetched while the host tests compile (`ts-suites` then finds them).
ts-install:
	cd tests/ts && $(NPM_CI)
	cd clients/js && $(NPM_CI)

clients-js:
	cd clients/js && $(NPM_CI) && npm run generate

# The IDL tool's own workspace: the conversion, and the committed idl/ against the build.
idl-tests:
	CARGO_TARGET_DIR=$(IDL_TOOL_TARGET_DIR) cargo test --locked --manifest-path tools/idl/Cargo.toml

# The program plus the same IR generated without +allows-misaligned-mem-access, which
# tests/tests/codegen_equivalence.rs runs beside it.
build-with-variant:
	CLIPSTAKE_SBF_STRICT_ALIGN_VARIANT=1 bash tools/sbf/build.sh

sbf-tool-tests:
	python3 -m unittest discover -s tools/sbf -p 'test_*.py'

bench: build host-packages
	cargo run --locked --release -p clipstake-tests --example cu_report

# The optimised whole-stack benchmarks have their own target directory: the `bench` profile
# shares `release/` with `make bench`'s fat-LTO build, and each would rebuild the other.
BENCH_TARGET_DIR := $(HOME)/.cache/clipstake/target-bench

bench-oracle: build host-packages
	CARGO_TARGET_DIR=$(BENCH_TARGET_DIR) cargo test --locked --profile bench --workspace \
		--test oracle -- --ignored --nocapture

# The benchmark's setup runs the `clipstake` binary: building the CLI's tests builds it, with the
# same features as the benchmark's own build (a `cargo build` would resolve them differently).
bench-localnet: build host-packages
	CARGO_TARGET_DIR=$(BENCH_TARGET_DIR) cargo test --locked --profile bench --workspace \
		--test cli --no-run
	CARGO_TARGET_DIR=$(BENCH_TARGET_DIR) cargo test --locked --profile bench --workspace \
		--test throughput -- --ignored --nocapture

# The view sources' router over 10,000 videos from local fakes that enforce each source's
# limits (time scaled down 360x); no program build needed.
bench-tracking: host-packages
	CARGO_TARGET_DIR=$(BENCH_TARGET_DIR) cargo test --locked --profile bench --workspace \
		--test tracking_bench -- --ignored --nocapture

# The validator on the Solana CLI's usual ports, upgrade authority = the default keypair.
localnet: build host-packages
	cargo run --locked --bin clipstake-localnet -- $(LOCALNET_ARGS)

demo: build host-packages
	cargo run --locked -p clipstake-cli --bin clipstake -- demo

fmt:
	cargo fmt --all

# Part of `make test`: unformatted code fails CI (`make fmt` fixes it).
fmt-check:
	cargo fmt --all -- --check

# libFuzzer targets (fuzz/, its own Cargo.lock and target directory under ~/.cache/clipstake;
# cargo-fuzz installed there once per machine). `test` runs `fuzz-bounded` at the end of its
# SBF side, beside the host build: every target for FUZZ_TEST_RUNS inputs from a fixed seed and
# the committed corpus (about 4.5 min on a new machine, install and build included, of which
# about 2 min past the host build there; 30 s warm).
FUZZ_TEST_RUNS ?= 200000
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_SECONDS ?= 120
FUZZ_LIFECYCLE_OPS ?= 100000

fuzz-smoke:
	bash tools/fuzz.sh $(FUZZ_SMOKE_SECONDS)

fuzz-bounded:
	FUZZ_RUNS=$(FUZZ_TEST_RUNS) bash tools/fuzz.sh 60

fuzz: build host-packages
	bash tools/fuzz.sh $(FUZZ_SECONDS)
	CLIPSTAKE_LIFECYCLE_OPS=$(FUZZ_LIFECYCLE_OPS) cargo test --locked -p clipstake-tests \
		--test invariants -- --nocapture --test-threads 3 lifecycle_
