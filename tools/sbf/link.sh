#!/usr/bin/env bash
# Link wrapper used as the `linker` of the sbf-solana-solana target (see build.sh).
#
# rustc calls it like bpf-linker:
#   link.sh --export-symbols F --llvm-args=... --disable-math-builtins symbols.o *.rcgu.o *.rlib
#           -L DIR --cpu generic -o OUT.so -O3 --debug
# and for the program's cdylib it runs the 3-step route of /work/shared/SBF-OFFLINE.md:
#   1. sbpf-linker --emit llvm-ir [--llvm-args=-inline-threshold=N]  -> stage1.ll (whole program)
#   2. rewrite_ir.py stage1.ll -> stage2.ll  (sret, >5-arg functions, umul.with.overflow.i64,
#      f64 ops; refuses anything else the BPF backend would reject), then llvm-as -> stage2.bc
#      Functions with more than 5 argument registers get their trailing arguments packed into a
#      caller-built struct (default). SBF-OFFLINE.md's alternative, alwaysinline
#      (SBF_MANY_ARGS=inline), inlines every Anchor instruction handler into `entrypoint` for a
#      program with many instructions, which then exceeds the 4 KiB stack frame and the 16-bit
#      branch range ("Branch target out of insn range").
#   3. sbpf-linker stage2.bc exporting only `entrypoint` and the mem functions -> OUT.so
# Intermediate files are kept in OUT.so's directory under <name>.sbf-link/ for inspection.
#
# Other cdylibs in the graph (solana-zk-sdk declares crate-type cdylib) are never deployed;
# for them a small placeholder file is written instead of a program (name != $SBF_LINK_PROGRAM).
#
# Environment (set by build.sh):
#   SBF_LINKER            path of the sbpf-linker binary (required)
#   SBF_LINK_PROGRAM      crate name whose cdylib is the program (default: clipstake)
#   SBF_LLVM_AS           llvm-as of LLVM 22 (default: llvm-as-22)
#   SBF_ARCH              sBPF arch for the final ELF, v0 or v3 (unset: sbpf-linker default, v3;
#                         build.sh sets v0 unless CLIPSTAKE_SBF_ARCH says otherwise)
#   SBF_MANY_ARGS         pack (default) or inline: see step 2
#   SBF_INLINE_THRESHOLD  -inline-threshold for step 1 (default 2000 as in SBF-OFFLINE.md;
#                         "llvm" = LLVM's own default: smaller ELF, more compute units)
#   SBF_EXPORTS           symbols the final ELF exports
#                         (default: entrypoint,SECURITY_TXT,memcpy,memmove,memset,memcmp,bcmp;
#                         SECURITY_TXT is solana-security-txt's static, which nothing references:
#                         unexported, the whole-program link drops it and its text)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
linker="${SBF_LINKER:?SBF_LINKER must point to sbpf-linker (run tools/sbf/build.sh)}"
program="${SBF_LINK_PROGRAM:-clipstake}"
llvm_as="${SBF_LLVM_AS:-llvm-as-22}"
exports="${SBF_EXPORTS:-entrypoint,SECURITY_TXT,memcpy,memmove,memset,memcmp,bcmp}"
python="${SBF_PYTHON:-python3}"
many_args="${SBF_MANY_ARGS:-pack}"
inline_threshold="${SBF_INLINE_THRESHOLD:-2000}"
inline_args=()
[[ "$inline_threshold" != llvm ]] && inline_args=("--llvm-args=-inline-threshold=$inline_threshold")

args=("$@")
out=""
inputs=()     # objects and archives
passthru=()   # options kept for both sbpf-linker runs
for ((i = 0; i < ${#args[@]}; i++)); do
  a="${args[$i]}"
  case "$a" in
    -o) out="${args[$((i + 1))]}"; i=$((i + 1)) ;;
    --export-symbols) export_file="${args[$((i + 1))]}"; i=$((i + 1)) ;;
    -L) i=$((i + 1)) ;;
    --cpu|--cpu-features|-O|--log-level|--log-file|--target)
      passthru+=("$a" "${args[$((i + 1))]}"); i=$((i + 1)) ;;
    --llvm-args=*|--cpu=*|--cpu-features=*|-O?|-O*|--disable-math-builtins|--disable-memory-builtins|--btf|--allow-bpf-trap)
      passthru+=("$a") ;;
    --debug|--export=*|--emit=*) ;;
    -*) echo "link.sh: unexpected linker argument '$a'" >&2; exit 1 ;;
    *) inputs+=("$a") ;;
  esac
