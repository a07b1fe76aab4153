#!/usr/bin/env bash
# Installs the infrastructure binaries Flowscope runs against (nats-server, the NATS CLI, Jaeger v2,
# Prometheus) under .tools/bin, idempotently: a tool already at the pinned version is skipped, so a
# second run takes well under a second. Go tools are built through the Go module proxy (Jaeger takes
# minutes on a new machine); Prometheus comes from Debian's package.
#
# Usage: deploy/install-tools.sh [nats-server] [nats] [jaeger] [prometheus]
#   (default: all four, what `npm start` and `npm test` run)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
stamps="$root/.tools/stamps"
mkdir -p "$bin" "$stamps"

NATS_SERVER_VERSION="${NATS_SERVER_VERSION:-v2.15.2}"
NATS_CLI_VERSION="${NATS_CLI_VERSION:-v0.5.0}"
JAEGER_VERSION="${JAEGER_VERSION:-v1.76.0}"

log() { printf '[install-tools] %s\n' "$*" >&2; }

# go_tool NAME MODULE VERSION [main-module]: builds MODULE@VERSION into .tools/bin unless the stamp says it is there.
go_tool() {
  local name="$1" module="$2" version="$3" stamp="$stamps/$1@$3"
  if [[ -x "$bin/$name" && -f "$stamp" ]]; then
    log "$name $version already installed"
    return
  fi
  command -v go >/dev/null || { log "Go is required to build $name (install golang >= 1.24)"; exit 1; }
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

install_prometheus() {
  if [[ -x "$bin/prometheus" ]]; then
    log "prometheus already installed"
    return
  fi
  if ! command -v prometheus >/dev/null && [[ ! -x /usr/bin/prometheus ]]; then
    log "installing Debian's prometheus package..."
    export DEBIAN_FRONTEND=noninteractive
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq >/dev/null
    # The package's postinst tries to start a system service; there is none here and we run our own.
    $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  ln -sf "$(command -v prometheus || echo /usr/bin/prometheus)" "$bin/prometheus"
  log "prometheus $("$bin/prometheus" --version 2>&1 | head -n1 | awk '{print $3}') linked"
}

wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=(nats-server nats jaeger prometheus)
for tool in "${wanted[@]}"; do
  case "$tool" in
    nats-server) go_tool nats-server github.com/nats-io/nats-server/v2 "$NATS_SERVER_VERSION" ;;
    nats) go_tool nats github.com/nats-io/natscli/nats "$NATS_CLI_VERSION" ;;
    jaeger) go_tool jaeger github.com/jaegertracing/jaeger/cmd/jaeger "$JAEGER_VERSION" main-module ;;
    prometheus) install_prometheus ;;
    *) log "unknown tool '$tool' (expected nats-server, nats, jaeger or prometheus)"; exit 2 ;;
  esac
done
