#!/usr/bin/env bash
# Replay benchmark: `tally replay` against `zstd -dc` over the same spool, in the same run.
# Reports medians of RUNS runs, the ratio, events/s and the replay's peak RSS.
# Usage: Benchmarks/replay.sh
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one (release)
#   BENCH_EVENTS=1800000       corpus size in lines (about 660 MB of NDJSON, 150 MB of zstd)
#   RUNS=3
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/tmp/tally-bench
EVENTS="${BENCH_EVENTS:-1800000}"
RUNS="${RUNS:-3}"
SPOOL="$WORK/replay-spool-$EVENTS"
mkdir -p "$WORK"

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally --scratch-path .build-bench >&2)
  TALLY_BIN="$ROOT/.build-bench/release/tally"
fi

if [ ! -d "$SPOOL" ]; then
  echo "generating $EVENTS events into $SPOOL ..." >&2
  "$TALLY_BIN" generate --seed 42 --events "$EVENTS" --invalid-fraction 0.001 \
    | "$TALLY_BIN" append --spool "$SPOOL.tmp" --producer bench --fsync never --max-segment-bytes 16MiB
  mv "$SPOOL.tmp" "$SPOOL"
fi
RAW=$(zstd -dc "$SPOOL"/*.zst | wc -c)
ZST=$(cat "$SPOOL"/*.zst | wc -c)
cat "$SPOOL"/*.zst > /dev/null   # warm the page cache

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { python3 -c "import sys,time; print(sys.argv[1])" "$1"; }

zstd_times=()
replay_times=()
rss=()
for _ in $(seq "$RUNS"); do
  s=$(date +%s.%N); zstd -dc "$SPOOL"/*.zst > /dev/null; e=$(date +%s.%N)
  zstd_times+=("$(python3 -c "print($e - $s)")")
  OUT="$WORK/replay-out"; rm -rf "$OUT"
  s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/replay-rss" "$TALLY_BIN" replay --pipeline "$ROOT/Pipelines/default.yaml" --out "$OUT" "$SPOOL" > "$WORK/replay-summary"
  e=$(date +%s.%N)
  replay_times+=("$(python3 -c "print($e - $s)")")
  rss+=("$(cat "$WORK/replay-rss")")
done
Z=$(printf '%s\n' "${zstd_times[@]}" | median)
R=$(printf '%s\n' "${replay_times[@]}" | median)
M=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
EV=$("$TALLY_BIN" query --snapshot "$WORK/replay-out" summary --format json | python3 -c "import json,sys; print(json.load(sys.stdin)['events'])")

python3 - "$RAW" "$ZST" "$EVENTS" "$Z" "$R" "$M" "$EV" <<'PY'
import sys
raw, zst, lines, z, r, rss, events = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
print(f"corpus: {lines:,} lines, {raw/1e6:.0f} MB NDJSON, {zst/1e6:.0f} MB zstd; {events:,} events folded")
print(f"| run (median of runs) | wall s | MB/s of NDJSON | vs zstd -dc |")
print(f"|---|---|---|---|")
print(f"| zstd -dc spool/*.zst > /dev/null | {z:.2f} | {raw/z/1e6:.0f} | 1.00 |")
print(f"| tally replay (decode, validate, fold, snapshot) | {r:.2f} | {raw/r/1e6:.0f} | {r/z:.2f}x the time |")
print(f"peak RSS of tally replay: {rss/1024:.0f} MB; {events/r:,.0f} events/s")
PY
cat "$WORK/replay-summary"
