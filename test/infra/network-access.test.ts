import { describe, expect, it } from 'vitest';
import { blockAfter, read, resource, resources, stripComments } from './bicep-source.js';

/**
 * What the Bicep compiler would not catch: a service reached through a private endpoint that
 * stays open to the internet, and access policy assignments sent in parallel (Redis refuses a
 * policy update while another is in progress).
 */

const mainBicep = stripComments(read('infra/main.bicep'));
const redisPath = 'infra/modules/redis.bicep';
const redis = stripComments(read(redisPath));

/** main.bicep's `module <symbol> '<path>'` declarations. */
function modulePaths(): Map<string, string> {
  const paths = new Map([...mainBicep.matchAll(/^module\s+(\w+)\s+'([^']+)'/gm)].map((m) => [m[1] as string, `infra/${m[2] as string}`]));
  expect(paths.size).toBeGreaterThanOrEqual(8);
  return paths;
}

describe('vnetEnabled closes the public endpoint of every service behind a private endpoint', () => {
  const networkParams = blockAfter(blockAfter(mainBicep, /^module\s+network\s+'[^']+'\s*=\s*if\s*\(vnetEnabled\)\s*\{/m), /params:\s*\{/);
  const targets = [...networkParams.matchAll(/^\s*\w+Id:\s*(\w+)\.outputs\.id\s*$/gm)].map((m) => m[1] as string);

  it('the network module targets storage, Cosmos DB and Redis', () => {
    expect(targets.sort()).toEqual(['cosmos', 'redis', 'storage']);
  });

  it.each(['cosmos', 'redis', 'storage'])('%s gets vnetEnabled and sets publicNetworkAccess from it', (symbol) => {
    const path = modulePaths().get(symbol) as string;
    const params = blockAfter(blockAfter(mainBicep, new RegExp(`^module\\s+${symbol}\\s+'[^']+'\\s*=\\s*\\{`, 'm')), /params:\s*\{/);
    expect(params, `main.bicep does not pass vnetEnabled to ${path}`).toMatch(/^\s*vnetEnabled:\s*vnetEnabled\s*$/m);
    expect(stripComments(read(path)), `${path} stays public with vnetEnabled`).toMatch(/publicNetworkAccess:\s*vnetEnabled \? 'Disabled' : 'Enabled'/);
  });
});

describe('Azure Managed Redis', () => {
  const cacheResources = resources(redis).filter((r) => r.type.startsWith('Microsoft.Cache/'));

  it('uses API 2025-07-01 or later for every resource (publicNetworkAccess exists from then on)', () => {
    expect(cacheResources.length).toBe(3);
    for (const { type } of cacheResources) {
      const version = type.split('@')[1] as string;
      expect(version >= '2025-07-01', `${redisPath}: ${type}`).toBe(true);
    }
  });

  it('sets publicNetworkAccess on the cluster, where the API requires it', () => {
    expect(resource(redis, 'cluster').body).toMatch(/^\s*publicNetworkAccess:\s*vnetEnabled \? 'Disabled' : 'Enabled'\s*$/m);
  });

  it('creates the access policy assignments one at a time', () => {
    const assignments = resources(redis).filter((r) => r.type.startsWith('Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments@'));
    expect(assignments.length).toBe(1);
    const access = assignments[0] as { decorators: string };
    expect(access.decorators, `${redisPath}: the accessPolicyAssignments loop needs @batchSize(1)`).toMatch(/^@batchSize\(1\)$/m);
    expect(redis).toMatch(/^resource\s+access\s+'[^']+'\s*=\s*\[for\s/m);
  });
});
