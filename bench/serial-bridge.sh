#!/usr/bin/env bash
# Serial bridge benchmark: the same PTY echo/sink device behind our export,
# ser2net (default settings and chardelay: false) and socat, measured in one run.
# Prints 1-byte round-trip p50/p99, one-way throughput (client -> device) and
# the bridge's CPU seconds per MB, side by side. Release build; 127.0.0.1 only.
#
#   bench/serial-bridge.sh            # all bridges present on the machine
#   DEVBRIDGE=.build/debug/devbridge bench/serial-bridge.sh   # skip the release build
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${DEVBRIDGE:-}" ]]; then
    swift build -c release --product devbridge >&2
    DEVBRIDGE=.build/release/devbridge
fi
python=python3
[[ -x .venv/bin/python ]] && python=.venv/bin/python
exec "$python" bench/serial-bridge-bench.py --devbridge "$DEVBRIDGE" "$@"
