# staff-sync: the two commands a person needs are `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c

BUILD_DIR ?= build
export BUILD_DIR
JAR := $(BUILD_DIR)/staff-sync.jar
JUNIT := .cache/jars/junit-platform-console-standalone-1.13.4.jar
# A steady heap sized for the data, not for the machine: the server keeps rows, recent events and
# per-connection buffers. SerialGC: lowest footprint on 1-2 cores; see docs/benchmarks.md "Memory".
# -Xmx384m: MAX_ROWS' default, 100,000 rows of 200-character fields, is about 110 MiB of live heap
# before any reply (measured); -Xmx128m (the value before issue 10) ran out of heap at that size, and
# with 256m the old generation was nearly full, so full collections came every few seconds under a
# sync storm. A heap sized from RAM instead grows its young generation to hundreds of MiB that RSS
# then keeps (scenario (c): peak RSS 204 MiB with MaxRAMPercentage=50); -Xms16m lets the heap grow
# only as far as it is used (docs/benchmarks.md, scenarios (c) and (f)).
# ExitOnOutOfMemoryError: the first OutOfMemoryError, in any thread, ends the process (status 3)
# instead of leaving a half-working server; see README "Out of memory".
# TieredStopAtLevel=1: the C1 compiler only. C2's compilations peak at 20+ MiB of native memory and
# its code cache grows; without it peak RSS fell from 110-125 to 83-88 MiB at 10,000 connections and
# from 74-78 to 61-63 MiB in scenario (b), while (a) pinned to one core, 10 s runs, stayed within
# noise (median 660k vs 677k deliveries/s, CPU per delivery 0.83-0.97 vs 0.79-1.23 µs): the server's
# time is in socket writes, not in code C2 would make faster (docs/benchmarks.md, issue 15). These
# figures were taken with -Xmx128m; with -Xmx384m: (b) 64.3-64.9 MiB, (c) 94.2-95.1 MiB.
# SurvivorRatio=4: survivor spaces of a sixth of the young generation each instead of a tenth. In a
# sync storm the shared chunks of replies in progress (hub/EncodedRows, 8 MiB, plus slices in flight)
# are alive at every young collection but die within a second; in the default survivor spaces they
# overflowed into the old generation, about 5 MiB a collection, and came back as a full collection
# of 230-530 ms in every storm. With 4: no full collection in the storm, pauses 0.40-0.56 s in all
# against 1.29-1.30 s, others' event p99 66-87 against 220-332 ms; (b) and (c) within noise, peak
# RSS no higher (docs/benchmarks.md, "Replies of any size").
RUN_JVM_FLAGS ?= -XX:+UseSerialGC -XX:SurvivorRatio=4 -Xss512k -Xms16m -Xmx384m -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1
# Run one class or package: make test TESTS="--select-class staffsync.ws.ProtocolErrorsTest"
TESTS ?= --scan-class-path $(BUILD_DIR)/test-classes
# Replay a seed a test printed: make test SEED=123 TESTS="--select-class staffsync.store.file.CrashTest"
# (sets -Dseed, which every seeded test reads). TEST_JVM_FLAGS passes other -D settings to the tests,
# e.g. TEST_JVM_FLAGS=-Dstaffsync.crash.rounds=50.
SEED ?=
TEST_JVM_FLAGS ?=
# What the jar is built from, the live board's files included: make run rebuilds only when one of
# these changed (directories too, so an added or deleted source counts).
JAR_INPUTS := $(shell find src clients/board -type f -o -type d) clients/js/staff-sync.js build.sh deps.lock VERSION

.PHONY: all build run test clean check-schema

all: build

# Always builds (./build.sh): make build.
build:
	./build.sh

$(JAR): $(JAR_INPUTS)
	./build.sh

