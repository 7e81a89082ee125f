import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { startExporter } from '../../src/server/exporter.js';
import { RedisStore } from '../../src/store/redis.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { exporterConfig, parseSamples, samplesOf } from '../support/exporter-harness.js';
import { captureLog, deleteKeys, uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

/**
 * Handing collection over, as real processes on a real Redis against the simulator over HTTP: a collector
 * stopped by a deploy (SIGTERM mid-cycle) records no failure and leaves its staged pages to resume; a standby
 * that takes over from a dead leader sharing its token starts from the token's real usage, not its own stale count.
 */
describe('collector hand-over (real Redis, collector processes)', () => {
  let sim: TestSim;
  let redis: Redis;
  const running: CliProcess[] = [];
  const token = 'token-shared-by-both-collectors';
  const fingerprint = tokenFingerprint(token);

  beforeAll(async () => {
    sim = await startTestSim({ sites: 3208, tokens: [token] });
    redis = new Redis(inject('redisUrl'));
  }, 60_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.kill()));
    await sim.admin('DELETE', '/__sim/faults');
  });

  afterAll(async () => {
    redis?.disconnect();
    await sim?.close();
  });

  const env = (prefix: string, extra: Record<string, string> = {}): Record<string, string> => ({
    MIST_API_TOKENS: token, MIST_HOST: sim.url, REDIS_URL: inject('redisUrl'), STORE_KEY_PREFIX: prefix, LOG_LEVEL: 'info', ...extra,
  });
  const start = (args: string[], e: Record<string, string>): CliProcess => {
    const p = spawnCli(args, e);
    running.push(p);
    return p;
  };
  const callsOfToken = async (): Promise<{ calls: number; rateLimited: number }> => {
    const body = (await sim.admin<{ by_token: Record<string, number>; rate_limited: number }>('GET', '/__sim/calls')).body;
    return { calls: body.by_token[fingerprint] ?? 0, rateLimited: body.rate_limited };
  };
  const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('SIGTERM mid-cycle (a deploy): no failure recorded, mist_collector_last_success stays 1, the staged walk is resumed', async () => {
    const prefix = uniquePrefix('shutdown');
    const store = new RedisStore({ url: inject('redisUrl'), prefix }, captureLog('warn').log);
    const key = { orgId: sim.orgId, family: 'wan-ports' };
    try {
      expect(await start(['collector', '--once'], env(prefix)).exited).toBe(0);
      const first = (await store.readMeta(key))!;
      expect(first.lastError).toBeNull();

      // Slow the ports walk (15 pages) so the deploy's SIGTERM lands mid-walk.
      await sim.admin('POST', '/__sim/faults', { kind: 'latency', latency_ms: 400, match: '/stats/ports/search' });
      const victim = start(['collector'], env(prefix));
      await until('wan-ports has staged pages of a new generation', async () => {
        const s = await store.staging(key);
        return s !== null && s.generation !== first.generation && s.pages >= 2;
      });
      expect(await victim.kill('SIGTERM')).toBe(0);

      // Nothing recorded as a failure, for any family; the last success stands.
      const meta = (await store.readMeta(key))!;
      expect(meta.lastError).toBeNull();
      expect(meta.lastSuccess).toBe(first.lastSuccess);
      expect(meta.generation).toBe(first.generation);
      for (const family of await store.listFamilies()) expect((await store.readMeta(family))?.lastError, family.family).toBeNull();
      const staged = (await store.staging(key))!;
      expect(staged.pages).toBeGreaterThanOrEqual(2);
      expect(staged.cursor).not.toBeNull();
      expect(victim.lines.some((l) => /cycle aborted by shutdown/.test(l))).toBe(true);

      // What users see: the exporter's mist_collector_last_success is 1 for every family.
      const exporter = await startExporter(store, exporterConfig(sim), captureLog('warn').log);
      try {
        const text = (await exporter.app.inject({ url: '/metrics?family=exporter' })).payload;
        const success = samplesOf(parseSamples(text), 'mist_collector_last_success');
        expect(success.length).toBeGreaterThan(0);
        for (const s of success) expect(s.value, s.labels.family).toBe(1);
      } finally {
        await exporter.close();
      }

      // The next collector resumes the staged walk.
      await sim.admin('DELETE', '/__sim/faults');
      const successor = start(['collector'], env(prefix));
      await successor.waitForLine(/resuming staged generation/, 30_000);
    } finally {
      await store.close();
      await deleteKeys(redis, prefix);
    }
  }, 180_000);

  it('a standby taking over re-reads the token usage before spending budget (same token as the dead leader)', async () => {
    const prefix = uniquePrefix('takeover');
    const store = new RedisStore({ url: inject('redisUrl'), prefix }, captureLog('warn').log);
    const lock = { COLLECTOR_LOCK_TTL_SECONDS: '3' };
    try {
      const a = start(['collector'], env(prefix, lock));
      await a.waitForLine(/became the active collector/, 30_000);
      const b = start(['collector'], env(prefix, lock));
      await b.waitForLine(/collection planned/, 30_000);
      // B's start-up read the token's usage; the leader then spends much more of the same token's budget.
      const atStandby = (await callsOfToken()).calls;
      await until('the leader made 100 more calls', async () => (await callsOfToken()).calls >= atStandby + 100);
      expect(b.lines.some((l) => /became the active collector/.test(l))).toBe(false);

      // Kill A while it has made calls it has not published yet (it publishes its usage every 10 s): what the
      // store says is then short of the token's real usage, and only /self/usage can tell B the difference.
      const publishedByA = async (): Promise<number> =>
        Math.max(0, ...(await store.readTokenUsage()).filter((u) => u.fingerprint === fingerprint).map((u) => u.used));
      await until('the leader made calls it has not published', async () => (await callsOfToken()).calls >= (await publishedByA()) + 20);
      await a.kill('SIGKILL');
      const killedAt = Date.now();
      const atKill = await callsOfToken();
      const published = await publishedByA();
      expect(atKill.rateLimited).toBe(0);
      expect(published, 'the store knows less than the token used (else the re-read would prove nothing)').toBeLessThan(atKill.calls);
      await b.waitForLine(/token usage re-read before collecting/, 30_000);

      // The re-read itself, before B spends anything: the usage it logs is Mist's count (every call the token
      // made this hour, the dead leader's unpublished ones included, plus B's /self/usage call), not the store's
      // stale figure plus B's own calls.
      const reread = b.lines.filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { msg?: string; takeover?: boolean; usage?: { fingerprint: string; used: number }[] })
        .find((l) => l.msg === 'token usage re-read before collecting' && l.takeover === true);
      expect(reread, 'B logged the usage it re-read after taking over').toBeDefined();
      const rereadUsed = reread!.usage!.find((u) => u.fingerprint === fingerprint)!.used;
      expect(rereadUsed).toBeGreaterThanOrEqual(atKill.calls);
      // (nothing but B's /self/usage call and A's requests in flight at the kill can come on top)
      expect(rereadUsed).toBeLessThanOrEqual((await callsOfToken()).calls);

      // B's first budget report (A is dead: any record written after the kill is B's) starts from that count.
      let record: { used: number; at: number } | undefined;
      await until('the new leader reports the token usage', async () => {
        record = (await store.readTokenUsage()).find((u) => u.fingerprint === fingerprint && u.at > killedAt);
        return record !== undefined;
      });
      expect(record!.used).toBeGreaterThanOrEqual(rereadUsed);
      console.log(`takeover: the new leader re-read ${rereadUsed} calls used (simulator: ${atKill.calls} at the kill, ${published} published by the dead leader, ${atStandby} when B started standing by)`);
    } finally {
      await store.close();
      await deleteKeys(redis, prefix);
    }
  }, 180_000);
});
