#!/usr/bin/env bash
# tools/sbf/build.sh -- the one build command for the on-chain program.
#
# Always produces target/deploy/clipstake.so (relative to the repository root).
#
#  * With Solana platform-tools installed (`cargo build-sbf` on PATH) it runs
#      cargo build-sbf --manifest-path programs/clipstake/Cargo.toml --sbf-out-dir target/deploy \
#        --features lean-entrypoint,no-log-ix-name
#    and nothing else.
#  * Otherwise it takes the offline route of /work/shared/SBF-OFFLINE.md, using only what apt and
#    crates.io provide: Debian's rustc/cargo 1.96 (rustc-web, cargo-web) building std from
#    Debian's library source (rust-web-src) patched for target_os = "solana"
#    (tools/sbf/std-solana.patch), the custom target tools/sbf/sbf-solana-solana.json.in, and
#    sbpf-linker 0.2.6 built against Debian's LLVM 22 driven by tools/sbf/link.sh.
#    Everything it installs or caches lives outside the clone (apt packages, ~/.cache/clipstake).
#
# Both routes build the deploy features: `lean-entrypoint` (the program's no-allocation
# entrypoint in place of Anchor's) and `no-log-ix-name` (no "Instruction: X" log line). Together
# they take about 1,200 compute units off a 17-account `disburse` and a 35-byte log line off
# every instruction; BENCHMARKS.md has the figures.
#
# Usage: tools/sbf/build.sh [extra cargo build args, e.g. -v]
# Environment:
#   CLIPSTAKE_SBF_TARGET_DIR   cargo target dir of the SBF build
#                              (default: $HOME/.cache/clipstake/target-sbf)
#   CLIPSTAKE_SBF_CACHE        cache root (default: $HOME/.cache/clipstake)
#   CLIPSTAKE_SBF_ARCH         sBPF version of the ELF: v0 (default, like cargo build-sbf;
#                              has a .dynsym) or v3 (sbpf-linker's default; no section headers)
#   CLIPSTAKE_SBF_MANY_ARGS    functions with >5 argument registers: pack (default) or inline
#   CLIPSTAKE_SBF_INLINE_THRESHOLD
#                              -inline-threshold of the whole-program IR step: 2000 (default,
#                              fewer compute units) or "llvm" (LLVM's default, ~25% smaller ELF)
#   CLIPSTAKE_SBF_CPU_FEATURES LLVM features of the code generation step
#                              (default +allows-misaligned-mem-access; empty for none)
#   CLIPSTAKE_SBF_STRICT_ALIGN_VARIANT=1
#                              also write target/deploy/<program>-strict-align.so: the same IR
#                              generated without +allows-misaligned-mem-access, which the tests
#                              run beside the real build and compare
#   CLIPSTAKE_SBF_ALLOW_DEB_REVISION=1
#                              accept a Debian revision of rustc-web/rust-web-src 1.96.0 other
#                              than the one this was written for (the std patch must still apply)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

PROGRAM=clipstake
DEPLOY_FEATURES=lean-entrypoint,no-log-ix-name
DEPLOY_DIR="$root/target/deploy"
mkdir -p "$DEPLOY_DIR"

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
say() { printf 'build.sh: %s\n' "$*" >&2; }
die() { printf 'build.sh: error: %s\n' "$*" >&2; exit 1; }
t_start=$(now)

# ------------------------------------------------------------------------------------------------
# Standard toolchain: use it unchanged.
if command -v cargo-build-sbf >/dev/null 2>&1; then
  say "cargo build-sbf found ($(command -v cargo-build-sbf)); using platform-tools"
  cargo build-sbf --manifest-path programs/clipstake/Cargo.toml --sbf-out-dir target/deploy \
    --features "$DEPLOY_FEATURES" "$@"
  exit $?
fi

