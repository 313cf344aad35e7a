import { describe, expect, it } from 'vitest';
import { mergeSettingSources, parseSettings, SettingsError } from '../../../shared/platform/settings.js';

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
    expect(problems).toMatch(/COSMOS_ENDPOINT/);
    expect(problems).toMatch(/REDIS_URL: must start with redis/);
    expect(problems).toMatch(/COSMOS_DATABASE/);
  });

  it('refuses UseDevelopmentStorage outside the local host', () => {
    expect(() => parseSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true', COSMOS_ENDPOINT: 'http://127.0.0.1:1' })).toThrow(
      /npm start/,
    );
  });

  it('applies defaults and lets the environment win over local.settings.json', () => {
    const merged = mergeSettingSources({ REDIS_URL: 'redis://10.0.0.1:6380', COSMOS_KEY: '' }, { REDIS_URL: 'redis://x:1', COSMOS_KEY: 'k' });
    expect(merged).toEqual({ REDIS_URL: 'redis://10.0.0.1:6380', COSMOS_KEY: 'k' });
    const settings = parseSettings({ AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=a', COSMOS_ENDPOINT: 'http://127.0.0.1:1' });
    expect(settings.COSMOS_DATABASE).toBe('arbor');
    expect(settings.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });
});
