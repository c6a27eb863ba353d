#!/usr/bin/env bash
# Builds and caches the Go programs the real-sidecar tests and `npm run start:dapr` run: daprd (the Dapr sidecar)
# with only the components we use, kfake (a Kafka-protocol broker, scripts/kfake/main.go) and Jaeger v2. Each is
# built from its Go module through the Go module proxy and cached under
#   ${TODO_APP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-app}/<tool>/<version>-<go version>/<tool>
# so a rebuild happens only when the pinned version or the Go version changes.
#
#   scripts/go-tools.sh [daprd|kfake|jaeger ...]   build what is missing (default: all three), print "<tool> <path>"
#   scripts/go-tools.sh --path <tool>              print the cached binary's path; exit 3 if it is not built yet
#   scripts/go-tools.sh --check                    exit 0 if this machine's Go can build them, else say why (exit 1)
#
# Needs Go >= 1.26.4 (daprd 1.18.0's go.mod asks for it) and the Go module proxy. GOTOOLCHAIN=local: an older Go
# fails with a clear message instead of downloading another toolchain.
set -euo pipefail

# --- pinned versions ------------------------------------------------------------------------------------------
DAPR_VERSION=1.18.0
# Jaeger v2 is the cmd/jaeger program of the Go module github.com/jaegertracing/jaeger; module tag v1.75.0 is the
# release paired with Jaeger v2.12.0. Not v1.76.0 (the newest the proxy serves): this workplace's Go package list
# marks v1.75.0 as the approved release and the newer tags as served but not approved releases.
JAEGER_MODULE_VERSION=v1.75.0
JAEGER_VERSION=v2.12.0
# The daprd components compiled in (files of cmd/daprd/components/, each tagged allcomponents): Kafka pub/sub,
# in-memory pub/sub, mDNS name resolution (the self-hosted default), and the local secret stores the local
# components read the Kafka credentials from. zz_notag.go is the file that registers nothing by tag.
DAPR_COMPONENTS="pubsub_kafka.go pubsub_in-memory.go nameresolution_mdns.go secretstores_local_env.go secretstores_local_file.go zz_notag.go"
MIN_GO=1.26.4

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kfake_src="$here/kfake"
# kfake's pin lives in scripts/kfake/go.mod (with franz-go v1.22.3 required beside it: the pseudo-version does not
# build with the franz-go its own go.mod asks for).
KFAKE_VERSION="$(awk '{ for (i = 1; i < NF; i++) if ($i == "github.com/twmb/franz-go/pkg/kfake") print $(i + 1) }' "$kfake_src/go.mod")"

cache_root="${TODO_APP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/todo-app}"
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:-} -buildvcs=false"

say() { echo "go-tools: $*" >&2; }
die() {
  say "$*"
  exit 1
}

# Prints "goX.Y.Z" or fails with the reason the tools cannot be built here.
go_version() {
  command -v go >/dev/null 2>&1 || {
    echo "no Go on PATH (install Go >= $MIN_GO: https://go.dev/dl)"
    return 1
  }
  local v
  v="$(go env GOVERSION 2>/dev/null)" || {
    echo "go env GOVERSION failed"
    return 1
  }
  local want have
  want="$(printf '%s\n' "$MIN_GO" | awk -F. '{ printf "%d%03d%03d", $1, $2, $3 }')"
  have="$(printf '%s\n' "${v#go}" | sed 's/[^0-9.].*//' | awk -F. '{ printf "%d%03d%03d", $1, $2, $3 }')"
  if [ "$have" -lt "$want" ]; then
    echo "Go ${v#go} is older than $MIN_GO (daprd $DAPR_VERSION needs it)"
    return 1
  fi
  echo "$v"
}

# The cache key of a tool: its version plus, for kfake, a digest of our own source.
tool_key() {
  case "$1" in
  daprd) echo "$DAPR_VERSION" ;;
  kfake) echo "$KFAKE_VERSION-$(cat "$kfake_src/main.go" "$kfake_src/go.mod" "$kfake_src/go.sum" | sha256sum | cut -c1-12)" ;;
  jaeger) echo "$JAEGER_MODULE_VERSION" ;;
  *) die "unknown tool '$1' (daprd, kfake or jaeger)" ;;
  esac
}

tool_path() { echo "$cache_root/$1/$(tool_key "$1")-$2/$1"; }

