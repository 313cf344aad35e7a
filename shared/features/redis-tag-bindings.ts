import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../storage/redis-client.js';
import type { TagRequest, ViewTags } from './ports.js';

/**
 * Tag bindings in Redis (docs/features.md "Online store"): one hash per project,
 * `ft:<project>`, beside the entity hashes whose field names the tags make. Fields:
 * `<view>` -> view tag, `<view>\0<feature>` -> feature tag; reverse entries `#<tag>` -> view and
 * `<view>\0#<tag>` -> feature, so a tag is never handed out twice; counters `#` (views, from 1)
 * and `<view>\0#` (features, from 0). Names (shared/platform/names.ts) hold no `#` or NUL and start with a letter, so no field can forge another.
 *
 * One script per view, atomic, so concurrent registrations cannot bind one tag twice.
 * KEYS[1] the hash; ARGV: mode, view, proposed view tag ('' for none), then per feature its name
 * and proposed tag. Mode `adopt` (registration): an existing binding wins, a free proposed tag
 * is taken, anything else gets the next counter value. Mode `verify` (serving): every proposed
 * tag must be the bound one, or free (then bound, for registries from before bindings lived
 * here); otherwise nothing is written and the answer starts with 0.
 * Returns {ok, view tag, feature tags...} ('' where unbound).
 */
const bindScript = `
local h = KEYS[1]
local mode = ARGV[1]
local view = ARGV[2]
local nf = (#ARGV - 3) / 2
local vtag = redis.call('HGET', h, view)
local ftags = {}
for i = 1, nf do ftags[i] = redis.call('HGET', h, view .. '\\0' .. ARGV[2 + 2 * i]) end
if mode == 'verify' then
  local ok = ARGV[3] ~= ''
  if vtag then
    if vtag ~= ARGV[3] then ok = false end
  elseif redis.call('HEXISTS', h, '#' .. ARGV[3]) == 1 then
    ok = false
  end
  for i = 1, nf do
    local proposed = ARGV[3 + 2 * i]
    if proposed == '' then
      ok = false
    elseif ftags[i] then
      if ftags[i] ~= proposed then ok = false end
    elseif redis.call('HEXISTS', h, view .. '\\0#' .. proposed) == 1 then
      ok = false
    end
  end
  if not ok then
    local out = {0, vtag or ''}
    for i = 1, nf do out[#out + 1] = ftags[i] or '' end
    return out
  end
end
local digits = '0123456789abcdefghijklmnopqrstuvwxyz'
local function base36(n)
  local s = ''
  repeat
    local r = n % 36
    s = string.sub(digits, r + 1, r + 1) .. s
    n = (n - r) / 36
  until n == 0
  return s
end
local function bind(field, reverse, counter, proposed, offset, name)
  if proposed ~= '' and redis.call('HSETNX', h, reverse .. proposed, name) == 1 then
    redis.call('HSET', h, field, proposed)
    return proposed
  end
  while true do
    local tag = base36(redis.call('HINCRBY', h, counter, 1) - offset)
    if redis.call('HSETNX', h, reverse .. tag, name) == 1 then
      redis.call('HSET', h, field, tag)
      return tag
    end
  end
end
if not vtag then vtag = bind(view, '#', '#', ARGV[3], 0, view) end
for i = 1, nf do
  local feature = ARGV[2 + 2 * i]
  if not ftags[i] then ftags[i] = bind(view .. '\\0' .. feature, view .. '\\0#', view .. '\\0#', ARGV[3 + 2 * i], 1, feature) end
end
local out = {1, vtag}
for i = 1, nf do out[#out + 1] = ftags[i] end
return out`;

const commandName = 'arborTagBind';
type BindCommand = (key: string, ...args: string[]) => ChainableCommander;

export function tagBindingKey(project: string): string {
  return `ft:${project}`;
}

export type BindMode = 'adopt' | 'verify';

/** A pipeline that can queue bindings: the script is defined on the connection first, as only pipelines made afterwards carry it. */
export function bindingPipeline(redis: RedisClient): ChainableCommander {
  if (!(commandName in redis)) redis.defineCommand(commandName, { numberOfKeys: 1, lua: bindScript });
  return redis.pipeline();
}

/** Queues one binding script call per request on a pipeline made by bindingPipeline. */
export function queueBindings(pipeline: ChainableCommander, project: string, mode: BindMode, requests: readonly TagRequest[]): void {
  const command = (pipeline as unknown as Record<string, BindCommand>)[commandName];
  if (!command) throw new Error('the tag binding script is not defined on this pipeline');
  for (const request of requests) {
    const features = request.features.flatMap((feature) => [feature, request.proposed?.featureTags[feature] ?? '']);
    command.call(pipeline, tagBindingKey(project), mode, request.view, request.proposed?.tag ?? '', ...features);
  }
}

export interface BindAnswer {
  /** False when a verify found a proposed tag that is not (and cannot become) the bound one. */
  ok: boolean;
  /** What is bound ('' where nothing is). */
  bound: ViewTags;
}

/** A script reply as tags, keyed by the request's features. */
export function bindAnswer(request: TagRequest, reply: unknown): BindAnswer {
  if (!Array.isArray(reply) || reply.length !== request.features.length + 2) throw new Error(`unexpected tag binding reply for view "${request.view}"`);
  const [ok, tag, ...featureTags] = reply as [number, string, ...string[]];
  return { ok: ok === 1, bound: { tag, featureTags: Object.fromEntries(request.features.map((feature, i) => [feature, featureTags[i] as string])) } };
}
