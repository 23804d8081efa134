#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The kars authors
#
# Runs the egress proxy benchmark (bench.mjs) against a direct connection, kars-router and
# squid. squid is needed only here, so it is installed on demand rather than by scripts/setup.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export KARS_BIN_DIR="${KARS_BIN_DIR:-$root/build/bin}"

if [ ! -x "${SQUID:-/usr/sbin/squid}" ]; then
    echo "bench/egress-proxy: squid is not installed; installing the Debian package 'squid'" \
         "for the comparison (it is not started as a service)" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq \
        --no-install-recommends squid >/dev/null
fi
[ -x "$KARS_BIN_DIR/kars-router" ] || { echo "build kars-router first (make build)" >&2; exit 1; }
exec node "$here/bench.mjs"
