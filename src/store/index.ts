import type { Logger } from '../log.js';
import { MemoryStore } from './memory.js';
import { RedisStore } from './redis.js';
import { describeRedis, type SentinelOptions } from './sentinel.js';
import type { Store } from './types.js';

export type { FamilyKey, FamilyMeta, Snapshot, Staging, Store, StoreConnection } from './types.js';
export { StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { DEFAULT_PREFIX, KEY_SCHEME_VERSION, storeKeys } from './keys.js';
export { MemoryStore } from './memory.js';
export { DEFAULT_COMMAND_TIMEOUT_MS, RedisStore, describeRedisUrl } from './redis.js';
export { describeSentinel, type SentinelOptions } from './sentinel.js';

export interface CreateStoreOptions {
  /** Config's redis.url: a redis:// or rediss:// URL selects Redis; absent or empty selects the in-memory store. */
  url?: string | null | undefined;
  /** Key prefix; default `mist:v1:`. Tests and shared Redis servers use their own. */
  prefix?: string;
  /** Clock for staging timestamps and, in memory, for TTLs. */
  now?: () => number;
  connectTimeoutMs?: number;
  maxRetriesPerRequest?: number;
  /** Bound of every Redis call (STORE_COMMAND_TIMEOUT_SECONDS); see RedisStoreOptions. */
  commandTimeoutMs?: number;
  /** Config's redis.sentinel: find the master through Sentinel (REDIS_URL then gives credentials, db, TLS). */
  sentinel?: SentinelOptions | null;
  /** Config's redis.waitReplicas: replicas that must confirm publishes, increments and the lock (WAIT). */
  waitReplicas?: number;
}

/**
 * The composition root's one call. Connection is lazy: nothing is dialled until the first command, so creating
 * a store never fails; `ping()` tells whether Redis is reachable. Logs name the host, never the URL.
 */
export function createStore(opts: CreateStoreOptions, log: Logger): Store {
  const { url, ...rest } = opts;
  if (url) {
    log.info({ component: 'store', store: 'redis', redis: describeRedis(url, rest.sentinel), waitReplicas: rest.waitReplicas ?? 0 }, rest.sentinel ? 'using the Redis store through Sentinel' : 'using the Redis store');
    return new RedisStore({ ...rest, url }, log);
  }
  log.warn({ component: 'store', store: 'memory' }, 'REDIS_URL not set: using the in-memory store (one process only, no persistence)');
  return new MemoryStore({ now: rest.now, prefix: rest.prefix });
}
