#!/usr/bin/env bash
# Spool benchmarks: tally append vs zstd -3, library writer events/s, reading back vs zstd -dc.
# Usage: Benchmarks/spool.sh            (from anywhere; needs python3 and zstd)
# The corpus comes from `tally generate` (seed 42), the generator tests and SampleLogs use.
#   TALLY_BIN=/path/to/tally   use this tally binary instead of building one
#   BENCH_MB=500               size of the generated NDJSON corpus (cached in /tmp/tally-bench)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK=/tmp/tally-bench
MB="${BENCH_MB:-500}"
CORPUS="$WORK/corpus-${MB}MB.ndjson"
mkdir -p "$WORK"

if [ -z "${TALLY_BIN:-}" ]; then
  (cd "$ROOT" && swift build -c release --product tally --scratch-path .build-bench >&2)
  TALLY_BIN="$ROOT/.build-bench/release/tally"
fi
(cd "$ROOT" && swift build -c release --package-path Benchmarks --scratch-path .build-bench >&2)
BENCH="$ROOT/.build-bench/release/SpoolBench"

if [ ! -s "$CORPUS" ]; then
  # The project's seeded corpus generator: realistic chat sessions, about 360 bytes a line.
  echo "generating $CORPUS ..." >&2
  "$TALLY_BIN" generate --seed 42 --events $(( MB * 1000000 / 360 )) > "$CORPUS.tmp"
  mv "$CORPUS.tmp" "$CORPUS"
fi
SIZE=$(stat -c %s "$CORPUS")

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
