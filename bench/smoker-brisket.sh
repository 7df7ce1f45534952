#!/usr/bin/env bash
# Time to simulate the shipped smoker-brisket cook for 16 h at 0.5 s ticks (target < 0.2 s).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product devbridge-bench >/dev/null
.build/release/devbridge-bench smoker-brisket
