#!/usr/bin/env bash
# Fuzzes the program's and the oracle's byte-taking code with libFuzzer (cargo fuzz), on the
# stable toolchain. See fuzz/README.md.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 20 s, every target
#
# Installs cargo-fuzz once per machine (into $HOME/.cache/clipstake/cargo-fuzz), builds the
# targets into $HOME/.cache/clipstake/target-fuzz, runs each for the given time and prints its
# executions, executions per second and coverage (libFuzzer's `cov:` edges and `ft:` features).
# Exits non-zero if any target crashed, after printing the crashing input's path; reproduce
# with `$HOME/.cache/clipstake/target-fuzz/x86_64-unknown-linux-gnu/release/TARGET PATH`.
#
# Stable Rust: `cargo fuzz build --sanitizer none` passes only stable rustc flags (the
# sancov passes and -Cllvm-args); the default AddressSanitizer would need -Zsanitizer, i.e.
# nightly. The code under test is safe Rust, so the bugs to find are panics: failed property
# assertions, overflows (overflow checks and debug assertions are on), out-of-range indexing.
#
# Environment: FUZZ_MERGE=1 afterwards minimises the working corpus into the committed one
# (fuzz/corpus/TARGET), to be reviewed and committed. FUZZ_RUNS=N bounds the run by work, as
# `make test` runs it: each target executes exactly N inputs, mutated from seed FUZZ_SEED
# (default 1), starting from the committed corpus alone (a fresh working corpus, not the
# cache's), so a run's size and starting point are the same on every machine; the seconds
# then only cap it. (The inputs still drift a little between runs: the targets' hash maps and
# the webhook check's clock steer which mutations are kept.)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_PER_TARGET=${1:-20}
shift || true
ALL_TARGETS=(attestation money_math mint_policy reports webhook video_urls)
if (($#)); then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
if ! [[ $SECONDS_PER_TARGET =~ ^[0-9]+$ ]] || ((SECONDS_PER_TARGET < 1)); then
    echo "usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...] (targets: ${ALL_TARGETS[*]})" >&2
    exit 2
fi

CACHE=$HOME/.cache/clipstake
CARGO_FUZZ_VERSION=0.13.2
CARGO_FUZZ_ROOT=$CACHE/cargo-fuzz
TARGET_DIR=$CACHE/target-fuzz
TRIPLE=x86_64-unknown-linux-gnu
BIN_DIR=$TARGET_DIR/$TRIPLE/release
WORK_CORPUS=$CACHE/fuzz-corpus
ARTIFACTS=$ROOT/fuzz/artifacts
LOGS=$CACHE/fuzz-logs
export PATH=$CARGO_FUZZ_ROOT/bin:$HOME/.cargo/bin:$PATH
# The machine's one toolchain; never a nightly that happens to be installed.
export RUSTUP_TOOLCHAIN=stable
# Not the host build's directory (other jobs compile there) nor its flags.
unset CARGO_TARGET_DIR RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS

say() { printf '==> %s\n' "$*" >&2; }

# 1. cargo-fuzz, once per machine.
if [[ "$(cargo-fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    say "installing cargo-fuzz $CARGO_FUZZ_VERSION into $CARGO_FUZZ_ROOT (once per machine)"
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" --root "$CARGO_FUZZ_ROOT" \
        --target-dir "$CACHE/target-cargo-fuzz-install"
    rm -rf "$CACHE/target-cargo-fuzz-install"
fi

# 2. The targets. `cargo fetch --locked` refuses a fuzz/Cargo.lock that would need changes.
cd "$ROOT/fuzz"
cargo fetch --locked --quiet
say "building fuzz targets (${TARGETS[*]}) into $TARGET_DIR"
build_started=$SECONDS
for target in "${TARGETS[@]}"; do
    cargo fuzz build --sanitizer none --target-dir "$TARGET_DIR" "$target"
done
say "built in $((SECONDS - build_started)) s"

# 3. Known crashers (fuzz/regressions/TARGET/*): each input once; a bug found and not yet
#    fixed fails here, and after the fix it stays a regression test.
mkdir -p "$LOGS"
failed=()
for target in "${TARGETS[@]}"; do
    for input in "$ROOT/fuzz/regressions/$target"/*; do
        [[ -f $input ]] || continue
        if ! RUST_BACKTRACE=0 "$BIN_DIR/$target" "$input" >"$LOGS/$target.regression.log" 2>&1; then
            echo "---- $target: regression input $input still crashes:" >&2
            grep -m 1 -A 3 "panicked at" "$LOGS/$target.regression.log" >&2 || true
            echo "reproduce: $BIN_DIR/$target $input" >&2
            failed+=("$target:regression:$(basename "$input")")
        fi
    done
done

# 4. Each target for SECONDS_PER_TARGET. New inputs go to the working corpus (first
#    directory, kept in the cache between runs); the committed seeds are read only.
#    FUZZ_KEEP_GOING=1 runs libFuzzer's fork mode and keeps fuzzing past a crash (every
#    crashing input is kept; the run still fails).
rows=()
if [[ -n ${FUZZ_RUNS:-} ]]; then
    if ! [[ $FUZZ_RUNS =~ ^[0-9]+$ && ${FUZZ_SEED:-1} =~ ^[0-9]+$ ]]; then
        echo "FUZZ_RUNS and FUZZ_SEED must be whole numbers" >&2
        exit 2
    fi
    WORK_CORPUS=$(mktemp -d)
    trap 'rm -rf "$WORK_CORPUS"' EXIT
fi
for target in "${TARGETS[@]}"; do
    mkdir -p "$WORK_CORPUS/$target" "$ARTIFACTS/$target"
    log=$LOGS/$target.log
    say "fuzzing $target for ${SECONDS_PER_TARGET} s (log: $log)"
    options=(-max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048
        -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$target/")
    [[ -f $ROOT/fuzz/dicts/$target.dict ]] && options+=(-dict="$ROOT/fuzz/dicts/$target.dict")
    [[ ${FUZZ_KEEP_GOING:-0} == 1 ]] && options+=(-fork=1 -ignore_crashes=1)
    [[ -n ${FUZZ_RUNS:-} ]] && options+=(-runs="$FUZZ_RUNS" -seed="${FUZZ_SEED:-1}")
    marker=$LOGS/$target.started
    touch "$marker"
    status=0
    "$BIN_DIR/$target" "${options[@]}" "$WORK_CORPUS/$target" "$ROOT/fuzz/corpus/$target" \
        >"$log" 2>&1 || status=$?
    # The last status line: "#N <event> cov: C ft: F corp: K/S ... exec/s: E ..." (fork mode:
    # "#N: cov: C ft: F corp: K exec/s: E ...").
    last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n 1 || true)
    execs=$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' "$log" | tail -n 1)
    rate=$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$log" | tail -n 1)
    # A run that stops at a crash in its first second reports 0 exec/s: use the status line's.
    [[ -n $execs ]] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
    [[ -n $rate && $rate != 0 ]] || rate=$(sed -nE 's/.* exec\/s: ([0-9]+).*/\1/p' <<<"$last")
    # A bounded run done within its first second: its rate is at least its executions.
    [[ -n $rate && $rate != 0 ]] || rate=">${execs:-0}"
    cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
    ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
    corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
    mapfile -t crashes < <(find "$ARTIFACTS/$target" -type f -newer "$marker" | sort)
    if ((status == 0 && ${#crashes[@]} == 0)); then
        result=ok
    else
        failed+=("$target")
        result="CRASH (exit $status) ${crashes[*]:-(no input written: see $log)}"
        echo "---- $target crashed (exit $status); log: $log" >&2
        for crash in "${crashes[@]}"; do
            {
                echo "crashing input: $crash"
                echo "  bytes (hex, first 512): $(head -c 512 "$crash" | od -An -tx1 -v | tr -d ' \n')"
                RUST_BACKTRACE=0 "$BIN_DIR/$target" "$crash" 2>&1 | grep -m 1 -A 3 "panicked at" | sed 's/^/  /' || true
                echo "  reproduce: $BIN_DIR/$target $crash"
            } >&2
        done
    fi
    rows+=("$(printf '%-12s %12s %9s %6s %7s %7s  %s' "$target" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")")
done

echo
printf '%-12s %12s %9s %6s %7s %7s  %s\n' target execs exec/s cov ft corpus result
printf '%s\n' "${rows[@]}"
if [[ -n ${FUZZ_RUNS:-} ]]; then
    echo "($FUZZ_RUNS inputs per target from seed ${FUZZ_SEED:-1}, at most ${SECONDS_PER_TARGET} s; cov = edges, ft = features, corpus = inputs kept)"
else
    echo "(${SECONDS_PER_TARGET} s per target; cov = edges, ft = features, corpus = inputs kept)"
fi

if [[ ${FUZZ_MERGE:-0} == 1 ]]; then
    for target in "${TARGETS[@]}"; do
        say "merging $WORK_CORPUS/$target into fuzz/corpus/$target"
        "$BIN_DIR/$target" -merge=1 "$ROOT/fuzz/corpus/$target" "$WORK_CORPUS/$target" \
            >"$LOGS/$target.merge.log" 2>&1
    done
fi

if ((${#failed[@]})); then
    echo "fuzzing found crashes in: ${failed[*]}" >&2
    exit 1
fi
