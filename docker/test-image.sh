#!/usr/bin/env bash
# Proves the Dockerfile on a machine without a Docker engine or registry access (issue 5).
#
#   docker/test-image.sh          (as root; `make docker-test` runs it)
#
# 1. Makes local stand-ins for the two base images from Debian packages, cached in podman's
#    storage (rebuilt with STANDIN_REBUILD=1):
#      build:   debootstrap bookworm minbase + Debian's openjdk-17-jdk-headless, curl, unzip,
#               standing in for eclipse-temurin:25-jdk;
#      runtime: glibc and the config files distroless uses (base-files, netbase, tzdata, CA
#               bundle, a "nonroot" user 65532), unpacked from the same .debs distroless is made
#               of, standing in for gcr.io/distroless/base-nossl-debian12:nonroot.
#    The Dockerfile keeps the official images as its defaults; the stand-ins come in through the
#    same --build-arg a user would pass to pin a digest.
# 2. Builds the real Dockerfile with `podman build --isolation chroot` (podman run does not
#    work in this sandbox).
# 3. Exports the image's filesystem and starts its ENTRYPOINT the way a container would: as the
#    image's USER, in its WORKDIR, with exactly its ENV (PORT/HTTP_PORT moved to free ports),
#    as PID 1 of a new PID namespace, read-only root with tmpfs /tmp and a writable /data
#    (like the compose service's read_only + named volume).
# 4. Checks /health, a WebSocket CONNECTION_ACK + STAFF_CREATE round trip, the HEALTHCHECK
#    command from the image config (0 when ready, 1 when nothing listens), the non-root uid,
#    graceful SIGTERM (client closed with 1001, exit 0) and the image size (<= MAX_IMAGE_MB).
# Removes its container, image and exported filesystem; keeps only the stand-ins and caches.
#
# Environment: STAFF_SYNC_DOCKER_CACHE (default /var/cache/staff-sync-docker-test),
#   STANDIN_REBUILD=1, KEEP_IMAGE=1 (keep localhost/staff-sync:docker-test), MAX_IMAGE_MB=80,
#   STANDIN_JDK=/usr/lib/jvm/temurin-25-jdk-amd64 (build with that JDK instead of Debian's 17).
set -euo pipefail

SELF="$(readlink -f "$0")"
REPO="$(cd "$(dirname "$SELF")/.." && pwd)"
CACHE="${STAFF_SYNC_DOCKER_CACHE:-/var/cache/staff-sync-docker-test}"
SUITE=bookworm
BUILD_STANDIN=localhost/staff-sync-standin/jdk:bookworm-openjdk17
RUNTIME_STANDIN=localhost/staff-sync-standin/glibc-nonroot:bookworm
IMAGE=localhost/staff-sync:docker-test
MAX_IMAGE_MB="${MAX_IMAGE_MB:-80}"

log() { printf '[docker-test %s] %s\n' "$(date +%T)" "$*" >&2; }
passes=0 failures=0
die() { log "FAIL: $*"; failures=$((failures + 1)); exit 1; }

# ----------------------------------------------------------------------------------------------
# Inner helper, run by the script itself under `unshare --mount`: lays out the container's mounts
# around the exported root filesystem, then starts CMD... as PID 1 of a new PID namespace.
#   test-image.sh __enter ROOTFS DATA_DIR UID GID WORKDIR ENV_FILE CMD...
if [[ "${1:-}" == __enter ]]; then
  shift
  R="$1" DATA="$2" U="$3" G="$4" WD="$5" ENV_FILE="$6"
  shift 6
  mount --make-rprivate /
  mount --bind "$R" "$R"
  mount -t tmpfs -o mode=755,nosuid tmpfs "$R/dev"
  for n in null zero full random urandom tty; do
    touch "$R/dev/$n" && mount --bind "/dev/$n" "$R/dev/$n"
  done
  mkdir -p "$R/dev/shm" && mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/dev/shm"
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$R/tmp"
  mount --bind "$DATA" "$R/data"
  if [[ -n "${MEM_CGROUP:-}" ]]; then
    # Like `mem_limit`: the process goes into a memory cgroup with a limit, and the image sees the
    # cgroup v1 hierarchies under /sys/fs/cgroup, read-only, as in a Docker container.
    # HotSpot (JDK 17) uses the limit only when cpu, cpuacct, cpuset and memory are all mounted.
    echo $$ > "$MEM_CGROUP/cgroup.procs"
    while read -r target; do
      mkdir -p "$R$target" && mount -o bind,ro "$target" "$R$target"
    done < <(findmnt -n -t cgroup -o TARGET)
  fi
  mount -o remount,bind,ro "$R"
  mapfile -t envs < "$ENV_FILE"
  exec /usr/bin/env -i "${envs[@]}" /usr/bin/unshare --pid --fork --kill-child --mount-proc=/proc \
       --root="$R" --wd="$WD" --setgid="$G" --setuid="$U" -- "$@"
