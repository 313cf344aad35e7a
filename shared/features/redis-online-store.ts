import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../storage/redis-client.js';
import { callRedis } from '../storage/redis-availability.js';
import type { Entity, FeatureView } from './definitions.js';
import { decodeValue, encodeValue, featureField, onlineKey, timestampField } from './online-layout.js';
import type { OnlineLookup, OnlineStore, OnlineWriteResult, StoredViewRow, TagRequest, ViewTags } from './ports.js';
import { bindAnswer, bindingPipeline, queueBindings } from './redis-tag-bindings.js';
import type { FeatureRow } from './rows.js';
import { registryTags, TagBindingMismatchError } from './tag-binding.js';

/**
 * Writes one view's row into an entity hash unless the stored row of that view is as new or
 * newer, all in one script so concurrent writers cannot interleave. Expiry: a view with a TTL
 * keeps the key alive at least as long as the row asks (never shortening another view's); a
 * view without one makes the key permanent. Returns 1 when written, 0 when skipped as older.
 * KEYS[1] hash; ARGV: ts field, event ms, expire ms (0 = none), n, n field/value pairs, fields to delete.
 */
const writeScript = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored and tonumber(stored) >= tonumber(ARGV[2]) then return 0 end
local existed = redis.call('EXISTS', KEYS[1])
local n = tonumber(ARGV[4])
local args = {ARGV[1], ARGV[2]}
for i = 5, 4 + 2 * n do args[#args + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(args))
for i = 5 + 2 * n, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
local expire = tonumber(ARGV[3])
if expire == 0 then
  redis.call('PERSIST', KEYS[1])
elseif existed == 0 then
  redis.call('PEXPIRE', KEYS[1], expire)
else
  local left = redis.call('PTTL', KEYS[1])
  if left >= 0 and left < expire then redis.call('PEXPIRE', KEYS[1], expire) end
end
return 1`;

const commandName = 'arborFeatureWrite';
type WriteCommand = (key: string, ...args: string[]) => Promise<unknown>;

/**
 * The script as a command of the client (defined once per connection). Called once per entity
 * key, never in an explicit pipeline: entity hashes lie in every slot of a clustered Redis, and
 * a cluster client refuses a pipeline over several nodes; auto-pipelining sends the calls made
 * in one tick as one pipeline per node (one per connection on a single node).
 */
function writeCommand(redis: RedisClient): WriteCommand {
  if (!(commandName in redis)) redis.defineCommand(commandName, { numberOfKeys: 1, lua: writeScript });
  const command = (redis as unknown as Record<string, WriteCommand>)[commandName];
  if (!command) throw new Error('the feature write script is not defined on this connection');
  return command.bind(redis);
}

const rowsPerRoundTrip = 1_000;

/**
 * How long a row keeps its entity's key, in milliseconds from `now` (0: for ever). A value turns
 * stale `ttlSeconds` after its event time; the key outlives that by `graceSeconds`, so a read in
 * between says `stale` rather than `missing` (issue 12 item 15). Counted from the later of now and
 * the event time, so a row stamped a little ahead of the clock is not dropped while fresh.
 */
export function keyLifetimeMs(ttlSeconds: number, graceSeconds: number, eventTime: number, now: number): number {
  if (ttlSeconds === 0) return 0;
  return Math.max(eventTime - now, 0) + (ttlSeconds + graceSeconds) * 1000;
}

/** The online store in Redis, in the layout docs/features.md "Online store" specifies (online-layout.ts). */
export class RedisOnlineStore implements OnlineStore {
  constructor(
    private readonly redis: RedisClient,
    /** ARBOR_FEATURE_PROJECT: the namespace of every key. */
    private readonly project: string,
    /** ARBOR_FEATURE_STALE_GRACE_SECONDS: how long a key outlives its TTL, so reads say `stale`. */
    private readonly staleGraceSeconds = 0,
    private readonly clock: () => number = Date.now,
  ) {}

  async bindTags(requests: readonly TagRequest[]): Promise<ViewTags[]> {
    if (!requests.length) return [];
    const pipeline = bindingPipeline(this.redis);
    queueBindings(pipeline, this.project, 'adopt', requests);
    const replies = await this.exec(pipeline);
    return requests.map((request, index) => bindAnswer(request, replies[index]?.[1]).bound);
  }

  /**
   * Runs a pipeline as one dependency call. Per-command errors are checked inside it: when the
   * connection drops, exec resolves with an error per command, and those must become a 503 too
   * (issue 12 item 8). Every command has its reply after this.
   */
  private async exec(pipeline: ChainableCommander): Promise<Array<[Error | null, unknown]>> {
    const length = pipeline.length;
    return callRedis(this.redis, async () => {
      const answered = (await pipeline.exec()) ?? [];
      for (let index = 0; index < length; index++) {
        const [error] = answered[index] ?? [new Error('Redis gave no reply for a command'), null];
        if (error) throw error;
      }
      return answered;
    });
  }

  /**
   * Queues a check of each view's tags against the binding (binding them when free: a registry
   * from before bindings lived here); `settle` reads the answers at `from` in the pipeline's
   * replies and refuses the views whose tags disagree. Part of the caller's pipeline, so a read
   * costs no extra round trip.
   */
  private queueVerify(pipeline: ChainableCommander, views: readonly FeatureView[]): (replies: ReadonlyArray<[Error | null, unknown]>, from: number) => void {
    const requests = views.map((view) => ({ view: view.name, features: view.features.map((f) => f.name), proposed: registryTags(view) }));
    queueBindings(pipeline, this.project, 'verify', requests);
    return (replies, from) => {
      const mismatches = requests.flatMap((request, index) => {
        const answer = bindAnswer(request, replies[from + index]?.[1]);
        return answer.ok ? [] : [{ view: request.view, registry: request.proposed, online: answer.bound }];
      });
      if (mismatches.length) throw new TagBindingMismatchError(mismatches);
    };
  }

  async checkTags(views: readonly FeatureView[]): Promise<void> {
    if (!views.length) return;
    const pipeline = bindingPipeline(this.redis);
    const settle = this.queueVerify(pipeline, views);
    settle(await this.exec(pipeline), 0);
  }

  async write(view: FeatureView, entity: Entity, rows: readonly FeatureRow[]): Promise<OnlineWriteResult> {
    const result: OnlineWriteResult = { written: 0, older: 0 };
    // Checked before any row is written: a refused view changes nothing. A binding never changes
    // once made, so a check before the writes holds for them.
    await this.checkTags([view]);
    const write = writeCommand(this.redis);
    await callRedis(this.redis, async () => {
      for (let start = 0; start < rows.length; start += rowsPerRoundTrip) {
        const replies = await Promise.all(
          rows.slice(start, start + rowsPerRoundTrip).map((row) => {
            const set: string[] = [];
            const remove: string[] = [];
            for (const feature of view.features) {
              const value = row.values[feature.name];
              if (value === null || value === undefined) remove.push(featureField(view, feature.name));
              else set.push(featureField(view, feature.name), encodeValue(feature.type, value));
            }
            const expireMs = keyLifetimeMs(view.ttlSeconds, this.staleGraceSeconds, row.eventTime.getTime(), this.clock());
            return write(onlineKey(this.project, entity, row.keys), timestampField(view), String(row.eventTime.getTime()), String(expireMs), String(set.length / 2), ...set, ...remove);
          }),
        );
        for (const reply of replies) {
          if (reply === 1) result.written++;
          else result.older++;
        }
      }
    });
    return result;
  }

  /**
   * One HMGET per lookup (an entity's hash), of only the fields asked for, sent together with
   * the tag check: the check is a pipeline on the binding hash (one slot), the HMGETs go one by
   * one and auto-pipelining batches them per node, so a read is one round trip per node.
   */
  async read(lookups: readonly OnlineLookup[]): Promise<StoredViewRow[][]> {
    // Lookups of one request share their views: the field list is worked out once per views list.
    const layouts = new Map<OnlineLookup['views'], { fields: string[]; types: Array<Array<FeatureView['features'][number]['type']>> }>();
    const layoutOf = (views: OnlineLookup['views']) => {
      let layout = layouts.get(views);
      if (!layout) {
        layout = {
          fields: views.flatMap(({ view, features }) => [timestampField(view), ...features.map((f) => featureField(view, f))]),
          types: views.map(({ view, features }) => features.map((name) => view.features.find((f) => f.name === name)?.type ?? 'string')),
        };
        layouts.set(views, layout);
      }
      return layout;
    };
    const pipeline = bindingPipeline(this.redis);
    const views = [...new Map(lookups.flatMap((lookup) => lookup.views.map(({ view }) => [view.name, view] as const))).values()];
    const settle = this.queueVerify(pipeline, views);
    const [answered, replies] = await Promise.all([
      views.length ? this.exec(pipeline) : Promise.resolve([]),
      callRedis(this.redis, () => Promise.all(lookups.map((lookup) => this.redis.hmget(onlineKey(this.project, lookup.entity, lookup.keys), ...layoutOf(lookup.views).fields)))),
    ]);
    // Before any value is decoded: a refused view serves nothing.
    settle(answered, 0);
    return lookups.map((lookup, index) => {
      const fields = replies[index] as Array<string | null>;
      let at = 0;
      return layoutOf(lookup.views).types.map((types) => {
        const stamp = fields[at++];
        const values = types.map((type) => {
          const value = fields[at++];
          return value === null || value === undefined ? null : decodeValue(type, value);
        });
        return { eventTime: stamp === null || stamp === undefined ? undefined : Number(stamp), values };
      });
    });
  }
}
