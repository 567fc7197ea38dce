#!/usr/bin/env bash
# Consumer benchmark: 4 producers (`tally append --fsync interval`) append generated corpora as
# fast as they can while `tally run` (release build) folds them. Prints events/s folded, the lag
# over time (health of the newest snapshot, sampled every second), CPU and peak RSS of the consumer.
# Usage: Benchmarks/consumer.sh          (from anywhere; needs python3)
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one
#   BENCH_EVENTS=500000        events per producer (each a distinct seed)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/tmp/tally-bench-consumer
EVENTS="${BENCH_EVENTS:-500000}"
PRODUCERS=4
mkdir -p "$WORK"

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally --scratch-path .build-consumer-release >&2)
  TALLY_BIN="$ROOT/.build-consumer-release/release/tally"
fi

for p in $(seq 1 $PRODUCERS); do
  corpus="$WORK/corpus-$p-$EVENTS.ndjson"
  [ -s "$corpus" ] || "$TALLY_BIN" generate --seed "$p" --events "$EVENTS" --invalid-fraction 0.001 > "$corpus"
done
cat "$WORK"/corpus-*-"$EVENTS".ndjson > /dev/null   # warm the page cache

RUN="$WORK/run"; rm -rf "$RUN"; mkdir -p "$RUN"
cat > "$RUN/pipeline.yaml" <<'YAML'
snapshot:
  every: 1s
  keep: 3
YAML

"$TALLY_BIN" run --pipeline "$RUN/pipeline.yaml" 2> "$RUN/run.log" &
CONSUMER=$!
sleep 1
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$CONSUMER/stat"; }
CPU0=$(cpu_ticks)
T0=$(date +%s.%N)

PIDS=()
for p in $(seq 1 $PRODUCERS); do
  "$TALLY_BIN" append --spool "$RUN/spool" --producer "p$p" --fsync interval --fsync-interval 1s \
    < "$WORK/corpus-$p-$EVENTS.ndjson" &
  PIDS+=($!)
done

health() {
  python3 - "$RUN/snapshots" <<'PY'
import glob, json, sys
names = sorted(glob.glob(sys.argv[1] + "/snapshot-*.json"))
for name in reversed(names):
    try:
        m = json.load(open(name))
    except Exception:
        continue
    h = m["health"]; s = m["summary"]
    print(s["events"] + s["duplicates"], h["lag_bytes"], h["lag_frames"], h["lag_oldest_ms"] if h["lag_oldest_ms"] is not None else 0, h["events_per_second"])
    break
else:
    print(0, 0, 0, 0, 0)
PY
}

TOTAL=$((EVENTS * PRODUCERS))
echo
echo "| t (s) | lines folded | lag bytes | lag frames | oldest unfolded (ms) | events/s (last interval) | producers running |"
echo "|---|---|---|---|---|---|---|"
PRODUCERS_DONE=""
while true; do
  sleep 1
  running=0
  for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && running=$((running + 1)); done
  [ "$running" = 0 ] && [ -z "$PRODUCERS_DONE" ] && PRODUCERS_DONE=$(date +%s.%N)
  read -r folded lag frames oldest rate < <(health)
  now=$(date +%s.%N)
  printf "| %.0f | %s | %s | %s | %s | %s | %s |\n" "$(python3 -c "print($now-$T0)")" "$folded" "$lag" "$frames" "$oldest" "$rate" "$running"
  # Done when every valid line is folded (invalid lines are not in events + duplicates) and nothing lags.
  if [ "$running" = 0 ] && [ "$lag" = 0 ]; then break; fi
done
T1=$(date +%s.%N)
CPU1=$(cpu_ticks)
HWM=$(awk '/VmHWM/ {print $2, $3}' "/proc/$CONSUMER/status")
kill -TERM "$CONSUMER"; wait "$CONSUMER" || true
read -r folded lag frames oldest rate < <(health)

python3 - "$T0" "$T1" "$PRODUCERS_DONE" "$CPU0" "$CPU1" "$TICKS" "$folded" "$TOTAL" "$HWM" "$(du -sb "$RUN/spool" | cut -f1)" <<'PY'
import sys
t0, t1, tp, c0, c1, ticks = map(float, sys.argv[1:7])
folded, total = int(sys.argv[7]), int(sys.argv[8])
hwm, spool = sys.argv[9], int(sys.argv[10])
wall = t1 - t0
cpu = (c1 - c0) / ticks
print()
print("| measurement | value |")
print("|---|---|")
print("| producers x events | 4 x %d (%d lines) |" % (total // 4, total))
print("| lines folded (events + duplicates) | %d |" % folded)
print("| producers finished after | %.1f s |" % (tp - t0))
print("| consumer caught up after | %.1f s |" % wall)
print("| events/s folded (wall, start to caught up) | %.0f |" % (folded / wall))
print("| consumer CPU | %.1f s (%.0f%% of one core) |" % (cpu, 100 * cpu / wall))
print("| events/s per consumer CPU second | %.0f |" % (folded / cpu if cpu > 0 else 0))
print("| consumer peak RSS (VmHWM) | %s |" % hwm)
print("| spool size | %.1f MB |" % (spool / 1e6))
PY
