#!/usr/bin/env bash
# Prints the hash of everything the committed IDL is made from, and of the committed files
# themselves: the program crate, the workspace manifest and lock, Anchor.toml, this tool's
# sources and lock, the compiler's version, idl/clipstake.json and idl/clipstake.ts.
#
# `make idl-commit` writes it to idl/.source-hash after a real build. When it still matches,
# idl/ is exactly what the builder makes from this checkout, and `make idl` copies it into
# target/ instead of compiling the program and Anchor a second time (the builder's own features
# and flags). Any change to one of those files, or to idl/ by hand, builds and compares again.
set -euo pipefail
cd "$(dirname "$0")/../.."
{
  find programs/clipstake tools/idl/src -type f -not -path '*/target/*' | LC_ALL=C sort
  printf '%s\n' Cargo.toml Cargo.lock Anchor.toml tools/idl/Cargo.toml tools/idl/Cargo.lock \
    tools/idl/stamp.sh idl/clipstake.json idl/clipstake.ts
} | while read -r file; do
  printf '%s %s\n' "$(sha256sum <"$file" | cut -c1-64)" "$file"
done | { cat; rustc --version; } | sha256sum | cut -c1-64
