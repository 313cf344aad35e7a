#!/bin/sh
# azd postdeploy: subscribe every blob-triggered function to the storage account's Event Grid
# system topic. This cannot be in Bicep: Event Grid validates the webhook when the subscription
# is created, which only succeeds once the code is deployed and the host has the blobs
# extension's system key (blobs_extension). Idempotent: re-running updates the subscriptions.
set -eu

: "${AZURE_RESOURCE_GROUP:?run through azd (azd deploy / azd up)}"
: "${AZURE_FUNCTION_APP_NAME:?}"
: "${AZURE_STORAGE_SYSTEM_TOPIC_NAME:?}"
: "${SERVICE_API_BASE_URL:?}"

key=""
for attempt in 1 2 3 4 5 6 7 8 9 10; do
  key=$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" \
    --query "systemKeys.blobs_extension" -o tsv 2>/dev/null || true)
  [ -n "$key" ] && break
  echo "waiting for the blobs_extension system key (attempt $attempt)..."
  sleep 15
done
[ -n "$key" ] || { echo "no blobs_extension key: is a blob-triggered function deployed?" >&2; exit 1; }

# "<function> <container>" for each blobTrigger, read from the deployed app itself.
az functionapp function list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" \
  --query "[?config.bindings[?type=='blobTrigger']].{f: name, p: config.bindings[?type=='blobTrigger'] | [0].path}" -o tsv |
while read -r qualified path; do
  fn=${qualified##*/}
  container=${path%%/*}
  endpoint="${SERVICE_API_BASE_URL}/runtime/webhooks/blobs?functionName=Host.Functions.${fn}&code=${key}"
  echo "Event Grid: ${container}/ -> ${fn}"
  az eventgrid system-topic event-subscription create \
    -g "$AZURE_RESOURCE_GROUP" --system-topic-name "$AZURE_STORAGE_SYSTEM_TOPIC_NAME" \
    -n "$(printf '%s' "$fn" | tr -c 'a-zA-Z0-9-\n' '-')" \
    --endpoint-type webhook --endpoint "$endpoint" \
    --included-event-types Microsoft.Storage.BlobCreated \
    --subject-begins-with "/blobServices/default/containers/${container}/" \
    --event-delivery-schema EventGridSchema \
    --max-delivery-attempts 30 --event-ttl 1440 \
    --output none
done
