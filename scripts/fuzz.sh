#!/usr/bin/env bash
# Builds devbridge-fuzz with libFuzzer and AddressSanitizer (in .build-fuzz) and runs each
# harness for a bounded time on its corpus. New inputs that grow coverage are kept in
# .build-fuzz/corpus/NAME (not in git); a crash leaves its input in .build-fuzz/crashes/ and
# fails the run. Turn a crash into a regression: copy it to fuzz/regressions/NAME/ and fix it.
#
#   scripts/fuzz.sh [SECONDS] [HARNESS…]     default: 60 s each, every harness
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
binary=.build-fuzz/debug/devbridge-fuzz

echo "fuzz: building devbridge-fuzz with -sanitize=fuzzer,address (first build takes a while)"
swift build --build-path .build-fuzz --product devbridge-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DDEVBRIDGE_LIBFUZZER

harnesses=("$@")
if ((${#harnesses[@]} == 0)); then harnesses=(telnet pcapng profile config child-pipe); fi

# The Swift runtime's backtracer trips AddressSanitizer; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no
mkdir -p .build-fuzz/crashes
failed=()
for harness in "${harnesses[@]}"; do
    work=.build-fuzz/corpus/$harness
    mkdir -p "$work"
    echo "fuzz: $harness for ${seconds}s (corpus fuzz/corpus/$harness, new inputs in $work)"
    # -rss_limit_mb: an input that makes memory grow without bound is a failure too.
    inputs=("$work" fuzz/corpus/"$harness")
    # Fixed crashes, where there are any (git keeps no empty folder).
    if [[ -d fuzz/regressions/$harness ]]; then inputs+=(fuzz/regressions/"$harness"); fi
    if ! "$binary" "$harness" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix=.build-fuzz/crashes/"$harness"- \
        "${inputs[@]}" 2>.build-fuzz/"$harness".log; then
        failed+=("$harness")
        tail -n 40 .build-fuzz/"$harness".log
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" .build-fuzz/"$harness".log | tr '\n' ' ' || true
    echo
done
if ((${#failed[@]})); then
    echo "fuzz: FAILED: ${failed[*]} (inputs in .build-fuzz/crashes/)" >&2
    exit 1
fi
echo "fuzz: every harness ran ${seconds}s without a crash"
