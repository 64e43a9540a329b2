#!/usr/bin/env bash
# The benchmark of issue 6: staff-sync against the Go design (gorilla/websocket hub) and Node ws.
#
#   make bench            full run: scenarios (a)-(f), 3 interleaved runs per server (about 30 min)
#   make bench QUICK=1    1 run per server, shorter windows, a smaller (f) (about 8 min)
#
# Environment: QUICK=1, BENCH_RUNS=n, BENCH_SCENARIOS=abcdef, BENCH_SERVERS=staff-sync,go-hub,node-ws,
# RUN_JVM_FLAGS (the server's JVM flags; make passes the Makefile's), BUILD_DIR (default build-bench),
# BENCH_SKIP_BUILD=1 (reuse the jar), BENCH_SERVER_ENV="NAME=value ..." (extra settings for staff-sync),
# BENCH_BASELINE_JAR=path (another staff-sync jar run next to it as staff-sync/baseline: an A/B in one run;
# BENCH_BASELINE_JVM_FLAGS="..." gives it other JVM flags, e.g. the same jar with other flags),
# BENCH_CHECK=parse (the load generator also parses every message it receives into a JSON tree),
# BENCH_CDS=0 (run staff-sync without the class-data-sharing archive build.sh makes next to the jar).
# BENCH_AUTH=jwt (scenario (c) also as staff-sync/jwt: AUTH_MODE=jwt, an ES256 token per connection;
# BENCH_AUTH=rs256: the same with RS256 tokens; with BENCH_BASELINE_JAR also staff-sync/baseline/jwt, the
# baseline's jar and flags with tokens: e.g. the same jar with and without -XX:TieredStopAtLevel=1).
# BENCH_STORM_ROWS / BENCH_STORM_CLIENTS (scenario (f): 100000 / 200, QUICK 20000 / 50).
# Scenario (r), several instances on Redis (issue 13), is not in the default list (three runs of (b) per
# round, and redis-server): BENCH_SCENARIOS=r (or add r to the list) runs it; it installs redis-server
# like the tests (test/ensure-redis-server.sh, apt-get as root) and runs the tests' PostgREST stand-in.
# Needs root for apt-get when Go or gorilla/websocket is missing (only when go-hub is benchmarked).
# Output: bench/out/results.{json,md}, bench/out/latency.png, server logs in bench/out/logs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BUILD_DIR="${BUILD_DIR:-build-bench}"
OUT=bench/out          # results (git-ignored)
WORK="$BUILD_DIR/bench"  # compiled bench classes and the Go binary, out of the way of bench/out cleaners
JARS=.cache/jars
mkdir -p "$OUT" "$WORK"

# ---- what the peers need: Debian's Go and gorilla/websocket (GOPATH mode), Node ws from the lockfile
SERVERS="${BENCH_SERVERS:-staff-sync,go-hub,node-ws}"
WANT_GO=0; [[ ",$SERVERS," == *",go-hub,"* ]] && WANT_GO=1
WANT_NODE=0; [[ ",$SERVERS," == *",node-ws,"* ]] && WANT_NODE=1
if [[ $WANT_GO == 1 ]] && { ! command -v go >/dev/null || [[ ! -d /usr/share/gocode/src/github.com/gorilla/websocket ]]; }; then
  echo "installing golang and golang-github-gorilla-websocket-dev (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang golang-github-gorilla-websocket-dev >/dev/null
fi
if [[ $WANT_NODE == 1 ]] && { ! command -v node >/dev/null || ! command -v npm >/dev/null; }; then
  echo "installing nodejs and npm (apt-get)" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
if [[ $WANT_NODE == 1 ]] && { [[ ! -f bench/peers/node/node_modules/ws/package.json ]] || \
   [[ bench/peers/node/package-lock.json -nt bench/peers/node/node_modules/.package-lock.json ]]; }; then
  (cd bench/peers/node && npm ci --no-audit --no-fund --silent)
fi

# ---- builds: the server jar in our own BUILD_DIR, the Go peer, the bench itself
if [[ "${BENCH_SKIP_BUILD:-}" != 1 || ! -f "$BUILD_DIR/staff-sync.jar" ]]; then
  BUILD_DIR="$BUILD_DIR" ./build.sh
fi
if [[ $WANT_GO == 1 ]]; then
  GO111MODULE=off GOPATH="$ROOT/bench/peers/go:/usr/share/gocode" GOCACHE="$ROOT/$WORK/gocache" go build -o "$WORK/gohub" gohub
