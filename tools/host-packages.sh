#!/usr/bin/env bash
# The C libraries the host crates link from the system (.cargo/config.toml says why): Debian's
# libssl-dev, found through pkg-config. Installed with apt when missing (once per machine; the
# machines CI uses have both already), waiting for any other apt run instead of failing.
set -euo pipefail

if command -v pkg-config >/dev/null && pkg-config --exists openssl; then
  exit 0
fi
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "host-packages.sh: install libssl-dev and pkg-config (need root or sudo)" >&2; exit 1; }
  sudo=(sudo)
fi
echo "host-packages.sh: installing libssl-dev and pkg-config (once per machine)" >&2
apt() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=1800 "$@"; }
apt update -qq
apt install -y -qq --no-install-recommends libssl-dev pkg-config
pkg-config --exists openssl || { echo "host-packages.sh: pkg-config still finds no openssl" >&2; exit 1; }
