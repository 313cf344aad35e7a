import { registrationSetting, type Settings } from './settings.js';

/**
 * The `source` of a blob trigger registration, from ARBOR_BLOB_TRIGGER_SOURCE: infra sets
 * `EventGrid` on Flex Consumption; unset, the trigger keeps the default polling source.
 */
export function blobTriggerSource(
  settings: Pick<Settings, 'ARBOR_BLOB_TRIGGER_SOURCE'> = { ARBOR_BLOB_TRIGGER_SOURCE: registrationSetting('ARBOR_BLOB_TRIGGER_SOURCE') },
): { source?: NonNullable<Settings['ARBOR_BLOB_TRIGGER_SOURCE']> } {
  return settings.ARBOR_BLOB_TRIGGER_SOURCE ? { source: settings.ARBOR_BLOB_TRIGGER_SOURCE } : {};
}
