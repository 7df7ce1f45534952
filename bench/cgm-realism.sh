#!/usr/bin/env bash
# Realism check: our adult preset vs simglucose adults (UVA/Padova 2008), both
# on basal-bolus therapy and driven by the same random meal schedule.
#   bench/cgm-realism.sh [DAYS] [SEED] [PATIENTS]
# DAYS defaults to 30, SEED to 1, PATIENTS to adult#001..adult#010 (comma-separated).
# Takes ~1 s per simulated patient-day for simglucose.
set -euo pipefail
cd "$(dirname "$0")/.."
days="${1:-30}"
seed="${2:-1}"
patients="${3:-adult#001,adult#002,adult#003,adult#004,adult#005,adult#006,adult#007,adult#008,adult#009,adult#010}"
out=out/cgm-realism

swift build -c release --product devbridge-bench >/dev/null
.build/release/devbridge-bench cgm-realism --days "$days" --seed "$seed" --out "$out"

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import simglucose' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install -q simglucose
fi
.venv/bin/python bench/cgm-realism.py --dir "$out" --patients "$patients"
