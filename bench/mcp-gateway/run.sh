#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The kars authors
#
# Runs the MCP gateway overhead benchmark (bench.mjs): direct to an MCP server against
# through kars-router's /mcp, in one run on loopback.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export KARS_BIN_DIR="${KARS_BIN_DIR:-$root/build/bin}"
[ -x "$KARS_BIN_DIR/kars-router" ] || { echo "build kars-router first (make build)" >&2; exit 1; }
exec node "$here/bench.mjs"
