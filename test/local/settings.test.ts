import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHostSettings, parseHostSettings } from '../../local/settings.js';
import { SettingsError } from '../../shared/platform/settings.js';

describe("the local host's settings", () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  function appFolder(files: Record<string, unknown>): string {
    const folder = mkdtempSync(join(tmpdir(), 'arbor-host-settings-'));
    folders.push(folder);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), JSON.stringify(content));
    return folder;
  }

  it('has one default each, and parses numbers and switches into values', () => {
    const settings = parseHostSettings({ ARBOR_TASK_HUB: 'ArborHub', ARBOR_IN_MEMORY: 'true', ARBOR_BLOB_POLL_MS: '200' });
    expect(settings).toMatchObject({ PORT: 7071, ARBOR_DATA_DIR: '.arbor', ARBOR_IN_MEMORY: true, ARBOR_LOG_LEVEL: 'information', ARBOR_BLOB_POLL_MS: 200 });
    expect(settings).toMatchObject({ ARBOR_BLOB_MAX_ATTEMPTS: 5, ARBOR_BLOB_RETRY_MS: 1_000, ARBOR_DURABLE_MAX_ACTIVITIES: 8, WEBSITE_SITE_NAME: 'arbor' });
    expect(settings.ARBOR_PARENT_PID).toBeUndefined();
    expect(settings.ARBOR_INSTANCES).toBe(1);
  });

  it('names every malformed setting at once, never passing NaN on', () => {
    let error: unknown;
    try {
      parseHostSettings({ ARBOR_BLOB_POLL_MS: 'abc', ARBOR_BLOB_MAX_ATTEMPTS: '2.5', PORT: '-1', ARBOR_PARENT_PID: 'x', ARBOR_LOG_LEVEL: 'loud', ARBOR_INSTANCES: '17', ARBOR_DURABLE_OWNER_URL: 'http://10.0.0.1:80' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'ARBOR_BLOB_POLL_MS: must be a whole number from 10 to 600000',
        'ARBOR_BLOB_MAX_ATTEMPTS: must be a whole number from 1 to 100',
        'PORT: must be a whole number from 0 to 65535',
        'ARBOR_INSTANCES: must be a whole number from 1 to 16',
        // The owner is always another instance on loopback, never an address from elsewhere.
        expect.stringMatching(/^ARBOR_DURABLE_OWNER_URL: /),
        expect.stringMatching(/^ARBOR_PARENT_PID: /),
        expect.stringMatching(/^ARBOR_LOG_LEVEL: /),
        // Nothing gave a task hub: neither the environment nor host.json.
        expect.stringMatching(/^ARBOR_TASK_HUB: /),
      ]),
    );
  });

  it('takes the port from local.settings.json Host and the task hub from host.json, under the environment and Values', () => {
    const folder = appFolder({
      'local.settings.json': { Values: { ARBOR_BLOB_RETRY_MS: '50', REDIS_URL: 'redis://10.0.0.1:6379' }, Host: { LocalHttpPort: 7080 } },
      'host.json': { extensions: { durableTask: { hubName: 'FromHostJson' } } },
    });
    const fromFiles = loadHostSettings(folder, {});
    expect(fromFiles.host).toMatchObject({ PORT: 7080, ARBOR_TASK_HUB: 'FromHostJson', ARBOR_BLOB_RETRY_MS: 50 });
    expect(fromFiles.raw).toEqual({ ARBOR_BLOB_RETRY_MS: '50', REDIS_URL: 'redis://10.0.0.1:6379' });
    const fromEnv = loadHostSettings(folder, { PORT: '0', ARBOR_TASK_HUB: 'FromEnv', ARBOR_BLOB_RETRY_MS: '' });
    expect(fromEnv.host).toMatchObject({ PORT: 0, ARBOR_TASK_HUB: 'FromEnv', ARBOR_BLOB_RETRY_MS: 50 });
    expect(() => loadHostSettings(appFolder({ 'local.settings.json': { Host: { LocalHttpPort: 'seventy' } } }), { ARBOR_TASK_HUB: 'Hub' })).toThrow(/PORT: must be a whole number/);
  });
});
