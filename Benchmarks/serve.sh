#!/usr/bin/env bash
# `tally serve` benchmark: a 1 M-session snapshot (SnapshotBench's), served by a release
# `tally serve` on loopback; `wrk` from a second process, 20 s at 32 connections each on
# /api/v1/summary, /api/v1/sessions?limit=50 and the overview page; latency percentiles,
# requests/s, errors, and the server's peak RSS. Then `/api/v1/sessions/ID` for a random one of
# the snapshot's sessions each request (wrk's Lua): a different answer each time, so nothing
# kept for an earlier request answers it. Needs Debian's `wrk` (not installed by CI).
# Usage: Benchmarks/serve.sh
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one
#   SESSIONS=1000000 SECONDS_EACH=20 CONNECTIONS=32 PORT=18765
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/tmp/tally-bench
SESSIONS="${SESSIONS:-1000000}"
SECONDS_EACH="${SECONDS_EACH:-20}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT="${PORT:-18765}"
mkdir -p "$WORK"
command -v wrk >/dev/null || { echo "serve.sh needs wrk (apt-get install wrk)" >&2; exit 2; }

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally >&2)
  TALLY_BIN="$ROOT/.build/release/tally"
fi
SNAPSHOT="$WORK/serve-snapshot-$SESSIONS"
if [ ! -f "$SNAPSHOT/sessions.db" ]; then
  (cd "$ROOT" && swift build -c release --package-path Benchmarks --scratch-path .build-bench >&2)
  rm -rf "$SNAPSHOT"
  "$ROOT/.build-bench/release/SnapshotBench" "$SNAPSHOT" "$SESSIONS" 1 >&2
fi

"$TALLY_BIN" serve --snapshot "$SNAPSHOT" --listen "127.0.0.1:$PORT" 2> "$WORK/serve.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "listening on" "$WORK/serve.log" && break; sleep 0.1; done

echo "| path | requests/s | p50 | p90 | p99 | max | errors |"
echo "|---|---|---|---|---|---|---|"
cat > "$WORK/serve-random-session.lua" <<LUA
math.randomseed(42)
request = function() return wrk.format("GET", "/api/v1/sessions/sess-" .. math.random(0, $SESSIONS - 1)) end
LUA
for path in "/api/v1/summary" "/api/v1/sessions?limit=50" "/" "/api/v1/sessions/{random ID}"; do
  script=()
  [[ "$path" == *random* ]] && script=(-s "$WORK/serve-random-session.lua")
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" --latency "${script[@]}" "http://127.0.0.1:$PORT${path%%\{*}")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p90=$(echo "$out" | awk '$1=="90%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  max=$(echo "$out" | awk '/Latency/ && !/Distribution/ {print $4; exit}')
  errors=$(echo "$out" | awk '/Non-2xx|Socket errors/ {printf "%s ", $0}')
  echo "| \`$path\` | $rps | $p50 | $p90 | $p99 | $max | ${errors:-0} |"
done
echo
echo "serve peak RSS: $(awk '/VmHWM/ {print int($2/1024) " MB"}' /proc/$SERVER/status)"
