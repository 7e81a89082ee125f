import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prepareCollector, runCollector } from '../../src/collect/collector.js';
import { Leader } from '../../src/collect/leader.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { startExporter, type RunningExporter } from '../../src/server/exporter.js';
import { decodeHolder, type CollectorStatus } from '../../src/store/org-locks.js';
import { RedisStore } from '../../src/store/redis.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { exporterConfig, injectGet, parseSamples, type ParsedSample } from '../support/exporter-harness.js';
import { captureLog, deleteKeys, uniquePrefix } from '../support/redis-store.js';
import { startTestSim, type TestSim } from '../support/sim-server.js';
import { truthOf } from '../support/truth.js';

/** Polls `read` until `done` holds (only a generous deadline against hanging; no bound on how soon). */
async function until<T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  expect(done(v), `${what}: not within ${timeoutMs} ms; last: ${JSON.stringify(v)?.slice(0, 400)}`).toBe(true);
  return v;
}

/** An in-process collector (prepareCollector + runCollector) with its captured log. */
interface InProcess {
  readonly lines: string[];
  readonly stop: () => Promise<void>;
}

/**
 * Orgs sharded over collectors: two simulators (one org each, different seeds), two collectors (one per org,
 * each with its own token and MIST_HOST; one of them the real CLI process), one Redis, two exporter replicas.
 * Both collectors are active at once, each holds its own org's lock, both replicas serve both orgs as each
 * simulator's truth says; an overlapping shard and a shared token are reported; an HA twin stands by.
 */