fi
GSON="$(ls $JARS/gson-*.jar | head -1)"
rm -rf "$WORK/classes" && mkdir -p "$WORK/classes"
javac --release 17 -encoding UTF-8 -Xlint:all,-classfile -cp "$GSON" -d "$WORK/classes" bench/src/staffsync/bench/*.java
STANDIN_CP=""
if [[ "${BENCH_SCENARIOS:-}" == *r* ]]; then
  bash test/ensure-redis-server.sh
  # the PostgREST stand-in of the tests as a process of its own (Supabase's stand-in for scenario (r))
  rm -rf "$WORK/standin-classes" && mkdir -p "$WORK/standin-classes"
  javac --release 17 -encoding UTF-8 -cp "$BUILD_DIR/classes:$GSON" -d "$WORK/standin-classes" \
    test/staffsync/store/supabase/PostgrestStandIn.java test/staffsync/store/supabase/StandIn{Table,Query,Auth,Error}.java \
    bench/staffsync/store/supabase/StandInMain.java
  STANDIN_CP="$WORK/standin-classes:$BUILD_DIR/classes:$GSON"
fi
STORE_BENCH_CP=""
if [[ -f bench/staffsync/store/file/StoreBench.java ]]; then
  rm -rf "$WORK/storebench-classes" && mkdir -p "$WORK/storebench-classes"
  if javac --release 17 -encoding UTF-8 -cp "$BUILD_DIR/classes" -d "$WORK/storebench-classes" \
       bench/staffsync/store/file/StoreBench.java; then
    STORE_BENCH_CP="$WORK/storebench-classes:$BUILD_DIR/classes:$(ls $JARS/*.jar | grep -v junit | paste -sd:)"
  fi
fi

# ---- 10,000 connections: file descriptors for the server and the load generator (same shell)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "open files limit: $(ulimit -n)" >&2

GORILLA="$(dpkg-query -W -f='${Version}' golang-github-gorilla-websocket-dev 2>/dev/null || echo '?')"
WS="$(node -p "require('./bench/peers/node/node_modules/ws/package.json').version" 2>/dev/null || echo '?')"
PROPS=(-Dbench.out="$OUT" -Dbench.jar="$BUILD_DIR/staff-sync.jar" -Dbench.go="$WORK/gohub"
       -Dbench.nodeDir=bench/peers/node -Dbench.jvmFlags="${RUN_JVM_FLAGS:-}"
       -Dbench.gorillaVersion="$GORILLA" -Dbench.nodeWsVersion="$WS")
[[ -n "${QUICK:-}" && "${QUICK:-}" != 0 ]] && PROPS+=(-Dbench.quick=true)
[[ -n "${BENCH_RUNS:-}" ]] && PROPS+=(-Dbench.runs="$BENCH_RUNS")
[[ -n "${BENCH_SCENARIOS:-}" ]] && PROPS+=(-Dbench.scenarios="$BENCH_SCENARIOS")
[[ -n "${BENCH_SERVERS:-}" ]] && PROPS+=(-Dbench.servers="$BENCH_SERVERS")
[[ -n "${BENCH_WINDOW:-}" ]] && PROPS+=(-Dbench.window="$BENCH_WINDOW")
[[ -n "${BENCH_SERVER_ENV:-}" ]] && PROPS+=(-Dbench.serverEnv="$BENCH_SERVER_ENV")
[[ -n "${BENCH_BASELINE_JAR:-}" ]] && PROPS+=(-Dbench.baselineJar="$BENCH_BASELINE_JAR")
[[ -n "${BENCH_BASELINE_JVM_FLAGS:-}" ]] && PROPS+=(-Dbench.baselineJvmFlags="$BENCH_BASELINE_JVM_FLAGS")
[[ -n "${BENCH_CHECK:-}" ]] && PROPS+=(-Dbench.check="$BENCH_CHECK")
[[ "${BENCH_CDS:-1}" == 0 ]] && PROPS+=(-Dbench.cds=false)
[[ -n "${BENCH_AUTH:-}" ]] && PROPS+=(-Dbench.auth="$BENCH_AUTH")
[[ -n "${BENCH_STORM_ROWS:-}" ]] && PROPS+=(-Dbench.stormRows="$BENCH_STORM_ROWS")
[[ -n "${BENCH_STORM_CLIENTS:-}" ]] && PROPS+=(-Dbench.stormClients="$BENCH_STORM_CLIENTS")
[[ -n "${BENCH_STORM_PROCESS:-}" ]] && PROPS+=(-Dbench.stormProcess="$BENCH_STORM_PROCESS")
[[ -n "${BENCH_STORM_TIMEOUT_MS:-}" ]] && PROPS+=(-Dbench.stormTimeoutMs="$BENCH_STORM_TIMEOUT_MS")
[[ "${BENCH_SMOKE:-0}" != 0 ]] && PROPS+=(-Dbench.smoke=true)
[[ -n "$STANDIN_CP" ]] && PROPS+=(-Dbench.standInCp="$STANDIN_CP")
[[ -n "$STORE_BENCH_CP" ]] && PROPS+=(-Dbench.storeBenchCp="$STORE_BENCH_CP")
# The load generator: a small, quiet heap; it allocates little per delivery.
exec java -XX:+UseSerialGC -Xms256m -Xmx1g -Djava.awt.headless=true "${PROPS[@]}" \
  -cp "$WORK/classes:$GSON" staffsync.bench.Bench
