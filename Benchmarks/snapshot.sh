#!/usr/bin/env bash
# Snapshot benchmarks: write time with 10 k and with 1 M retained ended sessions (1,000 live
# sessions changed per write), and whole-process `tally query` times on the 1 M snapshot.
# Usage: Benchmarks/snapshot.sh
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one (release, static Swift libraries)
#   LARGE=1000000 SMALL=10000 ROUNDS=15
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/tmp/tally-bench
LARGE="${LARGE:-1000000}"
SMALL="${SMALL:-10000}"
ROUNDS="${ROUNDS:-15}"
mkdir -p "$WORK"

if [ -z "${TALLY_BIN:-}" ]; then
  # The deployment build (README, "Building for deployment"): `tally query` is a process per
  # question, and most of a query's time is starting one.
  (cd "$ROOT" && swift build -c release --static-swift-stdlib --product tally --scratch-path .build-static >&2)
  TALLY_BIN="$ROOT/.build-static/release/tally"
fi
(cd "$ROOT" && swift build -c release --package-path Benchmarks --scratch-path .build-bench >&2)
BENCH="$ROOT/.build-bench/release/SnapshotBench"

rm -rf "$WORK/snapshot-small" "$WORK/snapshot-large"
small=$("$BENCH" "$WORK/snapshot-small" "$SMALL" "$ROUNDS")
large=$(/usr/bin/time -f "rss_kb=%M" "$BENCH" "$WORK/snapshot-large" "$LARGE" "$ROUNDS" 2>&1)
echo "$small"
echo "$large"

# Whole-process query times on the large snapshot: median of 11 runs each.
median_ms() {
  local times=()
  for _ in $(seq 11); do
    s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[6]/1000}'
}
ID="sess-$(( LARGE / 2 ))"
q_session=$(median_ms "$TALLY_BIN" query --snapshot "$WORK/snapshot-large" session "$ID" --format json)
q_top=$(median_ms "$TALLY_BIN" query --snapshot "$WORK/snapshot-large" sessions --sort cost --limit 50 --format json)
q_summary=$(median_ms "$TALLY_BIN" query --snapshot "$WORK/snapshot-large" summary --format json)

python3 - "$small" "$large" "$q_session" "$q_top" "$q_summary" <<'PY'
import sys, re
def field(text, name): return int(re.search(name + r"=(\d+)", text).group(1))
small, large = sys.argv[1], sys.argv[2]
s, l = field(small, "median_write_ms"), field(large, "median_write_ms")
print()
print("| measurement | value |")
print("|---|---|")
print(f"| snapshot write, {field(small,'retained'):,} retained ended sessions (median) | {s} ms |")
print(f"| snapshot write, {field(large,'retained'):,} retained ended sessions (median) | {l} ms ({l/max(s,1):.1f}x) |")
print(f"| first snapshot of {field(large,'retained'):,} sessions (all rows inserted) | {field(large,'first_write_ms')} ms |")
print(f"| tally query session ID, {field(large,'retained'):,} sessions, whole process | {sys.argv[3]} ms |")
print(f"| tally query sessions --sort cost --limit 50, whole process | {sys.argv[4]} ms |")
print(f"| tally query summary, whole process | {sys.argv[5]} ms |")
print(f"| peak RSS of the {field(large,'retained'):,}-session fold and writer | {field(large,'rss_kb')//1024} MB |")
PY
