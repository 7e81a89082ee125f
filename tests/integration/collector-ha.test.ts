import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/store/redis.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { captureLog, deleteKeys, uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * The collector as real processes on a real Redis: killed mid-cycle it leaves no torn generation and resumes
 * where it stopped; of two collectors one is active and the standby takes over when it dies.
 */
describe('collector processes (real Redis, killed with SIGKILL)', () => {
  let sim: TestSim;
  let redis: Redis;
  const running: CliProcess[] = [];
  const tokenA = 'token-of-collector-a';
  const tokenB = 'token-of-collector-b';

  beforeAll(async () => {
    sim = await startTestSim({ sites: 3208, tokens: [tokenA, tokenB] });
    redis = new Redis(inject('redisUrl'));
  }, 60_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
    await sim.admin('DELETE', '/__sim/faults');
  });

  afterAll(async () => {
    redis.disconnect();
    await sim?.close();
  });

  const env = (prefix: string, token: string, extra: Record<string, string> = {}): Record<string, string> => ({
    MIST_API_TOKENS: token, MIST_HOST: sim.url, REDIS_URL: inject('redisUrl'), STORE_KEY_PREFIX: prefix, LOG_LEVEL: 'info', ...extra,
  });
  const start = (args: string[], e: Record<string, string>): CliProcess => {
    const p = spawnCli(args, e);
    running.push(p);
    return p;
  };
  const portsCalls = async (): Promise<number> =>
    (await sim.admin<{ by_route: Record<string, number> }>('GET', '/__sim/calls')).body.by_route['/api/v1/orgs/:org_id/stats/ports/search'] ?? 0;

  it('killed mid-cycle: readers keep the last complete generation, and a restart resumes the staged walk', async () => {
    const prefix = uniquePrefix('resume');
    const store = new RedisStore({ url: inject('redisUrl'), prefix }, captureLog('warn').log);
    const key = { orgId: sim.orgId, family: 'wan-ports' };
    try {
      const once = start(['collector', '--once'], env(prefix, tokenA));
      expect(await once.exited).toBe(0);
      const first = await store.readSnapshot(key);
      expect(first).not.toBeNull();

      // Slow the ports walk (15 pages) so there is a "mid-cycle" to kill it in.
      await sim.admin('POST', '/__sim/faults', { kind: 'latency', latency_ms: 400, match: '/stats/ports/search' });
      const victim = start(['collector'], env(prefix, tokenA));
      let staged = await store.staging(key);
      const deadline = Date.now() + 30_000;
      while ((staged === null || staged.generation === first!.generation || staged.pages < 3) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        staged = await store.staging(key);
      }
      expect(staged!.pages).toBeGreaterThanOrEqual(3);
      await victim.kill('SIGKILL');
      staged = await store.staging(key);
      expect(staged!.pages).toBeLessThan(15);

      // No torn generation: readers still get the first, complete, generation.
      const during = await store.readSnapshot(key);
      expect(during!.generation).toBe(first!.generation);
      expect(during!.pages).toEqual(first!.pages);

      await sim.admin('DELETE', '/__sim/faults');
      const before = await portsCalls();
      const successor = start(['collector'], env(prefix, tokenA));
      await successor.waitForLine(/resuming staged generation/, 30_000);
      const deadline2 = Date.now() + 30_000;
      let meta = await store.readMeta(key);
      while (meta?.generation !== staged!.generation && Date.now() < deadline2) {
        await new Promise((r) => setTimeout(r, 100));
        meta = await store.readMeta(key);
      }
      expect(meta!.generation).toBe(staged!.generation);
      expect(meta!.recordsKept).toBe(sim.sim.org.wanPorts.length);
      const after = await store.readSnapshot(key);
      expect(after!.pages).toHaveLength(15);
      expect(after!.pages.flatMap((p) => JSON.parse(p) as unknown[])).toHaveLength(sim.sim.org.wanPorts.length);
      // Resumed: only the pages not staged were fetched again (+1 for the start-up size check).
      expect((await portsCalls()) - before).toBe(15 - staged!.pages + 1);
    } finally {
      await store.close();
      await deleteKeys(redis, prefix);
    }
  }, 120_000);

  it('runs one active collector; the standby takes over within ~2 lock TTLs when the active one dies', async () => {
    const prefix = uniquePrefix('ha');
    const lock = { COLLECTOR_LOCK_TTL_SECONDS: '3' };
    try {
      const a = start(['collector'], env(prefix, tokenA, lock));
      await a.waitForLine(/became the active collector/);
      const b = start(['collector'], env(prefix, tokenB, lock));
      await b.waitForLine(/collection planned/);
      await new Promise((r) => setTimeout(r, 4_000));
      expect(b.lines.some((l) => /became the active collector/.test(l))).toBe(false);
      const fpB = (await sim.admin<{ tokens: { token: string; fingerprint: string }[] }>('GET', '/__sim/org')).body.tokens.find((t) => t.token === tokenB)!.fingerprint;
      const callsB = async (): Promise<number> => (await sim.admin<{ by_token: Record<string, number> }>('GET', '/__sim/calls')).body.by_token[fpB] ?? 0;
      // While standing by, B made only its start-up calls: /self, /self/usage and 5 size checks.
      expect(await callsB()).toBe(7);

      const killedAt = Date.now();
      await a.kill('SIGKILL');
      await b.waitForLine(/became the active collector/, 15_000);
      const takeover = Date.now() - killedAt;
      expect(takeover).toBeLessThan(2 * 3_000 + 2_000);
      const deadline = Date.now() + 20_000;
      while ((await callsB()) <= 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await callsB()).toBeGreaterThan(6);
      console.log(`standby took over ${takeover} ms after the active collector was killed (lock TTL 3 s)`);
    } finally {
      await deleteKeys(redis, prefix);
    }
  }, 90_000);
});
