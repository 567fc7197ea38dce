#!/usr/bin/env bash
# Replay benchmark: `tally replay` against `zstd -dc` over the same spool, in the same run.
# Reports medians of RUNS runs, the ratio, events/s and the replay's peak RSS.
# Usage: Benchmarks/replay.sh
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one (release)
#   BASE_BIN=/path/to/tally    also time this build, alternately with TALLY_BIN in every run
#   BASE_PIPELINE=FILE         the pipeline file for BASE_BIN (default: Pipelines/default.yaml)
#   BENCH_EVENTS=1800000       corpus size in lines (about 660 MB of NDJSON, 150 MB of zstd)
#   BENCH_SHORT=1              a corpus of short sessions instead (`generate --short-sessions`,
#                              about 5 events each; BENCH_EVENTS defaults to 5000000, 1 M sessions)
#   TALLY_BENCH_DIR=/tmp/tally-bench   where the corpus and the snapshots go
#   RUNS=3
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${TALLY_BENCH_DIR:-/tmp/tally-bench}"
SHORT="${BENCH_SHORT:-0}"
if [ "$SHORT" = 1 ]; then
  EVENTS="${BENCH_EVENTS:-5000000}"
  GENERATE_SHAPE=(--short-sessions --concurrency 2000)
  SPOOL="$WORK/replay-short-spool-$EVENTS"
else
  EVENTS="${BENCH_EVENTS:-1800000}"
  GENERATE_SHAPE=()
  SPOOL="$WORK/replay-spool-$EVENTS"
fi
RUNS="${RUNS:-3}"
mkdir -p "$WORK"

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally --scratch-path .build-bench >&2)
  TALLY_BIN="$ROOT/.build-bench/release/tally"
fi

if [ ! -d "$SPOOL" ]; then
  echo "generating $EVENTS events into $SPOOL ..." >&2
  "$TALLY_BIN" generate --seed 42 --events "$EVENTS" --invalid-fraction 0.001 "${GENERATE_SHAPE[@]}" \
    | "$TALLY_BIN" append --spool "$SPOOL.tmp" --producer bench --fsync never --max-segment-bytes 16MiB
  mv "$SPOOL.tmp" "$SPOOL"
fi
RAW=$(zstd -dc "$SPOOL"/*.zst | wc -c)
ZST=$(cat "$SPOOL"/*.zst | wc -c)
cat "$SPOOL"/*.zst > /dev/null   # warm the page cache

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { python3 -c "import sys,time; print(sys.argv[1])" "$1"; }

# One timed replay of build $1 with pipeline $3 into $WORK/replay-out-$2; prints "seconds peak-RSS-KiB".
time_replay() {
  local out="$WORK/replay-out-$2"; rm -rf "$out"
  local s e; s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$WORK/replay-rss" "$1" replay --pipeline "$3" --out "$out" "$SPOOL" > "$WORK/replay-summary-$2"
  e=$(date +%s.%N)
  echo "$(python3 -c "print($e - $s)") $(cat "$WORK/replay-rss")"
}

zstd_times=()
replay_times=()
rss=()
base_times=()
base_rss=()
for _ in $(seq "$RUNS"); do
  s=$(date +%s.%N); zstd -dc "$SPOOL"/*.zst > /dev/null; e=$(date +%s.%N)
  zstd_times+=("$(python3 -c "print($e - $s)")")
  read -r t m < <(time_replay "$TALLY_BIN" new "$ROOT/Pipelines/default.yaml")
  replay_times+=("$t"); rss+=("$m")
  if [ -n "${BASE_BIN:-}" ]; then
    read -r t m < <(time_replay "$BASE_BIN" base "${BASE_PIPELINE:-$ROOT/Pipelines/default.yaml}")
    base_times+=("$t"); base_rss+=("$m")
  fi
done
Z=$(printf '%s\n' "${zstd_times[@]}" | median)
R=$(printf '%s\n' "${replay_times[@]}" | median)
M=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
EV=$("$TALLY_BIN" query --snapshot "$WORK/replay-out-new" summary --format json | python3 -c "import json,sys; print(json.load(sys.stdin)['events'])")

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
if [ -n "${BASE_BIN:-}" ]; then
  B=$(printf '%s\n' "${base_times[@]}" | median)
  BM=$(printf '%s\n' "${base_rss[@]}" | sort -n | tail -1)
  python3 - "$Z" "$R" "$M" "$B" "$BM" <<'PY'
import sys
z, r, rss, b, brss = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
print(f"base build (BASE_BIN), alternately: {b:.2f} s = {b/z:.2f}x zstd, peak RSS {brss/1024:.0f} MB;"
      f" this build / base: time {r/b:.3f}, peak RSS {rss/brss:.3f}")
PY
fi
cat "$WORK/replay-summary-new"
