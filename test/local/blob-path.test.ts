import { describe, expect, it } from 'vitest';
import { parseBlobPath } from '../../local/blobs/blob-path.js';

describe('blob trigger paths', () => {
  it('binds each parameter; the last one takes the rest of the name', () => {
    const path = parseBlobPath('landing/{dataset}/{file}');
    expect(path.container).toBe('landing');
    expect(path.match('sales/2026/jan.csv')).toEqual({ dataset: 'sales', file: '2026/jan.csv' });
    expect(path.match('loose.csv')).toBeUndefined();
  });

  it('matches literal suffixes and whole containers', () => {
    expect(parseBlobPath('images/{name}.png').match('cat.png')).toEqual({ name: 'cat' });
    expect(parseBlobPath('images/{name}.png').match('cat.jpg')).toBeUndefined();
    expect(parseBlobPath('inbox').match('any/thing')).toEqual({});
  });

  it('rejects an invalid container name', () => {
    expect(() => parseBlobPath('Bad_Container/{name}')).toThrow(/not a valid container name/);
  });
});
