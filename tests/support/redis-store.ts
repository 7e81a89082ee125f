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

/** A RedisStore on its own prefix, plus a raw client for inspecting and corrupting what it wrote. */
export async function redisStoreHarness(url: string, label: string, log = captureLog().log) {
  const prefix = uniquePrefix(label);
  const store = new RedisStore({ url, prefix }, log);
  const raw = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  return {
    store,
    raw,
    prefix,
    advance: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    async cleanup() {
      await deleteKeys(raw, prefix);
      await store.close();
      raw.disconnect();
    },
  };
}
