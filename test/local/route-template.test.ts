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

describe('route templates at their edges', () => {
  it('ignores leading, trailing and doubled slashes in the template and the path', () => {
    const route = parseRouteTemplate('/runs//{id}/');
    expect(route.segments).toHaveLength(2);
    expect(matchRoute(route, 'runs/7')).toEqual({ id: '7' });
    expect(matchRoute(route, '//runs//7//')).toEqual({ id: '7' });
  });

  it('lower-cases a literal of the template, so either case matches', () => {
    expect(matchRoute(parseRouteTemplate('Datasets/{Name}'), '/DATASETS/Sales')).toEqual({ Name: 'Sales' });
  });

  it('applies each constraint as ASP.NET does', () => {
    const accepts = (constraint: string, value: string) => matchRoute(parseRouteTemplate(`x/{v:${constraint}}`), `/x/${value}`) !== undefined;
    expect(['42', '-7', '007'].map((v) => accepts('int', v))).toEqual([true, true, true]);
    expect(['4.2', '4a', '+4', ' 4'].map((v) => accepts('int', v))).toEqual([false, false, false, false]);
    expect(['9223372036854775807', '-1', 'x1'].map((v) => accepts('long', v))).toEqual([true, true, false]);
    expect(['1.5', '-2', '3', '1.', '.5', '1e3'].map((v) => accepts('double', v))).toEqual([true, true, true, false, false, false]);
    expect(['true', 'FALSE', 'True', 'yes', 'truex', 'xtrue'].map((v) => accepts('bool', v))).toEqual([true, true, true, false, false, false]);
    expect(['abc', 'ABC', 'ab1', 'é'].map((v) => accepts('alpha', v))).toEqual([true, true, false, false]);
    expect(
      [
        '0f8fad5b-d9cb-469f-a165-70867728950e',
        '0F8FAD5BD9CB469FA16570867728950E',
        '0f8fad5b-d9cb-469f-a165-70867728950',
        '0f8fad5b-d9cb-469f-a165-70867728950ef',
        'zf8fad5b-d9cb-469f-a165-70867728950e',
      ].map((v) => accepts('guid', v)),
    ).toEqual([true, true, false, false, false]);
  });

  it('checks an optional constrained parameter when it is there', () => {
    const route = parseRouteTemplate('items/{id:int?}');
    expect(matchRoute(route, '/items/12')).toEqual({ id: '12' });
    expect(matchRoute(route, '/items/x')).toBeUndefined();
  });

  it('allows optional parameters in a row at the end', () => {
    const route = parseRouteTemplate('a/{x?}/{y?}');
    expect(matchRoute(route, '/a')).toEqual({});
    expect(matchRoute(route, '/a/1')).toEqual({ x: '1' });
    expect(matchRoute(route, '/a/1/2')).toEqual({ x: '1', y: '2' });
    expect(matchRoute(route, '/a/1/2/3')).toBeUndefined();
  });

  it('decodes each part of a catch-all, and leaves it out when nothing is left', () => {
    const route = parseRouteTemplate('blobs/{*path}');
    expect(matchRoute(route, '/blobs/a%20b/c%2Fd')).toEqual({ path: 'a b/c/d' });
    expect(matchRoute(route, '/blobs')).toEqual({});
    expect(matchRoute(route, '/blobs/')).toEqual({});
    expect(matchRoute(route, '/other/a')).toBeUndefined();
    expect(matchRoute(parseRouteTemplate('{*all}'), '/x/y')).toEqual({ all: 'x/y' });
  });

  it('refuses a path whose percent-encoding is broken instead of throwing', () => {
    expect(matchRoute(parseRouteTemplate('f/{x}'), '/f/%E0%A4%A')).toBeUndefined();
    expect(matchRoute(parseRouteTemplate('%zz/{x}'), '/%zz/1')).toBeUndefined();
  });

  it('ranks literal over constrained over free parameter over catch-all, and longer over shorter', () => {
    const templates = ['a/{*rest}', 'a/{x}', 'a/b', 'a/{x:int}', 'a/b/c', 'a/{x}/{y}', '{x}'];
    const ranked = templates.map(parseRouteTemplate).sort((p, q) => q.precedence - p.precedence).map((r) => r.template);
    expect(ranked).toEqual(['a/b/c', 'a/{x}/{y}', 'a/b', 'a/{x:int}', 'a/{x}', 'a/{*rest}', '{x}']);
    // The order of kinds holds at every position, not only the last.
    expect(parseRouteTemplate('a/x').precedence).toBeGreaterThan(parseRouteTemplate('{a:int}/x').precedence);
    expect(parseRouteTemplate('{a:int}/x').precedence).toBeGreaterThan(parseRouteTemplate('{a}/x').precedence);
  });

  it('keeps the template text and names what it refuses', () => {
    expect(parseRouteTemplate('a/{b}').template).toBe('a/{b}');
    expect(() => parseRouteTemplate('a/{*rest}/b')).toThrow('route "a/{*rest}/b": a catch-all must be the last segment');
    expect(() => parseRouteTemplate('a/{x:weird}')).toThrow('route "a/{x:weird}": unknown constraint "weird"');
    expect(() => parseRouteTemplate('a/{x?}/b')).toThrow('route "a/{x?}/b": an optional parameter may only be followed by optional parameters');
    expect(() => parseRouteTemplate('a/{x?}/{y}/b')).toThrow(/optional parameter/);
    expect(() => parseRouteTemplate('a/x{y}')).toThrow('route "a/x{y}": unsupported segment "x{y}"');
    expect(() => parseRouteTemplate('a/{1x}')).toThrow(/unsupported segment "\{1x\}"/);
    expect(() => parseRouteTemplate('a/{x:INT}')).toThrow(/unsupported segment/);
    expect(() => parseRouteTemplate('a/}')).toThrow(/unsupported segment/);
    // A parameter is the whole segment: text after the brace is not silently dropped.
    expect(() => parseRouteTemplate('a/{x}y')).toThrow('route "a/{x}y": unsupported segment "{x}y"');
  });
});
