import { loadSettings, type Settings } from './settings.js';

/**
 * The `source` of a blob trigger registration, from ARBOR_BLOB_TRIGGER_SOURCE: infra sets
 * `EventGrid` on Flex Consumption; unset, the trigger keeps the default polling source.
 */
export function blobTriggerSource(
  settings: Pick<Settings, 'ARBOR_BLOB_TRIGGER_SOURCE'> = loadSettings(),
): { source?: NonNullable<Settings['ARBOR_BLOB_TRIGGER_SOURCE']> } {
  return settings.ARBOR_BLOB_TRIGGER_SOURCE ? { source: settings.ARBOR_BLOB_TRIGGER_SOURCE } : {};
}
