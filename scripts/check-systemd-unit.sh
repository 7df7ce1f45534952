#!/usr/bin/env bash
# Scores packaging/devbridge.service with systemd-analyze's offline security check,
# prints the exposure figure, and fails when it is above the limit (default 2.5).
set -euo pipefail
cd "$(dirname "$0")/.."
limit="${1:-2.5}"
unit=packaging/devbridge.service
if ! command -v systemd-analyze >/dev/null; then
    echo "check-systemd-unit: systemd-analyze is missing (apt-get install systemd)" >&2
    exit 1
fi
report=$(systemd-analyze security --offline=yes "$unit" 2>&1) || true
figure=$(grep -oP 'Overall exposure level for \S+: \K[0-9.]+' <<<"$report" || true)
if [[ -z "$figure" ]]; then
    echo "$report" >&2
    echo "check-systemd-unit: no exposure figure in systemd-analyze's output" >&2
    exit 1
fi
echo "systemd-analyze security --offline=yes $unit: exposure $figure (limit $limit)"
awk -v f="$figure" -v l="$limit" 'BEGIN { exit !(f <= l) }' || {
    echo "check-systemd-unit: exposure $figure is above $limit" >&2
    exit 1
}
