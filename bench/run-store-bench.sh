#!/usr/bin/env bash
# Store-level benchmark (not part of the tests): ./bench/run-store-bench.sh
# Needs ./build.sh first (uses build/classes). Output and scratch data go to bench/out (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
CLASSES="${BUILD_DIR:-build}/classes"
OUT=bench/out
rm -rf "$OUT" && mkdir -p "$OUT/classes" "$OUT/data"
javac --release 17 -encoding UTF-8 -cp "$CLASSES" -d "$OUT/classes" bench/staffsync/store/file/StoreBench.java
CP="$OUT/classes:$CLASSES"
JAVA="java -Xmx1g -Djava.util.logging.config.file=/dev/null -cp $CP staffsync.store.file.StoreBench"
echo "== commit throughput and latency"
$JAVA writes "$OUT/data/writes" "${BENCH_MILLIS:-2000}"
echo "== startup with 1,000,000 events"
$JAVA generate "$OUT/data/log-only" 1000000 false
$JAVA generate "$OUT/data/with-snapshot" 1000000 true
for case in log-only with-snapshot; do
  for run in 1 2 3; do echo -n "$case run $run: "; $JAVA startup "$OUT/data/$case"; done
done
rm -rf "$OUT/data"
