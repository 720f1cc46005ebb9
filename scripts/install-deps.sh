#!/usr/bin/env bash
# Installs the Debian packages MCUTrain needs, only if one is missing: Capstone, the
# Cortex-M cross compiler and newlib, and what building Unicorn takes (cmake, curl, patch);
# then builds the patched Unicorn (scripts/unicorn/build.sh, skipped once built). Uses sudo
# when not root.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libcapstone-dev gcc-arm-none-eabi libnewlib-arm-none-eabi cmake curl ca-certificates patch)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
bash scripts/unicorn/build.sh
