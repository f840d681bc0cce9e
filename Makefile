# ClipStake: the README's commands.
#   make demo   the main job on the embedded default (in-process SVM)
#   make test   builds the SBF program and runs every test (what CI runs)
#   make build  builds target/deploy/clipstake.so only
#   make bench  prints the compute-unit table of every instruction

SHELL := /bin/bash
# Host crates build with the rustup toolchain; the SBF build picks its own compiler.
export PATH := $(HOME)/.cargo/bin:$(PATH)
# Reused across runs and clones so a re-run does not rebuild the world.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/clipstake/target-host

.PHONY: build test unit-tests program-tests sbf-tool-tests bench demo fmt

build:
	bash tools/sbf/build.sh

test: build sbf-tool-tests
	cargo test --workspace --locked

sbf-tool-tests:
	python3 -m unittest discover -s tools/sbf -p 'test_*.py'

bench: build
	cargo run --locked --release -p clipstake-tests --example cu_report

demo: build
	cargo run --locked -p clipstake-client --bin clipstake -- demo

fmt:
	cargo fmt --all