# ------------------------------------------------------------------------------------------------
# Offline route. Versions this was written and tested for:
RUST_VERSION=1.96.0
RUST_DEB_VERSION="1.96.0+dfsg1-1~deb12u2"
LLVM_MAJOR=22
SBPF_LINKER_VERSION=0.2.6
APT_PACKAGES=(rustc-web cargo-web rust-web-src "llvm-${LLVM_MAJOR}-dev")
TRIPLE=sbf-solana-solana
RUSTFLAGS_SBF="-C passes=lower-atomic -Zunstable-options -Cpanic=immediate-abort"
BUILD_STD_ARGS=(-Zbuild-std=std,panic_abort -Zjson-target-spec
                --config 'unstable.build-std-features=[]')

CACHE="${CLIPSTAKE_SBF_CACHE:-$HOME/.cache/clipstake}"
TARGET_DIR="${CLIPSTAKE_SBF_TARGET_DIR:-$CACHE/target-sbf}"
ARCH="${CLIPSTAKE_SBF_ARCH:-v0}"
case "$ARCH" in v0|v3) ;; *) die "CLIPSTAKE_SBF_ARCH must be v0 or v3, not '$ARCH'" ;; esac
MANY_ARGS="${CLIPSTAKE_SBF_MANY_ARGS:-pack}"
case "$MANY_ARGS" in pack|inline) ;; *) die "CLIPSTAKE_SBF_MANY_ARGS must be pack or inline" ;; esac
INLINE_THRESHOLD="${CLIPSTAKE_SBF_INLINE_THRESHOLD:-2000}"
# `-` not `:-`: set and empty means no features.
CPU_FEATURES="${CLIPSTAKE_SBF_CPU_FEATURES-+allows-misaligned-mem-access}"
mkdir -p "$CACHE" "$TARGET_DIR"

# One build at a time per cache (setup steps and the generated target files are shared).
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
  say "waiting for another tools/sbf/build.sh using $CACHE ..."
  flock 9
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "need root or sudo to install ${APT_PACKAGES[*]}"
  SUDO=(sudo)
fi

pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null; }

# apt-get that waits for other apt/dpkg runs (e.g. a background install) instead of failing.
apt_get() {
  local tries=0 out rc
  while :; do
    set +e
    out=$("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
          apt-get -o DPkg::Lock::Timeout=1800 "$@" 2>&1)
    rc=$?
    set -e
    printf '%s\n' "$out" | tail -n 3 >&2
    if [[ $rc -eq 0 ]]; then return 0; fi
    if printf '%s' "$out" | grep -q "Could not get lock\|is held by process\|Unable to lock" \
       && [[ $tries -lt 60 ]]; then
      tries=$((tries + 1)); say "apt is busy, retrying in 30 s ($tries/60)"; sleep 30; continue
    fi
    return $rc
  done
}

# ---- 1. apt packages (once per machine) --------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if ((${#missing[@]})); then
  t0=$(now)
  say "installing apt packages: ${missing[*]} (about 1 GB; once per machine)"
  apt_get update -q || die "apt-get update failed"
  apt_get install -y -q --no-install-recommends "${missing[@]}" \
    || die "apt-get install ${missing[*]} failed"
  for p in "${APT_PACKAGES[@]}"; do pkg_installed "$p" || die "$p is still not installed"; done
  say "apt packages installed in $(secs "$t0" "$(now)") s"
fi

# ---- 2. versions: never patch a std this was not written for ------------------------------------
RUSTC=/usr/bin/rustc
CARGO=/usr/bin/cargo
LLVM_AS="llvm-as-${LLVM_MAJOR}"
STD_SRC="/usr/src/rustc-${RUST_VERSION}/library"
[[ -x $RUSTC && -x $CARGO ]] || die "/usr/bin/rustc or /usr/bin/cargo missing (rustc-web, cargo-web)"
rustc_v="$("$RUSTC" --version)"
cargo_v="$("$CARGO" --version)"
[[ "$rustc_v" == "rustc ${RUST_VERSION} "* ]] || die "Debian rustc is '$rustc_v', but tools/sbf \
was written for rustc ${RUST_VERSION} (std-solana.patch and the target JSON are version-specific). \
Redo tools/sbf/std-solana.patch for the new library source first."
[[ "$cargo_v" == "cargo ${RUST_VERSION} "* ]] || die "Debian cargo is '$cargo_v', expected ${RUST_VERSION}"
deb_rustc="$(pkg_version rustc-web)"
deb_src="$(pkg_version rust-web-src)"
[[ "$deb_src" == "$deb_rustc" ]] || die "rust-web-src $deb_src does not match rustc-web $deb_rustc"
if [[ "$deb_rustc" != "$RUST_DEB_VERSION" ]]; then
  if [[ "${CLIPSTAKE_SBF_ALLOW_DEB_REVISION:-}" == 1 ]]; then
    say "warning: rustc-web $deb_rustc is not the tested $RUST_DEB_VERSION (allowed by CLIPSTAKE_SBF_ALLOW_DEB_REVISION=1)"
  else
    die "rustc-web/rust-web-src are $deb_rustc, tools/sbf was written for $RUST_DEB_VERSION. \
If the std patch still applies and the program still builds and passes its tests, update \
RUST_DEB_VERSION in tools/sbf/build.sh (or set CLIPSTAKE_SBF_ALLOW_DEB_REVISION=1 once)."
  fi
