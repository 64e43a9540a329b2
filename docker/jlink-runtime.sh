#!/bin/sh
# Runs in the Dockerfile's build stage: makes the minimal Java runtime for the jar.
#
#   docker/jlink-runtime.sh JAR ROOT
#
# Lays out under ROOT exactly what the runtime stage copies to /:
#   ROOT/opt/java   a jlinked runtime with only the modules JAR needs (jdeps + the extras below)
#   ROOT/usr/...    shared libraries that runtime links besides glibc (none for Temurin, which
#                   bundles zlib and links libstdc++ statically; zlib, libstdc++ and libgcc_s for a
#                   distribution JDK such as Debian's), so the runtime base needs glibc only.
#
# Works with any glibc JDK 17 or newer on PATH: with jmods (JDK 17, Debian) or without them
# (JDK 24+ builds that link from their own run-time image, as Temurin 25 does).
# JLINK_EXTRA_MODULES (comma-separated, optional) adds modules, e.g. jdk.jcmd for debugging.
set -eu

jar="$1"
root="$2"

feature="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
[ -n "$feature" ] || { echo "jlink-runtime.sh: cannot tell the JDK's version" >&2; exit 1; }

# The modules the jar's classes (and the merged dependencies' classes) refer to. Gson's
# java.sql adapters are left out of the analysis: Gson declares java.sql optional
# (`requires static`) and uses them only when java.sql is there; linking java.sql would bring
# java.xml and java.transaction.xa with it for nothing. If the server's own code ever uses
# java.sql, jdeps still finds it.
deps="$(jdeps --ignore-missing-deps --print-module-deps --multi-release "$feature" \
             -include '^(?!com\.google\.gson\.internal\.sql\.).*' "$jar")"
[ -n "$deps" ] || { echo "jlink-runtime.sh: jdeps found no modules in $jar" >&2; exit 1; }

# What jdeps cannot see:
#  - jdk.unsupported: Gson reaches sun.misc.Unsafe by reflection (objects without a no-arg
#    constructor), and Java-WebSocket/slf4j look for it too.
#  - jdk.crypto.ec: up to JDK 21 the elliptic-curve TLS key exchange that HTTPS servers such as
#    Supabase ask for lives there; from JDK 22 it is in java.base and the module is an empty shell.
extra="jdk.unsupported"
if [ "$feature" -lt 22 ]; then extra="$extra,jdk.crypto.ec"; fi
modules="$deps,$extra${JLINK_EXTRA_MODULES:+,$JLINK_EXTRA_MODULES}"
echo "jlink-runtime.sh: JDK $feature, jdeps: $deps; linking: $modules"

# JDK 21+ names the compression zip-N; JDK 17 only knows 0|1|2 (2 = zip).
if jlink --help 2>&1 | grep -q 'zip-'; then compress=zip-6; else compress=2; fi
# --strip-debug also strips native debug info on Linux, which needs objcopy (binutils: in the
# Temurin images, not always elsewhere); without it strip only the Java debug attributes.
if command -v objcopy >/dev/null 2>&1; then strip=--strip-debug; else strip=--strip-java-debug-attributes; fi

mkdir -p "$root/opt" "$root/usr"
jlink --add-modules "$modules" \
      "$strip" --no-header-files --no-man-pages --compress="$compress" \
      --output "$root/opt/java"

# Shared libraries outside glibc that the runtime links dynamically: copy each to its place in
# the build image (real path, so /lib -> usr/lib symlinks do not matter), under its soname.
find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) | while read -r f; do
  ldd "$f" 2>/dev/null || true
done | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | sort -u | while read -r soname path; do
  case "$path" in "$root"/*) continue ;; esac
  case "$soname" in
    libc.so.*|libm.so.*|libdl.so.*|libpthread.so.*|librt.so.*|libresolv.so.*|libutil.so.*|ld-linux*) continue ;;
  esac
  dir="$(dirname "$(readlink -f "$path")")"
  mkdir -p "$root$dir"
  cp -L "$path" "$root$dir/$soname"
  echo "jlink-runtime.sh: bundling $soname from $path"
done

"$root/opt/java/bin/java" --list-modules
du -sh "$root/opt/java"
