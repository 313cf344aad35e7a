import { describe, expect, it } from 'vitest';
import { blobTriggerSource } from '../../../shared/platform/blob-trigger-source.js';
import { asArborError, NotConfiguredError } from '../../../shared/platform/errors.js';
import { blobStorageConfig, createServices } from '../../../shared/platform/services.js';
import { mergeSettingSources, parseSettings, SettingsError } from '../../../shared/platform/settings.js';
import { createBlobServiceClient } from '../../../shared/storage/blob.js';

const required = { AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=a', COSMOS_ENDPOINT: 'http://127.0.0.1:1' };

describe('settings', () => {
  it('names every missing or malformed setting at once', () => {
    let error: unknown;
    try {
      parseSettings({ REDIS_URL: 'http://nope', COSMOS_DATABASE: 'bad name!' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems.join('\n');
    expect(problems).toMatch(/AzureWebJobsStorage: is required/);
    expect(problems).toMatch(/REDIS_URL: must start with redis/);
    expect(problems).toMatch(/COSMOS_DATABASE/);
  });

  it('takes UseDevelopmentStorage as func start gives it, for Azurite on its default port', () => {
    const settings = parseSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(createBlobServiceClient(blobStorageConfig(settings)).url).toBe('http://127.0.0.1:10000/devstoreaccount1');
  });

  it('lets every function register without Cosmos DB, and answers 503 naming the setting where it is needed', () => {
    const services = createServices(parseSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }));
    try {
      let refused: unknown;
      try {
        void services.cosmos;
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(NotConfiguredError);
      expect((refused as NotConfiguredError).status).toBe(503);
      expect((refused as NotConfiguredError).toBody()).toEqual({
        error: { code: 'not_configured', message: 'Cosmos DB is not configured: set COSMOS_ENDPOINT', details: [{ field: 'COSMOS_ENDPOINT', problem: 'is not set' }] },
      });
    } finally {
      services.redis.disconnect();
    }
  });

  it('answers malformed settings with 503 naming each, as error details', () => {
    let error: unknown;
    try {
      parseSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_DATABASE: 'bad name!', REDIS_URL: 'http://nope' });
    } catch (caught) {
      error = caught;
    }
    const known = asArborError(error);
    expect(known?.status).toBe(503);
    expect(known?.code).toBe('not_configured');
    expect((known?.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual(['COSMOS_DATABASE', 'REDIS_URL']);
  });

  it('applies defaults and lets the environment win over local.settings.json', () => {
    const merged = mergeSettingSources({ REDIS_URL: 'redis://10.0.0.1:6380', COSMOS_KEY: '' }, { REDIS_URL: 'redis://x:1', COSMOS_KEY: 'k' });
    expect(merged).toEqual({ REDIS_URL: 'redis://10.0.0.1:6380', COSMOS_KEY: 'k' });
    const settings = parseSettings({ AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=a', COSMOS_ENDPOINT: 'http://127.0.0.1:1' });
    expect(settings.COSMOS_DATABASE).toBe('arbor');
    expect(settings.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('gives each timer its default schedule, and names a malformed one', () => {
    const settings = parseSettings(required);
    expect(settings.ARBOR_HEARTBEAT_SCHEDULE).toBe('*/30 * * * * *');
    expect(settings.ARBOR_VECTOR_SNAPSHOT_SCHEDULE).toBe('0 */5 * * * *');
    expect(parseSettings({ ...required, ARBOR_MATERIALIZE_SCHEDULE: '0 0 * * * *' }).ARBOR_MATERIALIZE_SCHEDULE).toBe('0 0 * * * *');
    expect(() => parseSettings({ ...required, ARBOR_HEARTBEAT_SCHEDULE: '*/5 * * * *', ARBOR_OFFLINE_ARCHIVE_SCHEDULE: 'a b c d e f' })).toThrow(
      /ARBOR_HEARTBEAT_SCHEDULE: must be an NCRONTAB expression of 6 fields .*, not 5[\s\S]*ARBOR_OFFLINE_ARCHIVE_SCHEDULE: is not a valid NCRONTAB expression/,
    );
  });

  it('reads the blob trigger source through the schema', () => {
    expect(blobTriggerSource(parseSettings(required))).toEqual({});
    expect(blobTriggerSource(parseSettings({ ...required, ARBOR_BLOB_TRIGGER_SOURCE: 'EventGrid' }))).toEqual({ source: 'EventGrid' });
    expect(() => parseSettings({ ...required, ARBOR_BLOB_TRIGGER_SOURCE: 'Polling' })).toThrow(/ARBOR_BLOB_TRIGGER_SOURCE: /);
  });
});