fi
[[ -d "$STD_SRC/std" ]] || die "$STD_SRC missing (rust-web-src)"
command -v "$LLVM_AS" >/dev/null || die "$LLVM_AS missing (llvm-${LLVM_MAJOR})"
llvm_v="$("llvm-config-${LLVM_MAJOR}" --version)"
[[ "$llvm_v" == "${LLVM_MAJOR}."* ]] || die "llvm-config-${LLVM_MAJOR} reports $llvm_v"
for tool in patch python3 sha256sum flock; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

# ---- 3. sbpf-linker (once per machine) ---------------------------------------------------------
LINKER_ROOT="$CACHE/sbpf-linker"
LINKER="$LINKER_ROOT/bin/sbpf-linker"
linker_ok() {
  [[ -x $LINKER ]] || return 1
  local v; v="$("$LINKER" --version 2>/dev/null)" || return 1
  [[ "$(printf '%s\n' "$v" | head -n1)" == "sbpf-linker ${SBPF_LINKER_VERSION}" ]] \
    && printf '%s\n' "$v" | grep -q "^LLVM ${LLVM_MAJOR}\."
}
if ! linker_ok; then
  t0=$(now)
  say "building sbpf-linker ${SBPF_LINKER_VERSION} against LLVM ${LLVM_MAJOR} (about 4 min; once per machine)"
  # RUSTC: the crate ships a rust-toolchain.toml naming a nightly; with rustup's rustc proxy on
  # PATH that would be looked up (and fail), so name the Debian compiler explicitly.
  (cd / && LLVM_PREFIX="/usr/lib/llvm-${LLVM_MAJOR}" RUSTC="$RUSTC" "$CARGO" install \
     "sbpf-linker@${SBPF_LINKER_VERSION}" --no-default-features \
     --features "bpf-linker/llvm-${LLVM_MAJOR}" --root "$LINKER_ROOT" --force) \
    || die "cargo install sbpf-linker failed"
  linker_ok || die "$LINKER is not sbpf-linker ${SBPF_LINKER_VERSION} on LLVM ${LLVM_MAJOR}"
  say "sbpf-linker installed in $(secs "$t0" "$(now)") s"
fi
linker_v="$("$LINKER" --version | tr '\n' ' ')"

