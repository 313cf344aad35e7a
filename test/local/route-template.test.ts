import { describe, expect, it } from 'vitest';
import { matchRoute, parseRouteTemplate } from '../../local/http/route-template.js';

describe('route templates', () => {
  it('binds parameters and matches literals case-insensitively', () => {
    const route = parseRouteTemplate('datasets/{name}/files');
    expect(matchRoute(route, '/Datasets/sales/FILES')).toEqual({ name: 'sales' });
    expect(matchRoute(route, '/datasets/sales')).toBeUndefined();
    expect(matchRoute(route, '/datasets/sales/files/extra')).toBeUndefined();
  });

  it('makes a trailing optional parameter optional', () => {
    const route = parseRouteTemplate('datasets/{name?}');
    expect(matchRoute(route, '/datasets')).toEqual({});
    expect(matchRoute(route, '/datasets/a')).toEqual({ name: 'a' });
  });

  it('applies constraints and decodes values', () => {
    const route = parseRouteTemplate('items/{id:int}');
    expect(matchRoute(route, '/items/42')).toEqual({ id: '42' });
    expect(matchRoute(route, '/items/abc')).toBeUndefined();
    // A constrained parameter without `?` is required: the bare collection path is not this route.
    expect(matchRoute(route, '/items')).toBeUndefined();
    expect(matchRoute(parseRouteTemplate('items/{id:int?}'), '/items')).toEqual({});
    expect(matchRoute(parseRouteTemplate('runs/{id}'), '/runs')).toBeUndefined();
    expect(matchRoute(parseRouteTemplate('f/{x}'), '/f/a%20b')).toEqual({ x: 'a b' });
  });

  it('takes the rest of the path with a catch-all', () => {
    expect(matchRoute(parseRouteTemplate('blobs/{*path}'), '/blobs/a/b/c.csv')).toEqual({ path: 'a/b/c.csv' });
  });

  it('ranks literal routes above parameter routes', () => {
    const literal = parseRouteTemplate('datasets/special');
    const param = parseRouteTemplate('datasets/{name}');
    expect(literal.precedence).toBeGreaterThan(param.precedence);
  });

  it('rejects templates it cannot serve', () => {
    expect(() => parseRouteTemplate('a/{*rest}/b')).toThrow(/catch-all/);
    expect(() => parseRouteTemplate('a/{x:weird}')).toThrow(/unknown constraint/);
    expect(() => parseRouteTemplate('a/{x?}/b')).toThrow(/optional/);
    expect(() => parseRouteTemplate('a/x{y}')).toThrow(/unsupported segment/);
  });
});
