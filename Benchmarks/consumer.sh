#!/usr/bin/env bash
# Consumer benchmark, two measurements per build:
#  - live: 4 producers (`tally append --fsync interval`) append generated corpora as fast as they
#    can while `tally run` (snapshots every second) folds them. Reports how long after the last
#    producer finished the consumer had folded everything ("behind"), its CPU and peak RSS.
#  - once: `tally run --once` over the spool the live run left (pre-filled, same snapshot settings):
#    sustained ingest in events/s, with `zstd -dc` of the same segments in the same run.
# With BASE_BIN, both builds run alternately in every run and the ratios are printed.
# Usage: Benchmarks/consumer.sh          (from anywhere; needs python3)
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one (release)
#   BASE_BIN=/path/to/tally    also measure this build, alternately with TALLY_BIN
#   RUN_ARGS="--workers 1"     extra arguments of TALLY_BIN's `tally run` (BASE_ARGS: of BASE_BIN's)
#   BENCH_EVENTS=500000        events per producer (each a distinct seed)
#   TALLY_BENCH_DIR=/tmp/tally-bench   where the corpora, spools and snapshots go
#   RUNS=3
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${TALLY_BENCH_DIR:-/tmp/tally-bench}/consumer"
EVENTS="${BENCH_EVENTS:-500000}"
RUNS="${RUNS:-3}"
PRODUCERS=4
mkdir -p "$WORK"

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally --scratch-path .build-bench >&2)
  TALLY_BIN="$ROOT/.build-bench/release/tally"
fi

for p in $(seq 1 $PRODUCERS); do
  corpus="$WORK/corpus-$p-$EVENTS.ndjson"
  [ -s "$corpus" ] || "$TALLY_BIN" generate --seed "$p" --events "$EVENTS" --invalid-fraction 0.001 > "$corpus"
done
cat "$WORK"/corpus-*-"$EVENTS".ndjson > /dev/null   # warm the page cache

# The oldest snapshot in $1 written at or after time $2 with nothing left to read: "lines written_at"
# ("0 0" while there is none).
caught_up() {
  python3 - "$1" "$2" <<'PY'
import glob, json, os, sys
found = []
for name in glob.glob(sys.argv[1] + "/snapshot-*.json"):
    try:
        m, at = json.load(open(name)), os.stat(name).st_mtime
    except Exception:
        continue
    if at >= float(sys.argv[2]) and m["health"]["lag_bytes"] == 0:
        found.append((at, m["summary"]["events"] + m["summary"]["duplicates"]))
print("%d %f" % (min(found)[1], min(found)[0]) if found else "0 0")
PY
}

pipeline() {   # $1: run directory
  cat > "$1/pipeline.yaml" <<'YAML'
snapshot:
  every: 1s
  keep: 3
YAML
}

# live BIN ARGS... : prints "behind_s producing_s cpu_s rss_kib lines". Behind: from the last
# producer's end to the first snapshot after it that has nothing left to read (snapshots are
# written every second, so a consumer that keeps pace shows up to about 1 s).
live() {
  local bin=$1; shift
  local run="$WORK/run"; rm -rf "$run"; mkdir -p "$run"; pipeline "$run"
  "$bin" run --pipeline "$run/pipeline.yaml" "$@" 2> "$run/run.log" &
  local consumer=$!
  sleep 1
  local ticks; ticks=$(getconf CLK_TCK)
  local cpu0; cpu0=$(awk '{print $14 + $15}' "/proc/$consumer/stat")
  local t0; t0=$(date +%s.%N)
  local pids=()
  for p in $(seq 1 $PRODUCERS); do
    "$bin" append --spool "$run/spool" --producer "p$p" --fsync interval --fsync-interval 1s \
      < "$WORK/corpus-$p-$EVENTS.ndjson" &
    pids+=($!)
  done
  wait "${pids[@]}"
  local produced; produced=$(date +%s.%N)
  local lines caught seen="" latest
  while true; do
    # Looked into only when a new snapshot appears: the check itself must not take the consumer's CPU.
    latest=$(ls "$run/snapshots" 2>/dev/null | grep '^snapshot-.*\.json$' | sort | tail -1 || true)
    if [ -n "$latest" ] && [ "$latest" != "$seen" ]; then
      seen=$latest
      read -r lines caught < <(caught_up "$run/snapshots" "$produced")
      [ "$lines" -gt 0 ] && break
    fi
    sleep 0.05
  done
  local cpu1; cpu1=$(awk '{print $14 + $15}' "/proc/$consumer/stat")
  local hwm; hwm=$(awk '/VmHWM/ {print $2}' "/proc/$consumer/status")
  kill -TERM "$consumer"; wait "$consumer" || true
  python3 -c "print('%.2f %.2f %.2f %s %s' % ($caught - $produced, $produced - $t0, ($cpu1 - $cpu0) / $ticks, '$hwm', '$lines'))"
}

