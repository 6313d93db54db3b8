#!/usr/bin/env bash
# kustomize, to render deploy/kubernetes/overlays offline (tests/deploy validates the result).
# Built from the Go module proxy into .tools/bin with the machine's Go; no cluster involved.
#   bash scripts/kustomize.sh install   # idempotent; prints the binary's path
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="v5.5.0"
BIN="$ROOT/.tools/bin/kustomize"

case "${1:-}" in
  install)
    if [[ -x "$BIN" ]] && "$BIN" version 2>/dev/null | grep -q "$VERSION"; then
      echo "$BIN"
      exit 0
    fi
    if ! command -v go >/dev/null; then
      echo "kustomize: Go is needed to build it (https://go.dev/dl, or apt-get install golang-go)" >&2
      exit 1
    fi
    mkdir -p "$(dirname "$BIN")"
    # -ldflags sets the version `kustomize version` reports (a plain go install reports none).
    GOBIN="$(dirname "$BIN")" GOFLAGS=-mod=mod go install \
      -ldflags "-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$VERSION" \
      "sigs.k8s.io/kustomize/kustomize/v5@$VERSION"
    echo "$BIN"
    ;;
  *)
    echo "usage: $0 install" >&2
    exit 2
    ;;
esac