fi

[[ "$(id -u)" == 0 ]] || die "run as root (podman build, debootstrap, chroot, mounts)"
START=$SECONDS

# ----------------------------------------------------------------------------------------------
# Tools
need=()
command -v podman >/dev/null || need+=(podman)
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
command -v unshare >/dev/null || need+=(util-linux)
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v docker-compose >/dev/null || need+=(docker-compose)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$CACHE"
WORK="$(mktemp -d "$CACHE/run.XXXXXX")"
SERVER_PID="" JAVA_PID="" CID=""
cleanup() {
  local rc=$?
  set +e
  [[ -n "$JAVA_PID" ]] && kill -KILL "$JAVA_PID" 2>/dev/null
  [[ -n "$SERVER_PID" ]] && { kill -KILL "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; }
  [[ -n "$CID" ]] && podman rm -f "$CID" >/dev/null 2>&1
  [[ -n "${MEM_CGROUP:-}" ]] && rmdir "$MEM_CGROUP" 2>/dev/null
  [[ "${KEEP_IMAGE:-}" == 1 ]] || podman rmi -f "$IMAGE" >/dev/null 2>&1
  rm -rf "$WORK"
  if ((rc == 0)); then log "PASS in $((SECONDS - START)) s"; else log "FAILED (exit $rc) after $((SECONDS - START)) s"; fi
  ((rc == 0 || failures > 0)) || failures=1
  echo "docker-test: $passes passed, $failures failed"
}
trap cleanup EXIT

# The host's Debian mirror, as apt is configured here.
mirror() {
  apt-cache policy | awk -v s=" $SUITE/main " '$0 ~ s && /Packages/ { print $2; exit }'
}

# ----------------------------------------------------------------------------------------------
# 1. Stand-ins for the base images
build_standin() {
  local root="$WORK/standin-build" url
  url="${DEBIAN_MIRROR:-$(mirror)}"
  [[ -n "$url" ]] || die "no $SUITE mirror in apt's configuration (set DEBIAN_MIRROR)"
  log "stand-in build image: debootstrap $SUITE minbase + openjdk-17-jdk-headless (about a minute)"
  mkdir -p "$CACHE/debootstrap-debs"
  debootstrap --variant=minbase --cache-dir="$CACHE/debootstrap-debs" \
      --include=openjdk-17-jdk-headless,curl,unzip,ca-certificates \
      "$SUITE" "$root" "$url" > "$WORK/debootstrap.log" 2>&1 \
    || { tail -20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar --numeric-owner -C "$root" -cf "$WORK/standin-build.tar" .
  podman import \
      --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' \
      "$WORK/standin-build.tar" "$BUILD_STANDIN" >/dev/null
  rm -rf "$root" "$WORK/standin-build.tar"
}

runtime_standin() {
  local root="$WORK/standin-runtime" debs="$CACHE/runtime-debs" d
  log "stand-in runtime image: glibc + distroless's config packages, user nonroot (65532)"
  mkdir -p "$debs" "$root"
  (cd "$debs" && rm -f ./*.deb && apt-get download -qq libc6 base-files netbase tzdata ca-certificates >/dev/null) \
    || die "apt-get download failed"
  for d in "$debs"/*.deb; do dpkg-deb -x "$d" "$root"; done
  # What distroless keeps of ca-certificates: the bundle.
  mkdir -p "$root/etc/ssl/certs"
  cat "$root"/usr/share/ca-certificates/mozilla/*.crt > "$root/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$root"/usr/share/{doc,man,info,lintian,ca-certificates} "$root"/usr/sbin "$root"/usr/bin "$root"/sbin "$root"/bin
  cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
EOF
  cat > "$root/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
EOF
  mkdir -p "$root"/{tmp,root,home/nonroot,proc,dev,sys}
  chmod 1777 "$root/tmp"; chmod 700 "$root/root" "$root/home/nonroot"
  chown 65532:65532 "$root/home/nonroot"
  tar --numeric-owner -C "$root" -cf "$WORK/standin-runtime.tar" .
  podman import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
      --change 'USER 65532' --change 'WORKDIR /home/nonroot' \
      "$WORK/standin-runtime.tar" "$RUNTIME_STANDIN" >/dev/null
  rm -rf "$root" "$WORK/standin-runtime.tar"
}

# STANDIN_JDK=/path/to/a/jdk: a variant of the build stand-in with that JDK (e.g. this machine's
# Temurin 25, the JDK of the default BUILD_IMAGE) at /opt/java/openjdk, first on PATH, laid out as
# in the Temurin images, to check the build with it too.
jdk_standin() {
  local jdk="$1" tag="$2"
  [[ -x "$jdk/bin/jlink" ]] || die "STANDIN_JDK=$jdk has no bin/jlink"
  log "stand-in build image with the JDK in $jdk"
  printf 'FROM %s\nCOPY . /opt/java/openjdk\nENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n' \
      "$BUILD_STANDIN" > "$WORK/Containerfile.jdk"
  podman build --isolation chroot --pull=never --layers=false -t "$tag" -f "$WORK/Containerfile.jdk" "$jdk" > "$WORK/jdk-standin.log" 2>&1 \
    || { tail -20 "$WORK/jdk-standin.log" >&2; die "could not make the JDK stand-in"; }
}

if [[ "${STANDIN_REBUILD:-}" == 1 ]]; then
  podman rmi -f "$BUILD_STANDIN" "$RUNTIME_STANDIN" >/dev/null 2>&1 || true
fi
if ! podman image exists "$BUILD_STANDIN" || ! podman image exists "$RUNTIME_STANDIN"; then
  # Both read apt's package lists (the mirror, apt-get download): a new machine has none yet.
  [[ -n "$(mirror)" ]] || apt-get update -qq
fi
podman image exists "$BUILD_STANDIN" || build_standin
podman image exists "$RUNTIME_STANDIN" || runtime_standin
if [[ -n "${STANDIN_JDK:-}" ]]; then
  tag="localhost/staff-sync-standin/jdk:bookworm-$(basename "$STANDIN_JDK")"
  [[ "${STANDIN_REBUILD:-}" == 1 ]] && podman rmi -f "$tag" >/dev/null 2>&1
  podman image exists "$tag" || jdk_standin "$STANDIN_JDK" "$tag"
  BUILD_STANDIN="$tag"
fi
log "stand-ins: $BUILD_STANDIN ($(podman image inspect --format '{{.Size}}' "$BUILD_STANDIN" | numfmt --to=si)B)," \
    "$RUNTIME_STANDIN ($(podman image inspect --format '{{.Size}}' "$RUNTIME_STANDIN" | numfmt --to=si)B)"

# ----------------------------------------------------------------------------------------------
# 2. Build the real Dockerfile
hard_nofile="$(ulimit -Hn)"; hard_nproc="$(ulimit -Hu)"
[[ "$hard_nofile" == unlimited ]] && hard_nofile=1048576
[[ "$hard_nproc" == unlimited ]] && hard_nproc=1048576
nofile=$((hard_nofile < 65536 ? hard_nofile : 65536))
nproc=$((hard_nproc < 32768 ? hard_nproc : 32768))  # podman refused to raise it past 32768 here
# build.sh downloads the jars with curl: the build's RUN steps see the host's CA bundle, so they
# trust what the host trusts (here that includes the sandbox's TLS-inspecting egress proxy).
HOST_CA_BUNDLE="${HOST_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
ca_volume=()
[[ -f "$HOST_CA_BUNDLE" ]] && ca_volume=(--volume "$HOST_CA_BUNDLE:/etc/ssl/certs/ca-certificates.crt:ro")
log "podman build --isolation chroot (log: build.log, tail shown on failure)"
build_start=$SECONDS
if ! podman build --isolation chroot --format docker --pull=never --layers=false \
      --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" \
      --build-arg "BUILD_IMAGE=$BUILD_STANDIN" --build-arg "RUNTIME_IMAGE=$RUNTIME_STANDIN" \
      "${ca_volume[@]}" \
      -t "$IMAGE" -f "$REPO/Dockerfile" "$REPO" > "$WORK/build.log" 2>&1; then
  tail -40 "$WORK/build.log" >&2
  die "podman build failed"
fi
grep -E '^jlink-runtime.sh:|^built build/' "$WORK/build.log" >&2 || true
log "built $IMAGE in $((SECONDS - build_start)) s"

# ----------------------------------------------------------------------------------------------
# 3. Export the filesystem, read the config
podman image inspect "$IMAGE" > "$WORK/inspect.json"
python3 - "$WORK/inspect.json" > "$WORK/config.sh" <<'PY'
import json, shlex, sys
img = json.load(open(sys.argv[1]))[0]
c = img.get("Config") or {}
hc = img.get("Healthcheck") or img.get("HealthCheck") or c.get("Healthcheck") or {}
def arr(name, v):
    print(f"{name}=(" + " ".join(shlex.quote(x) for x in (v or [])) + ")")
arr("ENTRYPOINT", c.get("Entrypoint"))
arr("CMD", c.get("Cmd"))
arr("ENVS", c.get("Env"))
arr("HEALTH", hc.get("Test"))
arr("EXPOSED", sorted((c.get("ExposedPorts") or {}).keys()))
arr("VOLUMES", sorted((c.get("Volumes") or {}).keys()))
print("USER_SPEC=" + shlex.quote(c.get("User") or ""))
print("WORKDIR=" + shlex.quote(c.get("WorkingDir") or "/"))
print("STOPSIGNAL=" + shlex.quote(c.get("StopSignal") or ""))
print("SIZE=" + str(int(img.get("Size") or 0)))
PY
# shellcheck disable=SC1091
source "$WORK/config.sh"

ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS"
CID="$(podman create "$IMAGE" 2>/dev/null)"
podman export "$CID" | tar --numeric-owner -C "$ROOTFS" -xf -
podman rm "$CID" >/dev/null 2>&1; CID=""  # (podman warns that it has no systemd for health timers)
mkdir -p "$ROOTFS"/{proc,dev,tmp,data}

check() { # check NAME CONDITION-RESULT(0/1) DETAIL
  if [[ "$2" == 0 ]]; then log "ok   $1${3:+: $3}"; passes=$((passes + 1)); else log "FAIL $1${3:+: $3}"; failures=$((failures + 1)); fi
}

# Static checks of the image
size_mb="$(awk -v s="$SIZE" 'BEGIN { printf "%.1f", s / 1000000 }')"
size_mib="$(awk -v s="$SIZE" 'BEGIN { printf "%.1f", s / 1048576 }')"
check "image size <= $MAX_IMAGE_MB MB" "$(awk -v s="$SIZE" -v m="$MAX_IMAGE_MB" 'BEGIN { print (s <= m * 1000000) ? 0 : 1 }')" \
      "$SIZE bytes = $size_mb MB = $size_mib MiB (uncompressed)"
podman history --format '{{.Size}}\t{{.CreatedBy}}' "$IMAGE" | cut -c1-110 | sed 's/^/    layer /' >&2
check "EXPOSE 8080 8081" "$([[ "${EXPOSED[*]}" == "8080/tcp 8081/tcp" ]]; echo $?)" "${EXPOSED[*]}"
check "VOLUME /data" "$([[ " ${VOLUMES[*]} " == *" /data "* ]]; echo $?)" "${VOLUMES[*]}"
check "STOPSIGNAL SIGTERM" "$([[ "$STOPSIGNAL" == SIGTERM || "$STOPSIGNAL" == 15 ]]; echo $?)" "$STOPSIGNAL"
check "HEALTHCHECK set" "$([[ "${HEALTH[0]:-}" == CMD ]]; echo $?)" "${HEALTH[*]}"
check "no JDK tools or jmods in the image" \
      "$([[ ! -e "$ROOTFS/opt/java/bin/javac" && ! -e "$ROOTFS/opt/java/bin/jlink" && ! -d "$ROOTFS/opt/java/jmods" ]]; echo $?)"
check "no shell, no package manager" \
      "$([[ ! -e "$ROOTFS/bin/sh" && ! -e "$ROOTFS/usr/bin/apt-get" && ! -e "$ROOTFS/usr/bin/dpkg" ]]; echo $?)"
log "runtime modules: $(sed -n 's/^MODULES="\(.*\)"/\1/p' "$ROOTFS/opt/java/release")"

# The image's user, numeric (a name is looked up in the image's own /etc/passwd)
uid="${USER_SPEC%%:*}"; gid=""
[[ "$USER_SPEC" == *:* ]] && gid="${USER_SPEC#*:}"
if [[ -n "$uid" && ! "$uid" =~ ^[0-9]+$ ]]; then
  line="$(grep "^$uid:" "$ROOTFS/etc/passwd")" || die "user $uid not in the image's /etc/passwd"
  uid="$(cut -d: -f3 <<<"$line")"; [[ -n "$gid" ]] || gid="$(cut -d: -f4 <<<"$line")"
fi
[[ -n "$uid" ]] || uid=0
[[ -n "$gid" ]] || gid="$(awk -F: -v u="$uid" '$3 == u { print $4 }' "$ROOTFS/etc/passwd")"
[[ -n "$gid" ]] || gid="$uid"
check "USER is not root" "$([[ "$uid" != 0 ]]; echo $?)" "$USER_SPEC -> $uid:$gid"

# A fresh named volume starts as a copy of the image's /data, owner included.
DATA="$WORK/data"
cp -a "$ROOTFS/data" "$DATA"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"; HTTP_PORT="$(free_port)"
while [[ "$HTTP_PORT" == "$PORT" ]]; do HTTP_PORT="$(free_port)"; done
# The image's ENV with PORT/HTTP_PORT moved to free ports and the extra settings given, as
# `docker run -e ...` (or compose's environment:) would do.
write_env() { # write_env FILE PORT HTTP_PORT [NAME=VALUE...]
  local file="$1" e
  { for e in "${ENVS[@]}"; do
      case "$e" in PORT=*|HTTP_PORT=*) ;; *) printf '%s\n' "$e" ;; esac
    done
    printf 'PORT=%s\nHTTP_PORT=%s\n' "$2" "$3"
    shift 3
    for e in "$@"; do printf '%s\n' "$e"; done; } > "$file"
}
# A memory limit as in the compose file (mem_limit: 512m), where this machine lets us make a
# cgroup v1 memory group (nested in our own); without one the limit checks are skipped.
MEM_LIMIT=$((512 * 1024 * 1024))
MEM_HIERARCHY="$(findmnt -n -t cgroup -O memory -o TARGET 2>/dev/null | head -1 || true)"
own_cg="$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)"
MEM_CGROUP=""
if [[ -n "$MEM_HIERARCHY" && -n "$own_cg" ]] && mkdir "$MEM_HIERARCHY$own_cg/staff-sync-docker-test.$$" 2>/dev/null; then
  MEM_CGROUP="$MEM_HIERARCHY${own_cg%/}/staff-sync-docker-test.$$"
  echo "$MEM_LIMIT" > "$MEM_CGROUP/memory.limit_in_bytes"
fi
export MEM_CGROUP MEM_HIERARCHY

# STORE=file (also the default without SUPABASE_URL), so the run also proves that the non-root process can write its DATA_DIR volume
# under a read-only root, and that the data survives a restart of the container.
RUN_ENV=(STORE=file)

in_container() { # in_container ENV_FILE CMD... (foreground)
  unshare --mount -- "$SELF" __enter "$ROOTFS" "$DATA" "$uid" "$gid" "$WORKDIR" "$1" "${@:2}"
}

# start_server NAME: starts the ENTRYPOINT + CMD in the background (log NAME.log), waits for /health
start_server() {
  local name="$1" entry_comm
  write_env "$WORK/env" "$PORT" "$HTTP_PORT" "${RUN_ENV[@]}"
  log "[$name] starting ${ENTRYPOINT[*]} ${CMD[*]} as $uid:$gid, PORT=$PORT HTTP_PORT=$HTTP_PORT ${RUN_ENV[*]}"
  unshare --mount -- "$SELF" __enter "$ROOTFS" "$DATA" "$uid" "$gid" "$WORKDIR" "$WORK/env" \
      "${ENTRYPOINT[@]}" "${CMD[@]}" > "$WORK/$name.log" 2>&1 &
  SERVER_PID=$!
  local run_start=$SECONDS
  entry_comm="$(basename "${ENTRYPOINT[0]}" | cut -c1-15)"
  JAVA_PID=""
  for _ in $(seq 100); do
    JAVA_PID="$(pgrep -P "$SERVER_PID" -x "$entry_comm" | head -1 || true)"
    [[ -n "$JAVA_PID" ]] && break
    sleep 0.1
  done
  [[ -n "$JAVA_PID" ]] || { cat "$WORK/$name.log" >&2; die "the entrypoint did not start"; }
  health=""
  for _ in $(seq 120); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$WORK/$name.log" >&2; die "the server exited during startup"
    fi
    health="$(curl -fsS --max-time 2 "http://127.0.0.1:$HTTP_PORT/health" 2>/dev/null)" && break
    health=""
    sleep 0.5
  done
  check "[$name] /health answers 200" "$([[ -n "$health" ]]; echo $?)" "after $((SECONDS - run_start)) s: $(head -c 160 <<<"$health")"
  [[ -n "$health" ]] || { tail -40 "$WORK/$name.log" >&2; die "no /health"; }
}

# stop_server NAME: SIGTERM to the entrypoint (what `docker stop` sends to PID 1), expects exit 0
stop_server() {
  local name="$1" term_start=$SECONDS rc
  log "[$name] SIGTERM to the entrypoint (host pid $JAVA_PID)"
  kill -TERM "$JAVA_PID"
  for _ in $(seq 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    check "[$name] SIGTERM ends the server within 30 s" 1
    kill -KILL "$JAVA_PID" 2>/dev/null || true
  fi
  if wait "$SERVER_PID"; then rc=0; else rc=$?; fi
  SERVER_PID="" JAVA_PID=""
  check "[$name] SIGTERM: exit code 0" "$([[ "$rc" == 0 ]]; echo $?)" "exit $rc after $((SECONDS - term_start)) s"
  log "[$name] server log (last 15 lines):"
  tail -15 "$WORK/$name.log" | cut -c1-240 | sed 's/^/    server: /' >&2
}

# ----------------------------------------------------------------------------------------------
# 4. Run it
# The JVM defaults as the image applies them (JDK_JAVA_OPTIONS from its ENV).
write_env "$WORK/env" "$PORT" "$HTTP_PORT" "${RUN_ENV[@]}"
in_container "$WORK/env" "${ENTRYPOINT[0]}" -XshowSettings:system -XX:+PrintFlagsFinal -version > "$WORK/flags.log" 2>&1 || true
flag() { awk -v f="$1" '$2 == f { print $4; exit }' "$WORK/flags.log"; }
check "JVM flags from the image's JDK_JAVA_OPTIONS in effect" \
      "$([[ "$(flag MaxRAMPercentage)" == 75.0* && "$(flag ExitOnOutOfMemoryError)" == true && "$(flag UsePerfData)" == false && "$(flag UseSerialGC)" == true && "$(flag SurvivorRatio)" == 4 ]]; echo $?)" \
      "MaxRAMPercentage=$(flag MaxRAMPercentage) ExitOnOutOfMemoryError=$(flag ExitOnOutOfMemoryError) UsePerfData=$(flag UsePerfData) UseSerialGC=$(flag UseSerialGC) SurvivorRatio=$(flag SurvivorRatio) ThreadStackSize=$(flag ThreadStackSize)K"
if [[ -n "$MEM_CGROUP" ]]; then
  heap="$(flag MaxHeapSize)"
  check "heap = 75% of the container's memory limit" \
        "$(awk -v h="$heap" -v l="$MEM_LIMIT" 'BEGIN { r = h / l; print (r > 0.73 && r <= 0.75) ? 0 : 1 }')" \
        "limit $((MEM_LIMIT / 1048576)) MiB -> MaxHeapSize $((heap / 1048576)) MiB; $(grep -m1 'Memory Limit' "$WORK/flags.log" | xargs)"
else
  log "skip heap-vs-limit check: no cgroup v1 memory controller to make a limited group in"
fi

start_server run1

status="$(cat "/proc/$JAVA_PID/status")"
puid="$(awk '/^Uid:/ { print $2, $3, $4, $5 }' <<<"$status")"
pgid="$(awk '/^Gid:/ { print $2, $3, $4, $5 }' <<<"$status")"
groups="$(awk '/^Groups:/ { $1 = ""; print }' <<<"$status" | xargs)"
nspid="$(awk '/^NSpid:/ { print $NF }' <<<"$status")"
check "process runs as the image user, not root" \
      "$([[ "$puid" == "$uid $uid $uid $uid" && "$pgid" == "$gid $gid $gid $gid" && -z "$groups" ]]; echo $?)" \
      "uid $puid, gid $pgid, groups '${groups}'"
check "entrypoint is PID 1 of its namespace" "$([[ "$nspid" == 1 ]]; echo $?)" "NSpid $nspid"
check "process command line" 0 "$(tr '\0' ' ' < "/proc/$JAVA_PID/cmdline")"

((${#HEALTH[@]} > 1)) || die "the image has no HEALTHCHECK command"
if in_container "$WORK/env" "${HEALTH[@]:1}" > "$WORK/health.log" 2>&1; then hrc=0; else hrc=$?; fi
check "HEALTHCHECK command exits 0 when ready" "$([[ $hrc == 0 ]]; echo $?)" "exit $hrc: $(tr '\n' ' ' < "$WORK/health.log" | head -c 200)"
write_env "$WORK/env-dead" "$PORT" "$(free_port)" "${RUN_ENV[@]}"
if in_container "$WORK/env-dead" "${HEALTH[@]:1}" > "$WORK/health-dead.log" 2>&1; then hrc=0; else hrc=$?; fi
check "HEALTHCHECK command exits 1 when nothing answers" "$([[ $hrc == 1 ]]; echo $?)" "exit $hrc: $(tr '\n' ' ' < "$WORK/health-dead.log" | head -c 200)"

log "WebSocket client: ws://127.0.0.1:$PORT/staff-sync"
java "$REPO/docker/WsSmoke.java" "ws://127.0.0.1:$PORT/staff-sync" 60 > "$WORK/ws.log" 2>&1 &
WS_PID=$!
for _ in $(seq 300); do
  grep -qE '^(ROUNDTRIP OK|FAIL|ERROR|CLOSED)' "$WORK/ws.log" && break
  kill -0 "$WS_PID" 2>/dev/null || break
  sleep 0.1
done
sed 's/^/    ws: /' "$WORK/ws.log" | cut -c1-300 >&2
check "WebSocket CONNECTION_ACK" "$(grep -q '^ACK ' "$WORK/ws.log"; echo $?)"
check "WebSocket STAFF_CREATE round trip (inReplyTo 1)" "$(grep -q '^ROUNDTRIP OK' "$WORK/ws.log"; echo $?)"

stop_server run1
if wait "$WS_PID"; then wrc=0; else wrc=$?; fi
check "SIGTERM: the WebSocket client was closed with 1001" "$([[ $wrc == 0 ]]; echo $?)" "$(grep -E '^(CLOSED|NOT CLOSED)' "$WORK/ws.log" | head -1)"

data_files="$(cd "$DATA" && find . -mindepth 1 -printf '%P(%U:%G) ' | head -c 300)"
check "DATA_DIR written by the image user" \
      "$([[ -n "$data_files" ]] && ! find "$DATA" -mindepth 1 ! -uid "$uid" | grep -q .; echo $?)" "$data_files"

# Like a container restarted on the same named volume: the row is still there.
start_server run2
check "[run2] the row survived the restart (DATA_DIR volume)" "$(grep -q '"rows":1[,}]' <<<"$health"; echo $?)"
stop_server run2

# The compose file: valid, and its health check is the image's.
if compose_json="$(cd "$REPO" && REACT_APP_SUPABASE_URL=https://example.invalid SUPABASE_SERVICE_KEY=x \
      docker-compose -f docker-compose.yml config 2>"$WORK/compose.err" \
      | /usr/bin/python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))')"; then
  check "docker-compose.yml is valid (docker-compose config)" 0
  compose_hc="$(/usr/bin/python3 -c 'import json, sys; print(" ".join(json.load(sys.stdin)["services"]["staff-sync"]["healthcheck"]["test"]))' <<<"$compose_json")"
  check "compose health check = image HEALTHCHECK" "$([[ "$compose_hc" == "${HEALTH[*]}" ]]; echo $?)" "$compose_hc"
else
  check "docker-compose.yml is valid (docker-compose config)" 1 "$(head -c 300 "$WORK/compose.err")"
fi

if ((failures)); then log "FAIL: $failures check(s) failed"; exit 1; fi
log "all checks passed; image $size_mb MB"
