#!/usr/bin/env bash
# Eviction benchmark: `tally run --once` (snapshots every second) over 1 M short sessions (the
# corpus of `BENCH_SHORT=1 Benchmarks/replay.sh`), once for each `sessions.evict_after` in MODES.
# Reports wall time, peak RSS and the sessions in memory and out of it at the end; and checks
# that every mode's last snapshot answers summary, sessions, tools, models, users, timeline and
# alerts byte for byte like the first mode's (less `snapshot_at` and `health`).
# Usage: Benchmarks/eviction.sh
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one (release)
#   MODES="never 1h 0ms"       the evict_after values, in the order they run
#   BENCH_EVENTS=5000000       corpus size in lines (about 5 events a session)
#   TALLY_BENCH_DIR=/tmp/tally-bench   where the corpus and the snapshots go
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${TALLY_BENCH_DIR:-/tmp/tally-bench}"
EVENTS="${BENCH_EVENTS:-5000000}"
SPOOL="$WORK/replay-short-spool-$EVENTS"
read -r -a MODES <<< "${MODES:-never 1h 0ms}"
mkdir -p "$WORK"

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally --scratch-path .build-bench >&2)
  TALLY_BIN="$ROOT/.build-bench/release/tally"
fi
if [ ! -d "$SPOOL" ]; then
  echo "generating $EVENTS events into $SPOOL ..." >&2
  "$TALLY_BIN" generate --seed 42 --events "$EVENTS" --invalid-fraction 0.001 --short-sessions --concurrency 2000 \
    | "$TALLY_BIN" append --spool "$SPOOL.tmp" --producer bench --fsync never --max-segment-bytes 16MiB
  mv "$SPOOL.tmp" "$SPOOL"
fi
cat "$SPOOL"/*.zst > /dev/null   # warm the page cache

echo "| evict_after | run --once (s) | peak RSS (MB) | sessions in memory | out of memory | read back | same answers |"
echo "|---|---|---|---|---|---|---|"
first=""
for mode in "${MODES[@]}"; do
  run="$WORK/eviction-$mode"; rm -rf "$run"; mkdir -p "$run"
  printf 'spool: %s\nsnapshots: %s/snapshots\ndead_letter: %s/dead-letter\nsnapshot:\n  every: 1s\n  keep: 2\nsessions:\n  evict_after: %s\n' \
    "$SPOOL" "$run" "$run" "$mode" > "$run/pipeline.yaml"
  s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$run/rss" "$TALLY_BIN" run --pipeline "$run/pipeline.yaml" --once 2> "$run/run.log"
  e=$(date +%s.%N)
  for subject in summary "sessions --limit 0" tools models users timeline alerts; do
    # shellcheck disable=SC2086
    "$TALLY_BIN" query --snapshot "$run/snapshots" $subject --format json \
      | sed -E 's/"snapshot_at":"[^"]*",?//; s/"health":\{[^}]*\},?//' > "$run/answers-${subject%% *}.json"
  done
  same="-"
  if [ -z "$first" ]; then first=$run; else
    same=yes
    for answers in "$first"/answers-*.json; do
      cmp -s "$answers" "$run/$(basename "$answers")" || same="NO ($(basename "$answers"))"
    done
  fi
  read -r resident evicted reloaded < <(python3 - "$run/snapshots" <<'PY'
import glob, json, sys
h = json.load(open(sorted(glob.glob(sys.argv[1] + "/snapshot-*.json"))[-1]))["health"]
print(h["sessions_in_memory"], h["sessions_evicted"], h["sessions_reloaded"])
PY
)
  python3 -c "print('| $mode | %.1f | %.0f | $resident | $evicted | $reloaded | $same |' % ($e - $s, $(cat "$run/rss") / 1024))"
done
