import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError, BadRequestError } from '../../../shared/platform/errors.js';
import { queryParam, readJsonBody } from '../../../shared/platform/http.js';
import { maxJsonDepth, nestsDeeperThan } from '../../../shared/platform/json-depth.js';
import { pipelineVersionQuery } from '../../../shared/pipelines/http-schemas.js';
import { parseUpsert, queryRequest } from '../../../shared/vectors/requests.js';

const post = (body: string) => new HttpRequest({ method: 'POST', url: 'http://127.0.0.1/api/x', headers: { 'content-type': 'application/json' }, body: { string: body } });
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('the edges of a request', () => {
  it('measures nesting without recursion, at any depth', () => {
    expect(nestsDeeperThan(JSON.parse(nested(maxJsonDepth)), maxJsonDepth)).toBe(false);
    expect(nestsDeeperThan(JSON.parse(nested(maxJsonDepth + 1)), maxJsonDepth)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }], c: 'x' }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: {} }] }, 3)).toBe(true);
    // 200,000 levels would overflow any recursive walk; this one answers.
    expect(nestsDeeperThan(JSON.parse(nested(200_000)), maxJsonDepth)).toBe(true);
  });

  it('refuses a body nested deeper than the limit with a 400 naming the body, before any schema sees it', async () => {
    const schema = z.object({ echo: z.unknown() });
    await expect(readJsonBody(post(`{"echo":${nested(100_000)}}`), schema)).rejects.toBeInstanceOf(BadRequestError);
    await expect(readJsonBody(post(`{"echo":${nested(100_000)}}`), schema)).rejects.toMatchObject({
      status: 400,
      details: [{ field: '(body)', problem: expect.stringMatching(/deeper than 64 levels/) }],
    });
    expect(await readJsonBody(post(`{"echo":${nested(maxJsonDepth - 1)}}`), schema)).toHaveProperty('echo');
  });

  it('refuses ?version=NaN and friends instead of ignoring them', () => {
    const query = (value: string) => new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/pipelines/p?version=${value}` });
    expect(queryParam(query('2'), 'version', pipelineVersionQuery)).toBe(2);
    expect(queryParam(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/pipelines/p' }), 'version', pipelineVersionQuery)).toBeUndefined();
    for (const bad of ['NaN', '0', '-1', '1.5', 'latest1', '1e3', '99999999999']) {
      expect(() => queryParam(query(bad), 'version', pipelineVersionQuery), bad).toThrow(ValidationError);
    }
  });

  it('refuses vector components beyond float32, and zero vectors under cosine', () => {
    const problems = (body: unknown, metric: string) => {
      try {
        parseUpsert(2, body, metric);
        return [];
      } catch (error) {
        return ((error as ValidationError).details as Array<{ field: string; problem: string }>).map((detail) => `${detail.field}: ${detail.problem}`);
      }
    };
    expect(problems({ items: [{ id: 'a', vector: [1e39, 0] }] }, 'l2')).toEqual(['items[0].vector[0]: does not fit a float32']);
    expect(problems({ items: [{ id: 'a', vector: [-1e39, 0] }] }, 'l2')).toEqual(['items[0].vector[0]: does not fit a float32']);
    expect(problems({ items: [{ id: 'a', vector: [3.4e38, 0] }] }, 'l2')).toEqual([]);
    expect(problems({ items: [{ id: 'a', vector: [0, 0] }] }, 'cosine')).toEqual(['items[0].vector: is all zeros, which has no direction under the cosine metric']);
    expect(problems({ items: [{ id: 'a', vector: [0, 0] }] }, 'l2')).toEqual([]);
    expect(queryRequest(2, 'cosine').safeParse({ vector: [0, 0] }).success).toBe(false);
    expect(queryRequest(2, 'ip').safeParse({ vector: [0, 0] }).success).toBe(true);
  });
});
