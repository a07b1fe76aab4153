#!/usr/bin/env bash
# What `npm start` and `npm test` run first, so a fresh clone needs nothing but those two commands:
#   1. Node.js new enough (package.json "engines");
#   2. the npm packages, installed with `npm ci` when node_modules is missing or older than
#      package-lock.json (a hash of the lockfile is kept in node_modules after each install);
#   3. the tools (deploy/install-tools.sh, which skips what is there);
#   4. the build into dist/, skipped when nothing it reads changed since the last one.
# Plain bash and node's built-ins only: it runs before any npm package exists. A second run takes
# about a second.
#
# Usage: deploy/setup.sh start|test   (test also installs Chromium, for the console's e2e tests)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
purpose="${1:-start}"
lock_hash_file="node_modules/.flowscope-lockfile.sha256"
build_stamp="dist/.flowscope-build-stamp"

log() { printf '[setup] %s\n' "$*" >&2; }
fail() {
  log "cannot continue: $*"
  exit 1
}

check_node() {
  command -v node >/dev/null || fail "Node.js is not installed (Flowscope needs Node.js >= 20.6)"
  local version
  version="$(node -p 'process.versions.node')"
  node -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major > 20 || (major === 20 && minor >= 6) ? 0 : 1);
  ' || fail "Node.js $version is too old: Flowscope needs Node.js >= 20.6"
  command -v npm >/dev/null || fail "npm is not installed (it comes with Node.js)"
}

lockfile_hash() {
  node -e '
    const { createHash } = require("node:crypto");
    const lock = require("node:fs").readFileSync("package-lock.json");
    process.stdout.write(createHash("sha256").update(lock).digest("hex"));
  '
}

install_packages() {
  local wanted stored=""
  wanted="$(lockfile_hash)"
  [[ -f "$lock_hash_file" ]] && stored="$(<"$lock_hash_file")"
  if [[ -f node_modules/.package-lock.json && "$stored" == "$wanted" ]]; then
    log "npm packages up to date with package-lock.json"
    return
  fi
  if [[ -d node_modules ]]; then
    log "npm packages differ from package-lock.json: reinstalling with npm ci..."
  else
    log "npm packages missing: installing with npm ci (a minute or two)..."
  fi
  local started=$SECONDS
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed (see its output above)"
  printf '%s' "$wanted" >"$lock_hash_file"
  log "npm packages installed in $((SECONDS - started))s"
}

install_tools() {
  local tools=(nats-server nats jaeger prometheus)
  [[ "$purpose" == "test" ]] && tools+=(chromium)
  log "tools: ${tools[*]}"
  bash deploy/install-tools.sh "${tools[@]}"
}

# The build is current when no file it reads is newer than the stamp of the last build.
build_is_current() {
  [[ -f "$build_stamp" ]] || return 1
  [[ -z "$(find apps libs deploy .swcrc package-lock.json -newer "$build_stamp" -print -quit)" ]]
}

build() {
  if build_is_current; then
    log "build in dist/ is current"
    return
  fi
  log "building into dist/..."
  local started=$SECONDS
  npm run --silent build || fail "the build failed (see its output above)"
  touch "$build_stamp"
  log "built in $((SECONDS - started))s"
}

case "$purpose" in
  start | test) ;;
  *) fail "unknown purpose '$purpose' (expected start or test)" ;;
esac
check_node
install_packages
install_tools
build
