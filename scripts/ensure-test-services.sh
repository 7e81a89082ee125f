#!/usr/bin/env bash
# Makes sure the real services and tools the tests use are installed: Redis (+ Sentinel), Prometheus (+ promtool),
# VictoriaMetrics (the long-term store remote_write is tested against), Alertmanager (+ amtool), docker-compose
# (validates docker-compose.yml without a Docker engine) and kubectl (renders the Kubernetes manifests with its
# built-in kustomize; any kubectl already on PATH is kept, else Debian's
# kubernetes-client). On Debian as root, missing ones are installed from Debian's packages; elsewhere it says what
# to install.
set -euo pipefail

declare -A package_of=(
  [redis-server]=redis-server
  [redis-sentinel]=redis-sentinel
  [victoria-metrics]=victoria-metrics
  [prometheus]=prometheus
  [promtool]=prometheus
  [prometheus-alertmanager]=prometheus-alertmanager
  [amtool]=prometheus-alertmanager
  [docker-compose]=docker-compose
  [kubectl]=kubernetes-client
)
missing=()
for bin in "${!package_of[@]}"; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("${package_of[$bin]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-test-services: installing ${packages[*]} from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Package scripts try to start the services; without an init system that is harmless.
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  exit 0
fi
echo "ensure-test-services: missing ${packages[*]}; install them (Debian: apt-get install ${packages[*]}) and re-run" >&2
exit 1
