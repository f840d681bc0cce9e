#!/usr/bin/env bash
# `make browser-tests`: the campaign page in Debian's headless Chromium against
# clipstake-localnet. Installs Chromium with apt when /usr/bin/chromium is missing (CI runs as
# root on a fresh machine), playwright-core from the committed package-lock.json (npm's cache
# under ~/.cache/clipstake/npm), and the two binaries the test starts, built as `cargo test
# --workspace` builds them (a no-op right after it, as in `make test`; the same features, so
# nothing is built twice).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "browser-tests: installing Debian's chromium"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

export npm_config_cache="${npm_config_cache:-$HOME/.cache/clipstake/npm}"
npm ci --no-audit --no-fund --loglevel=error

: "${CARGO_TARGET_DIR:=$HOME/.cache/clipstake/target-host}"
export CARGO_TARGET_DIR
if [ ! -f ../../target/deploy/clipstake.so ]; then
  echo "browser-tests: target/deploy/clipstake.so is missing: run \`make build\` first" >&2
  exit 1
fi
(cd ../.. && cargo test --workspace --locked --no-run --quiet)
npm test
