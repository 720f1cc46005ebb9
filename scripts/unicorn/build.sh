#!/usr/bin/env bash
# Builds the Unicorn that MCUTrain links: 2.0.1 from PyPI's source distribution (the one
# place besides apt that CI reaches, and it carries the C source), ARM only, static, with
# block-counting.patch, into .build-deps/unicorn. The patch lets translated blocks count
# their own runs, so the cycle meter needs no call per block (Sources/CUnicorn/counting.c).
# Does nothing when that prefix was built by this script and patch as they are now.
set -euo pipefail
cd "$(dirname "$0")/../.."
url=https://files.pythonhosted.org/packages/64/c7/1a571a06adda2a9802e21d84398c5547761cb28b22f59a2c5db62bf23887/unicorn-2.0.1.post1.tar.gz
sha256=7fc69523eb83b4c8abc7cb4410ca21875e066c34b7afe998f59481e830d28e56
patch=scripts/unicorn/block-counting.patch
prefix=$PWD/.build-deps/unicorn
stamp=$(cat "$0" "$patch" | sha256sum | cut -d' ' -f1)
[ "$(cat "$prefix/stamp" 2>/dev/null)" = "$stamp" ] && exit 0

work=$PWD/.build-deps/unicorn-source
rm -rf "$work" "$prefix"
mkdir -p "$work"
echo "building Unicorn 2.0.1 (ARM only, patched) in $work" >&2
curl -fsSL --retry 3 -o "$work/unicorn.tar.gz" "$url"
echo "$sha256  $work/unicorn.tar.gz" | sha256sum -c --quiet -
tar -xzf "$work/unicorn.tar.gz" -C "$work" --strip-components=1
patch -s -d "$work" -p1 < "$patch"
# The Swift toolchain's clang: on a machine set up for this project it is always there.
command -v clang >/dev/null || { echo "clang (part of the Swift toolchain) is not on PATH" >&2; exit 1; }
CC=clang cmake -S "$work/src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-w -DUNICORN_ARCH=arm \
  -DBUILD_SHARED_LIBS=OFF -DUNICORN_BUILD_TESTS=OFF -DUNICORN_INSTALL=ON \
  -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib >/dev/null
cmake --build "$work/build" -j "$(nproc)" >/dev/null
cmake --install "$work/build" >/dev/null
echo "$stamp" > "$prefix/stamp"
rm -rf "$work"