describe('collector shards: two orgs, two collectors, one Redis, two exporter replicas', () => {
  const url = inject('redisUrl');
  const prefix = uniquePrefix('orgs');
  const tokenA = 'token-of-shard-a';
  const tokenA2 = 'token-of-shard-a-twin';
  const tokenB = 'token-of-shard-b';
  let simA: TestSim;
  let simB: TestSim;
  let redis: Redis;
  let store: RedisStore;
  let collectorA: InProcess;
  let collectorB: CliProcess;
  const exporters: RunningExporter[] = [];
  const stores: RedisStore[] = [];
  const extra: InProcess[] = [];
  let started = 0;

  const collectorEnv = (sim: TestSim, token: string): Record<string, string> => ({
    MIST_API_TOKENS: token, MIST_HOST: sim.url, MIST_ORG_ID: sim.orgId, REDIS_URL: url, STORE_KEY_PREFIX: prefix,
    COLLECTOR_LOCK_TTL_SECONDS: '3', LOG_LEVEL: 'info', LOG_FORMAT: 'json',
  });
  const newStore = (): RedisStore => {
    const s = new RedisStore({ url, prefix }, captureLog('error').log);
    stores.push(s);
    return s;
  };
  const startInProcess = async (sim: TestSim, token: string): Promise<InProcess> => {
    const { log, lines } = captureLog('info');
    const config: Config = loadConfig(collectorEnv(sim, token), { envFile: '/nonexistent' });
    const own = newStore();
    const prepared = await prepareCollector(config, log, { store: own });
    const stop = new AbortController();
    const running = runCollector(prepared, config, log, stop.signal);
    let stopped: Promise<void> | undefined;
    return {
      lines,
      stop: () => (stopped ??= (async () => {
        stop.abort();
        await running;
        await prepared.api.close();
      })()),
    };
  };
  /** The lock of an org as stored: {owner, orgs} of the shard holding it, or null. */
  const lockOf = async (orgId: string) => {
    const value = await redis.get(`${prefix}lock:collector:${orgId}`);
    return value === null ? null : decodeHolder(value);
  };
  const statuses = (): Promise<CollectorStatus[]> => store.readCollectorStatuses();
  const ownerIn = (lines: readonly string[]): string | undefined => {
    const line = lines.find((l) => l.includes('became the active collector'));
    return line === undefined ? undefined : (JSON.parse(line) as { owner: string }).owner;
  };
  /** Each replica refreshed from the store, then scraped. */
  const scrapeAll = async (): Promise<ParsedSample[][]> => Promise.all(exporters.map(async (e) => {
    await e.cache.refresh();
    const res = await injectGet(e, '/metrics');
    expect(res.status).toBe(200);
    return parseSamples(res.text);
  }));
  const value = (samples: readonly ParsedSample[], name: string, labels: Record<string, string>): number | undefined =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

  beforeAll(async () => {
    // Two orgs: different seeds make different org ids, sites and gateway MACs. The clock nearly frozen, so the
    // truth read after a collection describes what was collected.
    simA = await startTestSim({ sites: 30, seed: 'shard-a', tokens: [tokenA, tokenA2], speed: 0.001 });
    simB = await startTestSim({ sites: 20, seed: 'shard-b', tokens: [tokenB], speed: 0.001 });
    redis = new Redis(url);
    store = newStore();
    started = Date.now();
    collectorB = spawnCli(['collector'], collectorEnv(simB, tokenB));
    collectorA = await startInProcess(simA, tokenA);
    for (let i = 0; i < 2; i++) {
      exporters.push(await startExporter(newStore(), exporterConfig(simA, { REDIS_URL: url, STORE_KEY_PREFIX: prefix }), captureLog('error').log, { listen: false }));
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(extra.map((c) => c.stop()));
    await collectorA?.stop();
    await collectorB?.kill('SIGTERM');
    await Promise.all(exporters.map((e) => e.close()));
    await deleteKeys(redis, prefix);
    redis?.disconnect();
    await Promise.all(stores.map((s) => s.close()));
    await simA?.close();
    await simB?.close();
  });

  it('runs both collectors at once, each holding the lock of its own org only', async () => {
    expect(simA.orgId).not.toBe(simB.orgId);
    await collectorB.waitForLine(/became the active collector/, 30_000);
    await until('collector A active', async () => ownerIn(collectorA.lines), (o) => o !== undefined);
    console.log(`both collectors active ${Date.now() - started} ms after their start (one CLI process, one in-process)`);
    const owners = { a: ownerIn(collectorA.lines)!, b: ownerIn(collectorB.lines)! };
    expect(owners.a).not.toBe(owners.b);
    expect(await lockOf(simA.orgId)).toEqual({ owner: owners.a, orgs: [simA.orgId] });
    expect(await lockOf(simB.orgId)).toEqual({ owner: owners.b, orgs: [simB.orgId] });
    // Both active at the same moment (neither standing by), as their status records say.
    const both = await until('both collectors report active', statuses, (s) => s.filter((x) => x.state === 'active').length === 2);
    expect(both.map((s) => [s.id, s.orgIds, s.state]).sort()).toEqual([[owners.a, [simA.orgId], 'active'], [owners.b, [simB.orgId], 'active']].sort());
    expect([...collectorA.lines, ...collectorB.lines].filter((l) => /standby: |overlapping shards/.test(l))).toEqual([]);
  }, 40_000);

  it('serves both orgs from both exporter replicas, as each simulator\'s truth says', async () => {
    const families = ['gateways', 'wan-ports'];
    for (const sim of [simA, simB]) {
      for (const family of families) {
        await until(`${family} of ${sim.orgId} collected`, () => store.readMeta({ orgId: sim.orgId, family }), (m) => m?.generation != null);
      }
    }
    const scrapes = await scrapeAll();
    for (const sim of [simA, simB]) {
      const truth = await truthOf(sim, sim.sim.org.sites.map((s) => s.id));
      const gateways = new Map(truth.sites.map((s) => [s.gateway.mac, s.gateway.connected ? 1 : 0]));
      const ports = new Map(truth.sites.flatMap((s) => s.circuits.map((c) => [`${s.gateway.mac}|${c.port_id}`, c.up ? 1 : 0] as const)));
      expect(ports.size).toBe(sim.sim.org.wanPorts.length);
      for (const [i, samples] of scrapes.entries()) {
        const of = (name: string): Map<string, number> => new Map(samples.filter((s) => s.name === name && s.labels.org_id === sim.orgId)
          .map((s) => [name === 'mist_gateway_up' ? s.labels.mac! : `${s.labels.mac}|${s.labels.port_id}`, s.value]));
        expect(of('mist_gateway_up'), `replica ${i}: gateways of ${sim.orgId}`).toEqual(gateways);
        expect(of('mist_wan_port_up'), `replica ${i}: WAN ports of ${sim.orgId}`).toEqual(ports);
        // The shard's self-metrics: one active collector for the org, none in conflict; its token used by one.
        expect(value(samples, 'mist_collector_org_collectors', { org_id: sim.orgId, state: 'active' })).toBe(1);
        expect(value(samples, 'mist_collector_org_collectors', { org_id: sim.orgId, state: 'conflict' })).toBe(0);
      }
    }
    // Neither org's series carries the other's MACs: the two orgs did not mix.
    const macsA = new Set(simA.sim.org.gateways.map((g) => g.mac));
    expect(scrapes[0]!.filter((s) => s.name === 'mist_gateway_up' && s.labels.org_id === simB.orgId && macsA.has(s.labels.mac!))).toEqual([]);
    const tokenSamples = scrapes.map((s) => s.filter((x) => x.name === 'mist_api_token_active_collectors').map((x) => x.value));
    expect(tokenSamples).toEqual([[1, 1], [1, 1]]);
  }, 40_000);

  it('reports an overlapping shard (log, status, metric, landing page) instead of collecting, and a token shared by two shards', async () => {
    const ttlMs = 3000;
    const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
    // A collector configured for {org A, org-extra}: overlaps collector A's {org A}.
    const overlap = captureLog('info');
    const stopOverlap = new AbortController();
    let overlapLed = false;
    const overlapping = new Leader({ store: newStore(), orgIds: [simA.orgId, 'org-extra'], ttlMs, log: overlap.log, sleep, owner: 'overlapping-collector' })
      .run(async () => { overlapLed = true; }, stopOverlap.signal);
    // A disjoint shard that shares collector A's token.
    const fpA = (await statuses()).find((s) => s.orgIds.includes(simA.orgId))!.tokens[0]!;
    const stopShared = new AbortController();
    const sharing = new Leader({ store: newStore(), orgIds: ['org-shared'], ttlMs, log: captureLog('error').log, sleep, owner: 'sharing-collector', tokens: () => [fpA] })
      .run((leadership) => new Promise((resolve) => leadership.addEventListener('abort', () => resolve(), { once: true })), stopShared.signal);
    try {
      const seen = await until('overlap and sharing reported', statuses, (s) => s.some((x) => x.id === 'overlapping-collector') && s.some((x) => x.id === 'sharing-collector' && x.state === 'active'));
      expect(seen.find((x) => x.id === 'overlapping-collector')).toMatchObject({ state: 'conflict', conflicts: [simA.orgId], orgIds: [simA.orgId, 'org-extra'].sort() });
      const warned = overlap.lines.map((l) => JSON.parse(l) as { msg: string; conflicts?: string[]; uncollected?: string[] }).find((l) => /overlapping shards/.test(l.msg));
      expect(warned).toMatchObject({ conflicts: [simA.orgId], uncollected: ['org-extra'] });
      // Not collecting: all or none, so org-extra's lock was not taken either, and org A's stays collector A's.
      expect(overlapLed).toBe(false);
      expect(await lockOf('org-extra')).toBeNull();
      expect((await lockOf(simA.orgId))?.owner).toBe(ownerIn(collectorA.lines));

      for (const [i, samples] of (await scrapeAll()).entries()) {
        expect(value(samples, 'mist_collector_org_collectors', { org_id: simA.orgId, state: 'conflict' }), `replica ${i}`).toBe(1);
        expect(value(samples, 'mist_collector_org_collectors', { org_id: simA.orgId, state: 'active' }), `replica ${i}`).toBe(1);
        expect(value(samples, 'mist_collector_org_collectors', { org_id: 'org-extra', state: 'conflict' }), `replica ${i}`).toBe(1);
        expect(value(samples, 'mist_collector_org_collectors', { org_id: 'org-extra', state: 'active' }), `replica ${i}`).toBe(0);
        expect(value(samples, 'mist_collector_org_collectors', { org_id: simB.orgId, state: 'conflict' }), `replica ${i}`).toBe(0);
        expect(value(samples, 'mist_api_token_active_collectors', { token_fingerprint: fpA }), `replica ${i}`).toBe(2);
      }
      const landing = await injectGet(exporters[0]!, '/');
      expect(landing.text).toContain('Collector shards overlap');
      expect(landing.text).toContain(`Token ${fpA} is used by several active collector shards`);
    } finally {
      stopOverlap.abort();
      stopShared.abort();
      await Promise.all([overlapping, sharing]);
    }
    // Stopped cleanly: their status records are gone at once (not left to expire).
    expect((await statuses()).map((s) => s.id).filter((id) => id.endsWith('-collector'))).toEqual([]);
  }, 40_000);

  it('keeps exactly one active collector for an org when an HA twin joins; the twin takes over when it stops', async () => {
    const twin = await startInProcess(simA, tokenA2);
    extra.push(twin);
    const seen = await until('the twin stands by', statuses, (s) => s.some((x) => x.state === 'standby'));
    const ofA = seen.filter((s) => s.orgIds.includes(simA.orgId));
    expect(ofA.map((s) => s.state).sort()).toEqual(['active', 'standby']);
    expect(twin.lines.some((l) => /standby: another collector of the same orgs/.test(l))).toBe(true);
    expect(twin.lines.some((l) => /became the active collector|overlapping/.test(l))).toBe(false);
    const [samples] = await scrapeAll();
    expect(value(samples!, 'mist_collector_org_collectors', { org_id: simA.orgId, state: 'active' })).toBe(1);
    expect(value(samples!, 'mist_collector_org_collectors', { org_id: simA.orgId, state: 'standby' })).toBe(1);

    // Collector A stops (a deploy): it releases its lock and the twin takes org A over; org B is untouched.
    const ownerB = (await lockOf(simB.orgId))?.owner;
    const stoppedAt = Date.now();
    await collectorA.stop();
    await until('the twin becomes active', async () => ownerIn(twin.lines), (o) => o !== undefined, 15_000);
    const takeover = Date.now() - stoppedAt;
    expect((await lockOf(simA.orgId))?.owner).toBe(ownerIn(twin.lines));
    expect((await lockOf(simB.orgId))?.owner).toBe(ownerB);
    const after = await until('one active collector per org', statuses, (s) => s.filter((x) => x.state === 'active').length === 2 && !s.some((x) => x.state === 'standby'));
    expect(after.filter((s) => s.orgIds.includes(simA.orgId)).map((s) => s.state)).toEqual(['active']);
    console.log(`HA twin of org A active ${takeover} ms after collector A began its clean stop (lock TTL 3 s: the twin retries every 1.5 s); org B's collector untouched`);
  }, 40_000);
});
