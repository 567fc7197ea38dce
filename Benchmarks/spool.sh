#!/usr/bin/env bash
# Spool benchmarks: tally append vs zstd -3, library writer events/s, reading back vs zstd -dc.
# Usage: Benchmarks/spool.sh            (from anywhere; needs python3 and zstd)
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one
#   BENCH_MB=500               size of the generated NDJSON corpus (cached in /tmp/tally-bench)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/tmp/tally-bench
MB="${BENCH_MB:-500}"
CORPUS="$WORK/events-${MB}MB.ndjson"
mkdir -p "$WORK"

if [ ! -s "$CORPUS" ]; then
  echo "generating $CORPUS ..." >&2
  python3 - "$CORPUS" "$MB" <<'PY'
import json, random, sys
path, mb = sys.argv[1], int(sys.argv[2])
rnd = random.Random(42)
kinds = ["message", "llm_call", "tool_call", "session_start", "session_end", "access"]
models = ["claude-3-5-haiku-20241022", "claude-sonnet-4-5", "gpt-4o-mini", "gpt-4.1"]
tools = ["search", "calculator", "fetch_url", "sql_query", "code_exec"]
words = ("the quick brown fox jumps over a lazy dog while users ask about invoices refunds "
         "deployments kubernetes latency tokens budget pricing weather python swift").split()
target = mb * 1_000_000
with open(path, "w") as f:
    n = 0; i = 0
    while n < target:
        kind = kinds[rnd.randrange(len(kinds))]
        e = {"event_id": "evt-%012x" % rnd.getrandbits(48), "type": kind,
             "ts": "2025-10-%02dT%02d:%02d:%02d.%03dZ" % (rnd.randint(1, 28), rnd.randrange(24), rnd.randrange(60), rnd.randrange(60), rnd.randrange(1000)),
             "session_id": "sess-%06d" % rnd.randrange(200000), "user_id": "user-%05d" % rnd.randrange(20000),
             "org_id": "org-%03d" % rnd.randrange(300), "project_id": "proj-%04d" % rnd.randrange(3000)}
        if kind == "message":
            e["role"] = rnd.choice(["user", "assistant"]); e["text"] = " ".join(rnd.choice(words) for _ in range(rnd.randint(5, 40)))
        elif kind == "llm_call":
            e.update(model=rnd.choice(models), input_tokens=rnd.randrange(20000), output_tokens=rnd.randrange(4000),
                     latency_ms=rnd.randrange(30000), ttft_ms=rnd.randrange(3000), status=rnd.choice(["ok"] * 9 + ["error"]))
        elif kind == "tool_call":
            e.update(tool_name=rnd.choice(tools), duration_ms=rnd.randrange(40000), status=rnd.choice(["success"] * 8 + ["error", "timeout"]))
        line = json.dumps(e, separators=(",", ":")) + "\n"
        f.write(line); n += len(line); i += 1
PY
fi
SIZE=$(stat -c %s "$CORPUS")

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally --scratch-path .build-bench >&2)
  TALLY_BIN="$ROOT/.build-bench/release/tally"
fi
(cd "$ROOT" && swift build -c release --package-path Benchmarks --scratch-path .build-bench >&2)
BENCH="$ROOT/.build-bench/release/SpoolBench"

now() { date +%s.%N; }
rate() { python3 -c "import sys; b,s=float(sys.argv[1]),float(sys.argv[2]); print('%.1f' % (b/s/1e6))" "$1" "$2"; }
ratio() { python3 -c "import sys; print('%.2f' % (float(sys.argv[1])/float(sys.argv[2])))" "$1" "$2"; }

cat "$CORPUS" > /dev/null   # warm the page cache

# (1) tally append vs zstd -3 -c, same input, same run.
SPOOL="$WORK/spool"; rm -rf "$SPOOL"
t0=$(now); zstd -q -3 -c "$CORPUS" > /dev/null; t1=$(now)
ZSTD_S=$(python3 -c "print($t1-$t0)")
t0=$(now); "$TALLY_BIN" append --spool "$SPOOL" --producer bench --level 3 --fsync interval --fsync-interval 1s < "$CORPUS"; t1=$(now)
APPEND_S=$(python3 -c "print($t1-$t0)")
SPOOL_BYTES=$(du -cb "$SPOOL"/*.zst | tail -1 | cut -f1)

# (3) reading sealed segments back vs zstd -dc on the same files.
cat "$SPOOL"/*.zst > /dev/null
t0=$(now); zstd -q -dc "$SPOOL"/*.zst > /dev/null; t1=$(now)
DZSTD_S=$(python3 -c "print($t1-$t0)")
READ_OUT=$("$BENCH" read "$SPOOL")
READ_S=$(echo "$READ_OUT" | sed -n 's/.*READ_SECONDS=\([0-9.e-]*\).*/\1/p')

echo
echo "corpus: $CORPUS ($SIZE bytes), spool: $SPOOL_BYTES bytes in $(ls "$SPOOL"/*.zst | wc -l) segments"
echo
echo "| measurement | seconds | MB/s (uncompressed) | ratio vs zstd |"
echo "|---|---|---|---|"
echo "| zstd -3 -c FILE > /dev/null | $(printf %.2f "$ZSTD_S") | $(rate "$SIZE" "$ZSTD_S") | 1.00 |"
echo "| tally append --level 3 --fsync interval | $(printf %.2f "$APPEND_S") | $(rate "$SIZE" "$APPEND_S") | $(ratio "$ZSTD_S" "$APPEND_S") |"
echo "| zstd -dc segments > /dev/null | $(printf %.2f "$DZSTD_S") | $(rate "$SIZE" "$DZSTD_S") | 1.00 |"
echo "| SegmentReader: decompress + split lines | $(printf %.2f "$READ_S") | $(rate "$SIZE" "$READ_S") | $(ratio "$DZSTD_S" "$READ_S") |"
echo
# (2) library writer events/s.
rm -rf "$WORK/writer"; mkdir -p "$WORK/writer"
"$BENCH" writer "$WORK/writer"
rm -rf "$WORK/writer" "$SPOOL"