# ---- 4. patched std source (redone when the patch changes) ---------------------------------------
PATCH_FILE="$here/std-solana.patch"
std_hash="$( { cat "$PATCH_FILE"; echo "$deb_rustc"; } | sha256sum | cut -c1-16)"
STD_ROOT="$CACHE/sbf-std/$std_hash"
if [[ ! -f "$STD_ROOT/.complete" ]]; then
  t0=$(now)
  say "preparing patched std source in $STD_ROOT"
  rm -rf "$STD_ROOT" "$STD_ROOT.tmp"
  mkdir -p "$STD_ROOT.tmp"
  cp -a "$STD_SRC" "$STD_ROOT.tmp/library"
  patch -p1 --forward --batch --quiet -d "$STD_ROOT.tmp/library" <"$PATCH_FILE" \
    || die "tools/sbf/std-solana.patch does not apply to $STD_SRC ($deb_src)"
  touch "$STD_ROOT.tmp/.complete"
  mv "$STD_ROOT.tmp" "$STD_ROOT"
  # older patched copies are useless now
  for d in "$CACHE/sbf-std"/*; do [[ "$d" == "$STD_ROOT" ]] || rm -rf "$d"; done
  say "std source ready in $(secs "$t0" "$(now)") s"
fi

# ---- 5. target spec + linker entry point (stable paths inside the target dir) --------------------
write_if_changed() {  # file, content
  if [[ ! -f "$1" ]] || [[ "$(cat "$1")" != "$2" ]]; then printf '%s\n' "$2" >"$1.tmp"; mv "$1.tmp" "$1"; fi
}
WRAPPER="$TARGET_DIR/sbf-link"
wrapper_text="#!/bin/sh
# generated by tools/sbf/build.sh: linker of $TARGET_DIR/$TRIPLE.json
: \"\${SBF_LINKER:=$LINKER}\" \"\${SBF_LINK_PROGRAM:=$PROGRAM}\" \"\${SBF_ARCH:=$ARCH}\" \"\${SBF_LLVM_AS:=$LLVM_AS}\"
: \"\${SBF_MANY_ARGS:=$MANY_ARGS}\" \"\${SBF_INLINE_THRESHOLD:=$INLINE_THRESHOLD}\"
: \"\${SBF_CPU_FEATURES=$CPU_FEATURES}\"
export SBF_LINKER SBF_LINK_PROGRAM SBF_ARCH SBF_LLVM_AS SBF_MANY_ARGS SBF_INLINE_THRESHOLD SBF_CPU_FEATURES
exec \"$here/link.sh\" \"\$@\""
write_if_changed "$WRAPPER" "$wrapper_text"
chmod +x "$WRAPPER"
TARGET_JSON="$TARGET_DIR/$TRIPLE.json"
json_text="$(sed "s|@LINKER@|$WRAPPER|" "$here/$TRIPLE.json.in")"
write_if_changed "$TARGET_JSON" "$json_text"

# Cargo notices neither edits of the std source nor of the target JSON: start the target's
# build over when they (or the compiler/flags) change ...
full_stamp="$( { echo "$std_hash $rustc_v $cargo_v $RUSTFLAGS_SBF ${BUILD_STD_ARGS[*]}";
                 cat "$TARGET_JSON"; } | sha256sum | cut -c1-16)"
if [[ "$(cat "$TARGET_DIR/.stamp-$TRIPLE" 2>/dev/null)" != "$full_stamp" ]]; then
  if [[ -d "$TARGET_DIR/$TRIPLE" ]]; then
    say "std patch / target spec / compiler changed: removing $TARGET_DIR/$TRIPLE"
    rm -rf "${TARGET_DIR:?}/$TRIPLE"
  fi
  echo "$full_stamp" >"$TARGET_DIR/.stamp-$TRIPLE"
fi
# ... and relink the program when the link tools change.
link_stamp="$( { cat "$here/link.sh" "$here/rewrite_ir.py" "$WRAPPER"; echo "$linker_v"; } \
               | sha256sum | cut -c1-16)"
if [[ "$(cat "$TARGET_DIR/.stamp-link-$PROGRAM" 2>/dev/null)" != "$link_stamp" ]]; then
  rm -rf "$TARGET_DIR/$TRIPLE/release/.fingerprint/$PROGRAM-"*
  echo "$link_stamp" >"$TARGET_DIR/.stamp-link-$PROGRAM"
fi
t_setup=$(now)

# ---- 6. build ------------------------------------------------------------------------------------
say "cargo build (Debian rustc ${RUST_VERSION}, build-std, target $TRIPLE) -> $TARGET_DIR"
env -u CARGO_ENCODED_RUSTFLAGS -u RUSTC_WRAPPER -u RUSTC_WORKSPACE_WRAPPER -u CARGO_BUILD_TARGET \
  -u CARGO_BUILD_RUSTFLAGS \
  RUSTC_BOOTSTRAP=1 RUSTC_BOOTSTRAP_SYNTHETIC_TARGET=1 \
  __CARGO_TESTS_ONLY_SRC_ROOT="$STD_ROOT/library" \
  RUSTC="$RUSTC" RUSTDOC=/usr/bin/rustdoc CARGO_TARGET_DIR="$TARGET_DIR" \
  RUSTFLAGS="$RUSTFLAGS_SBF" \
  "$CARGO" build --release --locked -p "$PROGRAM" --manifest-path "$root/Cargo.toml" \
    --target "$TARGET_JSON" "${BUILD_STD_ARGS[@]}" --features "$DEPLOY_FEATURES" "$@" \
  || die "cargo build of $PROGRAM for $TRIPLE failed"
t_build=$(now)

# ---- 7. deploy artefact ------------------------------------------------------------------------
SO="$TARGET_DIR/$TRIPLE/release/lib$PROGRAM.so"
[[ -f "$SO" ]] || die "$SO was not produced"
[[ "$(head -c 4 "$SO" | od -An -tx1 | tr -d ' \n')" == "7f454c46" ]] || die "$SO is not an ELF file"
cp "$SO" "$DEPLOY_DIR/.$PROGRAM.so.tmp"
mv "$DEPLOY_DIR/.$PROGRAM.so.tmp" "$DEPLOY_DIR/$PROGRAM.so"

summary="$TARGET_DIR/$TRIPLE/release/deps/lib$PROGRAM.sbf-link/summary.txt"
if [[ -f "$summary" ]] && (( $(stat -c %Y "$summary") >= ${t_setup%.*} )); then
  cat "$summary" >&2
else
  say "program unchanged, not relinked"
fi
if [[ "${CLIPSTAKE_SBF_STRICT_ALIGN_VARIANT:-}" == 1 ]]; then
  stage3="$TARGET_DIR/$TRIPLE/release/deps/lib$PROGRAM.sbf-link/stage3-args.sh"
  [[ -f "$stage3" ]] || die "$stage3 is missing: relink the program (touch programs/$PROGRAM/src/lib.rs)"
  variant="$DEPLOY_DIR/$PROGRAM-strict-align.so"
  # sbpf-linker names its ELF after -o with the extension replaced by .so: keep it .so.
  partial="$DEPLOY_DIR/.$PROGRAM-strict-align.partial.so"
  eval "$(cat "$stage3") -o $(printf '%q' "$partial")" >"$TARGET_DIR/strict-align-link.log" 2>&1 \
    || { cat "$TARGET_DIR/strict-align-link.log" >&2; die "linking the strict-alignment variant failed"; }
  [[ "$(head -c 4 "$partial" | od -An -tx1 | tr -d ' \n')" == "7f454c46" ]] \
    || die "the strict-alignment variant $partial is not an ELF file"
  mv "$partial" "$variant"
  say "wrote target/deploy/$PROGRAM-strict-align.so (same IR, no +allows-misaligned-mem-access): $(stat -c %s "$variant") bytes"
fi
size=$(stat -c %s "$DEPLOY_DIR/$PROGRAM.so")
flags=$(od -An -j48 -N4 -tu4 "$DEPLOY_DIR/$PROGRAM.so" | tr -d ' ')
if [[ "$ARCH" == v0 ]]; then
  # v0 ELFs keep their section headers: the entrypoint must be an exported dynamic symbol.
  # (grep reads to the end: `grep -q` would exit early and, under pipefail, fail the
  # pipeline at random with readelf's SIGPIPE.)
  "llvm-readelf-${LLVM_MAJOR}" --dyn-syms "$DEPLOY_DIR/$PROGRAM.so" \
    | grep -E "GLOBAL +DEFAULT +[0-9]+ entrypoint$" >/dev/null \
    || die "target/deploy/$PROGRAM.so does not export 'entrypoint'"
fi
say "setup $(secs "$t_start" "$t_setup") s, cargo build $(secs "$t_setup" "$t_build") s, total $(secs "$t_start" "$(now)") s"
say "wrote target/deploy/$PROGRAM.so: $size bytes, sBPF e_flags $flags ($ARCH)"
