#!/usr/bin/env bash
# Checks the deployment files offline: `helm lint` and `helm template` of the chart with its
# default values and with every feature on (deploy/helm/ci/*.yaml), then decodes each rendered
# manifest strictly with the Kubernetes API's own Go types (deploy/validate), so an unknown or
# misplaced field, a wrong type or invalid YAML fails. The Grafana dashboard and the
# PrometheusRule's PromQL are parsed too, and every metric they name must be one the x7
# processes export (read from dist/src/observability/metrics.js, the registry itself).
#
#   deploy/check.sh                  lint, render and validate deploy/helm/x7-stream
#   deploy/check.sh --chart DIR      the same for another copy of the chart (the test breaks one)
#   deploy/check.sh --dashboard FILE another dashboard (default deploy/grafana/x7-stream.json)
#   deploy/check.sh --install-only   only install Helm and build the validator
#
# Why no kubeconform: it needs the Kubernetes JSON schemas, downloaded from GitHub at run
# time, which this project's machines cannot reach; the API's Go types are the same schema,
# compiled in. Helm and the validator come from the Go module proxy on first use and are
# cached under .stack/deploy (or X7_STACK_TOOLS_DIR/deploy), like scripts/stack.sh's tools.
# The first run builds both (two to five minutes on two cores); later runs take seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${X7_STACK_TOOLS_DIR:-$ROOT/.stack}/deploy"
HELM_VERSION=v3.22.0          # the newest Helm 3 the Go module proxy served that builds on Go 1.26
HELM="$TOOLS_DIR/helm-$HELM_VERSION/helm"
VALIDATOR_SRC="$ROOT/deploy/validate"
VALIDATOR="$TOOLS_DIR/x7-validate"

CHART="$ROOT/deploy/helm/x7-stream"
DASHBOARD="$ROOT/deploy/grafana/x7-stream.json"
INSTALL_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --chart) CHART="$(cd "$2" && pwd)"; shift 2 ;;
    --dashboard) DASHBOARD="$2"; shift 2 ;;
    --install-only) INSTALL_ONLY=1; shift ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deploy/check.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

say() { printf '[deploy-check] %s\n' "$*" >&2; }
die() { printf '[deploy-check] error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "go is missing (Helm and the validator are built from the Go module proxy)"
mkdir -p "$TOOLS_DIR"
# Everything Go writes stays under the tools folder (git-ignored), not in the user's ~/go;
# -modcacherw so that `rm -rf .stack` works on the module cache.
export GOPATH="$TOOLS_DIR/go" GOMODCACHE="$TOOLS_DIR/go/mod" GOCACHE="$TOOLS_DIR/go/build-cache"
export GOFLAGS="-modcacherw -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0

install_helm() {
  [ -x "$HELM" ] && "$HELM" version --short 2>/dev/null | grep -q "^$HELM_VERSION" && return 0
  say "building Helm $HELM_VERSION from the Go module proxy (first run only; a few minutes)…"
  mkdir -p "$(dirname "$HELM")"
  GOBIN="$(dirname "$HELM")" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
    >"$TOOLS_DIR/helm-install.log" 2>&1 || die "go install helm failed (see $TOOLS_DIR/helm-install.log)"
  "$HELM" version --short >/dev/null || die "the Helm just built does not run"
}

# Rebuilt whenever its source changes: the stamp is a hash of deploy/validate/.
install_validator() {
  local stamp; stamp="$(cat "$VALIDATOR_SRC"/go.mod "$VALIDATOR_SRC"/go.sum "$VALIDATOR_SRC"/*.go | sha256sum | cut -c1-16)"
  [ -x "$VALIDATOR" ] && [ "$(cat "$VALIDATOR.stamp" 2>/dev/null)" = "$stamp" ] && return 0
  say "building the manifest validator (deploy/validate) from the Go module proxy…"
  (cd "$VALIDATOR_SRC" && go build -o "$VALIDATOR" .) >"$TOOLS_DIR/validator-build.log" 2>&1 \
    || die "building deploy/validate failed (see $TOOLS_DIR/validator-build.log)"
  echo "$stamp" >"$VALIDATOR.stamp"
}

install_helm
install_validator
[ "$INSTALL_ONLY" = 1 ] && { say "Helm and the validator are installed under $TOOLS_DIR"; exit 0; }
