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

case "${1:-jar}" in
  jar) build_jar ;;
  tests) build_jar; build_tests ;;
  *) die "unknown target '$1' (use: jar | tests)" ;;
esac
