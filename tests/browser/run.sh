#!/usr/bin/env bash
# `make browser-tests`: the campaign page in Debian's headless Chromium against
# clipstake-localnet (tests/browser/README.md).
#
#   run.sh                 installs what is missing, then runs the test
#   run.sh --background    starts installing what is missing in the background and returns
#                          (`make test` calls it before `cargo test`, so Chromium's download
#                          overlaps the compilation instead of adding to it)
#
# What it installs: Debian's chromium with apt when /usr/bin/chromium is missing (CI runs as
# root on a fresh machine; sudo otherwise), and playwright-core from the committed
# package-lock.json, with npm's cache under ~/.cache/clipstake/npm. The two binaries the test
# starts are built as `cargo test --workspace` builds them (a no-op right after it; the same
# features, so nothing is built twice).
set -euo pipefail
cd "$(dirname "$0")"

state="$HOME/.cache/clipstake"
pid_file="$state/browser-install.pid"
log_file="$state/browser-install.log"
export npm_config_cache="${npm_config_cache:-$state/npm}"

install_missing() {
  if [ ! -x /usr/bin/chromium ]; then
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "browser-tests: installing Debian's chromium"
    $sudo apt-get -o DPkg::Lock::Timeout=1800 update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=1800 install -y -qq \
      --no-install-recommends chromium >/dev/null
  fi
  npm ci --no-audit --no-fund --loglevel=error
}

wait_for_background_install() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    echo "browser-tests: waiting for the background install (log: $log_file)"
    while kill -0 "$pid" 2>/dev/null; do sleep 1; done
  fi
  rm -f "$pid_file"
}

if [ "${1:-}" = "--background" ]; then
  mkdir -p "$state"
  wait_for_background_install
  install_missing >"$log_file" 2>&1 &
  echo $! >"$pid_file"
  exit 0
fi

wait_for_background_install
# Again in the foreground: a no-op when the background install worked, its error if not.
install_missing

: "${CARGO_TARGET_DIR:=$state/target-host}"
export CARGO_TARGET_DIR
if [ ! -f ../../target/deploy/clipstake.so ]; then
  echo "browser-tests: target/deploy/clipstake.so is missing: run \`make build\` first" >&2
  exit 1
fi
(cd ../.. && cargo test --workspace --locked --no-run --quiet)
npm test
