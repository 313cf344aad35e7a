/**
 * Flex Consumption only delivers blob triggers through Event Grid, so infra sets
 * ARBOR_BLOB_TRIGGER_SOURCE=EventGrid there. Unset (locally), the trigger keeps the default
 * polling source, which is what Arbor's local host emulates by watching Azurite.
 */
export function blobTriggerSource(): { source?: 'EventGrid' | 'LogsAndContainerScan' } {
  const source = process.env.ARBOR_BLOB_TRIGGER_SOURCE;
  if (source === undefined || source === '') return {};
  if (source !== 'EventGrid' && source !== 'LogsAndContainerScan') {
    throw new Error(`ARBOR_BLOB_TRIGGER_SOURCE must be EventGrid or LogsAndContainerScan, not "${source}"`);
  }
  return { source };
}
