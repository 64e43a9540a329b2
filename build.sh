#!/usr/bin/env bash
# Builds staff-sync without Maven or Gradle: fetch pinned jars, javac, pack one jar.
#
#   ./build.sh          the runnable jar: build/staff-sync.jar
#   ./build.sh tests    the jar, then the tests compiled into build/test-classes
#
# Jars come from Maven Central into .cache/jars (git-ignored) and are checked against
# the SHA-256 in deps.lock, so a warm cache builds with no network at all.
# BUILD_DIR=dir builds somewhere else than build/ (two checkouts' builds never collide).
set -euo pipefail
cd "$(dirname "$0")"
ROOT="$PWD"

REPO_URL="${MAVEN_REPO_URL:-https://repo1.maven.org/maven2}"
CACHE=.cache/jars
OUT="${BUILD_DIR:-build}"
mkdir -p "$CACHE" "$OUT"
# One build at a time in this tree (parallel runs would delete each other's classes).
exec 9>"$OUT/.build.lock"
flock 9

die() { echo "build.sh: $*" >&2; exit 1; }
command -v javac >/dev/null || die "javac not found: install a JDK 17 or newer"

# fetch SCOPE -> prints the cached jar paths of that scope, one per line
fetch() {
  local scope="$1" s coords sha group artifact version path file actual
  while read -r s coords sha; do
    [[ -z "$s" || "$s" == \#* || "$s" != "$scope" ]] && continue
    IFS=: read -r group artifact version <<<"$coords"
    file="$CACHE/$artifact-$version.jar"
    if [[ ! -f "$file" ]]; then
      path="${group//.//}/$artifact/$version/$artifact-$version.jar"
      echo "fetching $coords" >&2
      curl -fsSL --retry 3 -o "$file.part" "$REPO_URL/$path" || die "could not download $coords from $REPO_URL"
      mv "$file.part" "$file"
    fi
    actual="$(sha256sum "$file" | cut -d' ' -f1)"
    if [[ "$actual" != "$sha" ]]; then
      mv "$file" "$file.rejected"
      die "checksum mismatch for $coords: expected $sha, actual $actual (file kept as $file.rejected)"
    fi
    echo "$file"
  done < deps.lock
}

classpath() { paste -sd: -; }

build_jar() {
  local runtime
  runtime="$(fetch runtime | classpath)"
  rm -rf "$OUT/classes" "$OUT/fat"
  mkdir -p "$OUT/classes" "$OUT/fat"
  find src -name '*.java' > "$OUT/sources.txt"
  javac --release 17 -Xlint:all,-serial,-classfile -Werror -encoding UTF-8 \
        -cp "$runtime" -d "$OUT/classes" @"$OUT/sources.txt"
  # Merge the dependencies into one jar. Their signatures and module descriptors
  # would not match the merged jar, so they are left out.
  (cd "$OUT/fat" && for j in ${runtime//:/ }; do jar xf "$ROOT/$j"; done)
  rm -f "$OUT"/fat/META-INF/*.SF "$OUT"/fat/META-INF/*.RSA "$OUT"/fat/META-INF/*.DSA \
        "$OUT"/fat/META-INF/MANIFEST.MF "$OUT"/fat/module-info.class
  if [[ -d "$OUT/fat/META-INF/versions" ]]; then
    find "$OUT/fat/META-INF/versions" -name module-info.class -delete
  fi
  # The live board's static files (HTML, CSS, its script, the JavaScript client), served by BoardPage.
  local board="$OUT/classes/staffsync/http/board"
  mkdir -p "$board"
  for file in clients/board/index.html clients/board/board.css clients/board/board.js clients/js/staff-sync.js; do
    [[ -f "$file" ]] || die "missing $file (the live board's files are packed into the jar)"
    cp "$file" "$board/"
  done
  cp -r "$OUT/classes/." "$OUT/fat/"
  local version
  version="$(cat VERSION)"
  printf 'Main-Class: staffsync.Main\nImplementation-Title: staff-sync\nImplementation-Version: %s\nMulti-Release: true\n' "$version" > "$OUT/manifest.txt"
  rm -f "$OUT/staff-sync.jar"
  jar --create --file "$OUT/staff-sync.jar" --manifest "$OUT/manifest.txt" -C "$OUT/fat" .
  echo "built $OUT/staff-sync.jar ($(du -k "$OUT/staff-sync.jar" | cut -f1) KiB)" >&2
}

build_tests() {
  local runtime testjars
  runtime="$(fetch runtime | classpath)"
  testjars="$(fetch test | classpath)"
  rm -rf "$OUT/test-classes"
  mkdir -p "$OUT/test-classes"
  find test -name '*.java' > "$OUT/test-sources.txt"
  javac --release 17 -encoding UTF-8 -cp "$OUT/classes:$runtime:$testjars" \
        -d "$OUT/test-classes" @"$OUT/test-sources.txt"
  echo "$OUT/classes:$OUT/test-classes:$runtime:$testjars" > "$OUT/test-classpath.txt"
}

# The jar's class-data-sharing archive (AppCDS; JDK 17's dynamic archive), made by a short
# training run: the server starts on free loopback ports with a throwaway file store, one raw
# WebSocket client creates, updates, syncs and deletes a row (masked with a zero key, so bash can
# write the frames), /health, /ready and /metrics are asked, then SIGTERM; the JVM writes every
# class it loaded to the archive at exit. `make run` and the image pass it with
# -XX:SharedArchiveFile; the JVM checks it against the jar and ignores it, with a warning, if
# they do not match. An optimization only: if training fails, the build goes on without it.
#   ./build.sh archive [JAVA JAR ARCHIVE]   (another java, jar or archive path)
# BUILD_ARCHIVE=0 skips it (a build whose jar runs elsewhere, like the image's build stage).
build_archive() {
  local java="${1:-java}" jar="${2:-$OUT/staff-sync.jar}" archive="${3:-$OUT/staff-sync.jsa}"
  local work ws http pid
  if [[ "${BUILD_ARCHIVE:-1}" == 0 ]]; then
    rm -f "$archive"
    return 0
  fi
  jar="$(readlink -f "$jar")"
  archive="$(readlink -f "$archive")"
  rm -f "$archive"
  work="$(mktemp -d)"
  ( cd "$work" && HOST=127.0.0.1 PORT=0 HTTP_PORT=0 STORE=file DATA_DIR="$work/data" \
      exec "$java" -XX:+UseSerialGC -Xmx128m -XX:ArchiveClassesAtExit="$archive" -jar "$jar" ) >"$work/log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    grep -q "bound ports" "$work/log" 2>/dev/null && break
    [[ "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null || echo Z)" != Z ]] || break # exited
    sleep 0.05
  done
  ws="$(sed -n 's/.*bound ports websocket=\([0-9]*\) http=\([0-9]*\).*/\1/p' "$work/log")"
  http="$(sed -n 's/.*bound ports websocket=\([0-9]*\) http=\([0-9]*\).*/\2/p' "$work/log")"
  if [[ -n "$ws" && -n "$http" ]]; then
    train_client "$ws" || echo "build.sh: the archive's training client failed (the archive is made anyway)" >&2
    for path in health ready metrics; do curl -fsS -o /dev/null "http://127.0.0.1:$http/$path" || true; done
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [[ -s "$archive" ]]; then
    echo "built $archive ($(du -k "$archive" | cut -f1) KiB, class-data sharing for the jar)" >&2
  else
    echo "build.sh: no class-data-sharing archive (the server runs without it); training log:" >&2
    tail -5 "$work/log" >&2
  fi
  rm -rf "$work"
}

# One WebSocket client of the training run, in bash: text frames masked with a zero key.
train_client() {
  local port="$1" id="cds-training"
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET /staff-sync HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n' "$port" >&3
  local n=0 message
  for message in \
    '{"type":"STAFF_CREATE","payload":{"staff":{"id":"'$id'","name":"Training","position":"nurse","department":"ward","period":1}},"clientId":"'$id'","sequenceNumber":1}' \
    '{"type":"STAFF_UPDATE","payload":{"staffId":"'$id'","changes":{"name":"Trained"},"version":1},"clientId":"'$id'","sequenceNumber":2}' \
    '{"type":"STAFF_UPDATE","payload":{"staffId":"'$id'","changes":{"position":"lead"},"version":1},"clientId":"'$id'","sequenceNumber":3}' \
    '{"type":"SYNC_REQUEST","payload":{"period":1},"clientId":"'$id'","sequenceNumber":4}' \
    '{"type":"SYNC_ALL_PERIODS_REQUEST","payload":{"clientId":"'$id'"},"clientId":"'$id'","sequenceNumber":5}' \
    '{"type":"PING","payload":{},"clientId":"'$id'","sequenceNumber":6}' \
    '{"type":"STAFF_DELETE","payload":{"staffId":"'$id'","version":2},"clientId":"'$id'","sequenceNumber":7}' \
    '{"type":"NO_SUCH_TYPE"}'; do
    n=${#message}
    if (( n < 126 )); then
      printf "\\x81\\x$(printf %02x $((0x80 | n)))\\x00\\x00\\x00\\x00" >&3
    else
      printf "\\x81\\xfe\\x$(printf %02x $((n >> 8)))\\x$(printf %02x $((n & 255)))\\x00\\x00\\x00\\x00" >&3
    fi
    printf '%s' "$message" >&3
  done
  timeout 1 cat <&3 >/dev/null || true   # the answers, written by the server's own path
  printf '\x88\x82\x00\x00\x00\x00\x03\xe8' >&3 # close 1000
  timeout 1 cat <&3 >/dev/null || true
  exec 3<&-
}

case "${1:-jar}" in
  jar) build_jar; build_archive ;;
  tests) build_jar; build_archive; build_tests ;;
  archive) shift; build_archive "$@" ;;
  *) die "unknown target '$1' (use: jar | tests | archive [JAVA JAR ARCHIVE])" ;;
esac
