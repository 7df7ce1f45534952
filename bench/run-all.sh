#!/usr/bin/env bash
# Runs every benchmark and prints its figures (release builds; nothing is asserted).
set -euo pipefail
cd "$(dirname "$0")"
for bench in smoker-brisket.sh cgm-year.sh smoker-fleet.sh serial-bridge.sh cgm-realism.sh; do
    echo "=== bench/$bench"
    ./"$bench"
    echo
done
