#!/usr/bin/env bash
# The JavaScript tests: the client (staff-sync.js), the React hook and the live board in Chromium,
# each against the real jar. `make test` runs this after the JUnit suite.
#
#   clients/run-tests.sh                        every test file
#   clients/run-tests.sh test/client.test.js    some of them
#
# Installs what is missing on a fresh machine (as root): Node.js and npm, the pinned npm packages
# (npm ci from package-lock.json), and Debian's chromium. STAFF_SYNC_JAR names the jar (default
# build/staff-sync.jar); CHROMIUM a browser binary other than /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")"

log() { echo "clients/run-tests.sh: $*" >&2; }

apt_install() {
  if [[ $(id -u) -ne 0 ]]; then
    log "missing $*: install it (apt-get install $*) or run as root"
    exit 1
  fi
  log "installing $* (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# nodejs first: where its package is NodeSource's it brings npm itself, and Debian's npm would
# fight it; Debian's own nodejs needs the separate npm package.
command -v node >/dev/null || apt_install nodejs
command -v npm >/dev/null || apt_install npm
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if (( node_major < 20 )); then
  log "Node.js 20 or newer is needed (found $(node --version))"
  exit 1
fi

# npm ci when the lock file changed since the last install (or nothing is installed yet).
if ! cmp -s package-lock.json node_modules/.installed-package-lock.json 2>/dev/null; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.installed-package-lock.json
fi

if [[ -z "${CHROMIUM:-}" ]] && ! command -v chromium >/dev/null; then
  apt_install chromium
fi

files=("$@")
if (( ${#files[@]} == 0 )); then
  files=(test/*.test.js)
fi
# TAP output: its closing "# pass N" / "# fail N" lines are what `make test` adds up.
# The timeout turns a hang into a failure.
exec node --test --test-reporter=tap --test-timeout=300000 "${files[@]}"
