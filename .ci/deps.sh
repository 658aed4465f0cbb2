#!/bin/sh
# Installs the Debian packages slacksim needs, only when something is missing,
# so `make deps` is quick on a machine that already has them.
set -e
# clang and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes; only
# a Recommends of clang, so named here) are for `make fuzz`; redis-server,
# libhiredis-dev, postgresql and libpq-dev for the tests and the calibration
# that talk to real servers (each starts its own on 127.0.0.1);
# libopenmpi-dev and openmpi-bin (Open MPI) for bin/slacksim-mpi (docs/capacity.md).
PKGS="build-essential pkg-config python3 libglib2.0-dev libcjson-dev libcunit1-dev libcairo2-dev libpango1.0-dev libsdl2-dev xvfb xauth xdotool clang libclang-rt-14-dev redis-server libhiredis-dev postgresql libpq-dev libopenmpi-dev openmpi-bin"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "make deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
