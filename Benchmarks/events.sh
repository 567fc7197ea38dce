#!/usr/bin/env bash
# A session's events and search (issue 15): `tally query events --session ID` whole-process
# medians at each spool size, `tally query search` against `zstd -dc` of the same segments in the
# same run, and the frame index's cost (its bytes in sessions.db per event; with BASE_BIN, the
# replay time of a build without the index, run alternately).
# Usage: Benchmarks/events.sh
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one (release)
#   BASE_BIN=/path/to/tally    a build without the frame index, for the replay slowdown
#   SIZES="500 2000"           spool sizes in MB of NDJSON (about 363 bytes an event)
#   RUNS=3 SESSIONS=21         replay/search runs; sessions timed per size
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/tmp/tally-bench
SIZES="${SIZES:-500 2000}"
RUNS="${RUNS:-3}"
SESSIONS="${SESSIONS:-21}"
mkdir -p "$WORK"

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally --scratch-path .build-bench >&2)
  TALLY_BIN="$ROOT/.build-bench/release/tally"
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
since() { python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$1" "$(now)"; }

echo "| NDJSON | events | replay s (zstd -dc s) | base replay s | index bytes/event | sessions.db growth/event | events --session median ms (max) | search s | zstd -dc s | search/zstd |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for MB in $SIZES; do
  EVENTS=$((MB * 1000000 / 363))
  SPOOL="$WORK/events-spool-$EVENTS"
  if [ ! -d "$SPOOL" ]; then
    echo "generating $EVENTS events into $SPOOL ..." >&2
    "$TALLY_BIN" generate --seed 42 --events "$EVENTS" --invalid-fraction 0.001 \
      | "$TALLY_BIN" append --spool "$SPOOL.tmp" --producer bench --fsync never --max-segment-bytes 16MiB
    mv "$SPOOL.tmp" "$SPOOL"
  fi
  RAW=$(zstd -dc "$SPOOL"/*.zst | wc -c)
  cat "$SPOOL"/*.zst > /dev/null   # warm the page cache
  OUT="$WORK/events-out-$EVENTS"
  zstd_times=(); replay_times=(); base_times=()
  for _ in $(seq "$RUNS"); do
    s=$(now); zstd -dc "$SPOOL"/*.zst > /dev/null; zstd_times+=("$(since "$s")")
    rm -rf "$OUT"; s=$(now)
    "$TALLY_BIN" replay --pipeline "$ROOT/Pipelines/default.yaml" --out "$OUT" "$SPOOL" > /dev/null
    replay_times+=("$(since "$s")")
    if [ -n "${BASE_BIN:-}" ]; then
      rm -rf "$OUT.base"; s=$(now)
      "$BASE_BIN" replay --pipeline "$ROOT/Pipelines/default.yaml" --out "$OUT.base" "$SPOOL" > /dev/null
      base_times+=("$(since "$s")")
    fi
  done
  Z=$(printf '%s\n' "${zstd_times[@]}" | median)
  R=$(printf '%s\n' "${replay_times[@]}" | median)
  B=$( [ -n "${BASE_BIN:-}" ] && printf '%s\n' "${base_times[@]}" | median || echo "-")
  FOLDED=$("$TALLY_BIN" query --snapshot "$OUT" summary --format json | python3 -c "import json,sys; print(json.load(sys.stdin)['events'])")
  # The frame index's pages (tables and indexes), and the whole file against the base build's.
  INDEX=$(sqlite3 "$OUT/sessions.db" "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'session_frames%' OR name LIKE 'frame_%'")
  GROWTH="-"
  if [ -n "${BASE_BIN:-}" ]; then
    GROWTH=$(python3 -c "import os,sys; print(f'{(os.path.getsize(sys.argv[1]) - os.path.getsize(sys.argv[2])) / int(sys.argv[3]):.2f}')" \
      "$OUT/sessions.db" "$OUT.base/sessions.db" "$FOLDED")
  fi
  IDS=$(sqlite3 "$OUT/sessions.db" "SELECT session_id FROM sessions ORDER BY random() LIMIT $SESSIONS")
  EV=$(python3 - "$TALLY_BIN" "$OUT" $IDS <<'PY'
import subprocess, sys, time
tally, out, ids = sys.argv[1], sys.argv[2], sys.argv[3:]
times = []
for sid in ids:
    start = time.perf_counter()
    subprocess.run([tally, "query", "--snapshot", out, "events", "--session", sid, "--format", "ndjson"],
                   stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(f"{times[len(times) // 2]:.1f} ({times[-1]:.1f})")
PY
)
  search_times=(); szstd_times=()
  for _ in $(seq "$RUNS"); do
    s=$(now); zstd -dc "$SPOOL"/*.zst > /dev/null; szstd_times+=("$(since "$s")")
    s=$(now); "$TALLY_BIN" query --snapshot "$OUT" search "database optimization" --limit 100 --format ndjson > /dev/null
    search_times+=("$(since "$s")")
  done
  SZ=$(printf '%s\n' "${szstd_times[@]}" | median)
  SR=$(printf '%s\n' "${search_times[@]}" | median)
  python3 - "$RAW" "$FOLDED" "$R" "$Z" "$B" "$INDEX" "$GROWTH" "$EV" "$SR" "$SZ" <<'PY'
import sys
raw, folded, r, z, b, index, growth, ev, sr, sz = sys.argv[1:]
raw, folded, r, z, sr, sz = int(raw), int(folded), float(r), float(z), float(sr), float(sz)
base = f"{float(b):.2f} ({r / float(b):.3f}x)" if b != "-" else "-"
print(f"| {raw / 1e6:.0f} MB | {folded:,} | {r:.2f} ({z:.2f}) | {base} | {int(index) / folded:.2f} | {growth} | {ev} | {sr:.2f} | {sz:.2f} | {sr / sz:.2f} |")
PY
done

# One session of 100,000 events over many frames (batches of 100 lines, times descending within
# a batch): `events --session` whole-process time and peak RSS.
BIG="$WORK/events-big-spool"
if [ ! -d "$BIG" ]; then
  python3 - <<'PY' | "$TALLY_BIN" append --spool "$BIG.tmp" --producer big --fsync never --max-segment-bytes 16MiB
import sys
out = sys.stdout
for batch in range(1000):
    for i in range(100):
        ts = 1761220000000 + batch * 1000 + 999 - i
        out.write('{"type":"message","ts":%d,"session_id":"big","role":"user","content":"message %d of a long session"}\n' % (ts, batch * 100 + i))
PY
  mv "$BIG.tmp" "$BIG"
fi
rm -rf "$BIG.out"
"$TALLY_BIN" replay --pipeline "$ROOT/Pipelines/default.yaml" --out "$BIG.out" "$BIG" > /dev/null
s=$(now)
/usr/bin/time -f "%M" -o "$WORK/events-big-rss" "$TALLY_BIN" query --snapshot "$BIG.out" events --session big --format ndjson > "$WORK/events-big.ndjson"
T=$(since "$s")
echo
echo "one session of $(wc -l < "$WORK/events-big.ndjson") events: events --session $(python3 -c "print(f'{float(\"$T\")*1000:.0f}')") ms, peak RSS $(( $(cat "$WORK/events-big-rss") / 1024 )) MB"
