import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareCollector, runCollector, type PreparedCollector } from '../../src/collect/collector.js';
import { API_RATE_LIMITED, API_REQUEST_FAILURES, API_REQUESTS, decodeLabels } from '../../src/store/counters.js';
import { encodeHolder } from '../../src/store/org-locks.js';
import { Scheduler } from '../../src/collect/scheduler.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { tokenFingerprint } from '../../src/mist/fingerprint.js';
import { spawnCli } from '../support/cli-process.js';
import { captureLog, dumpKeys, redisStoreHarness } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';

interface Calls { total: number; rate_limited: number; by_route: Record<string, number> }
type Counts = Record<string, number>;

/** The simulator's route templates → the client's endpoint names (src/mist/endpoints.ts). */
const ENDPOINT_OF_ROUTE: Readonly<Record<string, string>> = {
  '/api/v1/self': 'self',
  '/api/v1/self/usage': 'self_usage',
  '/api/v1/orgs/:org_id': 'org',
  '/api/v1/orgs/:org_id/sites': 'sites',
  '/api/v1/orgs/:org_id/sitegroups': 'sitegroups',
  '/api/v1/orgs/:org_id/inventory': 'inventory',
  '/api/v1/orgs/:org_id/stats/devices': 'stats_devices',
  '/api/v1/orgs/:org_id/stats/ports/search': 'stats_ports_search',
  '/api/v1/orgs/:org_id/alarms/search': 'alarms_search',
  '/api/v1/orgs/:org_id/devices/events/search': 'devices_events_search',
  '/api/v1/orgs/:org_id/stats/vpn_peers/search': 'stats_vpn_peers_search',
  '/api/v1/orgs/:org_id/insights/sites-sle': 'insights_sites_sle',
  '/api/v1/orgs/:org_id/insights/:metric': 'insights_worst_sites_by_sle',
  '/api/v1/sites/:site_id/sle/:scope/:scope_id/metric/:metric/summary-trend': 'sle_summary_trend',
  '/api/v1/sites/:site_id/sle/:scope/:scope_id/metric/:metric/impacted-interfaces': 'sle_impacted_interfaces',
  '/api/v1/sites/:site_id/sle/:scope/:scope_id/metric/:metric/impacted-gateways': 'sle_impacted_gateways',
  '/api/v1/sites/:site_id/sle/:scope/:scope_id/metric/:metric/threshold': 'sle_threshold',
};

/**
 * The collector's API call counters, as exporters will read them: in Redis, written by collectors that come
 * and go, always equal to what Mist (the simulator) received, and only ever growing.
 */
