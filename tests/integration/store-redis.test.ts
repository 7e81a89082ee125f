import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { RedisStore, createStore } from '../../src/store/index.js';
import type { FamilyKey } from '../../src/store/index.js';
import { captureLog, dumpKeys, redisStoreHarness } from '../support/redis-store.js';
import { storeContract } from '../unit/store-contract.js';
import { counterReplayContract } from '../unit/store-contract-replay.js';
import { shardLockContract } from '../unit/store-contract-shards.js';

const url = inject('redisUrl');

storeContract('redis', () => redisStoreHarness(url, 'contract'));
counterReplayContract('redis', () => redisStoreHarness(url, 'replay'));
shardLockContract('redis', () => redisStoreHarness(url, 'shards'));

const KEY: FamilyKey = { orgId: 'a7f1c2d0-0000-4000-8000-000000000001', family: 'wan-ports' };
const LONG = 60_000;
const meta = { lastAttempt: 1, lastSuccess: 2, durationMs: 1, recordsKept: 3, recordsDropped: 0, pages: 2, calls: 2, intervalSeconds: 60 };

describe('RedisStore on a real Redis', () => {
  let h: Awaited<ReturnType<typeof redisStoreHarness>>;
  let lines: string[];
  beforeEach(async () => {
    const captured = captureLog();
    lines = captured.lines;
    h = await redisStoreHarness(url, 'redis', captured.log);
  });
  afterEach(() => h.cleanup());

  async function publish(generation: string, pages: string[], ttlMs = LONG): Promise<void> {
    await h.store.beginGeneration(KEY, generation, ttlMs);
    for (const [i, page] of pages.entries()) await h.store.putPage(KEY, generation, i, page, { cursor: null, recordsKept: i, recordsDropped: 0 }, ttlMs);
    await h.store.publish(KEY, generation, pages.length, meta, ttlMs);
  }

  it('lays out keys, values and TTLs as docs/store.md describes', async () => {
    await publish('g1', ['[1]', '[2]']);
    await h.store.beginGeneration(KEY, 'g2', 30_000);
    await h.store.putPage(KEY, 'g2', 0, '[3]', { cursor: '{"page":2}', recordsKept: 1, recordsDropped: 0 }, 30_000);
    await h.store.putTokenUsage([{ fingerprint: '0123456789ab', used: 7, limit: 5000, coolingUntil: 0 }], 5);
    await h.store.acquireLock('collector', 'host-1', 10_000);
    const p = `${h.prefix}${KEY.orgId}:wan-ports:`;
    const dump = await dumpKeys(h.raw, h.prefix);
    expect([...dump.keys()]).toEqual(
      [`${h.prefix}budget:0123456789ab`, `${h.prefix}budgets`, `${h.prefix}families`, `${h.prefix}lock:collector`,
        `${p}current`, `${p}gen:g1:page:0`, `${p}gen:g1:page:1`, `${p}gen:g2:page:0`, `${p}meta`, `${p}staging`].sort(),
    );
    expect(JSON.parse(dump.get(`${p}current`) ?? '')).toEqual({ generation: 'g1', pages: 2, publishedAt: expect.any(Number) });
    expect(JSON.parse(dump.get(`${p}meta`) ?? '')).toMatchObject({ generation: '"g1"', lastError: 'null', pages: '2' });
    expect(JSON.parse(dump.get(`${p}staging`) ?? '')).toMatchObject({ generation: '"g2"', pages: '1', cursor: '"{\\"page\\":2}"' });
    expect(dump.get(`${h.prefix}families`)).toBe(JSON.stringify([`${KEY.orgId}|wan-ports`]));
    expect(dump.get(`${h.prefix}lock:collector`)).toBe('host-1');
    const ttl = async (k: string) => h.raw.pttl(k);
    for (const k of [`${p}meta`, `${h.prefix}families`, `${h.prefix}budgets`]) expect(await ttl(k)).toBe(-1);
    for (const k of [`${p}current`, `${p}gen:g1:page:0`, `${p}gen:g1:page:1`]) expect(await ttl(k)).toBeGreaterThan(LONG - 5_000);
    for (const k of [`${p}staging`, `${p}gen:g2:page:0`]) expect(await ttl(k)).toBeLessThanOrEqual(30_000);
    expect(await ttl(`${h.prefix}budget:0123456789ab`)).toBeGreaterThan(60 * 60 * 1000);
    expect(await ttl(`${h.prefix}lock:collector`)).toBeLessThanOrEqual(10_000);
  });

  it('lets Redis itself expire a snapshot (the contract emulates expiry by shortening TTLs; this does not)', async () => {
    await publish('g1', ['[1]', '[2]'], 300);
    // No bound on how soon: Redis expires on access once the TTL has passed, whenever this loop gets to run.
    let snap = await h.store.readSnapshot(KEY);
    for (let i = 0; snap !== null && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      snap = await h.store.readSnapshot(KEY);
    }
    expect(snap).toBeNull();
    expect(await h.raw.exists(...h.store.keys.pages(KEY, 'g1', 2))).toBe(0);
    expect(await h.store.readMeta(KEY)).toMatchObject({ generation: 'g1' });
  });

  it('returns no snapshot when a page key of the current generation has gone', async () => {
    await publish('g1', ['[1]', '[2]', '[3]']);
    await h.raw.del(h.store.keys.page(KEY, 'g1', 1));
    expect(await h.store.readSnapshot(KEY)).toBeNull();
    expect(await h.store.readMeta(KEY)).toMatchObject({ generation: 'g1' });
  });

  it("deletes the previous generation's pages when a new one is published", async () => {
    await publish('g1', ['[1]', '[2]']);
    await publish('g2', ['[3]']);
    expect(await h.raw.exists(...h.store.keys.pages(KEY, 'g1', 2))).toBe(0);
    expect((await h.store.readSnapshot(KEY))?.pages).toEqual(['[3]']);
  });

  it('deletes the pages of an abandoned staged generation when a new one begins', async () => {
    await h.store.beginGeneration(KEY, 'g1', LONG);
    await h.store.putPage(KEY, 'g1', 0, '[1]', { cursor: '{"page":2}', recordsKept: 1, recordsDropped: 0 }, LONG);
    await h.store.beginGeneration(KEY, 'g2', LONG);
    expect(await h.raw.exists(h.store.keys.page(KEY, 'g1', 0))).toBe(0);
  });

  it('treats corrupt or mistyped values as absent, logs them, and recovers on the next write', async () => {
    await publish('g1', ['[1]']);
    await h.raw.hset(h.store.keys.meta(KEY), 'lastSuccess', '{not json');
    expect(await h.store.readMeta(KEY)).toBeNull();
    await h.raw.hset(h.store.keys.meta(KEY), 'lastSuccess', '"yesterday"');
    expect(await h.store.readMeta(KEY)).toBeNull();
    expect(lines.filter((l) => l.includes('does not parse'))).toHaveLength(2);
    expect(lines.join('')).toContain('lastSuccess');

    await h.raw.set(h.store.keys.current(KEY), '{"generation":"g1"');
    expect(await h.store.readSnapshot(KEY)).toBeNull();
    await h.raw.set(h.store.keys.current(KEY), JSON.stringify({ generation: 'g1', pages: -1, publishedAt: 0 }));
    expect(await h.store.readSnapshot(KEY)).toBeNull();

    await h.store.beginGeneration(KEY, 'g2', LONG);
    await h.raw.hset(h.store.keys.staging(KEY), 'recordsKept', '"many"');
    expect(await h.store.staging(KEY)).toBeNull();
    await h.raw.del(h.store.keys.staging(KEY));
    await h.raw.set(h.store.keys.staging(KEY), 'a string, not a hash');
    expect(await h.store.staging(KEY)).toBeNull();
    expect(lines.join('')).toContain('wrong Redis type');

    await h.raw.del(h.store.keys.staging(KEY));
    await publish('g3', ['[3]']);
    expect(await h.store.readMeta(KEY)).toMatchObject({ generation: 'g3', lastSuccess: 2 });
    expect((await h.store.readSnapshot(KEY))?.pages).toEqual(['[3]']);
  });

  it('never writes a raw token anywhere, only its fingerprint', async () => {
    const token = 'Zx9sQpL3mN7vB2kR8tY4wE6uI1oP5aSdFgHjKlZxCvBnM0qWeRtYuIoPaSdFgHjK';
    const fingerprint = createHash('sha256').update(token).digest('hex').slice(0, 12);
    await h.store.putTokenUsage([{ fingerprint, used: 12, limit: 5000, coolingUntil: 1 }], 3);
    await h.store.putTokenUsage([{ fingerprint: token, used: 1, limit: 5000, coolingUntil: 0 }], 4).catch(() => undefined);
    await h.store.recordFailure(KEY, 1, `MIST_RATE_LIMITED: token ${fingerprint} cooling down`, 1);
    await h.store.acquireLock('collector', `owner-${fingerprint}`, LONG);
    const dump = await dumpKeys(h.raw, h.prefix);
    expect(dump.size).toBeGreaterThanOrEqual(5);
    expect([...dump.keys()].join('\n')).toContain(fingerprint);
    for (const [key, value] of dump) {
      expect(key).not.toContain(token);
      expect(value).not.toContain(token);
    }
    expect(await h.store.readTokenUsage()).toEqual([{ fingerprint, used: 12, limit: 5000, coolingUntil: 1, at: 3 }]);
  });

  it('drops usage records that expired from the budget index', async () => {
    await h.store.putTokenUsage([{ fingerprint: 'aaaaaaaaaaaa', used: 1, limit: 5000, coolingUntil: 0 }, { fingerprint: 'bbbbbbbbbbbb', used: 2, limit: 5000, coolingUntil: 0 }], 1);
    await h.raw.del(`${h.prefix}budget:aaaaaaaaaaaa`); // what the 2 h TTL does to a token no longer reported
    expect((await h.store.readTokenUsage()).map((u) => u.fingerprint)).toEqual(['bbbbbbbbbbbb']);
    expect(await h.raw.smembers(`${h.prefix}budgets`)).toEqual(['bbbbbbbbbbbb']);
  });

  it('shares the lock between two store instances, as two collector processes would', async () => {
    const other = new RedisStore({ url, prefix: h.prefix }, captureLog().log);
    try {
      expect(await h.store.acquireLock('collector', 'collector-1', LONG)).toBe(true);
      expect(await other.acquireLock('collector', 'collector-2', LONG)).toBe(false);
      await h.store.releaseLock('collector', 'collector-1');
      expect(await other.acquireLock('collector', 'collector-2', LONG)).toBe(true);
      expect(await h.store.renewLock('collector', 'collector-1', LONG)).toBe(false);
      // A second process sees what the first published.
      await publish('g1', ['[1]']);
      expect((await other.readSnapshot(KEY))?.generation).toBe('g1');
    } finally {
      await other.close();
    }
  });

  it('adds up exactly when two store instances increment the same counters concurrently', async () => {
    const other = new RedisStore({ url, prefix: h.prefix }, captureLog().log);
    try {
      const bump = (store: RedisStore, i: number) => store.incrementCounters('api_requests', { 'endpoint=sites': 1, [`endpoint=w${i % 3}`]: 0.5 });
      await Promise.all(Array.from({ length: 200 }, (_, i) => bump(i % 2 === 0 ? h.store : other, i)));
      expect(await other.readCounters('api_requests')).toEqual({ 'endpoint=sites': 200, 'endpoint=w0': 33.5, 'endpoint=w1': 33.5, 'endpoint=w2': 33 });
      // One hash per group, plain decimal values, no TTL: counters outlive every collector.
      const k = `${h.prefix}counters:api_requests`;
      expect(await h.raw.hgetall(k)).toMatchObject({ 'endpoint=sites': '200', 'endpoint=w2': '33' });
      expect(await h.raw.pttl(k)).toBe(-1);
    } finally {
      await other.close();
    }
  });

  it('ignores counter values that do not parse, and restarts them (or a mistyped key) at the next increment', async () => {
    const k = `${h.prefix}counters:api_requests`;
    await h.raw.hset(k, 'endpoint=a', 'lots', 'endpoint=b', '-3', 'endpoint=c', '7');
    expect(await h.store.readCounters('api_requests')).toEqual({ 'endpoint=c': 7 });
    expect(lines.filter((l) => l.includes('do not parse'))).toHaveLength(1);
    expect(lines.join('')).not.toContain('lots');
    await h.store.incrementCounters('api_requests', { 'endpoint=a': 2, 'endpoint=c': 1 });
    expect(await h.store.readCounters('api_requests')).toMatchObject({ 'endpoint=a': 2, 'endpoint=c': 8 });
    expect(lines.join('')).toContain('restarted at this increment');
    await h.raw.del(k);
    await h.raw.set(k, 'a string, not a hash');
    expect(await h.store.readCounters('api_requests')).toEqual({});
    await h.store.incrementCounters('api_requests', { 'endpoint=a': 1 });
    expect(await h.store.readCounters('api_requests')).toEqual({ 'endpoint=a': 1 });
  });

  it('reloads its scripts after the server forgets them (SCRIPT FLUSH)', async () => {
    await publish('g1', ['[1]']);
    await h.raw.script('FLUSH');
    expect((await h.store.readSnapshot(KEY))?.pages).toEqual(['[1]']);
    expect(await h.store.acquireLock('collector', 'a', LONG)).toBe(true);
  });

  it('is what createStore returns for a redis:// URL, connecting lazily', async () => {
    const { log, lines: created } = captureLog();
    const store = createStore({ url, prefix: h.prefix }, log);
    try {
      expect(store).toBeInstanceOf(RedisStore);
      expect((store as RedisStore).client.status).toBe('wait');
      expect(await store.ping()).toBe(true);
      expect(created.join('')).toContain('using the Redis store');
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable Redis through ping and typed errors', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', prefix: h.prefix, connectTimeoutMs: 500, maxRetriesPerRequest: 0 }, captureLog().log);
    try {
      expect(await store.ping()).toBe(false);
      await expect(store.readMeta(KEY)).rejects.toMatchObject({ name: 'StoreError', code: 'STORE_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') });
    } finally {
      await store.close();
    }
  });
});
