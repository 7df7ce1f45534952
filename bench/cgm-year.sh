#!/usr/bin/env bash
# One simulated year of the CGM (Hovorka model, 1-min steps, Dexcom-like sensor
# every 5 min, random meals with basal-bolus therapy), timed in release mode,
# against stock simglucose for a few simulated days.
#   bench/cgm-year.sh [SIMGLUCOSE_DAYS]   (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
days="${1:-2}"

swift build -c release --product devbridge-bench >/dev/null
ours="$(.build/release/devbridge-bench cgm-year)"
echo "$ours"
swift_per_day="$(sed -n 's/^SWIFT_SECONDS_PER_DAY=//p' <<<"$ours")"

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import simglucose' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install -q simglucose
fi
theirs="$(.venv/bin/python bench/cgm-simglucose-time.py --days "$days")"
echo "$theirs"
sg_per_day="$(sed -n 's/^SIMGLUCOSE_SECONDS_PER_DAY=//p' <<<"$theirs")"

python3 - "$swift_per_day" "$sg_per_day" <<'PY'
import sys
ours, theirs = float(sys.argv[1]), float(sys.argv[2])
print(f"per simulated day: ours {ours * 1000:.3f} ms, simglucose {theirs:.2f} s "
      f"-> ours is {theirs / ours:,.0f}x faster")
print(f"a simulated year: ours {ours * 365:.3f} s, simglucose ~{theirs * 365 / 60:.0f} min (extrapolated)")
PY