# The jar's class-data-sharing archive, made by build.sh next to it (docs/benchmarks.md, "The first
# seconds"); run without it when it is missing. The JVM ignores a stale one with a warning.
JSA := $(BUILD_DIR)/staff-sync.jsa
run: $(JAR)
	java $(RUN_JVM_FLAGS) $$(test -f $(JSA) && echo -XX:SharedArchiveFile=$(JSA)) -jar $(JAR)

# The JavaScript tests (client, React hook, live board in Chromium; clients/run-tests.sh): all by
# default, some with JS_TESTS="test/client.test.js", none with JS_TESTS=none.
JS_TESTS ?=

# JUnit, then the JavaScript tests, each run even when the other fails. The summary line adds both
# up and comes last, also when tests fail; then make exits non-zero if either runner failed.
test:
	./build.sh tests
	bash test/ensure-redis-server.sh || echo "make test: going on without redis-server; the Redis tests will fail" >&2
	@status=0; \
	java $(if $(SEED),-Dseed=$(SEED)) $(TEST_JVM_FLAGS) -Dstaffsync.jar=$(JAR) -jar $(JUNIT) execute \
	  --class-path "$$(cat $(BUILD_DIR)/test-classpath.txt)" $(TESTS) \
	  --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii 2>&1 \
	  | tee $(BUILD_DIR)/test-output.txt || status=$$?; \
	: > $(BUILD_DIR)/js-test-output.txt; \
	if [ "$(JS_TESTS)" != none ]; then \
	  STAFF_SYNC_JAR=$(JAR) bash clients/run-tests.sh $(JS_TESTS) 2>&1 | tee $(BUILD_DIR)/js-test-output.txt || status=$$?; \
	fi; \
	awk '/tests successful/ {ok+=$$2} /tests failed/ {bad+=$$2} /^# pass / {ok+=$$3} /^# (fail|cancelled) / {bad+=$$3} \
	  END {printf "tests: %d passed, %d failed\n", ok, bad}' $(BUILD_DIR)/test-output.txt $(BUILD_DIR)/js-test-output.txt; \
	exit $$status

# db/schema.sql run twice against a throwaway PostgreSQL, on a fresh and on an existing app table
# (installs PostgreSQL with apt-get when missing and run as root). See docs/supabase.md.
check-schema:
	bash db/check-schema.sh

clean:
	rm -rf $(BUILD_DIR)

# The Docker image, built and run here without a Docker engine (podman build --isolation chroot,
# then the exported image under unshare/chroot); needs root. See README "Docker".
.PHONY: docker-test
docker-test:
	bash docker/test-image.sh

# The benchmark against the Go design and Node ws (issue 6): make bench [QUICK=1]. Builds into
# $(BENCH_BUILD_DIR), installs the peers' toolchains if missing (apt-get, npm ci; needs root), and
# writes bench/out/results.{json,md} and bench/out/latency.png. See docs/benchmarks.md.
BENCH_BUILD_DIR ?= build-bench
.PHONY: bench
bench:
	QUICK="$(QUICK)" RUN_JVM_FLAGS="$(RUN_JVM_FLAGS)" BUILD_DIR="$(BENCH_BUILD_DIR)" bash bench/bench.sh

# About two minutes of `make bench` that fails when the bench no longer measures what it says:
# scenario (f) at a small size, staff-sync only, and BENCH_SMOKE=1 makes any lost or repeated
# delivery, error or incomplete snapshot exit 1 (no figure is judged). .ci/run runs it, so a change
# that breaks the bench (as MAX_WRITES_PER_SECOND once broke (f)'s seeding) fails CI.
.PHONY: bench-smoke
bench-smoke:
	QUICK=1 BENCH_SMOKE=1 BENCH_SERVERS=staff-sync BENCH_SCENARIOS=f BENCH_RUNS=1 BENCH_STORM_ROWS=3000 \
	  BENCH_STORM_CLIENTS=20 RUN_JVM_FLAGS="$(RUN_JVM_FLAGS)" BUILD_DIR="$(BENCH_BUILD_DIR)" bash bench/bench.sh
