import type { Logger } from '../log.js';
import { MemoryStore } from './memory.js';
import { RedisStore, describeRedisUrl } from './redis.js';
import type { Store } from './types.js';

export type { FamilyKey, FamilyMeta, Snapshot, Staging, Store, StoreConnection } from './types.js';
export { StoreError } from './errors.js';
export type { StoreErrorCode } from './errors.js';
export { DEFAULT_PREFIX, KEY_SCHEME_VERSION, storeKeys } from './keys.js';
export { MemoryStore } from './memory.js';
export { DEFAULT_COMMAND_TIMEOUT_MS, RedisStore, describeRedisUrl } from './redis.js';

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
}

/**
 * The composition root's one call. Connection is lazy: nothing is dialled until the first command, so creating
 * a store never fails; `ping()` tells whether Redis is reachable. Logs name the host, never the URL.
 */
export function createStore(opts: CreateStoreOptions, log: Logger): Store {
  const { url, ...rest } = opts;
  if (url) {
    log.info({ component: 'store', store: 'redis', redis: describeRedisUrl(url) }, 'using the Redis store');
    return new RedisStore({ ...rest, url }, log);
  }
  log.warn({ component: 'store', store: 'memory' }, 'REDIS_URL not set: using the in-memory store (one process only, no persistence)');
  return new MemoryStore({ now: rest.now, prefix: rest.prefix });
}