# once BIN ARGS... : over the spool of the last live run; prints "seconds rss_kib"
once() {
  local bin=$1; shift
  local run="$WORK/once"; rm -rf "$run"; mkdir -p "$run"; pipeline "$run"
  sed -i "1i spool: $WORK/run/spool" "$run/pipeline.yaml"
  local s e; s=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$run/rss" "$bin" run --pipeline "$run/pipeline.yaml" --once "$@" 2> "$run/run.log"
  e=$(date +%s.%N)
  echo "$(python3 -c "print('%.3f' % ($e - $s))") $(cat "$run/rss")"
}

read -r -a RUN_EXTRA <<< "${RUN_ARGS:-}"
read -r -a BASE_EXTRA <<< "${BASE_ARGS:-}"
results="$WORK/results"; : > "$results"
for i in $(seq 1 "$RUNS"); do
  for build in new base; do
    if [ "$build" = base ]; then [ -n "${BASE_BIN:-}" ] || continue; bin=$BASE_BIN; extra=("${BASE_EXTRA[@]}")
    else bin=$TALLY_BIN; extra=("${RUN_EXTRA[@]}"); fi
    read -r behind producing cpu rss lines < <(live "$bin" "${extra[@]}")
    read -r seconds once_rss < <(once "$bin" "${extra[@]}")
    z0=$(date +%s.%N); zstd -dc "$WORK/run/spool"/*.zst > /dev/null; z1=$(date +%s.%N)
    zstd=$(python3 -c "print('%.3f' % ($z1 - $z0))")
    echo "$build $behind $producing $cpu $rss $lines $seconds $once_rss $zstd" >> "$results"
    echo "run $i $build: behind ${behind} s after ${producing} s of producing; --once ${seconds} s (zstd -dc ${zstd} s)" >&2
  done
done

python3 - "$results" "$PRODUCERS" "$EVENTS" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
producers, events = int(sys.argv[2]), int(sys.argv[3])
def col(build, i): return [float(r[i]) for r in rows if r[0] == build]
builds = [b for b in ("new", "base") if col(b, 1)]
med = {b: [statistics.median(col(b, i)) for i in range(1, 9)] for b in builds}
print("| %d producers x %d events, medians of %d runs | %s |" % (producers, events, len(col("new", 1)), " | ".join(builds)))
print("|---|" + "---|" * len(builds))
def row(name, fmt, i): print("| %s | %s |" % (name, " | ".join(fmt % med[b][i] for b in builds)))
row("live: producers finished after (s)", "%.1f", 1)
row("live: consumer caught up after that (s)", "%.2f", 0)
row("live: consumer CPU (s)", "%.1f", 2)
print("| live: consumer peak RSS (MB) | %s |" % " | ".join("%.0f" % (med[b][3] / 1024) for b in builds))
print("| once: lines folded | %s |" % " | ".join("%d" % med[b][4] for b in builds))
row("once: `run --once` (s)", "%.2f", 5)
print("| once: events/s | %s |" % " | ".join("%.0f" % (med[b][4] / med[b][5]) for b in builds))
print("| once: peak RSS (MB) | %s |" % " | ".join("%.0f" % (med[b][6] / 1024) for b in builds))
row("`zstd -dc` of the same segments (s)", "%.2f", 7)
print("| once: x zstd -dc | %s |" % " | ".join("%.2f" % (med[b][5] / med[b][7]) for b in builds))
if "base" in builds:
    pairs = [(n, b) for n, b in zip([r for r in rows if r[0] == "new"], [r for r in rows if r[0] == "base"])]
    ratios = sorted(float(b[6]) / float(n[6]) for n, b in pairs)
    print()
    print("once: events/s new / base, pair by pair: %s (median %.2f)" % (", ".join("%.2f" % r for r in ratios), statistics.median(ratios)))
PY
