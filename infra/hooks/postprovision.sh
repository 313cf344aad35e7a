#!/bin/sh
# azd postprovision: import the Grafana dashboards in infra/monitoring/dashboards/*.json, if any, into
# the Managed Grafana instance (needs the `amg` Azure CLI extension: az extension add -n amg).
set -eu

[ -n "${AZURE_GRAFANA_NAME:-}" ] || { echo "Grafana not deployed (deployGrafana=false): nothing to import"; exit 0; }
dir="$(dirname "$0")/../monitoring/dashboards"
ls "$dir"/*.json >/dev/null 2>&1 || { echo "no dashboards in infra/monitoring/dashboards/"; exit 0; }
for dashboard in "$dir"/*.json; do
  echo "Grafana: importing $(basename "$dashboard")"
  az grafana dashboard import -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_GRAFANA_NAME" \
    --definition "@$dashboard" --overwrite true --output none
done
