import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/log.js';
import type { Logger } from '../../src/log.js';
import { RedisStore } from '../../src/store/redis.js';

/** Log lines captured in memory, for asserting what was (and was not) logged. */
export function captureLog(level = 'debug'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ level, format: 'json', destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines };
}

/** A prefix no other test (or parallel test file) uses on the shared Redis. */
export function uniquePrefix(label: string): string {
  return `test:${label}:${randomUUID().slice(0, 8)}:`;
}

/** Every key under `prefix` with its value rendered as text, whatever its type. */
export async function dumpKeys(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of (await redis.keys(`${prefix}*`)).sort()) {
    const type = await redis.type(key);
    if (type === 'string') out.set(key, (await redis.get(key)) ?? '');
    else if (type === 'hash') out.set(key, JSON.stringify(await redis.hgetall(key)));
    else if (type === 'set') out.set(key, JSON.stringify((await redis.smembers(key)).sort()));
    else out.set(key, `<${type}>`);
  }
  return out;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

/**
 * Redis has no clock to fake, so "time passes" is emulated on what expiry depends on: every key under `prefix`
 * whose TTL (PTTL) runs out within `ms` is deleted, every other key with a TTL keeps `ms` less of it; keys
 * without a TTL are untouched. The TTLs checked are the ones the server holds, so a store that set the wrong
 * TTL (or none) fails; only Redis's own expiry (tested by Redis) is emulated. Real time also passes meanwhile,
 * which is why the contract's margins are seconds, not milliseconds.
 */
export async function advanceKeyTtls(redis: Redis, prefix: string, ms: number): Promise<void> {
  for (const key of await redis.keys(`${prefix}*`)) {
    const left = await redis.pttl(key);
    if (left < 0) continue; // -1: no TTL; -2: already gone
    if (left <= ms) await redis.del(key);
    else await redis.pexpire(key, left - ms);
  }
}

/** A RedisStore on its own prefix, plus a raw client for inspecting and corrupting what it wrote. */
export async function redisStoreHarness(url: string, label: string, log = captureLog().log) {
  const prefix = uniquePrefix(label);
  // The store's own clock (stamps such as counter liveness) moves with the emulated time.
  let offset = 0;
  const store = new RedisStore({ url, prefix, now: () => Date.now() + offset }, log);
  const raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  return {
    store,
    raw,
    prefix,
    /** Moves Redis's time for this prefix (and the store's clock) forward by `ms`, without sleeping: see advanceKeyTtls. */
    advance: async (ms: number) => {
      offset += ms;
      await advanceKeyTtls(raw, prefix, ms);
    },
    async cleanup() {
      await deleteKeys(raw, prefix);
      await store.close();
      raw.disconnect();
    },
  };
}
