import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allowedValues, blockAfter, paramDecorators, read, root, stripComments } from './bicep-source.js';

/**
 * `location` accepts only regions that offer every service Arbor provisions in it, so a wrong
 * region fails at the prompt instead of halfway through provisioning; docs/deploy.md says where
 * the list comes from and holds the same list.
 */

const mainBicep = read('infra/main.bicep');
const regions = allowedValues(mainBicep, 'location');

/** The backticked region names in docs/deploy.md's "Regions" section, in order. */
function documentedRegions(): string[] {
  const docs = read('docs/deploy.md');
  const start = docs.indexOf('\n## Regions\n');
  expect(start, 'docs/deploy.md has no "## Regions" section').toBeGreaterThan(0);
  const section = docs.slice(start + 1).split(/\n## /)[0] as string;
  const list = /Allowed regions:([^\n]+)/.exec(section)?.[1];
  expect(list, 'docs/deploy.md "Regions" has no "Allowed regions:" line').toBeDefined();
  return [...(list as string).matchAll(/`([a-z0-9]+)`/g)].map((m) => m[1] as string);
}

describe('regions: infra/main.bicep location', () => {
  it('is an allow-list of Azure region names, each once', () => {
    expect(regions.length).toBeGreaterThanOrEqual(5);
    for (const region of regions) expect(region).toMatch(/^[a-z]+[a-z0-9]*$/);
    expect(new Set(regions).size).toBe(regions.length);
    expect(paramDecorators(mainBicep, 'location')).toMatch(/@metadata\(\{ azd: \{ type: 'location' \} \}\)/);
  });

  it('is the list docs/deploy.md gives, with where it comes from', () => {
    expect(documentedRegions()).toEqual(regions);
    const docs = read('docs/deploy.md');
    const section = docs.slice(docs.indexOf('\n## Regions\n')).split(/\n## /)[1] as string;
    for (const provider of ['list-flexconsumption-locations', 'Microsoft.DurableTask', 'Microsoft.Cache']) {
      expect(section, `docs/deploy.md "Regions" should say how to check ${provider}`).toContain(provider);
    }
  });

  it('every resource is placed in `location` (or is global): no region is written anywhere else', () => {
    const files = ['infra/main.bicep', ...readdirSync(join(root, 'infra/modules')).map((f) => `infra/modules/${f}`)];
    let placements = 0;
    for (const file of files) {
      for (const match of stripComments(read(file)).matchAll(/^\s*location:\s*(.+?)\s*$/gm)) {
        placements++;
        expect(['location', "'global'"], `${file}: location: ${match[1]}`).toContain(match[1]);
      }
    }
    expect(placements).toBeGreaterThanOrEqual(15);
    // The region list itself is only in the decorator.
    const withoutDecorator = mainBicep.replace(blockAfter(paramDecorators(mainBicep, 'location'), /@allowed\(\s*\[/, '['), '');
    for (const region of regions) expect(stripComments(withoutDecorator)).not.toContain(`'${region}'`);
  });
});
