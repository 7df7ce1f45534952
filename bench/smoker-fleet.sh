#!/usr/bin/env bash
# 1000 virtual smokers at their native rate in one process, each read by a client.
# Target: < 1 core and < 300 MB RSS on a 2-core machine. Prints the figures.
# Fails (non-zero) if the fleet does not come up, instead of waiting forever.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-1000}
seconds=${SECONDS_TO_RUN:-30}
startup_timeout=${STARTUP_TIMEOUT:-150}
swift build -c release --product devbridge-bench >/dev/null
paths=$(mktemp)
rm -f "$paths"  # the bench writes it once every smoker is up
.build/release/devbridge-bench smoker-fleet --count "$count" --seconds $((seconds + 15)) --paths "$paths" &
pid=$!
reader=
cleanup() {
    [[ -n $reader ]] && kill "$reader" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    rm -f "$paths"
}
trap cleanup EXIT
waited=0
until [[ -s $paths ]]; do
    if ! kill -0 "$pid" 2>/dev/null; then
        status=0
        wait "$pid" || status=$?
        echo "smoker-fleet: the bench exited (status $status) before $count smokers came up" >&2
        exit 1
    fi
    if ((waited >= startup_timeout * 2)); then
        echo "smoker-fleet: $count smokers not up after $startup_timeout s" >&2
        exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
done
sleep 2
python3 bench/fleet_reader.py "$paths" "$seconds" &
reader=$!
sleep 5   # let the devices warm up after the reset on open
ticks=$(getconf CLK_TCK)
read -r u1 s1 < <(awk '{print $14, $15}' /proc/$pid/stat)
t1=$(date +%s.%N)
sleep $((seconds - 10))
read -r u2 s2 < <(awk '{print $14, $15}' /proc/$pid/stat)
t2=$(date +%s.%N)
rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
threads=$(awk '/Threads/ {print $2}' /proc/$pid/status)
reader_status=0
wait "$reader" || reader_status=$?
reader=
cpu=$(python3 -c "print(f'{(($u2+$s2)-($u1+$s1))/$ticks/($t2-$t1):.2f}')")
echo "devbridge fleet: $count smokers, CPU $cpu cores (target < 1), RSS $((rss_kb / 1024)) MB (target < 300)," \
    "$threads threads"
wait "$pid"
exit "$reader_status"
