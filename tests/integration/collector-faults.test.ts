import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { prepareCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { runCycle } from '../../src/collect/cycle.js';
import { wanPortsFamily } from '../../src/families/wan-ports/index.js';
import { DEFAULT_RETRY } from '../../src/mist/index.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { loadConfig } from '../../src/config/index.js';
import type { Snapshot, Store } from '../../src/store/types.js';
import { captureLog, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

interface Calls { total: number; rate_limited: number; by_route: Record<string, number> }
const PORTS = '/api/v1/orgs/:org_id/stats/ports/search';

/**
 * Mist misbehaving mid-collection: a 429 storm and 5xx/garbled responses. The collector keeps the last good
 * snapshot (never writes partial or zero data), stops calling when rate limited instead of storming back,
 * and recovers on the next cycle. Time is fake: backoff and Retry-After waits cost nothing.
 */
describe('collector under API faults (real Redis, simulator over HTTP)', () => {
  let sim: TestSim;
  let store: Store;
  let prepared: PreparedCollector;
  let cleanup: () => Promise<void>;
  let good: Snapshot;
  const key = (): { orgId: string; family: string } => ({ orgId: sim.orgId, family: 'wan-ports' });
  const calls = async (): Promise<Calls> => (await sim.admin<Calls>('GET', '/__sim/calls')).body;
  const cycle = () => runCycle(prepared.schedulerDeps, wanPortsFamily, sim.orgId, 60, new AbortController().signal);

  beforeAll(async () => {
    // speed 60: the simulator's Retry-After (to the end of its simulated minute or hour) is a few real seconds.
    sim = await startTestSim({ sites: 300, speed: 60 });
    const h = await redisStoreHarness(inject('redisUrl'), 'collector-faults');
    store = h.store;
    cleanup = h.cleanup;
    let fakeNow = Date.now();
    const config = loadConfig({ MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, LOG_LEVEL: 'warn' }, { envFile: '/nonexistent' });
    prepared = await prepareCollector(config, captureLog('warn').log, {
      store, now: () => fakeNow, sleep: async (ms) => { fakeNow += ms; },
    });
    const results = await new Scheduler(prepared.schedulerDeps, prepared.jobs, captureLog('warn').log).runOnce();
    expect(results.every((r) => r.ok)).toBe(true);
    good = (await store.readSnapshot(key()))!;
    expect(good.pages.length).toBe(2);
  }, 60_000);

  beforeEach(async () => {
    await sim.admin('DELETE', '/__sim/faults');
  });

  afterAll(async () => {
    await prepared?.api.close();
    await cleanup?.();
    await sim?.close();
  });

  it('keeps the last good snapshot through a 429 storm and gives up without a retry storm', async () => {
    await sim.admin('POST', '/__sim/faults', { kind: 'rate_limit_storm', match: '/stats/ports/search', count: 10_000 });
    const before = await calls();
    const result = await cycle();
    const after = await calls();
    expect(result.ok).toBe(false);
    // Rate limited until the call's deadline: reported as rate limiting or as the deadline it caused.
    expect(result.error).toMatch(/E_MIST_RATE_LIMITED|E_MIST_TIMEOUT/);
    const snap = await store.readSnapshot(key());
    expect(snap!.generation).toBe(good.generation);
    expect(snap!.pages).toEqual(good.pages);
    const meta = await store.readMeta(key());
    expect(meta!.lastError).toMatch(/E_MIST_RATE_LIMITED|E_MIST_TIMEOUT/);
    expect(meta!.generation).toBe(good.generation);
    // Bounded: the client stops after a handful of 429s on one call instead of hammering Mist.
    const storm = after.rate_limited - before.rate_limited;
    expect(storm).toBeGreaterThan(0);
    expect(storm).toBeLessThanOrEqual(DEFAULT_RETRY.maxRateLimited + 1);
    expect(after.total - before.total).toBe(storm);
  });

  it('survives a short 429 burst by waiting out Retry-After, and publishes a new generation', async () => {
    await sim.admin('POST', '/__sim/faults', { kind: 'rate_limit_storm', match: '/stats/ports/search', count: 3 });
    const before = await calls();
    const result = await cycle();
    expect(result.ok).toBe(true);
    const after = await calls();
    expect(after.by_route[PORTS]! - before.by_route[PORTS]!).toBe(2 + 3);
    expect((await store.readSnapshot(key()))!.generation).not.toBe(good.generation);
  });

  for (const fault of [
    { kind: 'error', status: 503 },
    { kind: 'malformed_json' },
    { kind: 'truncated_body' },
  ]) {
    it(`retries a ${fault.kind} response once, then publishes complete data`, async () => {
      await sim.admin('POST', '/__sim/faults', { ...fault, match: '/stats/ports/search', count: 1 });
      const previous = (await store.readSnapshot(key()))!.generation;
      const before = await calls();
      const result = await cycle();
      expect(result.error).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.recordsKept).toBe(sim.sim.org.wanPorts.length);
      const after = await calls();
      expect(after.by_route[PORTS]! - before.by_route[PORTS]!).toBe(2 + 1);
      const snap = await store.readSnapshot(key());
      expect(snap!.generation).not.toBe(previous);
      expect(snap!.pages.flatMap((p) => JSON.parse(p) as unknown[])).toHaveLength(sim.sim.org.wanPorts.length);
    });
  }

  it('keeps the last good snapshot when 5xx persist, recording the failure', async () => {
    const last = (await store.readSnapshot(key()))!;
    await sim.admin('POST', '/__sim/faults', { kind: 'error', status: 502, match: '/stats/ports/search' });
    const result = await cycle();
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/E_MIST_HTTP|502/);
    const snap = await store.readSnapshot(key());
    expect(snap!.generation).toBe(last.generation);
    expect(snap!.pages).toEqual(last.pages);
  });
});
