#!/bin/sh
# Runs every fuzz target in turn, FUZZ_SECONDS each (default 600), niced,
# one libFuzzer job at a time. Run from anywhere; logs go to $FUZZ_LOGS
# (default /tmp/fuzz-logs). Stops at nothing: a crashing target is reported
# and the next one runs.
set -u
cd "$(dirname "$0")/../.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
TARGET_DIR=${FUZZ_TARGET_DIR:-/tmp/fuzz-target}
LOGS=${FUZZ_LOGS:-/tmp/fuzz-logs}
TARGETS=${FUZZ_TARGETS:-"normalize_raw segment_raw tag_entities_raw extract_keywords_raw normalize_structured segment_structured tag_entities_structured extract_keywords_structured"}
mkdir -p "$LOGS"
for t in $TARGETS; do
    mkdir -p "tests/fuzz/corpus/$t"
    extra=""
    case "$t" in
        *_raw) extra="tests/fuzz/seeds/$t" ;;
    esac
    dict=""
    case "$t" in
        *_raw) dict="-dict=tests/fuzz/zhtext.dict" ;;
    esac
    echo "== $t ($SECONDS_PER_TARGET s) $(date -u +%FT%TZ)"
    # shellcheck disable=SC2086
    nice -n 10 cargo +nightly fuzz run --fuzz-dir tests/fuzz --target-dir "$TARGET_DIR" -s none \
        "$t" "tests/fuzz/corpus/$t" $extra -- \
        $dict -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=4096 -timeout=10 -max_len=8192 \
        -print_final_stats=1 >"$LOGS/$t.log" 2>&1
    echo "   exit $? $(date -u +%FT%TZ); $(grep -E '^(Done|stat::number_of_executed_units)' "$LOGS/$t.log" | tr '\n' ' ')"
done
