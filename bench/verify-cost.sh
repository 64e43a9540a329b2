#!/usr/bin/env bash
# What one token signature check costs (issue 11): ES256 and RS256 verifies, JDK only
# (bench/staffsync/auth/VerifyCost.java), under two sets of JVM flags, one JVM each, interleaved
# ROUNDS times so that a shared machine's load falls on both alike. Prints every round, then the
# medians per flag set, and the load average before and after.
#
#   bash bench/verify-cost.sh                       make run's flags (C1 only) against full tiered (C2)
#   ROUNDS=7 FLAGS_A="..." FLAGS_B="..." THREADS=2 bash bench/verify-cost.sh
#   JAVA_B=/usr/lib/jvm/other-jdk/bin/java FLAGS_B="$FLAGS_A" bash bench/verify-cost.sh   another JDK, same flags
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-5}"
THREADS="${THREADS:-1}"
FLAGS_A="${FLAGS_A:--XX:+UseSerialGC -Xss512k -Xms16m -Xmx384m -XX:TieredStopAtLevel=1}"
FLAGS_B="${FLAGS_B:--XX:+UseSerialGC -Xss512k -Xms16m -Xmx384m}"
JAVA_A="${JAVA_A:-java}"
JAVA_B="${JAVA_B:-java}"
CLASSES="${BUILD_DIR:-build-bench}/verify-cost-classes"
rm -rf "$CLASSES" && mkdir -p "$CLASSES"
javac --release 17 -encoding UTF-8 -d "$CLASSES" bench/staffsync/auth/VerifyCost.java
echo "load before: $(cat /proc/loadavg)"
echo "A: $JAVA_A $FLAGS_A"
echo "B: $JAVA_B $FLAGS_B"
results=()
for ((round = 1; round <= ROUNDS; round++)); do
  for which in A B; do
    flags="FLAGS_$which"
    java="JAVA_$which"
    # shellcheck disable=SC2086 # the flags are words
    while read -r line; do
      echo "round $round $which $line"
      results+=("$which $line")
    done < <("${!java}" ${!flags} -cp "$CLASSES" staffsync.auth.VerifyCost 3000 15 200 "$THREADS")
  done
done
echo "load after: $(cat /proc/loadavg)"
printf '%s\n' "${results[@]}" | awk '
  { key = $1 " " $2; split($3, c, "="); split($4, w, "="); cpu[key] = cpu[key] " " c[2]; wall[key] = wall[key] " " w[2] }
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return v[int((n + 1) / 2)]
  }
  END { for (k in cpu) printf "median %s cpu_us=%s wall_us=%s\n", k, median(cpu[k]), median(wall[k]) }' | sort
