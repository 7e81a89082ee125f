import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisStore } from '../../src/store/redis.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { captureLog, deleteKeys, uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { flapsByPort, transitionsByPort } from '../support/truth.js';
import { FAMILY_CATALOGUES } from '../../src/families/registry.js';

/** Polls `read` until `done` holds (no bound on how soon: only a generous deadline against hanging). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    v = await read();
  }
  expect(done(v), `condition not met within ${timeoutMs} ms; last: ${JSON.stringify(v)?.slice(0, 500)}`).toBe(true);
  return v;
}

/**
 * The collector as real processes on a real Redis: killed mid-cycle it leaves no torn generation and resumes
 * where it stopped; of two collectors one is active, and when it dies the standby takes over and collects.
 */
describe('collector processes (real Redis, killed with SIGKILL)', () => {
  let sim: TestSim;
  let redis: Redis;
  const running: CliProcess[] = [];
  const tokenA = 'token-of-collector-a';
  const tokenB = 'token-of-collector-b';

  beforeAll(async () => {
    // The simulated clock nearly frozen (speed 0.001): only /__sim/advance moves it, so the events window's end
    // and the truth read after a cycle describe the same instant.
    sim = await startTestSim({ sites: 3208, tokens: [tokenA, tokenB], speed: 0.001 });
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

  it('runs one active collector; when it dies the standby takes over and collects: new generations of new data, flap counters exactly the truth\'s, monotonic', async () => {
    const prefix = uniquePrefix('ha');
    // events every 30 s (the minimum), so the active collector counts before it is killed.
    const lock = { COLLECTOR_LOCK_TTL_SECONDS: '3', COLLECTOR_INTERVALS: 'events=30' };
    const store = new RedisStore({ url: inject('redisUrl'), prefix }, captureLog('warn').log);
    const ports = { orgId: sim.orgId, family: 'wan-ports' };
    const events = { orgId: sim.orgId, family: 'events' };
    const groups = [...new Set(FAMILY_CATALOGUES.flatMap((c) => (c.counters ?? []).map((d) => d.group)))];
    const readCounters = async (): Promise<Record<string, Record<string, number>>> =>
      Object.fromEntries(await Promise.all(groups.map(async (g) => [g, await store.readCounters(g)] as const)));
    /** Flap counters of this org by `mac|port_id` (summed over any other label), and the truth's transitions. */
    const flaps = (): Promise<Map<string, number>> => flapsByPort(store, sim.orgId);
    const transitions = (): Promise<Map<string, number>> => transitionsByPort(sim);
    const equalCounts = (counted: Map<string, number>, truth: Map<string, number>): boolean =>
      [...truth].every(([k, n]) => (counted.get(k) ?? 0) === n) && [...counted].every(([k, n]) => truth.has(k) || n === 0);
    const rxBytes = async (): Promise<number> => {
      const snap = await store.readSnapshot(ports);
      return snap!.pages.flatMap((p) => JSON.parse(p) as { rx_bytes: number | null }[]).reduce((sum, r) => sum + (r.rx_bytes ?? 0), 0);
    };
    try {
      const a = start(['collector'], env(prefix, tokenA, lock));
      await a.waitForLine(/became the active collector/);
      const b = start(['collector'], env(prefix, tokenB, lock));
      await b.waitForLine(/collection planned/);
      // The active collector's first generations (what the standby must move past).
      const first = { ports: await until(() => store.readMeta(ports), (m) => m?.generation != null), events: await until(() => store.readMeta(events), (m) => m?.generation != null) };
      const fpB = (await sim.admin<{ tokens: { token: string; fingerprint: string }[] }>('GET', '/__sim/org')).body.tokens.find((t) => t.token === tokenB)!.fingerprint;
      const callsB = async (): Promise<number> => (await sim.admin<{ by_token: Record<string, number> }>('GET', '/__sim/calls')).body.by_token[fpB] ?? 0;
      // While standing by, B made only its start-up calls: /self, /self/usage and 5 size checks.
      expect(b.lines.some((l) => /became the active collector/.test(l))).toBe(false);
      expect(await callsB()).toBe(7);
      // A's first events walk counts no history: every WAN port's flap counter starts at 0 at the truth's
      // transitions of now (T0). From then on, counters must be exactly the truth's transitions since T0.
      await until(flaps, (f) => f.size === sim.sim.org.wanPorts.length);
      const t0 = await transitions();
      const since = (t: Map<string, number>): Map<string, number> => new Map([...t].map(([k, n]) => [k, n - t0.get(k)!]));
      const nonZero = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m].filter(([, n]) => n !== 0).sort());

      // Two simulated minutes pass; A's next events cycle counts exactly what happened.
      await sim.admin('POST', '/__sim/advance', { seconds: 120 });
      const t1 = since(await transitions());
      expect(Object.keys(nonZero(t1)).length, 'flaps happened in the two minutes').toBeGreaterThan(0);
      // (counters are applied just after their generation is published: wait for the counts, not the generation)
      expect(nonZero(await until(flaps, (f) => equalCounts(f, t1), 90_000))).toEqual(nonZero(t1));
      const countersBefore = await readCounters();
      const rxBefore = await rxBytes();

      const killedAt = Date.now();
      await a.kill('SIGKILL');
      // Five simulated minutes pass: traffic counters grow, ports flap, events happen.
      await sim.admin('POST', '/__sim/advance', { seconds: 300 });
      const t2 = since(await transitions());
      const inGap = new Map([...t2].map(([k, n]) => [k, n - t1.get(k)!]));
      expect(Object.keys(nonZero(inGap)).length, 'flaps happened while A was dead').toBeGreaterThan(0);
      await b.waitForLine(/became the active collector/, 30_000);
      const takeover = Date.now() - killedAt;

      // B publishes generations of its own, after the takeover, holding newer data.
      const newer = (before: { generation: string | null } | null) => (m: { generation: string | null; lastSuccess: number | null } | null): boolean =>
        m !== null && m.generation !== before?.generation && (m.lastSuccess ?? 0) > killedAt;
      const portsAfter = await until(() => store.readMeta(ports), newer(first.ports), 60_000);
      const eventsAfter = await until(() => store.readMeta(events), newer(first.events), 60_000);
      expect(portsAfter!.recordsKept).toBe(sim.sim.org.wanPorts.length);
      expect(eventsAfter!.lastError).toBeNull();
      expect(await rxBytes()).toBeGreaterThan(rxBefore);
      expect(await callsB()).toBeGreaterThan(7);

      // B's cycles counted exactly what happened while A was dead: every port's flap counter is the truth's
      // transitions since T0 (A's part and B's part, nothing twice, nothing lost).
      expect(nonZero(await until(flaps, (f) => equalCounts(f, t2), 90_000))).toEqual(nonZero(t2));
      // Counters never go back.
      const countersAfter = await readCounters();
      const regressed = Object.entries(countersBefore).flatMap(([g, fields]) =>
        Object.entries(fields).filter(([f, v]) => (countersAfter[g]?.[f] ?? -1) < v).map(([f, v]) => `${g} ${f}: ${v} → ${countersAfter[g]?.[f]}`));
      expect(regressed).toEqual([]);
      const sum = (m: Map<string, number>): number => [...m.values()].reduce((x, y) => x + y, 0);
      console.log(`standby took over ${takeover} ms after the active collector was killed (lock TTL 3 s); flaps counted ${sum(t1)} by A, ${sum(inGap)} by B, as the truth says`);
    } finally {
      await store.close();
      await deleteKeys(redis, prefix);
    }
  }, 180_000);
});
