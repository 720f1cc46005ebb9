#!/usr/bin/env bash
# Installs the Debian packages MCUTrain needs, only if one is missing: Unicorn, Capstone,
# the Cortex-M cross compiler and newlib. Uses sudo when not root.
set -euo pipefail
packages=(libunicorn-dev libcapstone-dev gcc-arm-none-eabi libnewlib-arm-none-eabi)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
