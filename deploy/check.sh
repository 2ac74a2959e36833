#!/usr/bin/env bash
# Checks the deployment files offline: `helm lint` and `helm template` of the chart with its
# default values and with every feature on (its ci/all-features.yaml), then decodes each rendered
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
# The first run builds both (about 6 minutes on a loaded two-core machine, 2.5 GB of Go
# caches); later runs take seconds.
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
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
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

# A Helm built by `go install` reports only "v3.22" (its release builds stamp the full version
# with -ldflags), so a stamp file says which version was built.
install_helm() {
  [ -x "$HELM" ] && [ "$(cat "$HELM.stamp" 2>/dev/null)" = "$HELM_VERSION" ] && return 0
  say "building Helm $HELM_VERSION from the Go module proxy (first run only; a few minutes)…"
  mkdir -p "$(dirname "$HELM")"
  GOBIN="$(dirname "$HELM")" go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" \
    >"$TOOLS_DIR/helm-install.log" 2>&1 || die "go install helm failed (see $TOOLS_DIR/helm-install.log)"
  "$HELM" version --short >/dev/null || die "the Helm just built does not run"
  echo "$HELM_VERSION" >"$HELM.stamp"
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

# ---------------------------------------------------------------- inputs

# The metric families the processes export, from the registries themselves (dist/).
if [ ! -f "$ROOT/dist/src/observability/metrics.js" ]; then
  say "dist/ is missing: npm run build…"
  (cd "$ROOT" && npm run build >/dev/null) || die "npm run build failed"
fi
WORK="$(mktemp -d "${TMPDIR:-/tmp}/x7-deploy-check.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
node "$ROOT/deploy/metrics-catalog.mjs" >"$WORK/metrics.json" || die "cannot list the metrics (deploy/metrics-catalog.mjs)"

# The chart cannot read topics.yaml: its inboundPartitions must say the same. (From the project
# root, where node finds the yaml package.)
(cd "$ROOT" && node --input-type=module -e '
  import { readFileSync } from "node:fs";
  import { parse } from "yaml";
  const [topicsFile, valuesFile] = process.argv.slice(1);
  const topics = parse(readFileSync(topicsFile, "utf8")).topics["chat.inbound"].partitions;
  const chart = parse(readFileSync(valuesFile, "utf8")).inboundPartitions;
  if (topics !== chart) {
    console.error(`[deploy-check] error: ${valuesFile}: inboundPartitions is ${chart}, topics.yaml gives chat.inbound ${topics} partitions`);
    process.exit(1);
  }
' "$ROOT/topics.yaml" "$CHART/values.yaml") || exit 1

# ---------------------------------------------------------------- lint, render, validate

# Helm built from source assumes Kubernetes 1.20 unless told: render for a current cluster.
KUBE_VERSION=1.33.0
RELEASE=x7-stream
NAMESPACE=chat
failed=0

# name | values file (empty: the defaults) | validator flags
render() {
  local name="$1" values="$2"; shift 2
  local args=(--kube-version "$KUBE_VERSION")
  [ -n "$values" ] && args+=(-f "$values")
  say "$name: helm lint --strict"
  if ! "$HELM" lint --strict "$CHART" "${args[@]}" >"$WORK/$name.lint" 2>&1; then
    cat "$WORK/$name.lint" >&2; failed=1; return
  fi
  say "$name: helm template"
  if ! "$HELM" template "$RELEASE" "$CHART" --namespace "$NAMESPACE" "${args[@]}" >"$WORK/$name.yaml" 2>"$WORK/$name.err"; then
    cat "$WORK/$name.err" >&2; failed=1; return
  fi
  say "$name: $(grep -c '^kind: ' "$WORK/$name.yaml") objects: $(grep '^kind: ' "$WORK/$name.yaml" | sort | uniq -c | awk '{printf "%s%s×%s", sep, $3, $1; sep=", "}')"
  "$VALIDATOR" -catalog "$WORK/metrics.json" -env-example "$ROOT/.env.example" "$@" "$WORK/$name.yaml" || failed=1
}

# Defaults: the Secret is the user's own (secret.create: false), named after the release.
render defaults "" -external-secret "$RELEASE"
# Everything on; the Kafka TriggerAuthentication is one the user makes.
render all-features "$CHART/ci/all-features.yaml" -external-secret triggerauthentication/kafka-sasl -dashboard "$DASHBOARD"

# Values the chart must refuse, each with its own message.
refuse() {
  local what="$1" expect="$2"; shift 2
  if "$HELM" template "$RELEASE" "$CHART" --kube-version "$KUBE_VERSION" "$@" >/dev/null 2>"$WORK/refusal.err"; then
    say "FAIL: the chart accepted $what"; failed=1
  elif ! grep -q -- "$expect" "$WORK/refusal.err"; then
    say "FAIL: $what was refused, but not with \"$expect\":"; cat "$WORK/refusal.err" >&2; failed=1
  else
    say "refused as it should: $what"
  fi
}
refuse "more processors than partitions" "above inboundPartitions" --set processor.replicas=13
refuse "KEDA scaling processors past the partitions" "above inboundPartitions" --set keda.enabled=true --set keda.processor.maxReplicaCount=20
refuse "a port variable the chart owns" "is set by the chart" --set config.X7_METRICS_PORT=1234
refuse "a secret in the ConfigMap" "is a secret" --set config.DATABASE_URL=postgresql://x/y

if [ "$failed" != 0 ]; then
  say "FAILED"
  exit 1
fi
say "OK: chart $(basename "$CHART") lints, renders and validates (defaults and all features), dashboard $(basename "$DASHBOARD") checked"
