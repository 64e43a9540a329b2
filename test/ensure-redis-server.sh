#!/usr/bin/env bash
# The cluster tests start their own redis-server (Debian's package) on free loopback ports, and
# the rediss:// test makes its certificates with openssl; ListenerDeathTest destroys the server's
# listening socket with iproute2's `ss -K` (it skips where ss cannot). Installs them when missing, the way
# docker/test-image.sh installs podman (apt-get, needs root). The package would start a
# system-wide Redis on port 6379 as it installs; a policy-rc.d that refuses service starts
# (Debian's documented switch) keeps it from doing so.
set -euo pipefail
need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v openssl >/dev/null || need+=(openssl)
command -v ss >/dev/null || need+=(iproute2)
((${#need[@]})) || exit 0
if [[ "$(id -u)" != 0 ]]; then
  echo "ensure-redis-server: ${need[*]} missing and installing needs root (apt-get install ${need[*]});" \
       "the Redis tests will fail" >&2
  exit 1
fi
policy=/usr/sbin/policy-rc.d
created=""
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\n# no service starts during package installs (staff-sync test setup)\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created=1
fi
cleanup() { [[ -n "$created" ]] && rm -f "$policy"; return 0; }
trap cleanup EXIT
echo "ensure-redis-server: installing ${need[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
redis-server --version >&2