# Copies a downloaded module to a writable folder: the module cache is read-only, and builds that use the module
# as the main module (so its go.mod `replace` directives apply; `go install pkg@version` refuses them) need it.
module_copy() {
  local module="$1" version="$2" into="$3" dir
  dir="$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] && [ -d "$dir" ] || die "go mod download $module@$version gave no folder"
  cp -R "$dir/." "$into"
  chmod -R u+w "$into"
}

build_daprd() {
  local out="$1" work="$2"
  module_copy github.com/dapr/dapr "v$DAPR_VERSION" "$work"
  local keep f
  for f in "$work"/cmd/daprd/components/*.go; do
    keep=no
    for k in $DAPR_COMPONENTS; do [ "$(basename "$f")" = "$k" ] && keep=yes; done
    [ "$keep" = yes ] || rm -f "$f"
  done
  # Exactly these flags: the Go build cache then serves every unchanged package on a rebuild.
  (cd "$work" && go build -tags allcomponents -trimpath \
    -ldflags "-s -w -X github.com/dapr/dapr/pkg/buildinfo.version=$DAPR_VERSION" -o "$out" ./cmd/daprd)
}

build_kfake() {
  local out="$1" work="$2"
  mkdir -p "$work"
  cp "$kfake_src/main.go" "$kfake_src/go.mod" "$kfake_src/go.sum" "$work/"
  (cd "$work" && go build -trimpath -ldflags "-s -w" -o "$out" .)
}

build_jaeger() {
  local out="$1" work="$2"
  module_copy github.com/jaegertracing/jaeger "$JAEGER_MODULE_VERSION" "$work"
  # The UI's assets are not in the Go module (they come from the jaeger-ui repository's npm build): the binary
  # serves Jaeger's placeholder page at /, while the query API (/api/traces/…) and OTLP intake work in full.
  (cd "$work" && go build -trimpath \
    -ldflags "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=$JAEGER_VERSION" \
    -o "$out" ./cmd/jaeger)
}

# Builds one tool unless it is cached; prints "<tool> <path>".
ensure() {
  local tool="$1" gov="$2" path
  path="$(tool_path "$tool" "$gov")"
  if [ ! -x "$path" ]; then
    mkdir -p "$(dirname "$path")"
    # One builder at a time per tool (two test runs may start together); the second finds the binary built.
    exec 9>"$(dirname "$path")/.lock"
    command -v flock >/dev/null 2>&1 && flock 9
    if [ ! -x "$path" ]; then
      local work started
      work="$(mktemp -d "$cache_root/build-$tool.XXXXXX")"
      started=$(date +%s)
      say "building $tool $(tool_key "$tool") with $gov$([ "$tool" = kfake ] || echo " (minutes when the Go build cache is cold)")"
      if ! "build_$tool" "$path.partial" "$work/src" >"$work/build.log" 2>&1 </dev/null; then
        tail -n 30 "$work/build.log" >&2
        rm -rf "$work" "$path.partial"
        die "building $tool failed (the log's last lines are above)"
      fi
      mv -f "$path.partial" "$path"
      rm -rf "$work"
      say "built $tool in $(($(date +%s) - started)) s: $path"
    fi
    exec 9>&-
  fi
  echo "$tool $path"
}

main() {
  case "${1:-}" in
  --check)
    local v
    v="$(go_version)" || {
      echo "$v"
      exit 1
    }
    mkdir -p "$cache_root" 2>/dev/null && [ -w "$cache_root" ] || {
      echo "cannot write the tools cache $cache_root (set TODO_APP_CACHE to a writable folder)"
      exit 1
    }
    echo "$v"
    ;;
  --path)
    [ $# -eq 2 ] || die "usage: $0 --path daprd|kfake|jaeger"
    local v path
    v="$(go_version)" || die "$v"
    path="$(tool_path "$2" "$v")"
    [ -x "$path" ] || {
      say "$2 is not built yet: run scripts/go-tools.sh $2"
      exit 3
    }
    echo "$path"
    ;;
  -h | --help) sed -n '2,13p' "$0" ;;
  *)
    local v
    v="$(go_version)" || die "$v"
    mkdir -p "$cache_root"
    local tools=("$@")
    [ ${#tools[@]} -gt 0 ] || tools=(daprd kfake jaeger)
    for t in "${tools[@]}"; do ensure "$t" "$v"; done
    ;;
  esac
}

main "$@"
