#!/usr/bin/env bash
# Static checks of the deployment material in infra/ (no Docker engine or
# Kubernetes cluster needed), with tools made for each kind of file:
#
#   hadolint             infra/docker/Dockerfile (warnings fail)
#   check-jsonschema     infra/compose/*.yaml against the Compose
#                        Specification's JSON schema (vendor.compose-spec)
#   kubernetes-validate  infra/k8s/*.yaml against the Kubernetes API schemas
#                        (strict: unknown fields fail)
#   check_refs.py        what the schemas cannot see: files the compose files
#                        mount exist, collector pipelines are defined, the
#                        probes hit /healthz and /readyz, references resolve
#
# The tools are installed from PyPI, pinned (tests/infra/requirements.txt),
# into a throw-away virtual environment under target/infra-venv. Before
# checking the real files, each tool is shown a broken copy and must refuse
# it, so a checker that passes everything is caught.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/infra-venv
stamp="$venv/.requirements"
if ! cmp -s tests/infra/requirements.txt "$stamp" 2>/dev/null; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$venv"
      python3 -m venv "$venv"
    else
      echo "infra: python3 -m venv failed (install python3-venv)" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check -r tests/infra/requirements.txt
  cp tests/infra/requirements.txt "$stamp"
fi
bin="$venv/bin"

hadolint() { "$bin/hadolint" --failure-threshold warning "$@"; }
compose_schema() { "$bin/check-jsonschema" --builtin-schema vendor.compose-spec "$@"; }
k8s() { "$bin/kubernetes-validate" --strict --quiet "$@"; }
refs() { "$bin/python" tests/infra/check_refs.py "$@"; }

compose_files=(infra/compose/postgres.yaml infra/compose/kurrentdb.yaml)
k8s_files=(infra/k8s/*.yaml)

echo "== infra: the checkers refuse broken files"
broken=$(mktemp -d "${TMPDIR:-/tmp}/samverkan-infra.XXXXXX")
trap 'rm -rf "$broken"' EXIT
must_fail() {
  local what=$1
  shift
  if "$@" >"$broken/out" 2>&1; then
    echo "infra: the check did not notice $what" >&2
    cat "$broken/out" >&2
    exit 1
  fi
}
sed 's/^USER 10001:10001$/USER root/; s/^FROM debian:bookworm-slim AS runtime$/FROM debian:latest AS runtime/' \
  infra/docker/Dockerfile >"$broken/Dockerfile"
must_fail "a Dockerfile running as root from an unpinned image" hadolint "$broken/Dockerfile"
sed 's/^    restart: unless-stopped$/    restrat: unless-stopped/' infra/compose/postgres.yaml >"$broken/compose.yaml"
must_fail "a compose file with a misspelt key (restrat)" compose_schema "$broken/compose.yaml"
sed 's/^  replicas: 2$/  replicas: two/' infra/k8s/deployment.yaml >"$broken/deployment.yaml"
must_fail "a Deployment with replicas: two" k8s "$broken/deployment.yaml"
sed 's/^              path: \/readyz$/              path: \/ready/' infra/k8s/deployment.yaml >"$broken/deployment.yaml"
cp infra/k8s/configmap.yaml infra/k8s/secret.yaml infra/k8s/service.yaml "$broken/"
rm -f "$broken/Dockerfile" "$broken/compose.yaml"
must_fail "a readiness probe on a route the server does not have" refs "$broken"

echo "== infra: hadolint infra/docker/Dockerfile"
hadolint infra/docker/Dockerfile
echo "== infra: compose files against the Compose Specification"
compose_schema "${compose_files[@]}"
echo "== infra: Kubernetes manifests"
k8s "${k8s_files[@]}"
echo "== infra: references between the files"
refs "${compose_files[@]}" infra/compose/otel-collector.yaml infra/k8s
echo "== infra: all checks passed"