describe('API call counters (collector → real Redis, simulator over HTTP)', () => {
  let sim: TestSim;
  let h: Awaited<ReturnType<typeof redisStoreHarness>>;
  let config: Config;
  const log = captureLog('warn').log;
  const fingerprint = (): string => tokenFingerprint(sim.token);

  /** A counter group read back as "label values joined by /" → total. */
  const group = async (name: string): Promise<Counts> => {
    const out: Counts = {};
    for (const [field, value] of Object.entries(await h.store.readCounters(name))) {
      const labels = decodeLabels(field);
      expect(labels, field).not.toBeNull();
      out[Object.values(labels ?? {}).join('/')] = value;
    }
    return out;
  };
  const counters = async () => ({ requests: await group(API_REQUESTS), failures: await group(API_REQUEST_FAILURES), limited: await group(API_RATE_LIMITED) });
  /** What the simulator received, by endpoint name. */
  const received = async (): Promise<{ total: number; rateLimited: number; byEndpoint: Counts }> => {
    const calls = (await sim.admin<Calls>('GET', '/__sim/calls')).body;
    const byEndpoint: Counts = {};
    for (const [route, n] of Object.entries(calls.by_route)) byEndpoint[ENDPOINT_OF_ROUTE[route] ?? `unmapped ${route}`] = n;
    return { total: calls.total, rateLimited: calls.rate_limited, byEndpoint };
  };
  const sum = (c: Counts): number => Object.values(c).reduce((a, b) => a + b, 0);
  /** Every counter of `after` is at least what it was in `before` (a counter never goes down or vanishes). */
  const expectGrown = (before: Counts, after: Counts): void => {
    for (const [k, v] of Object.entries(before)) expect(after[k], k).toBeGreaterThanOrEqual(v);
  };

  beforeAll(async () => {
    // speed 60: the simulator's Retry-After (to the end of its simulated minute) is short even in real time.
    sim = await startTestSim({ sites: 60, speed: 60 });
    h = await redisStoreHarness(inject('redisUrl'), 'call-stats');
    config = loadConfig({ MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, LOG_LEVEL: 'warn' }, { envFile: '/nonexistent' });
    await sim.admin('DELETE', '/__sim/calls');
  });

  afterAll(async () => {
    await h?.cleanup();
    await sim?.close();
  });

  it('counts every attempt of a cycle with 5xx and 429 faults: by endpoint as the simulator saw them, failures by reason, 429s by token fingerprint', async () => {
    let fakeNow = Date.now();
    const prepared = await prepareCollector(config, log, { store: h.store, now: () => fakeNow, sleep: async (ms) => { fakeNow += ms; } });
    try {
      await sim.admin('POST', '/__sim/faults', { kind: 'error', status: 503, match: '/stats/ports/search', count: 2 });
      await sim.admin('POST', '/__sim/faults', { kind: 'rate_limit_storm', match: '/stats/ports/search', count: 1 });
      const results = await new Scheduler(prepared.schedulerDeps, prepared.jobs, log).runOnce();
      expect(results.map((r) => r.ok)).toEqual(prepared.jobs.map(() => true));
      await prepared.callStats.flush(h.store);
    } finally {
      await prepared.api.close();
      await sim.admin('DELETE', '/__sim/faults');
    }
    const sim1 = await received();
    expect(sim1.rateLimited).toBe(1);
    const c = await counters();
    expect(c.requests).toEqual(sim1.byEndpoint);
    expect(sum(c.requests)).toBe(sim1.total);
    // The first ports page took 4 attempts (429, 503, 503, 200): the retries are requests too.
    expect(c.requests.stats_ports_search).toBeGreaterThanOrEqual(4);
    expect(c.failures).toEqual({ 'stats_ports_search/E_MIST_HTTP': 2, 'stats_ports_search/E_MIST_RATE_LIMITED': 1 });
    expect(c.limited).toEqual({ [fingerprint()]: 1 });

    // Fingerprints only: the token appears in no key and no value.
    const dump = await dumpKeys(h.raw, h.prefix);
    expect([...dump.keys()]).toEqual(expect.arrayContaining([`${h.prefix}counters:${API_REQUESTS}`, `${h.prefix}counters:${API_RATE_LIMITED}`]));
    expect(dump.get(`${h.prefix}counters:${API_RATE_LIMITED}`)).toContain(fingerprint());
    for (const [key, value] of dump) {
      expect(key).not.toContain(sim.token);
      expect(value).not.toContain(sim.token);
    }
  });

  it('keeps growing across a collector restart (runCollector, one round of every family) and still equals what the simulator received', async () => {
    const before = await counters();
    const prepared: PreparedCollector = await prepareCollector(config, log, { store: h.store });
    const stop = new AbortController();
    let cycles = 0;
    const onCycle = (): void => {
      cycles += 1;
      if (cycles === prepared.jobs.length) stop.abort(); // every family ran once; the next cycles are minutes away
    };
    try {
      await runCollector({ ...prepared, schedulerDeps: { ...prepared.schedulerDeps, onCycle } }, config, log, stop.signal);
    } finally {
      await prepared.api.close();
    }
    expect(cycles).toBe(prepared.jobs.length);
    const after = await counters();
    const sim2 = await received();
    expect(after.requests).toEqual(sim2.byEndpoint);
    expect(sum(after.requests)).toBe(sim2.total);
    expect(sum(after.requests)).toBeGreaterThan(sum(before.requests));
    expectGrown(before.requests, after.requests);
    // No faults this time: failures and 429s stayed where they were.
    expect(after.failures).toEqual(before.failures);
    expect(after.limited).toEqual(before.limited);
  });

  it("counts a standby's start-up calls as soon as it runs, and once only", async () => {
    const before = await counters();
    // Another collector of the same org holds its lock (an HA twin): this one stands by.
    const another = encodeHolder({ owner: 'another-collector', orgs: [sim.orgId] });
    expect((await h.store.acquireOrgLocks([sim.orgId], another, 60_000)).acquired).toBe(true);
    const prepared = await prepareCollector(config, log, { store: h.store });
    const stop = new AbortController();
    const running = runCollector(prepared, config, log, stop.signal);
    try {
      const expected = await received();
      const deadline = Date.now() + 10_000;
      while (sum((await counters()).requests) < expected.total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect((await counters()).requests).toEqual(expected.byEndpoint); // flushed while standing by
    } finally {
      stop.abort();
      await running;
      await prepared.api.close();
      await h.store.releaseOrgLocks([sim.orgId], another);
    }
    const after = await counters();
    const sim3 = await received();
    expect(after.requests).toEqual(sim3.byEndpoint);
    expect(sum(after.requests) - sum(before.requests)).toBe(2 + 5); // /self, /self/usage, 5 size calls
    expectGrown(before.requests, after.requests);
  });

  it('`collector --once` adds its calls to the same counters', async () => {
    const before = await counters();
    const once = spawnCli(['collector', '--once'], {
      MIST_API_TOKENS: sim.token, MIST_HOST: sim.url, REDIS_URL: inject('redisUrl'), STORE_KEY_PREFIX: h.prefix, LOG_LEVEL: 'warn',
    });
    expect(await once.exited).toBe(0);
    const after = await counters();
    const sim4 = await received();
    expect(after.requests).toEqual(sim4.byEndpoint);
    expect(sum(after.requests)).toBeGreaterThan(sum(before.requests));
    expectGrown(before.requests, after.requests);
  });
});
