import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { DROP_COUNTERS, PRUNE_COUNTERS, TOUCH_COUNTERS } from './counter-scripts.js';
import { checkCounterDeltas, checkCounterFields, checkFieldFilter, checkRetention, checkTtl } from './keys.js';
import type { StoreKeys } from './keys.js';
import { INCREMENT_COUNTERS } from './redis-scripts.js';
import type { CounterFieldFilter, CounterOnce } from './types.js';

/** What the counter operations borrow from their RedisStore: its client, keys, clock, log and bounded call. */
export interface RedisCounterDeps {
  readonly client: Redis;
  readonly keys: StoreKeys;
  readonly log: Logger;
  now(): number;
  run<T>(call: () => Promise<T>): Promise<T>;
  hgetall(key: string): Promise<Record<string, string>>;
  /** Waits until the configured replicas have every write made so far (RedisStore.confirm); throws if not. */
  confirm(what: string): Promise<void>;
}

/** What HINCRBYFLOAT writes: a plain decimal, possibly with an exponent. Anything else was not written by us. */
const COUNTER_VALUE = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The Store's monotonic counter groups on Redis (see Store.incrementCounters and src/store/counters.ts). */
export class RedisCounters {
  constructor(private readonly deps: RedisCounterDeps) {}

  async increment(name: string, deltas: Readonly<Record<string, number>>, once?: CounterOnce): Promise<void> {
    const k = this.deps.keys.counters(name);
    const marker = once ? this.deps.keys.countersApplied(name, once.scope) : this.deps.keys.counters(name);
    const entries = checkCounterDeltas(deltas);
    if (entries.length === 0) return;
    const markerTtl = once?.expireMs === undefined ? '' : String(checkTtl(once.expireMs));
    const args = [once?.id ?? '', markerTtl, ...entries.flatMap(([field, delta]) => [field, String(delta)])];
    const reply = await this.deps.run(() => INCREMENT_COUNTERS.run(this.deps.client, [k, marker, this.deps.keys.countersVersion(name)], args));
    // Applied or skipped, the increment (or the earlier one it repeats) must survive a failover before it counts
    // as done: a caller that sees a failure keeps its deltas and replays them under the same id.
    await this.deps.confirm('counter increment');
    if (Array.isArray(reply) && reply[0] === 2) {
      this.deps.log.debug({ key: k, scope: once?.scope, id: once?.id }, 'counter increments already applied; skipped');
      return;
    }
    if (Array.isArray(reply) && (reply[0] === 1 || reply.length > 1)) {
      this.deps.log.warn({ key: k, wrongType: reply[0] === 1, resetFields: reply.slice(1) }, 'counter values did not parse; restarted at this increment');
    }
  }

  async read(name: string): Promise<Record<string, number>> {
    const k = this.deps.keys.counters(name);
    const fields = Object.entries(await this.deps.hgetall(k));
    const parses = ([, text]: [string, string]): boolean => COUNTER_VALUE.test(text) && Number.isFinite(Number(text));
    const bad = fields.filter((f) => !parses(f)).map(([field]) => field);
    // The field names the series (labels), never a secret; the value is not logged.
    if (bad.length > 0) this.deps.log.warn({ key: k, fields: bad }, 'counter values do not parse; ignored');
    return Object.fromEntries(fields.filter(parses).map(([field, text]) => [field, Number(text)]));
  }

  async touch(name: string, fields: readonly string[]): Promise<void> {
    const keys = [this.deps.keys.counters(name), this.deps.keys.countersSeen(name)];
    const unique = checkCounterFields(fields);
    if (unique.length > 0) await this.deps.run(() => TOUCH_COUNTERS.run(this.deps.client, keys, [this.deps.now(), ...unique]));
  }

  async prune(name: string, retentionMs: number, only?: CounterFieldFilter): Promise<number> {
    const keys = [this.deps.keys.counters(name), this.deps.keys.countersSeen(name), this.deps.keys.countersVersion(name)];
    const now = this.deps.now();
    const args = [now, now - checkRetention(retentionMs), ...(only ? [checkFieldFilter(only).label, only.value] : [])];
    return Number(await this.deps.run(() => PRUNE_COUNTERS.run(this.deps.client, keys, args)));
  }

  async drop(name: string): Promise<boolean> {
    const keys = [this.deps.keys.counters(name), this.deps.keys.countersSeen(name), this.deps.keys.countersVersion(name)];
    return Number(await this.deps.run(() => DROP_COUNTERS.run(this.deps.client, keys, []))) === 1;
  }

  async version(name: string): Promise<number> {
    const v = Number(await this.deps.run(() => this.deps.client.get(this.deps.keys.countersVersion(name))));
    return Number.isSafeInteger(v) ? v : 0;
  }
}
