# staff-sync: a small, non-root image of the WebSocket sync server.
#
#   docker build -t staff-sync .
#   docker run -p 8080:8080 -p 8081:8081 -v staff-sync-data:/data staff-sync
#
# Both base images are build arguments, so they can be pinned by digest:
#   docker build --build-arg BUILD_IMAGE=eclipse-temurin:25-jdk@sha256:... \
#                --build-arg RUNTIME_IMAGE=gcr.io/distroless/base-nossl-debian12:nonroot@sha256:... .
#
# BUILD_IMAGE: any glibc JDK 17+ image with a POSIX shell (curl and unzip are installed with apt
#   if it lacks them). build.sh fetches the pinned jars (deps.lock, SHA-256 checked) from Maven
#   Central, or from MAVEN_REPO_URL when that build argument is set.
# RUNTIME_IMAGE: only glibc is needed (distroless base-nossl is glibc, CA certificates, tzdata and a
#   "nonroot" user, about 15 MB). debian:bookworm-slim works too and brings a shell for debugging,
#   but is ~75 MB by itself and so misses the 80 MB target. The runtime stage runs no RUN step:
#   a base without a shell is fine.
ARG BUILD_IMAGE=eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=gcr.io/distroless/base-nossl-debian12:nonroot

# ---------------------------------------------------------------------------------------------
FROM ${BUILD_IMAGE} AS build
ARG MAVEN_REPO_URL=""
ARG JLINK_EXTRA_MODULES=""
WORKDIR /src
RUN set -eu; missing=""; \
    for tool in curl unzip; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done; \
    if [ -n "$missing" ]; then \
      apt-get update; \
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates $missing; \
      rm -rf /var/lib/apt/lists/*; \
    fi
COPY build.sh deps.lock VERSION ./
COPY src ./src
# The live board's static files, packed into the jar by build.sh.
COPY clients/board ./clients/board
COPY clients/js/staff-sync.js ./clients/js/staff-sync.js
# BUILD_ARCHIVE=0: no class-data-sharing archive here (it is made for the JVM that trains it, not
# the jlinked runtime; docs/benchmarks.md, "The first seconds").
RUN BUILD_DIR=build BUILD_ARCHIVE=0 ./build.sh
# The runtime: jdeps over the jar plus the modules it cannot see (docker/jlink-runtime.sh says
# why). Today's list, with the Temurin 25 default:
#   java.base         the core: sockets, NIO, TLS, the file store
#   java.logging      java.util.logging, behind slf4j-jdk14
#   java.net.http     the HTTP client: Supabase's REST API, the healthcheck mode
#   jdk.httpserver    /health, /ready, /metrics
#   jdk.unsupported   sun.misc.Unsafe, which Gson reaches by reflection (jdeps cannot see it)
#   (+ jdk.crypto.ec when the JDK is older than 22: elliptic-curve TLS for https Supabase URLs)
# Not linked: java.sql (+ java.xml), which only Gson's optional java.sql adapters refer to.
# The build log line "jlink-runtime.sh: ... linking: ..." prints the exact list of each build.
COPY docker/jlink-runtime.sh /usr/local/bin/jlink-runtime.sh
RUN sh /usr/local/bin/jlink-runtime.sh build/staff-sync.jar /rootfs \
 && mkdir -p /rootfs/app /data \
 && cp build/staff-sync.jar /rootfs/app/staff-sync.jar

# ---------------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
# Only the jlinked runtime (+ any non-glibc library it links), the jar, and the data directory.
COPY --from=build /rootfs/ /
# 65532 is distroless's "nonroot"; a numeric id works on any base and lets Kubernetes check
# runAsNonRoot. /data is created owned by it, so a fresh named volume inherits that owner.
COPY --from=build --chown=65532:65532 /data /data

# Container-friendly JVM defaults, read by the java launcher (override the whole variable to change):
#  -XX:MaxRAMPercentage=75   the JVM sizes its heap from the container's memory limit (cgroup
#      aware since JDK 10), but takes only 25% by default, meant for a shared host (`make run`
#      uses 50% on a workstation). The server is the only process in its container, so 75% goes
#      to the heap and 25% stays for metaspace, thread stacks, code cache, direct buffers and the
#      short-lived healthcheck JVM. Without a limit the JVM sizes from the host's memory: set
#      one (compose: mem_limit).
#  -XX:+ExitOnOutOfMemoryError  an OutOfMemoryError ends the process at once instead of leaving
#      a half-working server; the restart policy brings up a clean one.
#  -XX:-UsePerfData  no /tmp/hsperfdata file: no jcmd/jps in the image reads it, and the image
#      then runs with a read-only root filesystem.
#  -XX:+UseSerialGC -XX:SurvivorRatio=4 -Xss512k -XX:TieredStopAtLevel=1  as `make run`: the
#      lowest-footprint collector for a small heap on 1-2 cores (the JVM would pick G1 once the
#      container has 2+ CPUs and ~2 GB), survivor spaces that hold a sync storm's shared reply
#      chunks until they die (no full collection in the storm; see the Makefile), smaller thread
#      stacks, and the C1 compiler only (C2's compilations peak at 20+ MiB of native memory;
#      throughput stayed within noise, see docs/benchmarks.md).
# The CPU count also comes from the container's limit (cgroups), so GC and pool sizes follow it.
ENV JAVA_HOME=/opt/java \
    PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PORT=8080 \
    HTTP_PORT=8081 \
    DATA_DIR=/data \
    JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -XX:+UseSerialGC -XX:SurvivorRatio=4 -Xss512k -XX:TieredStopAtLevel=1"

USER 65532:65532
WORKDIR /app
EXPOSE 8080 8081
VOLUME ["/data"]
# The JVM runs as PID 1 (exec-form ENTRYPOINT, no shell in between) and gets SIGTERM itself:
# its shutdown closes clients with 1001 and finishes pending writes. Give it a grace period
# (docker stop -t, compose stop_grace_period) longer than that drain.
STOPSIGNAL SIGTERM
# No curl or wget in the image: the jar's own healthcheck mode GETs
# http://127.0.0.1:$HTTP_PORT/ready and exits 0 on 200, 1 otherwise. A small, quick JVM, since it
# runs every interval next to the server.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["/opt/java/bin/java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-jar", "/app/staff-sync.jar", "healthcheck"]
ENTRYPOINT ["/opt/java/bin/java", "-jar", "/app/staff-sync.jar"]