done
[[ -n "$out" ]] || { echo "link.sh: no -o OUTPUT given" >&2; exit 1; }

base="$(basename "$out")"
case "$base" in
  "lib${program}.so"|"lib${program}-"*.so) ;;
  *)
    # A dependency that happens to be a cdylib: not a program we deploy. Do not pretend.
    printf 'placeholder written by tools/sbf/link.sh: %s is a dependency cdylib, not linked\n' \
      "$base" >"$out"
    exit 0 ;;
esac

work="${out%.so}.sbf-link"
rm -rf "$work"
mkdir -p "$work"
printf '%q ' "$0" "$@" >"$work/rustc-link-args.sh"; echo >>"$work/rustc-link-args.sh"
arch_args=()
[[ -n "${SBF_ARCH:-}" ]] && arch_args=(--arch "$SBF_ARCH")

t0=$(date +%s.%N)
# ---- step 1: whole-program IR. sbpf-linker writes the IR, then fails trying to read it back as
# an ELF ("Error opening object file"); that one failure is expected, anything else is not.
set +e
"$linker" "${passthru[@]}" ${export_file:+--export-symbols "$export_file"} "${inputs[@]}" \
  --emit llvm-ir "${inline_args[@]}" --deploy false \
  -o "$work/stage1.ll" >"$work/stage1.log" 2>&1
rc=$?
set -e
if [[ $rc -ne 0 ]]; then
  if ! grep -q "Error opening object file" "$work/stage1.log" \
     || grep -q "ERROR llvm\|LLVM issued diagnostic" "$work/stage1.log" \
     || ! head -c 64 "$work/stage1.ll" 2>/dev/null | grep -q "^; ModuleID"; then
    echo "link.sh: step 1 (sbpf-linker --emit llvm-ir) failed:" >&2
    cat "$work/stage1.log" >&2
    exit 1
  fi
fi
t1=$(date +%s.%N)

# ---- step 2: rewrite (refuses what it cannot make safe) and assemble.
if ! "$python" "$here/rewrite_ir.py" "$work/stage1.ll" -o "$work/stage2.ll" \
      --export "$exports" --many-args "$many_args" 2>"$work/rewrite.log"; then
  echo "link.sh: step 2 (tools/sbf/rewrite_ir.py) refused the program IR ($work/stage1.ll):" >&2
  cat "$work/rewrite.log" >&2
  exit 1
fi
"$llvm_as" "$work/stage2.ll" -o "$work/stage2.bc"
t2=$(date +%s.%N)

# ---- step 3: final link exporting only the entrypoint and the mem functions.
rm -f "$out"
# Code generation. `+allows-misaligned-mem-access` (the sBPF VM accepts unaligned loads and
# stores): without it LLVM's BPF backend expands every alignment-1 access (each Pubkey, each
# borsh field) byte by byte. Only this step generates code, so the IR above is the same with or
# without it, and `stage3-args.sh` lets tools/sbf/build.sh link a variant from the same IR.
cpu_features=()
[[ -n "${SBF_CPU_FEATURES:-}" ]] && cpu_features=("--cpu-features=$SBF_CPU_FEATURES")
stage3=("$linker" "${passthru[@]}" "${arch_args[@]}" --export "$exports" --deploy false \
        "$work/stage2.bc")
printf '%q ' "${stage3[@]}" >"$work/stage3-args.sh"
if ! "${stage3[@]}" "${cpu_features[@]}" -o "$out" >"$work/stage3.log" 2>&1; then
  echo "link.sh: step 3 (final sbpf-linker) failed:" >&2
  cat "$work/stage3.log" >&2
  exit 1
fi
if [[ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' \n')" != "7f454c46" ]]; then
  echo "link.sh: $out is not an ELF file" >&2
  exit 1
fi
t3=$(date +%s.%N)
{
  awk -v b="$base" -v s="$(stat -c %s "$out")" -v a="$t0" -v c="$t1" -v d="$t2" -v e="$t3" \
    'BEGIN { printf "link.sh: %s linked (%s bytes): IR %.1fs, rewrite %.1fs, codegen %.1fs\n",
             b, s, c - a, d - c, e - d }'
  sed 's/^/link.sh: /' "$work/rewrite.log"
} >"$work/summary.txt"
cat "$work/summary.txt" >&2
